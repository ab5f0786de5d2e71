using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Validators;
using MessagePack;
using Messenger.Contracts;
using Messenger.Contracts.Rpc;
using Messenger.Host;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Host;

/// <summary>
/// The README is the API's and the configuration's documentation: every method the server registers, every key it
/// binds (with its default) and every error name it can answer is in it, and it names no method, key or error the
/// server does not have. The server is composed as <c>dotnet run</c> composes it (not started), so a module's new
/// method, option or error fails here until the README says what it is.
/// </summary>
[Collection(nameof(EnvironmentVariableTests))]
public sealed partial class ReadmeTests : IDisposable
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

    private readonly TempDirectory _directory = new();
    private readonly IServiceCollection _services;
    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;

    public ReadmeTests()
    {
        IServiceCollection? services = null;
        _app = MessengerApp.Build([], TestHost.Settings(_directory.Path), collection => services = collection);
        _services = services!;
    }

    public void Dispose()
    {
        ((IDisposable)_app).Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void EveryRegisteredMethod_HasARowInTheReadme_AndEveryRowIsAMethod()
    {
        var methods = _app.Services.GetRequiredService<RpcMethodRegistry>().Names.ToHashSet(StringComparer.Ordinal);
        var namespaces = methods.Select(name => name[..name.IndexOf('.')]).ToHashSet(StringComparer.Ordinal);

        // A method's row starts with its name (two related methods may share one row: `a` / `b`); the two built-in
        // methods are described in the protocol section's "Built-in methods" paragraph instead.
        var rows = MethodRow().Matches(Readme)
            .SelectMany(row => CodeSpan().Matches(row.Groups["cell"].Value).Select(span => span.Groups["code"].Value))
            .Where(code => namespaces.Contains(code.Split('.')[0]) && code.Contains('.'))
            .ToHashSet(StringComparer.Ordinal);
        var builtIns = BuiltInMethods().Match(Readme).Value;

        methods.Should().HaveCountGreaterThan(100);
        methods.Where(name => !rows.Contains(name) && !builtIns.Contains($"`{name} ", StringComparison.Ordinal))
            .Should().BeEmpty("every method the server registers has a row in the README's method tables");
        rows.Except(methods).Should().BeEmpty("every method row in the README names a method the server registers");
    }

    [Fact]
    public void EveryMethodsRow_NamesEachOfItsArguments()
    {
        var calls = typeof(ContractsAssembly).Assembly.GetTypes()
            .Where(type => type.GetCustomAttribute<RpcMethodAttribute>() is not null)
            .ToList();
        var rows = Readme.Split('\n').Where(line => MethodRow().IsMatch(line)).ToList();

        calls.Should().HaveCountGreaterThan(100);
        var missing = new List<string>();
        foreach (var call in calls)
        {
            var name = call.GetCustomAttribute<RpcMethodAttribute>()!.Name;
            var text = rows.FirstOrDefault(row => MethodRow().Match(row).Groups["cell"].Value.Contains($"`{name}`", StringComparison.Ordinal))
                ?? BuiltInMethods().Match(Readme).Value;
            foreach (var property in call.GetProperties())
            {
                if (property.GetCustomAttribute<KeyAttribute>()?.StringKey is { } key
                    && !Regex.IsMatch(text, $@"(?<![A-Za-z_]){Regex.Escape(key)}(?![A-Za-z_])"))
                {
                    missing.Add($"{name}: {key}");
                }
            }
        }

        missing.Should().BeEmpty("a method's row in the README names every argument the call takes");
    }

    [Fact]
    public void EveryConfigurationKey_IsInTheReadme_WithItsDefault_AndEveryDocumentedKeyIsBound()
    {
        var bound = BoundKeys().ToList();
        var rows = ConfigurationRow().Matches(Readme).Select(row => (Key: row.Groups["key"].Value, Default: row.Groups["default"].Value.Trim())).ToList();
        rows.GroupBy(row => row.Key).Where(group => group.Count() > 1).Select(group => group.Key)
            .Should().BeEmpty("each key has one row, so its default is written once");
        var documented = rows.ToDictionary(row => row.Key, row => row.Default, StringComparer.Ordinal);

        bound.Should().HaveCountGreaterThan(60);
        bound.Select(key => key.Name).Except(documented.Keys)
            .Should().BeEmpty("every key the server binds has a row in the README's configuration tables");
        documented.Keys.Except(bound.Select(key => key.Name))
            .Should().BeEmpty("every key the README documents is bound by the server");
        foreach (var key in bound)
        {
            documented[key.Name].Should().Be(key.Default, $"the README's default of {key.Name} is the code's");
        }
    }

    [Fact]
    public void EveryErrorName_IsInTheReadme_AndEveryDocumentedErrorExists()
    {
        var names = ErrorNames().ToHashSet(StringComparer.Ordinal);

        names.Should().HaveCountGreaterThan(150);
        names.Where(name => !Readme.Contains($"`{name}`", StringComparison.Ordinal))
            .Should().BeEmpty("every error name the server can answer is documented");
        // An error in the README is written with its code class, e.g. 404 `CHAT_NOT_FOUND`.
        DocumentedError().Matches(Readme).Select(match => match.Groups["name"].Value).Distinct()
            .Except(names)
            .Should().BeEmpty("every error the README names with its code is one the server can answer");
    }

    [Fact]
    public void EveryValidationRule_AnswersANamedError()
    {
        // A rule without WithErrorCode would answer a made-up PROPERTY_INVALID that no constant (and so no README
        // row) names.
        var names = ErrorNames().ToHashSet(StringComparer.Ordinal);
        var validators = _services
            .Where(descriptor => descriptor.ServiceType.IsGenericType && descriptor.ServiceType.GetGenericTypeDefinition() == typeof(IValidator<>))
            .Select(descriptor => descriptor.ImplementationType)
            .OfType<Type>()
            .Distinct()
            .ToList();

        validators.Should().HaveCountGreaterThan(50);
        var unnamed = new List<string>();
        foreach (var type in validators)
        {
            var validator = (IValidator)ActivatorUtilities.CreateInstance(_app.Services, type);
            foreach (var rule in validator.CreateDescriptor().Rules)
            {
                foreach (var component in rule.Components)
                {
                    if (component.Validator is IChildValidatorAdaptor)
                    {
                        continue; // the child validator is a registered validator of its own, checked in this loop
                    }

                    if (component.ErrorCode is not { } code || !names.Contains(code))
                    {
                        unnamed.Add($"{type.Name}: {rule.PropertyName} ({component.Validator.Name}) → {component.ErrorCode ?? "no code"}");
                    }
                }
            }
        }

        unnamed.Should().BeEmpty("every validation rule answers one of the documented error names");
    }

    private sealed record Key(string Name, string Default);

    /// <summary>Every key the composed server binds to a validated options class, and its default as the README writes it.</summary>
    private IEnumerable<Key> BoundKeys()
    {
        var optionsTypes = _services
            .Where(descriptor => descriptor.ServiceType.IsGenericType && descriptor.ServiceType.GetGenericTypeDefinition() == typeof(IValidateOptions<>))
            .Select(descriptor => descriptor.ServiceType.GetGenericArguments()[0])
            .Where(type => type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is string section
                && section.StartsWith("Messenger", StringComparison.Ordinal))
            .Distinct();
        foreach (var type in optionsTypes)
        {
            var section = (string)type.GetField("Section", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;
            foreach (var key in KeysOf(type, section, Activator.CreateInstance(type, nonPublic: true)!))
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<Key> KeysOf(Type type, string prefix, object defaults)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetSetMethod() is not null))
        {
            var name = $"{prefix}:{property.Name}";
            var value = property.GetValue(defaults);
            var propertyType = property.PropertyType;
            if (propertyType.IsClass && propertyType != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                foreach (var key in KeysOf(propertyType, name, value!))
                {
                    yield return key;
                }

                continue;
            }

            yield return new Key(name, value switch
            {
                null or "" => "empty",
                string text => $"`{text}`",
                bool flag => $"`{(flag ? "true" : "false")}`",
                IEnumerable list => list.Cast<object>().Any() ? throw new NotSupportedException($"{name}: a list default") : "`[]`",
                IFormattable number => $"`{number.ToString(null, CultureInfo.InvariantCulture)}`",
                _ => $"`{value}`",
            });
        }
    }

    /// <summary>The error names of the Contracts' <c>…ErrorNames</c> classes and of the Kernel's error factories.</summary>
    private static IEnumerable<string> ErrorNames()
    {
        var constants = typeof(ContractsAssembly).Assembly.GetTypes()
            .Where(type => type is { IsAbstract: true, IsSealed: true } && type.Name.EndsWith("ErrorNames", StringComparison.Ordinal))
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!);
        var factories = typeof(MessengerError).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(method => method.ReturnType == typeof(MessengerError) && method.GetParameters().All(p => p.ParameterType == typeof(int)))
            .Select(method => ((MessengerError)method.Invoke(null, method.GetParameters().Select(_ => (object)1).ToArray())!).Name);
        return constants.Concat(factories);
    }

    [GeneratedRegex(@"^\| (?<cell>`[a-z]+\.[A-Za-z.]+`[^|]*) \|", RegexOptions.Multiline)]
    private static partial Regex MethodRow();

    [GeneratedRegex(@"`(?<code>[^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"Built-in methods:[^\n]*\n[^\n]*")]
    private static partial Regex BuiltInMethods();

    [GeneratedRegex(@"^\| `(?<key>Messenger:[^`]+)` \| (?<default>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex ConfigurationRow();

    [GeneratedRegex(@"\b[1-5]\d\d `(?<name>[A-Z][A-Z0-9_]+)`")]
    private static partial Regex DocumentedError();
}
