using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Kernel.Storage;
using Messenger.Queue.Logs;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Queue;

public sealed class LogCompactionTests
{
    [Fact]
    public async Task Compact_WhenEntriesAreOlderThanRetention_RemovesThemKeepsPtsAndAnswersTooLong()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bobsDevice = new InMemoryDeviceKeyStore();
        await using (var host = await SessionTestKit.StartHostAsync(clock: clock, dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_compact");
            await using var bob = await host.SignedInClientAsync("bob_compact", keys: bobsDevice);
            var bobId = (await bob.CallAsync(new SearchUsersCall("bob_compact"))).Users[0].Id;
            for (var i = 0; i < 3; i++)
            {
                await alice.CallAsync(new SendMessageCall(Peer.User(bobId), i + 1, $"old {i}"));
            }

            clock.Advance(TimeSpan.FromDays(31));
            await alice.CallAsync(new SendMessageCall(Peer.User(bobId), 4, "new"));

            // Advancing the clock also wakes the background compactor: run it here too so the outcome does not
            // depend on which one gets there first.
            await host.Services.GetRequiredService<LogCompactor>().CompactAsync(CancellationToken.None);

            // Each log keeps only its newest entry: alice's and bob's three old entries are gone.
            using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM queue_updates";
            count.ExecuteScalar().Should().Be(2L);
        }

        // A new host: nothing is answered from the previous process's memory.
        await using (var host = await SessionTestKit.StartHostAsync(clock: clock, dataDirectory: data.Path))
        {
            // The same device, signed in by its key: a new device's sign-in would be an entry of bob's log.
            await using var bob = await host.ConnectAsync(bobsDevice);
            (await bob.CallAsync(new GetStateCall())).Pts.Should().Be(4);

            var fromStart = await bob.CallAsync(new GetDifferenceCall(0));
            fromStart.TooLong.Should().BeTrue();
            fromStart.State.Pts.Should().Be(4);

            var recent = await bob.CallAsync(new GetDifferenceCall(3));
            recent.TooLong.Should().BeFalse();
            recent.Updates.Should().ContainSingle().Which.Update.Should().BeOfType<NewMessageUpdate>()
                .Which.Message.Text.Should().Be("new");

            // History is the Message module's: compaction of the log does not touch it.
            (await bob.CallAsync(new GetHistoryCall((await bob.CallAsync(new GetDialogsCall())).Items[0].Peer)))
                .Messages.Should().HaveCount(4);
        }
    }

