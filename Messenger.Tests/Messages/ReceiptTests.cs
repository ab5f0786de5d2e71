using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

// Delivered and read receipts, unread counts, typing notices.
public sealed class ReceiptTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Received_WhenRecipientDeviceGetsTheMessage_SenderGetsDelivered()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");

        var sent = await alice.SendAsync(bob, "did it arrive?");

        var delivered = await alice.NextAsync<MessagesDelivered>(d => d.MaxId == sent.Message.Id);
        delivered.Peer.Should().Be(bob.Peer);
        (await alice.Client.GetDialogsAsync()).Items.Should().ContainSingle().Which.DeliveredMaxId.Should().Be(sent.Message.Id);
    }

    [Fact]
    public async Task ReadHistory_WhenRecipientReads_SenderGetsOutboxReadAndOtherDeviceGetsInboxRead()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var bobPhone = await _host.SignInAnotherDeviceAsync("bob_one");
        await alice.SendAsync(bob, "one");
        var last = await alice.SendAsync(bob, "two");
        await bob.ReceiveUntilAsync("two");

        var bobsDialog = (await bob.Client.GetDialogsAsync()).Items.Should().ContainSingle().Subject;
        bobsDialog.UnreadCount.Should().Be(2);
        bobsDialog.Peer.Should().Be(alice.Peer);

        await bob.Client.ReadHistoryAsync(alice.Peer, last.Message.Id);

        var outbox = await alice.NextAsync<HistoryRead>();
        outbox.Should().BeEquivalentTo(new { Side = ReadSide.Outbox, Peer = bob.Peer, MaxId = last.Message.Id });
        var inbox = await bobPhone.NextAsync<HistoryRead>();
        inbox.Should().BeEquivalentTo(new { Side = ReadSide.Inbox, Peer = alice.Peer, MaxId = last.Message.Id, StillUnread = 0 });
        bobsDialog = (await bob.Client.GetDialogsAsync()).Items.Should().ContainSingle().Subject;
        bobsDialog.UnreadCount.Should().Be(0);
        bobsDialog.ReadInboxMaxId.Should().Be(last.Message.Id);
        (await alice.Client.GetDialogsAsync()).Items.Should().ContainSingle().Which.ReadOutboxMaxId.Should().Be(last.Message.Id);
    }

    [Fact]
    public async Task ReadHistory_UpToAnOlderMessage_LeavesTheNewerUnread()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var first = await alice.SendAsync(bob, "one");
        await alice.SendAsync(bob, "two");
        await alice.SendAsync(bob, "three");

        await bob.Client.ReadHistoryAsync(alice.Peer, first.Message.Id);

        (await bob.Client.GetDialogsAsync()).Items.Should().ContainSingle().Which.UnreadCount.Should().Be(2);
    }

    [Fact]
    public async Task SetTyping_ReachesThePeerValidForSixSeconds()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");

        var before = DateTimeOffset.UtcNow;
        await alice.Client.SetTypingAsync(bob.Peer);
        var typing = await bob.NextAsync<UserTyping>();
        var after = DateTimeOffset.UtcNow;

        typing.UserId.Should().Be(alice.UserId);
        typing.Peer.Should().Be(alice.Peer);
        typing.Action.Should().Be(TypingActions.Typing);
        // The SDK turns the server's "expires in" into a time on arrival, which lies between before and after.
        typing.ExpiresAt.Should().BeOnOrAfter(before.AddSeconds(6)).And.BeOnOrBefore(after.AddSeconds(6));
    }

    [Fact]
    public async Task SetTyping_RepeatedWithinTwoSeconds_IsNotForwardedButCancelIs()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await alice.SendAsync(bob, "hi");

        await alice.Client.SetTypingAsync(bob.Peer);
        await alice.Client.SetTypingAsync(bob.Peer);
        await alice.Client.SetTypingAsync(bob.Peer, TypingActions.Cancel);

        (await bob.NextAsync<UserTyping>()).Action.Should().Be(TypingActions.Typing);
        var next = await bob.NextAsync<UserTyping>();
        next.Action.Should().Be(TypingActions.Cancel, "the repeat inside the window was dropped");
        next.UserId.Should().Be(alice.UserId);
    }

    [Fact]
    public async Task SetTyping_WithUnknownAction_FailsTypingActionInvalid()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");

        await ChatTestKit.FailsWith(() => alice.Client.SetTypingAsync(bob.Peer, "dancing"), MessageErrorNames.TypingActionInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SetTypingAsync(Peer.User(987_654), TypingActions.Typing), MessageErrorNames.PeerIdInvalid);
    }

    [Fact]
    public async Task SetTyping_ToAUserWithoutAChat_IsNotForwarded()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var stranger = await _host.SignUpAsync("stranger");

        await alice.Client.SetTypingAsync(stranger.Peer);
        await alice.SendAsync(stranger, "hello, stranger");

        // The first thing the stranger hears of alice is her message: the typing notice before it went nowhere.
        var events = await stranger.ReadUntilAsync(e => e is MessageReceived);
        events.OfType<UserTyping>().Should().BeEmpty();
    }
}
