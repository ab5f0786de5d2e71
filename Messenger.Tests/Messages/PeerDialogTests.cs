using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>messages.getPeerDialogs: single chat-list rows, the same as messages.getDialogs gives them.</summary>
public sealed class PeerDialogTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private Device _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await SessionTestKit.StartHostAsync();
        _admin = await _host.SignUpAsync("the_admin");
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task GetPeerDialogs_OfAPrivateChatGroupsAndAChannel_AreTheChatListsRows_AndAPeerWithoutOneIsLeftOut()
    {
        await using var alice = await _host.SignUpAsync("alice_pd");
        await using var bob = await _host.SignUpAsync("bob_pd");
        await using var carol = await _host.SignUpAsync("carol_pd");
        await bob.SendAsync(alice, "hello alice");
        var small = Peer.Chat((await bob.Client.CreateGroupAsync("Small", [alice.UserId])).Chat.Id);
        var large = Peer.Chat((await bob.Client.CreateGroupAsync("Large", [alice.UserId], large: true)).Chat.Id);
        var channel = Peer.Chat((await bob.Client.CreateGroupAsync("News", [alice.UserId], large: true, broadcast: true)).Chat.Id);
        var carolsGroup = Peer.Chat((await carol.Client.CreateGroupAsync("Not hers", [bob.UserId])).Chat.Id);
        await bob.Client.SendMessageAsync(small, "in the small group");
        await bob.Client.SendMessageAsync(large, "in the large group");
        await bob.Client.SendMessageAsync(channel, "a post");
        await alice.Client.MuteChatAsync(large, DateTimeOffset.UtcNow.AddDays(1));
        await alice.Client.PinDialogAsync(channel, pinned: true);

        Peer[] asked = [large, carol.Peer, bob.Peer, carolsGroup, channel, small, bob.Peer];
        var rows = await alice.Client.GetPeerDialogsAsync(asked);

        var listed = (await alice.Client.GetDialogsAsync(0, 100)).Items.Where(d => asked.Contains(d.Peer)).ToArray();
        rows.Select(d => d.Peer).Should().Equal(new[] { channel, large, small, bob.Peer }, "the chat list's order, pinned first; each peer once");
        rows.Should().BeEquivalentTo(listed, o => o.WithStrictOrdering());
        rows.Single(d => d.Peer == large).Should().Match<Dialog>(d => d.MuteUntil > 0 && d.UnreadCount > 0 && d.TopMessage!.Text == "in the large group");
        rows.Single(d => d.Peer == bob.Peer).TopMessage!.Text.Should().Be("hello alice");
    }

    [Fact]
    public async Task GetPeerDialogs_OfABlockedUserADeletedAccountAndALeftGroup_ShowsThemAsGetDialogsDoes()
    {
        await using var alice = await _host.SignUpAsync("alice_pd");
        await using var bob = await _host.SignUpAsync("bob_pd");
        await using var dave = await _host.SignUpAsync("dave_pd");
        await bob.SendAsync(alice, "hello alice");
        await dave.SendAsync(alice, "bye alice");
        var left = Peer.Chat((await bob.Client.CreateGroupAsync("Left", [alice.UserId], large: true)).Chat.Id);
        var leftSmall = Peer.Chat((await bob.Client.CreateGroupAsync("Left small", [alice.UserId])).Chat.Id);
        await bob.Client.SendMessageAsync(left, "before she left");
        await alice.Client.BlockUserAsync(bob.UserId);
        await alice.Client.LeaveGroupAsync(left.Id);
        await alice.Client.LeaveGroupAsync(leftSmall.Id);
        await dave.Client.DeleteAccountAsync(SessionTestKit.Password);

        Peer[] asked = [bob.Peer, dave.Peer, left, leftSmall];
        var rows = await alice.Client.GetPeerDialogsAsync(asked);

        var listed = (await alice.Client.GetDialogsAsync(0, 100)).Items.Where(d => asked.Contains(d.Peer)).ToArray();
        rows.Should().BeEquivalentTo(listed, o => o.WithStrictOrdering());
        rows.Select(d => d.Peer).Should().Contain([bob.Peer, dave.Peer], "a blocked user's and a deleted account's chats stay in the list");
        rows.Select(d => d.Peer).Should().NotContain(left, "a large group left is no longer in the list");
    }

    [Fact]
    public async Task GetPeerDialogs_WithNoPeersTooManyOrABadOne_Fails400()
    {
        await using var alice = await _host.SignUpAsync("alice_pd");
        await using var bob = await _host.SignUpAsync("bob_pd");
        await bob.SendAsync(alice, "hello alice");

        await ChatTestKit.FailsWith(() => alice.Client.GetPeerDialogsAsync([]), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.GetPeerDialogsAsync(Enumerable.Repeat(bob.Peer, PeerDialogLimits.MaxPeers + 1)), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetPeerDialogsAsync([bob.Peer, new Peer((PeerKind)3, bob.UserId)]), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetPeerDialogsAsync([Peer.User(0)]), MessageErrorNames.PeerIdInvalid);
        (await alice.Client.GetPeerDialogsAsync(Enumerable.Repeat(bob.Peer, PeerDialogLimits.MaxPeers))).Select(d => d.Peer).Should().Equal(bob.Peer);
        (await alice.Client.GetPeerDialogsAsync([Peer.User(987_654), Peer.Chat(987_654)])).Should().BeEmpty("no such user or group: no row, not an error");
    }
}
