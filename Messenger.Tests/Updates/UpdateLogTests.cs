using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Updates;

// The per-user log behind getState and getDifference: durable across restarts, sliced, bounded, the same from memory
// and from the database.
public sealed class UpdateLogTests
{
    private static readonly Dictionary<string, string?> SmallLog = new()
    {
        ["Messenger:Queue:TooLongAfterUpdates"] = "50",
        ["Messenger:Queue:CachedUpdatesPerLog"] = "4",
    };

    [Fact]
    public async Task GetDifference_AfterARestart_ReturnsEveryAcknowledgedMessage()
    {
        using var directory = new TempDirectory();
        var sent = new List<long>();
        long alicePts;
        long bobPts;
        Device alice;
        Device bob;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            alice = await host.SignUpAsync("alice_1", startEvents: false);
            bob = await host.SignUpAsync("bob_one", startEvents: false);
            for (var i = 1; i <= 20; i++)
            {
                sent.Add((await alice.SendAsync(bob, $"durable {i}")).Message.Id);
            }

            alicePts = (await alice.Client.GetStateAsync()).Pts;
            bobPts = (await bob.Client.GetStateAsync()).Pts;
            await alice.DisposeAsync();
            await bob.DisposeAsync();
        }

        await using var restarted = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path);
        // Alice's state is read before Bob's device is back: catching up, it confirms receipt of the 20 messages,
        // which adds a delivered update to her log.
        await using var aliceAgain = await restarted.ReconnectAsync(alice);
        (await aliceAgain.Client.GetStateAsync()).Pts.Should().Be(alicePts);
        await using var bobAgain = await restarted.ReconnectAsync(bob, pts: 0);

        (await bobAgain.Client.GetStateAsync()).Pts.Should().Be(bobPts).And.Be(20);
        var difference = await bobAgain.Client.GetDifferenceAsync(0);
        difference.Updates.Select(u => ((NewMessageUpdate)u.Update).Message.Id).Should().Equal(sent);
        difference.State.Pts.Should().Be(bobPts);
        (await bobAgain.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Id).Should().Equal(Enumerable.Reverse(sent));
        (await bobAgain.ReceiveUntilAsync("durable 20")).Select(r => r.Message.Id).Should().Equal(sent);
    }

    [Fact]
    public async Task GetDifference_WithASmallLimit_ReturnsSlicesThatAddUpToTheLog()
    {
        await using var host = await SessionTestKit.StartHostAsync(SmallLog);
        await using var alice = await host.SignUpAsync("alice_1", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_one", startEvents: false);
        for (var i = 1; i <= 25; i++)
        {
            await alice.SendAsync(bob, $"message {i}");
        }

        var slices = new List<Difference>();
        var pts = 0L;
        Difference slice;
        do
        {
            slice = await bob.Client.GetDifferenceAsync(pts, limit: 10);
            slices.Add(slice);
            pts = slice.State.Pts;
        }
        while (slice.Slice);

        slices.Select(s => s.Updates.Length).Should().Equal(10, 10, 5);
        slices.Select(s => s.State.Pts).Should().Equal(10, 20, 25);
        slices.Select(s => s.Slice).Should().Equal(true, true, false);
        slices.Should().OnlyContain(s => !s.TooLong);
        slices.SelectMany(s => s.Updates).Select(u => u.Pts).Should().Equal(Enumerable.Range(1, 25).Select(i => (long)i));
        slices.SelectMany(s => s.Updates).Select(u => ((NewMessageUpdate)u.Update).Message.Text)
            .Should().Equal(Enumerable.Range(1, 25).Select(i => $"message {i}"));
        var upToDate = await bob.Client.GetDifferenceAsync(25);
        upToDate.Updates.Should().BeEmpty();
        upToDate.Slice.Should().BeFalse();
        upToDate.TooLong.Should().BeFalse();
    }

    [Fact]
    public async Task GetDifference_WhenFurtherBehindThanTheBound_IsTooLongAndTheClientResyncs()
    {
        await using var host = await SessionTestKit.StartHostAsync(SmallLog);
        await using var alice = await host.SignUpAsync("alice_1", startEvents: false);
        var bob = await host.SignUpAsync("bob_one", startEvents: false);
        for (var i = 1; i <= 55; i++)
        {
            await alice.SendAsync(bob, $"message {i}");
        }

        var tooFar = await bob.Client.GetDifferenceAsync(4);
        tooFar.TooLong.Should().BeTrue();
        tooFar.Updates.Should().BeEmpty();
        tooFar.State.Pts.Should().Be(55);
        var withinBound = await bob.Client.GetDifferenceAsync(5);
        withinBound.TooLong.Should().BeFalse();
        withinBound.Updates.Should().HaveCount(50);

        await bob.DisposeAsync();
        await using var bobAgain = await host.ReconnectAsync(bob, pts: 1);
        (await bobAgain.NextAsync<Resynced>()).Pts.Should().Be(55);
        await alice.SendAsync(bob, "after the resync");
        (await bobAgain.NextAsync<MessageReceived>()).Should().BeEquivalentTo(new { Pts = 56L, Message = new { Text = "after the resync" } });
    }

    [Fact]
    public async Task Start_WithAPtsAheadOfTheLog_ResyncsToTheLogAndContinues()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_1", startEvents: false);
        var bob = await host.SignUpAsync("bob_one", startEvents: false);
        await alice.SendAsync(bob, "one");
        await alice.SendAsync(bob, "two");
        await bob.DisposeAsync();

        // A pts persisted against another server or a restored backup: the log is behind it.
        await using var bobAgain = await host.ReconnectAsync(bob, pts: 1000);

        (await bobAgain.NextAsync<Resynced>()).Pts.Should().Be(2);
        await alice.SendAsync(bob, "three");
        (await bobAgain.NextAsync<MessageReceived>()).Should().BeEquivalentTo(new { Pts = 3L, Message = new { Text = "three" } });
    }

    // Memory bounded by count (the newest 4) or by bytes (as many of the newest as fit in 1 KiB: the long texts below
    // take ≈ 400 bytes an entry).
    [Theory]
    [InlineData("CachedUpdatesPerLog", "4")]
    [InlineData("CachedBytesPerLog", "1024")]
    public async Task GetDifference_FromMemoryAndFromTheDatabase_GivesTheSameUpdates(string bound, string value)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Queue:TooLongAfterUpdates"] = "50",
            [$"Messenger:Queue:{bound}"] = value,
        });
        await using var alice = await host.SignUpAsync("alice_1", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_one", startEvents: false);
        var first = await alice.SendAsync(bob, "first");
        for (var i = 2; i <= 8; i++)
        {
            await alice.SendAsync(bob, $"message {i}: {new string('x', 300)}");
        }

        await alice.Client.EditMessageAsync(bob.Peer, first.Message.Id, "first, edited");
        await bob.Client.ReadHistoryAsync(alice.Peer, first.Message.Id);
        await alice.Client.DeleteMessagesAsync(bob.Peer, [first.Message.Id], revoke: true);
        await alice.SendAsync(bob, "last");
        var current = (await bob.Client.GetStateAsync()).Pts;
        current.Should().Be(12);

        // Memory keeps the newest few of the log, so some starts are answered from it and the others from the database:
        // every start gives the same updates. (The bounds themselves are RecentUpdatesTests'.)
        var whole = (await bob.Client.GetDifferenceAsync(0)).Updates;
        whole.Select(u => u.Pts).Should().Equal(Enumerable.Range(1, 12).Select(i => (long)i));
        for (var pts = 0L; pts < current; pts++)
        {
            var tail = await bob.Client.GetDifferenceAsync(pts);
            tail.Updates.Should().BeEquivalentTo(whole.Skip((int)pts), o => o.WithStrictOrdering().RespectingRuntimeTypes(), "from pts {0}", pts);
            var limited = await bob.Client.GetDifferenceAsync(pts, limit: 2);
            limited.Updates.Should().BeEquivalentTo(whole.Skip((int)pts).Take(2), o => o.WithStrictOrdering().RespectingRuntimeTypes(), "from pts {0}", pts);
            limited.Slice.Should().Be(pts + 2 < current);
        }

        // The revoked message's own entries (pts 1: new, pts 9: edit) were redacted into deletes at the same pts.
        whole[0].Update.Should().BeOfType<DeleteMessagesUpdate>().Which.Ids.Should().Equal(first.Message.Id);
        whole[8].Update.Should().BeOfType<DeleteMessagesUpdate>().Which.Ids.Should().Equal(first.Message.Id);
        whole[9].Update.Should().BeOfType<ReadInboxUpdate>().Which.MaxId.Should().Be(first.Message.Id);
        whole[10].Update.Should().BeOfType<DeleteMessagesUpdate>().Which.Ids.Should().Equal(first.Message.Id);
        whole[11].Update.Should().BeOfType<NewMessageUpdate>().Which.Message.Text.Should().Be("last");
    }

    // The writer's units publish in commit order (LoggedWriter): pushes of one log reach a device in pts order, however
    // many units a batch holds. Many concurrent senders to one recipient, whose device records the pts of each push.
    [Fact]
    public async Task LoggedPushes_ToOneDevice_ArriveInPtsOrder_UnderConcurrentSenders()
    {
        const int senders = 4;
        const int perSender = 40;
        await using var host = await GroupTestKit.StartHostAsync();
        await using var bob = await host.MemberAsync("bob_s48order");
        var pushed = new List<long>();
        bob.Client.InboundFilter = envelope =>
        {
            if (envelope.Body is UpdatesBody { Kind: UpdateKinds.Logged } body)
            {
                var updates = WireSerializer.Deserialize<LoggedUpdates>(body.Payload).Updates;
                lock (pushed)
                {
                    pushed.AddRange(updates.Select(u => u.Pts));
                }
            }

            return true;
        };
        // The device is online from its first frame.
        var start = (await bob.Client.GetStateAsync()).Pts;

        var members = new List<Member>();
        for (var i = 0; i < senders; i++)
        {
            members.Add(await host.MemberAsync($"s48sender{i}"));
        }

        try
        {
            await Task.WhenAll(members.SelectMany(m => Enumerable.Range(0, perSender)
                .Select(n => m.Client.SendMessageAsync(Peer.User(bob.Id), $"{m.Id}:{n}"))));
            await SessionTestKit.WaitUntil(() =>
            {
                lock (pushed)
                {
                    return pushed.Count(p => p > start) >= senders * perSender;
                }
            });

            List<long> order;
            lock (pushed)
            {
                order = [.. pushed.Where(p => p > start)];
            }

            var overtaken = order.Zip(order.Skip(1)).Count(pair => pair.Second < pair.First);
            overtaken.Should().Be(0, "the pushes of one log reach its device in pts order (got {0})", string.Join(",", order));
        }
        finally
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }
        }
    }
}
