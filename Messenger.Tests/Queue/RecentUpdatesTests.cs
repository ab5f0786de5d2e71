using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Queue;
using Messenger.Queue.Logs;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Queue;

// The memory cache of the newest log entries on its own: what it holds is bounded by count and by bytes, and what it
// no longer holds it says so (null), so getDifference goes to the database. The host-level equivalence of memory and
// database is UpdateLogTests'.
public sealed class RecentUpdatesTests
{
    private const long Owner = 7;

    [Fact]
    public void TryRead_WhenThePayloadsExceedTheByteBound_HoldsOnlyTheNewestThatFit()
    {
        using var recent = Recent(entries: 100, bytes: 1024);
        var payload = Payload(ids: 50);
        var perEntry = payload.Length;
        perEntry.Should().BeInRange(200, 400, "the arithmetic below assumes a few entries fit in 1 KiB");
        for (var pts = 1; pts <= 10; pts++)
        {
            recent.Committed(Owner, pts, 1, date: 1000 + pts, payload);
        }

        var fit = 1024 / perEntry;
        recent.CurrentPts(Owner).Should().Be(10);
        recent.TryRead(Owner, 10 - fit, limit: 100).Should().NotBeNull()
            .And.Subject.Select(u => u.Pts).Should().Equal(Enumerable.Range(11 - fit, fit).Select(i => (long)i));
        recent.TryRead(Owner, 10 - fit - 1, limit: 100).Should().BeNull("older entries were let go to stay within 1 KiB");
        recent.TryRead(Owner, 0, limit: 100).Should().BeNull();
    }

    [Fact]
    public void TryRead_WhenOneEntryAloneExceedsTheByteBound_StillHoldsThatNewestEntry()
    {
        using var recent = Recent(entries: 100, bytes: 1024);
        recent.Committed(Owner, 1, 1, 1001, Payload(ids: 1));
        var large = Payload(ids: 300);
        large.Length.Should().BeGreaterThan(1024);
        recent.Committed(Owner, 2, 1, 1002, large);

        var read = recent.TryRead(Owner, 1, limit: 100);
        read.Should().ContainSingle().Which.Update.Should().BeOfType<DeleteMessagesUpdate>().Which.Ids.Should().HaveCount(300);
        recent.TryRead(Owner, 0, limit: 100).Should().BeNull();
    }

    [Fact]
    public void Replace_WithALargerPayload_LetsOlderEntriesGoToStayWithinTheBound()
    {
        using var recent = Recent(entries: 100, bytes: 1024);
        for (var pts = 1; pts <= 3; pts++)
        {
            recent.Committed(Owner, pts, 1, 1000 + pts, Payload(ids: 1));
        }

        recent.TryRead(Owner, 0, limit: 100).Should().HaveCount(3);
        recent.Replace(Owner, 3, Payload(ids: 200));

        recent.TryRead(Owner, 0, limit: 100).Should().BeNull();
        recent.TryRead(Owner, 2, limit: 100).Should().ContainSingle()
            .Which.Update.Should().BeOfType<DeleteMessagesUpdate>().Which.Ids.Should().HaveCount(200);
    }

    [Fact]
    public void TryRead_WhenTheCountBoundIsReached_HoldsTheNewestEntries_AndEachReadIsAFreshCopy()
    {
        using var recent = Recent(entries: 4, bytes: 1024 * 1024);
        for (var pts = 1; pts <= 6; pts++)
        {
            recent.Committed(Owner, pts, 1, 1000 + pts, Payload(ids: pts));
        }

        recent.TryRead(Owner, 1, limit: 100).Should().BeNull();
        var read = recent.TryRead(Owner, 2, limit: 100)!;
        read.Select(u => (u.Pts, u.Date, ((DeleteMessagesUpdate)u.Update).Ids.Length))
            .Should().Equal((3L, 1003L, 3), (4L, 1004L, 4), (5L, 1005L, 5), (6L, 1006L, 6));
        recent.TryRead(Owner, 2, limit: 2)!.Select(u => u.Pts).Should().Equal(3L, 4L);
        recent.TryRead(Owner, 2, limit: 100)![0].Update.Should().NotBeSameAs(read[0].Update, "a reader cannot change what memory holds");
    }

    [Fact]
    public void Committed_BeyondTheFirstSlots_GrowsUpToTheCountBound_ThenDropsTheOldest()
    {
        using var recent = Recent(entries: 20, bytes: 1024 * 1024);
        for (var pts = 1; pts <= 50; pts++)
        {
            recent.Committed(Owner, pts, 1, 1000 + pts, Payload(ids: 1));
            recent.TryRead(Owner, Math.Max(0, pts - 20), limit: 100)!.Select(u => u.Pts)
                .Should().Equal(Enumerable.Range(Math.Max(1, pts - 19), Math.Min(pts, 20)).Select(i => (long)i), "after pts {0}", pts);
        }

        recent.TryRead(Owner, 29, limit: 100).Should().BeNull();
    }

