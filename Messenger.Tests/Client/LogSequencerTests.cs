using FluentAssertions;
using Messenger.Client;
using Messenger.Contracts.Updates;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Client;

using Update = Messenger.Contracts.Updates.Update;

// The gap rules of one update log (the user's own and each large group's share them), without a stream or a server:
// entries are held and drained by hand, the fake clock gives the deadlines.
public sealed class LogSequencerTests
{
    private static readonly TimeSpan GapWait = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
    private readonly List<LogEntry> _applied = [];

    [Fact]
    public void Entries_ThatFollowThePosition_FitAtOnce_AndOnesAtOrBehindItAreDropped()
    {
        var log = Log(10);

        log.Follows(Entry(11)).Should().BeTrue();
        log.Follows(Entry(12)).Should().BeFalse("pts 11 is missing");
        log.Follows(Entry(12, count: 2)).Should().BeTrue("an entry of two positions ends at 12");

        log.Hold(Entry(10));
        log.Hold(Entry(9));
        log.HeldCount.Should().Be(0);
        log.Due.Should().BeNull();
    }

    [Fact]
    public void AGap_HoldsWhatCameAhead_WithADeadline_UntilTheMissingEntryArrives_ThenAppliesAllInOrder()
    {
        var log = Log(10);
        log.Hold(Entry(13));
        log.Hold(Entry(12));
        log.Drain(Apply);

        _applied.Should().BeEmpty();
        log.Due.Should().Be(_clock.GetUtcNow() + GapWait);
        log.Follows(Entry(11)).Should().BeFalse("entries are held: the next one must drain them, not skip past");

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        log.Hold(Entry(11));
        log.Drain(Apply);

        _applied.Select(e => e.Pts).Should().Equal(11, 12, 13);
        log.Pts.Should().Be(13);
        log.HeldCount.Should().Be(0);
        log.Due.Should().BeNull("the gap closed before its deadline");
    }

    [Fact]
    public void TheDeadline_IsSetByTheFirstGap_AndNotPushedBackByLaterEntries()
    {
        var log = Log(0);
        log.Hold(Entry(2));
        log.Drain(Apply);
        var first = log.Due;

        _clock.Advance(TimeSpan.FromMilliseconds(300));
        log.Hold(Entry(3));
        log.Drain(Apply);

        log.Due.Should().Be(first);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OfTwoEntriesForOnePts_TheOneWithAPayloadWins_WhicheverCameFirst(bool pushFirst)
    {
        var log = Log(10);
        var push = Entry(12, update: new EncryptedTypingUpdate(5, 6));
        var ownResult = Entry(12);
        log.Hold(pushFirst ? push : ownResult);
        log.Hold(pushFirst ? ownResult : push);

        log.Hold(Entry(11));
        log.Drain(Apply);

        _applied.Should().HaveCount(2);
        _applied[1].Update.Should().Be(push.Update);
    }

    [Fact]
    public void Drain_StopsWhenToldNotToGoOn_LeavingTheRestHeld()
    {
        var log = Log(0);
        log.Hold(Entry(1));
        log.Hold(Entry(2));
        log.Hold(Entry(3));

        log.Drain(Apply, goOn: () => _applied.Count < 1);

        _applied.Select(e => e.Pts).Should().Equal(1);
        log.HeldCount.Should().Be(2);
    }

    [Fact]
    public void FailedFetches_AreTriedAgainAfterADelayThatDoublesUpToThirtySeconds_AndASuccessStartsItOver()
    {
        var log = Log(0);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            log.FetchFailed();
            delays.Add(log.Due!.Value - _clock.GetUtcNow());
        }

        delays.Select(d => d.TotalSeconds).Should().Equal(1, 2, 4, 8, 16, 30, 30);
        log.Requested.Should().BeTrue();

        log.FetchSucceeded(Apply);
        log.Requested.Should().BeFalse();
        log.Due.Should().BeNull();
        log.RetryDelay.Should().Be(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void ASuccessfulFetch_AppliesWhatNowFits_AndDropsWhatStillDoesNot()
    {
        var log = Log(0);
        log.Hold(Entry(5));
        log.Hold(Entry(9));

        // The difference brought the log to 4.
        log.Pts = 4;
        log.FetchSucceeded(Apply);

        _applied.Select(e => e.Pts).Should().Equal(5);
        log.HeldCount.Should().Be(0, "the difference covered everything held before it: 9 would only ask for it again");
        log.Due.Should().BeNull();
    }

    [Fact]
    public void ARequestedFetch_StaysDue_WhenAGapCloses()
    {
        var log = Log(0);
        log.RequestNow();
        log.Hold(Entry(2));
        log.Hold(Entry(1));
        log.Drain(Apply);

        log.Due.Should().Be(_clock.GetUtcNow(), "a resync asked for the difference whatever the pushes did");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Restart_DropsWhatWasHeld_AndFetchesAtOnceOnlyFromASavedPosition(bool fetch)
    {
        var log = Log(0);
        log.Hold(Entry(3));
        log.FetchFailed();
        log.FetchFailed();

        log.Restart(50, fetch);

        log.Pts.Should().Be(50);
        log.HeldCount.Should().Be(0);
        log.RetryDelay.Should().Be(TimeSpan.FromSeconds(1));
        log.Requested.Should().Be(fetch);
        log.Due.Should().Be(fetch ? _clock.GetUtcNow() : null);
    }

    private LogSequencer Log(long pts) => new(pts, _clock, GapWait);

    private static LogEntry Entry(long pts, int count = 1, Update? update = null) => new(pts, count, update);

    private void Apply(LogEntry entry) => _applied.Add(entry);
}
