using Messenger.Tests.Web;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Messenger.Tests.Infrastructure.BrowserChainFirst", "Messenger.Tests")]

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Starts the browser collection first: its end-to-end tests run one after another, a chain about as long as all the
/// other collections together on the other core. Started in xunit's own order (by unique id) it began only once most
/// of the others were done, and the run ended a whole chain after them, one core idle meanwhile. The rest keep xunit's
/// order; tests still run one per core.
/// </summary>
public sealed class BrowserChainFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(collection => collection.DisplayName == BrowserCollection.Name ? 0 : 1)
            .ThenBy(collection => collection.UniqueID);
}