    [Fact]
    public void Committed_WhenTheSlotsFillAfterOlderEntriesWentOut_GrowsKeepingTheOrder()
    {
        // A large first entry, let go by the byte bound at the fourth: the oldest held is then not in the first slot, and
        // the ring grows (at its ninth entry held) from a wrapped start.
        using var recent = Recent(entries: 100, bytes: 1100);
        recent.Committed(Owner, 1, 1, 1001, Payload(ids: 200));
        for (var pts = 2; pts <= 12; pts++)
        {
            recent.Committed(Owner, pts, 1, 1000 + pts, Payload(ids: 1));
        }

        recent.TryRead(Owner, 0, limit: 100).Should().BeNull();
        recent.TryRead(Owner, 1, limit: 100)!.Select(u => (u.Pts, u.Date))
            .Should().Equal(Enumerable.Range(2, 11).Select(i => ((long)i, 1000L + i)));
    }

    [Fact]
    public void Committed_WhenAnEntryIsNotContiguous_StartsOverFromIt()
    {
        using var recent = Recent(entries: 100, bytes: 1024);
        recent.Committed(Owner, 1, 1, 1001, Payload(ids: 50));
        recent.Committed(Owner, 2, 1, 1002, Payload(ids: 50));
        recent.Committed(Owner, 9, 1, 1009, Payload(ids: 50));

        recent.TryRead(Owner, 1, limit: 100).Should().BeNull();
        recent.TryRead(Owner, 8, limit: 100).Should().ContainSingle().Which.Pts.Should().Be(9);

        // What the dropped entries took is given back: as many fit after the restart as in an empty ring.
        var fit = 1024 / Payload(ids: 50).Length;
        for (var pts = 10; pts < 9 + fit; pts++)
        {
            recent.Committed(Owner, pts, 1, 1000 + pts, Payload(ids: 50));
        }

        recent.TryRead(Owner, 8, limit: 100).Should().HaveCount(fit);
    }

    [Fact]
    public void Seed_WhenNothingChangedSinceTheRead_RemembersThePts_ButNeverOverAHeldLog()
    {
        using var recent = Recent(entries: 100, bytes: 1024);
        recent.Seed(Owner, 4, recent.Changes(Owner));
        recent.CurrentPts(Owner).Should().Be(4);
        recent.TryRead(Owner, 4, limit: 100).Should().BeEmpty();

        recent.Committed(Owner + 1, 3, 1, 1003, Payload(ids: 1));
        recent.Seed(Owner + 1, 1, recent.Changes(Owner + 1));
        recent.CurrentPts(Owner + 1).Should().Be(3, "the writer got there first");
    }

    [Fact]
    public void Seed_WhenALogChangedSinceTheRead_DoesNotRememberWhatMayBeStale()
    {
        using var recent = Recent(entries: 100, bytes: 1024);

        // A reader takes the count and reads pts 4 from the database; meanwhile pts 5 commits, and its ring is gone
        // again before the reader seeds (a full cache keeps no new ring; an evicted one goes the same way).
        // (Forget stands in for the cache dropping the ring: a really full cache frees room on a thread of its own.)
        var before = recent.Changes(Owner);
        recent.Committed(Owner, 5, 1, 1005, Payload(ids: 1));
        recent.Changes(Owner).Should().BeGreaterThan(before, "an append counts whether or not the cache keeps its ring");
        recent.Forget(Owner);
        recent.Seed(Owner, 4, before);
        recent.CurrentPts(Owner).Should().BeNull("pts 4 is no longer the log's end");

        // A dropped log counts too: a read from before the drop is not remembered.
        before = recent.Changes(Owner + 1);
        recent.Forget(Owner + 1);
        recent.Seed(Owner + 1, 9, before);
        recent.CurrentPts(Owner + 1).Should().BeNull();

        // Another log's change (outside the stripe) gives up nothing.
        before = recent.Changes(Owner + 2);
        recent.Committed(Owner + 3, 1, 1, 1001, Payload(ids: 1));
        recent.Seed(Owner + 2, 7, before);
        recent.CurrentPts(Owner + 2).Should().Be(7);

        recent.Seed(Owner, 5, recent.Changes(Owner));
        recent.CurrentPts(Owner).Should().Be(5);
    }

    [Fact]
    public void Committed_WhenTheRingWasSeededPastIt_KeepsTheSeededEnd_AndGoesOnFromIt()
    {
        // A reader saw pts 5 and 6 committed and seeded 6 before the writer's after-commit steps for them came.
        using var recent = Recent(entries: 100, bytes: 1024);
        recent.Seed(Owner, 6, recent.Changes(Owner));
        recent.Committed(Owner, 5, 1, 1005, Payload(ids: 1));
        recent.CurrentPts(Owner).Should().Be(6, "the log's end does not go back");
        recent.Committed(Owner, 6, 1, 1006, Payload(ids: 1));
        recent.Committed(Owner, 7, 1, 1007, Payload(ids: 1));

        recent.CurrentPts(Owner).Should().Be(7);
        recent.TryRead(Owner, 6, limit: 100).Should().ContainSingle().Which.Pts.Should().Be(7);
        recent.TryRead(Owner, 5, limit: 100).Should().BeNull("memory holds nothing from before its seed");
    }

    private static RecentUpdates Recent(int entries, int bytes) =>
        new(Options.Create(new QueueOptions { CachedUpdatesPerLog = entries, CachedBytesPerLog = bytes }));

    // Ids from 65,536 up are MessagePack uint32s, five bytes each: the payload grows with the count.
    private static byte[] Payload(int ids) =>
        WireSerializer.Serialize<global::Messenger.Contracts.Updates.Update>(new DeleteMessagesUpdate(Peer.User(1), [.. Enumerable.Range(100_000, ids).Select(i => (long)i)]));
}
