using Messenger.Client;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

// Live delivery to every device, catching up after being offline, gaps filled by getDifference, idempotent sends.
public sealed class DeliveryTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Send_WhenBothUsersHaveSeveralDevices_EveryDeviceReportsEachMessageOnce()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var bobPhone = await _host.SignInAnotherDeviceAsync("bob_one");

        var first = await alice.SendAsync(bob, "hello bob");
        var second = await alice.SendAsync(bob, "are you there?");
        var reply = await bobPhone.SendAsync(alice, "yes");

        first.Message.FromId.Should().Be(alice.UserId);
        first.Message.ToPeer.Should().Be(bob.Peer);
        var sentIds = new[] { first.Message.Id, second.Message.Id, reply.Message.Id };
        sentIds.Should().BeInAscendingOrder();

        foreach (var device in new[] { alice, alicePhone, bob, bobPhone })
        {
            var received = await device.ReceiveUntilAsync("yes");
            received.Select(r => r.Message.Id).Should().Equal(sentIds, "device of user {0} reports each message once, in order", device.UserId);
            received.Should().OnlyContain(r => r.Peer == (device.UserId == alice.UserId ? bob.Peer : alice.Peer));
            received.Select(r => r.IsOutgoing).Should().Equal(
                device.UserId == alice.UserId ? new[] { true, true, false } : new[] { false, false, true });
            received.Select(r => r.Pts).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }

        var history = await bob.Client.GetHistoryAsync(alice.Peer);
        history.Select(m => m.Text).Should().Equal("yes", "are you there?", "hello bob");
    }

    [Fact]
    public async Task Send_WhileRecipientDeviceIsOffline_ItGetsEveryMessageInOrderAfterReconnecting()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "before");
        var before = await bob.NextAsync<MessageReceived>();
        var savedPts = before.Pts;
        await bob.DisposeAsync();

        var sent = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            sent.Add((await alice.SendAsync(bob, $"offline {i}")).Message.Id);
        }

        await using var bobAgain = await _host.ReconnectAsync(bob, savedPts);

        var received = await bobAgain.ReceiveUntilAsync("offline 5");
        received.Select(r => r.Message.Id).Should().Equal(sent);
        received.Select(r => r.Pts).Should().Equal(Enumerable.Range(1, 5).Select(i => savedPts + i));
    }

    [Fact]
    public async Task Push_WhenOneIsLost_TheGapIsFilledByGetDifferenceAndEveryMessageArrivesOnce()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "warm up");
        await bob.NextAsync<MessageReceived>();

        // Every push carrying the first update after this point is lost, even a repeat: only getDifference can fill the gap.
        long lostPts = 0;
        var dropped = 0;
        bob.Client.InboundFilter = envelope =>
        {
            if (envelope.Body is not UpdatesBody { Kind: UpdateKinds.Logged } push)
            {
                return true;
            }

            var pts = WireSerializer.Deserialize<LoggedUpdates>(push.Payload).Updates.Select(u => u.Pts).ToArray();
            Interlocked.CompareExchange(ref lostPts, pts[0], 0);
            if (pts.Contains(Interlocked.Read(ref lostPts)))
            {
                Interlocked.Increment(ref dropped);
                return false;
            }

            return true;
        };

        var sent = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            sent.Add((await alice.SendAsync(bob, $"message {i}")).Message.Id);
        }

        var received = await bob.ReceiveUntilAsync("message 3");
        dropped.Should().BePositive("the first push after arming the filter was lost on purpose");
        received.Select(r => r.Message.Id).Should().Equal(sent);

        // A message after the refill still arrives once: nothing is reported twice by the overlapping difference.
        await alice.SendAsync(bob, "after");
        (await bob.ReceiveUntilAsync("after")).Select(r => r.Message.Text).Should().Equal("after");
    }

    [Fact]
    public async Task Send_WithTheSameRandomIdTwice_StoresOneMessage()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");

        var first = await alice.SendAsync(bob, "once", randomId: 4242);
        var again = await alice.SendAsync(bob, "once", randomId: 4242);

        again.Message.Should().Be(first.Message);
        again.PtsCount.Should().Be(0, "a resend appends nothing to the log");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Id.Should().Be(first.Message.Id);
    }

    [Fact]
    public async Task Send_WithTheSameRandomIdFromTwoDevicesAtOnce_StoresOneMessage()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");

        var racing = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? alice : alicePhone).SendAsync(bob, "racing", randomId: 31337)));

        racing.Select(r => r.Message.Id).Distinct().Should().ContainSingle();
        racing.Count(r => r.PtsCount == 1).Should().Be(1, "only the stored one appended to the log");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle();
    }

    [Fact]
    public async Task Send_WithTheSameRandomIdFromAnotherUser_StoresItsOwnMessage()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");

        var fromAlice = await alice.SendAsync(bob, "from alice", randomId: 99);
        var fromBob = await bob.SendAsync(alice, "from bob", randomId: 99);

        fromBob.Message.Id.Should().NotBe(fromAlice.Message.Id);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Select(m => m.Text).Should().Equal("from bob", "from alice");
    }

    [Fact]
    public async Task Send_WhenRetriedAfterTheMessageWasRevoked_DoesNotBringItBack()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var first = await alice.SendAsync(bob, "regret", randomId: 555);
        await alice.Client.DeleteMessagesAsync(bob.Peer, [first.Message.Id], revoke: true);

        var late = await alice.SendAsync(bob, "regret", randomId: 555);

        late.Message.Id.Should().Be(first.Message.Id);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().BeEmpty();
        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().BeEmpty();
    }

    [Fact]
    public async Task Send_WhenRetriedWithTheSameRandomIdAfterTheConnectionDropped_StoresOneMessage()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var first = await alice.SendAsync(bob, "survives a drop", randomId: 777);

        await alice.Client.DropConnectionAsync();
        await SessionTestKit.WaitUntil(() => alice.Client.ConnectionCount >= 2 && alice.Client.IsConnected);
        var retried = await alice.SendAsync(bob, "survives a drop", randomId: 777);

        // The same device on a new session (an app restarted before it saw the answer) is answered the same way.
        await using var restarted = await _host.ReconnectAsync(alice);
        var fromNewSession = await restarted.SendAsync(bob, "survives a drop", randomId: 777);

        retried.Message.Id.Should().Be(first.Message.Id);
        fromNewSession.Message.Id.Should().Be(first.Message.Id);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle();
        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().ContainSingle();
        var received = await bob.ReceiveUntilAsync("survives a drop");
        received.Should().ContainSingle();
        await alice.SendAsync(bob, "next");
        (await bob.ReceiveUntilAsync("next")).Should().ContainSingle("the retries added no message to bob's log");
    }
}
