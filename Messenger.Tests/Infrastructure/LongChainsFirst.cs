using Messenger.Tests.Web;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Messenger.Tests.Infrastructure.LongChainsFirst", "Messenger.Tests")]

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Starts the collections whose tests make the longest chains first: the two browser collections (each a chain of
/// end-to-end tests, minutes long, one test after another) and the web client's vitest suite. Tests run a few at a
/// time (xunit.runner.json), and a collection started last would begin its chain only when the slots free up: the run
/// would then end a whole chain after the other collections. The rest keep xunit's own order (by unique id).
/// </summary>
public sealed class LongChainsFirst : ITestCollectionOrderer
{
    private static readonly string[] Chains =
    [
        BrowserCollection.Name,
        SecondBrowserCollection.Name,
        "Test collection for " + typeof(VitestSuiteTests).FullName,
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(collection => Array.IndexOf(Chains, collection.DisplayName) is var at and >= 0 ? at : Chains.Length)
            .ThenBy(collection => collection.UniqueID);
}