    [Fact]
    public async Task Compact_EntriesMoreThanTooLongAfterUpdatesBehindTheHead_AreDeletedInBoundedUnits_AndTheRestIsServed()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Queue:TooLongAfterUpdates"] = "5",
        });
        await using var alice = await host.SignedInClientAsync("alice_trim");
        await using var bob = await host.SignedInClientAsync("bob_trim");
        var bobId = (await alice.CallAsync(new SearchUsersCall("bob_trim"))).Users[0].Id;
        var aliceId = (await alice.CallAsync(new SearchUsersCall("alice_trim"))).Users[0].Id;
        for (var i = 0; i < 23; i++)
        {
            await alice.CallAsync(new SaveDraftCall(Peer.User(bobId), $"draft {i}"));
        }

        var head = (await alice.CallAsync(new GetStateCall())).Pts;
        var compactor = host.Services.GetRequiredService<LogCompactor>();
        compactor.RowsPerUnit = 4;
        var writer = host.Services.GetRequiredService<StorageWriter>();
        var commitsBefore = writer.Commits;

        var deleted = await compactor.CompactAsync(CancellationToken.None);

        // Nothing is older than the retention: what goes is what no getDifference could serve, pts <= head - 5.
        EntriesOf(host, aliceId).Should().Equal(Enumerable.Range(0, 5).Select(i => head - 4 + i));
        deleted.Should().BeGreaterThanOrEqualTo(18);
        // The compactor awaits each unit before the next, so each is a commit of its own.
        (writer.Commits - commitsBefore).Should().BeGreaterThanOrEqualTo((deleted + 3) / 4, "a unit deletes at most 4 entries");

        var served = await alice.CallAsync(new GetDifferenceCall(head - 5));
        served.TooLong.Should().BeFalse();
        served.Updates.Should().HaveCount(5);
        (await alice.CallAsync(new GetDifferenceCall(head - 6))).TooLong.Should().BeTrue();

        // Run again: nothing left to delete.
        (await compactor.CompactAsync(CancellationToken.None)).Should().Be(0);
    }

    [Fact]
    public async Task OwnersToCompact_AreFoundBySeeksDownTheKey_NotAReadOfEveryEntry()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();

        // The next owner and its oldest entry, then that owner's head: each stops at the first row of the key it seeks,
        // with no sort and no GROUP BY over the table (which read all of it at every interval).
        Plan(connection, LogCompactor.NextOwnerSql).Should().Equal(
            ["SEARCH queue_updates USING INDEX sqlite_autoindex_queue_updates_1 (owner_id>?)"]);
        Plan(connection, LogCompactor.HeadSql).Should().Equal(
            ["SEARCH queue_updates USING COVERING INDEX sqlite_autoindex_queue_updates_1 (owner_id=?)"]);
    }

    [Fact]
    public async Task Delete_ReadsTheLogsEntriesToDropAsOneKeyRange_NotEveryEntryUpToTheHead()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();

        var plan = Plan(connection, LogCompactor.DeleteSql);

        // The first entry to keep is found from head - behind (it stops at that entry), and the entries to delete are the
        // key range below it, read from the key alone (no entry's date): not every entry below the head checked for one.
        plan.Should().Contain("SEARCH kept USING INDEX sqlite_autoindex_queue_updates_1 (owner_id=? AND pts>? AND pts<?)", string.Join(" | ", plan));
        plan.Should().Contain("SEARCH queue_updates USING COVERING INDEX sqlite_autoindex_queue_updates_1 (owner_id=? AND pts<?)", string.Join(" | ", plan));
        plan.Should().NotContain(line => line.EndsWith("(owner_id=?)", StringComparison.Ordinal), string.Join(" | ", plan));
    }

    [Fact]
    public async Task Compact_WhenALogHasOldEntriesBelowRecentOnes_DeletesOnlyTheOldPrefix()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        var writer = host.Services.GetRequiredService<StorageWriter>();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var old = clock.GetUtcNow().AddDays(-40).ToUnixTimeSeconds();
        await writer.WriteAsync(scope =>
        {
            for (var pts = 1; pts <= 6; pts++)
            {
                scope.Execute("INSERT INTO queue_updates (owner_id, pts, pts_count, date, payload) VALUES (2000000, @pts, 1, @date, x'00')",
                    ("@pts", pts), ("@date", pts <= 3 ? old : now));
            }

            for (var pts = 1; pts <= 3; pts++)
            {
                scope.Execute("INSERT INTO queue_updates (owner_id, pts, pts_count, date, payload) VALUES (2000001, @pts, 1, @date, x'00')",
                    ("@pts", pts), ("@date", old));
            }

            return 0;
        }, CancellationToken.None);

        (await host.Services.GetRequiredService<LogCompactor>().CompactAsync(CancellationToken.None)).Should().Be(5);

        EntriesOf(host, 2_000_000).Should().Equal(4, 5, 6);
        EntriesOf(host, 2_000_001).Should().Equal(3);
    }

    [Fact]
    public async Task Compact_WalksOwnersPastAPage_AndSkipsLogsWithNothingToDelete()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        var writer = host.Services.GetRequiredService<StorageWriter>();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var old = clock.GetUtcNow().AddDays(-40).ToUnixTimeSeconds();
        // 2,500 logs (more than two pages of owners): every third has two old entries under its newest.
        await writer.WriteAsync(scope =>
        {
            for (var owner = 1_000_000L; owner < 1_002_500L; owner++)
            {
                var stale = owner % 3 == 0;
                for (var pts = 1; pts <= 3; pts++)
                {
                    scope.Execute("INSERT INTO queue_updates (owner_id, pts, pts_count, date, payload) VALUES (@owner, @pts, 1, @date, x'00')",
                        ("@owner", owner), ("@pts", pts), ("@date", stale && pts < 3 ? old : now));
                }
            }

            return 0;
        }, CancellationToken.None);

        var deleted = await host.Services.GetRequiredService<LogCompactor>().CompactAsync(CancellationToken.None);

        deleted.Should().Be(2 * 833);
        EntriesOf(host, 1_002_498).Should().Equal(3);
        EntriesOf(host, 1_002_497).Should().Equal(1, 2, 3);
    }

    private static List<string> Plan(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        command.Parameters.AddWithValue("@after", 0L);
        command.Parameters.AddWithValue("@owner", 1L);
        foreach (var name in new[] { "@head", "@behind", "@cutoff", "@limit" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, 1L);
            }
        }
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return lines;
    }

    private static List<long> EntriesOf(TestHost host, long userId)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT pts FROM queue_updates WHERE owner_id = @owner ORDER BY pts";
        command.Parameters.AddWithValue("@owner", userId);
        var pts = new List<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            pts.Add(reader.GetInt64(0));
        }

        return pts;
    }
}
