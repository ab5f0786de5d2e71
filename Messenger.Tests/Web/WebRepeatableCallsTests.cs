using System.Reflection;
using System.Text.RegularExpressions;
using Messenger.Contracts;
using Messenger.Contracts.Rpc;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Web;

/// <summary>The web client repeats on <c>RESULT_DROPPED</c> the calls the .NET SDK repeats: its list
/// (<c>Clients/web/src/api/repeatable.ts</c>) names exactly the contracts marked <see cref="IRepeatableCall"/>, so a call
/// marked (or unmarked) later fails here until the web client's list follows.</summary>
public sealed partial class WebRepeatableCallsTests
{
    [Fact]
    public void TheWebClientsRepeatableList_NamesExactlyTheCallsMarkedRepeatable()
    {
        var marked = typeof(ContractsAssembly).Assembly.GetTypes()
            .Where(type => typeof(IRepeatableCall).IsAssignableFrom(type) && !type.IsInterface)
            .Select(type => type.GetCustomAttribute<RpcMethodAttribute>()?.Name ?? $"{type.Name} without [RpcMethod]")
            .ToHashSet(StringComparer.Ordinal);
        var source = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Clients", "web", "src", "api", "repeatable.ts"));
        var start = source.IndexOf("new Set([", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "repeatable.ts holds the list as a Set of method names");
        var list = source[start..source.IndexOf("])", start, StringComparison.Ordinal)];
        var named = MethodName().Matches(list).Select(match => match.Groups["name"].Value).ToList();

        named.Should().OnlyHaveUniqueItems();
        marked.Should().Contain(["messages.send", "upload.getFile", "upload.saveFilePart"]);
        string.Join(", ", marked.Except(named)).Should().BeEmpty("the web client repeats every call marked IRepeatableCall");
        string.Join(", ", named.Except(marked)).Should().BeEmpty("the web client repeats only calls marked IRepeatableCall");
    }

    [GeneratedRegex("'(?<name>[a-z]+\\.[A-Za-z]+)'")]
    private static partial Regex MethodName();
}
