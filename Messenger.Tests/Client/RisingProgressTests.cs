using Messenger.Client;

namespace Messenger.Tests.Client;

public sealed class RisingProgressTests
{
    private sealed class Recorder : IProgress<long>
    {
        public List<long> Reports { get; } = [];

        public void Report(long value) => Reports.Add(value);
    }

    [Fact]
    public void Report_WhenTotalsArriveOutOfOrder_PassesOnOnlyThoseAboveEveryEarlierOne()
    {
        // Two workers added their parts as 3.5 and 4 MiB, and the one with 4 MiB got to report first.
        var recorder = new Recorder();
        var progress = RisingProgress.Wrap(recorder)!;

        foreach (var total in new long[] { 0, 1_048_576, 4_194_304, 3_670_016, 4_194_304, 4_195_303 })
        {
            progress.Report(total);
        }

        recorder.Reports.Should().Equal(0, 1_048_576, 4_194_304, 4_195_303);
    }

    [Fact]
    public void Report_FromManyThreadsAtOnce_ReachesTheInnerProgressOneAtATimeAndEndsAtTheHighest()
    {
        var recorder = new Recorder(); // a List: concurrent calls into it would lose or corrupt entries
        var progress = RisingProgress.Wrap(recorder)!;

        Parallel.For(1, 100_001, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => progress.Report(i));

        recorder.Reports.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        recorder.Reports[^1].Should().Be(100_000);
    }

    [Fact]
    public void Wrap_WithoutAProgress_IsNull() => RisingProgress.Wrap(null).Should().BeNull();
}
