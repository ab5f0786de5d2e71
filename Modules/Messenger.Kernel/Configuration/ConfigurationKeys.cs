using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Messenger.Kernel.Configuration;

/// <summary>A configuration section bound to a validated options class
/// (<see cref="KernelModule.AddValidatedOptions{TOptions, TValidator}"/>): what start-up checks the keys against.</summary>
public sealed record BoundSection(string Section, Type OptionsType);

/// <summary>
/// The configuration's keys under <c>Messenger:</c> checked against the options classes bound there, before any is
/// bound. A key that no class binds (a typo such as <c>Messenger:Sesion:RegistrationMode</c>) would be ignored without a
/// word; a value the binder cannot convert would end start-up with a stack trace at the first one and hide every other
/// problem. Here each is one line naming the key (and the value, and what was expected), and the options are bound
/// without the values that do not convert, so the validators still report the rest. Keys outside <c>Messenger:</c>
/// (ASP.NET Core's <c>urls</c>, <c>Kestrel</c>, <c>Logging</c>…) are not ours to check.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>One line per key under <c>Messenger:</c> that none of <paramref name="sections"/> binds, and per value that
    /// does not convert to its property's type. Keys are compared ignoring case, as the configuration does.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, IEnumerable<BoundSection> sections)
    {
        var bound = sections.ToLookup(section => section.Section, section => section.OptionsType, StringComparer.OrdinalIgnoreCase);
        var problems = new List<Problem>();
        CheckSection(configuration.GetSection(MessengerOptions.Section), bound, problems);
        return problems.Select(problem => problem.Line).Distinct().ToList();
    }

    /// <summary>Binds <paramref name="section"/> to <paramref name="options"/>, leaving out the values that do not convert
    /// (<see cref="Problems"/> reports them): the property keeps its default and the start-up check fails anyway.</summary>
    public static void BindConvertible(IConfigurationSection section, object options)
    {
        var problems = new List<Problem>();
        CheckProperties(section, options.GetType(), problems);
        problems.RemoveAll(problem => !problem.Unconvertible);
        if (problems.Count == 0)
        {
            section.Bind(options);
            return;
        }

        var unconvertible = problems.Select(problem => problem.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable().Where(pair => !unconvertible.Contains(pair.Key)))
            .Build()
            .GetSection(section.Path)
            .Bind(options);
    }

    private sealed record Problem(string Key, string Line, bool Unconvertible = false);

    // The properties the binder sets: public, with a public setter (what ReadmeTests documents, too).
    private static PropertyInfo? Property(Type type, string key) =>
        type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { SetMethod.IsPublic: true } property
            ? property
            : null;

    // A bound section's children are the properties of the classes bound to it, or sections further down
    // (Messenger is MessengerOptions' section, and Messenger:Storage is StorageOptions').
    private static void CheckSection(IConfigurationSection node, ILookup<string, Type> bound, List<Problem> problems)
    {
        NotAValue(node, problems);
        foreach (var child in node.GetChildren())
        {
            if (bound[node.Path].Select(type => Property(type, child.Key)).FirstOrDefault(property => property is not null) is { } property)
            {
                CheckValue(child, property.PropertyType, problems);
            }
            else if (bound.Any(section => section.Key.Equals(child.Path, StringComparison.OrdinalIgnoreCase)
                         || section.Key.StartsWith(child.Path + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase)))
            {
                CheckSection(child, bound, problems);
            }
            else
            {
                Unknown(child, problems);
            }
        }
    }

    private static void CheckProperties(IConfigurationSection node, Type type, List<Problem> problems)
    {
        foreach (var child in node.GetChildren())
        {
            if (Property(type, child.Key) is { } property)
            {
                CheckValue(child, property.PropertyType, problems);
            }
            else
            {
                Unknown(child, problems);
            }
        }
    }

    private static void CheckValue(IConfigurationSection node, Type type, List<Problem> problems)
    {
        if (IsValue(type))
        {
            if (node.Value is { } value && Unconvertible(type, value) is { } expected)
            {
                problems.Add(new Problem(node.Path, $"{node.Path}: '{value}' {expected}", Unconvertible: true));
            }

            foreach (var child in node.GetChildren())
            {
                Unknown(child, problems);
            }
        }
        else if (ElementType(type) is { } element)
        {
            // Any key names an entry (0, 1, … by convention); each entry is checked as its type.
            NotAValue(node, problems);
            foreach (var entry in node.GetChildren())
            {
                CheckValue(entry, element, problems);
            }
        }
        else
        {
            NotAValue(node, problems);
            CheckProperties(node, type, problems);
        }
    }

    private static void Unknown(IConfigurationSection node, List<Problem> problems)
    {
        foreach (var (key, _) in node.AsEnumerable().Where(pair => pair.Value is not null).OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add(new Problem(key, $"{key}: unknown key (a typo?)"));
        }
    }

    // A section, a class or a list holds keys; a value given to it is ignored by the binder.
    private static void NotAValue(IConfigurationSection node, List<Problem> problems)
    {
        if (!string.IsNullOrEmpty(node.Value))
        {
            problems.Add(new Problem(node.Path, $"{node.Path}: '{node.Value}' is not one value: set the keys under it ({node.Path}:…)"));
        }
    }

    // As the binder decides: a type read from one string (numbers, bool, enums, string, TimeSpan…) is a value.
    private static bool IsValue(Type type) =>
        TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type).CanConvertFrom(typeof(string));

    // A list or an array binds one entry per child key; a dictionary one value per child key.
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        var generic = interfaces.Where(i => i.IsGenericType).ToList();
        return generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
                ?.GetGenericArguments()[1]
            ?? generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            ?? (typeof(IEnumerable).IsAssignableFrom(type) ? typeof(object) : null);
    }

    /// <summary>What the value should have been, or null when the binder converts it (the same converter, invariant).</summary>
    private static string? Unconvertible(Type type, string value)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            if (value.Length == 0)
            {
                return null; // the binder's null
            }

            type = underlying;
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception) // as the binder: whatever the converter throws, the value is not one
        {
            return Expected(type, value);
        }
    }

    private static string Expected(Type type, string value)
    {
        if (type == typeof(bool))
        {
            return "is not true or false";
        }

        if (type.IsEnum)
        {
            return $"is not one of {string.Join(", ", Enum.GetNames(type))}";
        }

        if (type == typeof(TimeSpan))
        {
            return "is not a duration such as 00:05:00";
        }

        if (type.IsPrimitive && type != typeof(char) && type != typeof(double) && type != typeof(float) && type != typeof(nint) && type != typeof(nuint))
        {
            // An integer: one that is a whole number but too large for the property says its range.
            return BigInteger.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                ? $"is not a whole number between {type.GetField("MinValue")!.GetValue(null)} and {type.GetField("MaxValue")!.GetValue(null)}"
                : "is not a whole number";
        }

        return type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? "is not a number" : $"is not a valid {type.Name}";
    }
}
