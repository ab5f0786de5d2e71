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
/// The configuration's values checked against the types of the options properties they bind to, before any is bound.
/// The binder throws at the first value it cannot convert, which would end start-up with a stack trace and hide every
/// other problem; here each such value is one line, naming the key, the value and what was expected, and the options
/// are bound without it so the validators still report the rest.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>One line per value under <paramref name="sections"/> that does not convert to its property's type.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, IEnumerable<BoundSection> sections)
    {
        var problems = new List<Problem>();
        foreach (var bound in sections)
        {
            CheckProperties(configuration.GetSection(bound.Section), bound.OptionsType, problems);
        }

        return problems.Select(problem => problem.Line).Distinct().ToList();
    }

    /// <summary>Binds <paramref name="section"/> to <paramref name="options"/>, leaving out the values that do not convert
    /// (<see cref="Problems"/> reports them): the property keeps its default and the start-up check fails anyway.</summary>
    public static void BindConvertible(IConfigurationSection section, object options)
    {
        var problems = new List<Problem>();
        CheckProperties(section, options.GetType(), problems);
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

    private sealed record Problem(string Key, string Line);

    // The properties the binder sets: public, with a public setter (what ReadmeTests documents, too).
    private static PropertyInfo? Property(Type type, string key) =>
        type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { SetMethod.IsPublic: true } property
            ? property
            : null;

    private static void CheckProperties(IConfigurationSection node, Type type, List<Problem> problems)
    {
        foreach (var child in node.GetChildren())
        {
            if (Property(type, child.Key) is { } property)
            {
                CheckValue(child, property.PropertyType, problems);
            }
        }
    }

    private static void CheckValue(IConfigurationSection node, Type type, List<Problem> problems)
    {
        if (IsValue(type))
        {
            if (node.Value is { } value && Unconvertible(type, value) is { } expected)
            {
                problems.Add(new Problem(node.Path, $"{node.Path}: '{value}' {expected}"));
            }
        }
        else if (ElementType(type) is { } element)
        {
            foreach (var entry in node.GetChildren())
            {
                CheckValue(entry, element, problems);
            }
        }
        else
        {
            CheckProperties(node, type, problems);
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
