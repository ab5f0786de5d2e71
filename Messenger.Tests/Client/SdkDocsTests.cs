using System.ComponentModel;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Contracts;
using Messenger.Contracts.Rpc;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

/// <summary>
/// docs/sdk.md's "Methods by area" names every public method of <see cref="MessengerClient"/> and of the SDK's
/// <c>…Methods</c> classes (not the overloads hidden for compatibility), and each line names the RPCs its method builds:
/// the call records constructed in the method, its state machine and lambdas, and the SDK's static helpers it calls.
/// </summary>
public sealed partial class SdkDocsTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .DistinctBy(code => code.Value)
        .ToDictionary(code => code.Value);

    [Fact]
    public void EveryPublicSdkMethod_HasALineInTheReference_AndEveryLineIsAMethod()
    {
        var methods = PublicMethods().Select(method => method.Name).ToHashSet(StringComparer.Ordinal);
        var documented = ReferenceLines().SelectMany(line => line.Methods).ToHashSet(StringComparer.Ordinal);

        methods.Should().HaveCountGreaterThan(150).And.Contain(["EditMessageAsync", "GetDialogsAsync", "ConnectAsync"]);
        string.Join(", ", methods.Except(documented)).Should().BeEmpty("docs/sdk.md's Methods by area names every public SDK method");
        string.Join(", ", documented.Except(methods)).Should().BeEmpty("every method docs/sdk.md's Methods by area names is a public SDK method");
    }

    [Fact]
    public void EveryReferenceLine_NamesTheRpcsItsMethodBuilds_AndOnlyRpcsTheServerHas()
    {
        var rpcs = typeof(ContractsAssembly).Assembly.GetTypes()
            .Select(type => type.GetCustomAttribute<RpcMethodAttribute>()?.Name)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var lines = ReferenceLines().SelectMany(line => line.Methods.Select(method => (Method: method, line.Rpcs)))
            .GroupBy(entry => entry.Method)
            .ToDictionary(group => group.Key, group => group.SelectMany(entry => entry.Rpcs).ToHashSet(StringComparer.Ordinal));

        var wrong = new List<string>();
        var mapped = 0;
        foreach (var method in PublicMethods())
        {
            var named = lines.GetValueOrDefault(method.Name) ?? [];
            wrong.AddRange(named.Where(rpc => !rpcs.Contains(rpc)).Select(rpc => $"{method.Name}: no RPC {rpc}"));
            var built = BuiltCalls(method);
            mapped += built.Count > 0 ? 1 : 0;
            wrong.AddRange(built.Where(rpc => !named.Contains(rpc)).Select(rpc => $"{method.Name}: builds {rpc}"));
        }

        mapped.Should().BeGreaterThan(150);
        string.Join(Environment.NewLine, wrong).Should().BeEmpty("each line of docs/sdk.md's Methods by area names the RPCs its method calls, and only RPCs the server has");
    }

    [Fact]
    public void TheRepeatedCallsSentence_NamesExactlyTheCallsMarkedRepeatable()
    {
        var marked = typeof(ContractsAssembly).Assembly.GetTypes()
            .Where(type => typeof(IRepeatableCall).IsAssignableFrom(type) && !type.IsInterface)
            .Select(type => type.GetCustomAttribute<RpcMethodAttribute>()?.Name ?? $"{type.Name} without [RpcMethod]")
            .ToHashSet(StringComparer.Ordinal);
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "sdk.md")).ReplaceLineEndings("\n");
        var start = text.IndexOf("Repeated: ", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "docs/sdk.md lists the calls the SDK repeats on RESULT_DROPPED");
        var sentence = text[start..text.IndexOf(". ", start, StringComparison.Ordinal)];
        var named = RpcName().Matches(sentence).Select(match => match.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

        marked.Should().Contain(["messages.send", "messages.getHistory", "upload.getFile"]).And.NotContain("messages.edit");
        string.Join(", ", marked.Except(named)).Should().BeEmpty("docs/sdk.md names every call marked IRepeatableCall");
        string.Join(", ", named.Except(marked)).Should().BeEmpty("every call docs/sdk.md says is repeated is marked IRepeatableCall");
    }

    private static IEnumerable<MethodInfo> PublicMethods() =>
        typeof(MessengerClient).Assembly.GetExportedTypes()
            .Where(type => type == typeof(MessengerClient) || type.Name.EndsWith("Methods", StringComparison.Ordinal))
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(method => !method.IsSpecialName && method.GetCustomAttribute<EditorBrowsableAttribute>()?.State != EditorBrowsableState.Never);

    /// <summary>The list items of the section: the methods before the arrow, the RPC names after it.</summary>
    private static IEnumerable<(string[] Methods, string[] Rpcs)> ReferenceLines()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "sdk.md")).ReplaceLineEndings("\n");
        var start = text.IndexOf("\n## Methods by area\n", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "docs/sdk.md has the section Methods by area");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        foreach (Match item in ReferenceItem().Matches(section))
        {
            yield return (
                [.. MethodName().Matches(item.Groups["methods"].Value).Select(match => match.Groups["name"].Value)],
                [.. RpcName().Matches(item.Groups["rpcs"].Value).Select(match => match.Groups["name"].Value)]);
        }
    }

    /// <summary>The RPC names of the call records <paramref name="method"/> constructs, following its state machine,
    /// its lambdas and the SDK's static classes it calls (not <see cref="MessengerClient"/> or the secret-chat engine).</summary>
    private static HashSet<string> BuiltCalls(MethodInfo method)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>([method]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }

            if (next.GetCustomAttribute<StateMachineAttribute>() is { } machine)
            {
                pending.Push(machine.StateMachineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!);
            }

            foreach (var target in CalledMethods(next))
            {
                if (target is ConstructorInfo { DeclaringType: { } type } && type.GetCustomAttribute<RpcMethodAttribute>() is { } rpc)
                {
                    found.Add(rpc.Name);
                }
                else if (InTheSdksStaticClasses(target))
                {
                    pending.Push(target);
                }
            }
        }

        return found;
    }

    private static bool InTheSdksStaticClasses(MethodBase method)
    {
        var type = method.DeclaringType;
        while (type?.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type is { IsAbstract: true, IsSealed: true } && type.Assembly == typeof(MessengerClient).Assembly;
    }

    /// <summary>The methods and constructors the IL of <paramref name="method"/> calls, constructs or takes a delegate of.</summary>
    private static List<MethodBase> CalledMethods(MethodBase method)
    {
        var targets = new List<MethodBase>();
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var position = 0; position < il.Length;)
        {
            var value = il[position] == 0xFE ? unchecked((short)(0xFE00 | il[position + 1])) : il[position];
            var code = OpCodesByValue[value];
            position += code.Size;
            if (code.OperandType == OperandType.InlineMethod)
            {
                try
                {
                    targets.Add(method.Module.ResolveMethod(BitConverter.ToInt32(il, position), typeArguments, methodArguments)!);
                }
                catch (ArgumentException)
                {
                    // A member of a generic instantiation the open context cannot name: never one of the SDK's own.
                }
            }

            position += code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
        }

        return targets;
    }

    [GeneratedRegex(@"^- (?<methods>.+?) → (?<rpcs>.*)$", RegexOptions.Multiline)]
    private static partial Regex ReferenceItem();

    [GeneratedRegex(@"`(?<name>\w+)(?:<\w+>)?\(")]
    private static partial Regex MethodName();

    [GeneratedRegex(@"`(?<name>[a-z]+\.[A-Za-z]+)`")]
    private static partial Regex RpcName();
}
