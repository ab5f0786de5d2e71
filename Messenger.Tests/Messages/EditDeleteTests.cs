using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

public sealed class EditDeleteTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task Edit_OwnMessage_PeerAndOtherDevicesGetTheNewText()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var sent = await alice.SendAsync(bob, "helo");

        var edited = await alice.Client.EditMessageAsync(bob.Peer, sent.Message.Id, "hello");

        edited.Message.Text.Should().Be("hello");
        edited.Message.EditDate.Should().NotBeNull();
        var onBob = await bob.NextAsync<MessageEdited>();
        onBob.Message.Should().Be(edited.Message);
        onBob.Peer.Should().Be(alice.Peer);
        onBob.IsOutgoing.Should().BeFalse();
        (await alicePhone.NextAsync<MessageEdited>()).IsOutgoing.Should().BeTrue();
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Text.Should().Be("hello");
    }

    [Fact]
    public async Task Edit_WhenMessageIsThePeers_Fails403AuthorRequired()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var sent = await alice.SendAsync(bob, "mine");

        await ChatTestKit.FailsWith(() => bob.Client.EditMessageAsync(alice.Peer, sent.Message.Id, "yours now"),
            MessageErrorNames.MessageAuthorRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.EditMessageAsync(bob.Peer, sent.Message.Id, "mine"),
            MessageErrorNames.MessageNotModified);

        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().ContainSingle().Which.Text.Should().Be("mine");
    }

    [Fact]
    public async Task Delete_ForMe_HidesTheMessageOnlyForTheCaller()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var bobPhone = await _host.SignInAnotherDeviceAsync("bob_one");
        var kept = await alice.SendAsync(bob, "kept");
        var hidden = await alice.SendAsync(bob, "hidden for bob");

        var affected = await bob.Client.DeleteMessagesAsync(alice.Peer, [hidden.Message.Id], revoke: false);

        affected.PtsCount.Should().Be(1);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Id).Should().Equal(kept.Message.Id);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Select(m => m.Id).Should().Equal(hidden.Message.Id, kept.Message.Id);
        var onPhone = await bobPhone.NextAsync<MessagesDeleted>();
        onPhone.Ids.Should().Equal(hidden.Message.Id);
        onPhone.Peer.Should().Be(alice.Peer);

        // Alice's log got nothing from bob's private delete: her next event is the next message.
        await bob.SendAsync(alice, "marker");
        (await alice.ReadUntilAsync(e => e is MessageReceived { Message.Text: "marker" })).OfType<MessagesDeleted>().Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_WithRevoke_RemovesTheMessageForBothAndTellsThePeer()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var kept = await alice.SendAsync(bob, "kept");
        var revoked = await alice.SendAsync(bob, "oops");

        await alice.Client.DeleteMessagesAsync(bob.Peer, [revoked.Message.Id], revoke: true);

        var onBob = await bob.NextAsync<MessagesDeleted>();
        onBob.Ids.Should().Equal(revoked.Message.Id);
        onBob.Peer.Should().Be(alice.Peer);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Id).Should().Equal(kept.Message.Id);
        (await alice.Client.GetHistoryAsync(bob.Peer)).Select(m => m.Id).Should().Equal(kept.Message.Id);
        var bobsDialog = (await bob.Client.GetDialogsAsync()).Items.Should().ContainSingle().Subject;
        bobsDialog.TopMessage!.Id.Should().Be(kept.Message.Id);
        await ChatTestKit.FailsWith(() => alice.Client.EditMessageAsync(bob.Peer, revoked.Message.Id, "fixed"), MessageErrorNames.MessageIdInvalid);
    }

    [Fact]
    public async Task Delete_WithRevokeOfAMessageThePeerDeletedForThemselves_TakesTheirMarkAlong()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var kept = await alice.SendAsync(bob, "hidden, not revoked");
        var revoked = await alice.SendAsync(bob, "hidden, then revoked");
        await bob.Client.DeleteMessagesAsync(alice.Peer, [kept.Message.Id, revoked.Message.Id], revoke: false);
        _host.CountRows($"message_hidden WHERE user_id = {bob.UserId}").Should().Be(2);

        await alice.Client.DeleteMessagesAsync(bob.Peer, [revoked.Message.Id], revoke: true);

        _host.CountRows($"message_hidden WHERE message_id = {revoked.Message.Id}").Should().Be(0);
        _host.CountRows($"message_hidden WHERE message_id = {kept.Message.Id}").Should().Be(1, "a message still there stays hidden for bob");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().BeEmpty();
        (await alice.Client.GetHistoryAsync(bob.Peer)).Select(m => m.Id).Should().Equal(kept.Message.Id);
    }

    [Fact]
    public async Task Delete_WithRevokeOfThePeersMessage_Fails403AndDeletesNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var mine = await bob.SendAsync(alice, "bob's own");
        var theirs = await alice.SendAsync(bob, "alice's");

        await ChatTestKit.FailsWith(() => bob.Client.DeleteMessagesAsync(alice.Peer, [mine.Message.Id, theirs.Message.Id], revoke: true),
            MessageErrorNames.MessageDeleteForbidden, 403);

        (await alice.Client.GetHistoryAsync(bob.Peer)).Should().HaveCount(2);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Edit_OfAMessageTheReaderDeletedForThemselves_IsNotPushedToThem_InAPrivateChat()
    {
        await using var alice = await _host.SignUpAsync("alice_hidedit");
        await using var bob = await _host.SignUpAsync("bob_hidedit");
        var before = await bob.Client.GetStateAsync();
        var sent = await alice.SendAsync(bob, "first words");
        await bob.NextAsync<MessageReceived>();
        await bob.Client.DeleteMessagesAsync(alice.Peer, [sent.Message.Id], revoke: false);

        await alice.Client.EditMessageAsync(bob.Peer, sent.Message.Id, "new words bob never asked for");
        await alice.SendAsync(bob, "marker");

        (await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "marker" })).OfType<MessageEdited>().Should().BeEmpty();
        (await bob.Client.GetDifferenceAsync(before.Pts)).Updates.Select(u => u.Update).OfType<EditMessageUpdate>().Should().BeEmpty();
    }

    [Fact]
    public async Task EditReactionsAndVotes_OfAMessageAMemberDeletedForThemselves_ReachTheOtherMembersOnly_InASmallGroup()
    {
        await using var alice = await _host.SignUpAsync("alice_ghidedit");
        await using var bob = await _host.SignUpAsync("bob_ghidedit");
        await using var carol = await _host.SignUpAsync("carol_ghidedit");
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Small", [bob.UserId, carol.UserId])).Chat.Id);
        var before = await bob.Client.GetStateAsync();
        var post = await alice.Client.SendMessageAsync(peer, "first words");
        var poll = await alice.Client.SendPollAsync(peer, "Lunch?", ["yes", "no"]);
        await bob.NextAsync<MessageReceived>(e => e.Message.Id == poll.Message.Id);
        await bob.Client.DeleteMessagesAsync(peer, [post.Message.Id, poll.Message.Id], revoke: false);

        await alice.Client.EditMessageAsync(peer, post.Message.Id, "new words bob never asked for");
        await carol.Client.SendReactionAsync(peer, post.Message.Id, "🎉");
        await carol.Client.VoteAsync(peer, poll.Message.Id, [0]);
        await alice.Client.SendMessageAsync(peer, "marker");

        var seen = await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "marker" });
        seen.Should().NotContain(e => e is MessageEdited || e is MessageReactionsChanged || e is PollUpdated);
        (await bob.Client.GetDifferenceAsync(before.Pts)).Updates.Select(u => u.Update)
            .Should().NotContain(u => u is EditMessageUpdate || u is MessageReactionsUpdate || u is MessagePollUpdate);
        (await carol.NextAsync<MessageEdited>()).Message.Text.Should().Be("new words bob never asked for", "carol kept the message");
        (await alice.NextAsync<MessageReactionsChanged>()).MessageId.Should().Be(post.Message.Id);
    }
}
