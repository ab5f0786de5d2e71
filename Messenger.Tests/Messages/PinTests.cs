using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.pin</c>: one pinned message per chat, for everyone in it, in every kind of chat.</summary>
public sealed class PinTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PrivateChat_EitherSidePins_BothSidesAndOtherDevicesSeeIt_InEventsAndDialogs()
    {
        await using var alice = await _host.SignUpAsync("alice_pin");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_pin");
        await using var bob = await _host.SignUpAsync("bob_pin");
        var first = await bob.SendAsync(alice, "the address is 12 Main St");
        var second = await alice.SendAsync(bob, "meet at 6");

        var pinned = await alice.Client.PinMessageAsync(bob.Peer, first.Message.Id);

        pinned.PtsCount.Should().Be(2, "the service message and the pin, both in alice's log");
        pinned.Pinned!.Id.Should().Be(first.Message.Id);
        pinned.ServiceMessage!.Action!.Kind.Should().Be(ServiceActions.PinMessage);
        var service = await bob.NextAsync<MessageReceived>(e => e.Message.Action is not null);
        service.Message.Action!.Kind.Should().Be(ServiceActions.PinMessage);
        service.Message.ReplyToId.Should().Be(first.Message.Id);
        service.Message.FromId.Should().Be(alice.UserId);
        (await bob.NextAsync<MessagePinned>()).Should().Match<MessagePinned>(e => e.Peer == alice.Peer && e.Message!.Id == first.Message.Id);
        (await alicePhone.NextAsync<MessagePinned>()).Should().Match<MessagePinned>(e => e.Peer == bob.Peer && e.Message!.Text == "the address is 12 Main St");
        (await DialogWith(alice, bob)).PinnedMessage!.Id.Should().Be(first.Message.Id);
        (await DialogWith(bob, alice)).PinnedMessage!.Id.Should().Be(first.Message.Id);

        var again = await alice.Client.PinMessageAsync(bob.Peer, first.Message.Id);
        again.PtsCount.Should().Be(0, "pinning what is pinned changes nothing");
        again.ServiceMessage.Should().BeNull();

        (await bob.Client.PinMessageAsync(alice.Peer, second.Message.Id, silent: true)).ServiceMessage.Should().BeNull();
        (await alice.NextAsync<MessagePinned>()).Message!.Id.Should().Be(second.Message.Id);
        (await DialogWith(alice, bob)).PinnedMessage!.Text.Should().Be("meet at 6");

        await alice.Client.UnpinMessageAsync(bob.Peer);
        (await bob.NextAsync<MessagePinned>()).Message.Should().BeNull();
        (await DialogWith(bob, alice)).PinnedMessage.Should().BeNull();
        (await alice.Client.UnpinMessageAsync(bob.Peer)).PtsCount.Should().Be(0);

        await alice.SendAsync(bob, "after the pins");
        var events = await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "after the pins" });
        events.OfType<MessageReceived>().Should().ContainSingle("the silent pin posted no service message, the unpin none either");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Count(m => m.Action?.Kind == ServiceActions.PinMessage).Should().Be(1);
    }

    [Fact]
    public async Task BadPins_AreRefusedByName_AndChangeNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_badpin");
        await using var bob = await _host.SignUpAsync("bob_badpin");
        await using var carol = await _host.SignUpAsync("carol_badpin");
        var withBob = await alice.SendAsync(bob, "for bob");
        var withCarol = await alice.SendAsync(carol, "for carol");
        var group = await alice.Client.CreateGroupAsync("Team", [bob.UserId]);

        await ChatTestKit.FailsWith(() => alice.Client.PinMessageAsync(bob.Peer, withCarol.Message.Id), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.PinMessageAsync(alice.Peer, withBob.Message.Id), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinMessageAsync(Peer.Chat(group.Chat.Id), group.Message!.Id), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new PinMessageCall(bob.Peer, 0)), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new PinMessageCall(bob.Peer, -5)), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new PinMessageCall(null!, 1)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new PinMessageCall(new Peer((PeerKind)7, bob.UserId), withBob.Message.Id)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinMessageAsync(Peer.User(987654), withBob.Message.Id), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.PinMessageAsync(Peer.Chat(group.Chat.Id), group.Message!.Id), GroupErrorNames.ChatNotFound, 404);
        // No chat between them yet: nothing to pin, nothing to unpin.
        await ChatTestKit.FailsWith(() => bob.Client.PinMessageAsync(carol.Peer, withBob.Message.Id), MessageErrorNames.MessageIdInvalid);
        (await bob.Client.UnpinMessageAsync(carol.Peer)).PtsCount.Should().Be(0);

        await bob.Client.BlockUserAsync(alice.UserId);
        await ChatTestKit.FailsWith(() => alice.Client.PinMessageAsync(bob.Peer, withBob.Message.Id), MessageErrorNames.UserIsBlocked, 403);
        await ChatTestKit.FailsWith(() => bob.Client.PinMessageAsync(alice.Peer, withBob.Message.Id), MessageErrorNames.YouBlockedUser, 403);

        (await DialogWith(alice, bob)).PinnedMessage.Should().BeNull();
        (await DialogWith(alice, carol)).PinnedMessage.Should().BeNull();
        (await alice.Client.SendMessageAsync(carol.Peer, "still fine")).Message.Text.Should().Be("still fine");
    }

    [Fact]
    public async Task RevokingThePinnedMessage_UnpinsIt_AndNoLogEntryKeepsItsText()
    {
        await using var alice = await _host.SignUpAsync("alice_revpin");
        await using var bob = await _host.SignUpAsync("bob_revpin", startEvents: false);
        var before = await bob.Client.GetStateAsync();
        var secret = await alice.SendAsync(bob, "the secret code is 4711");
        await bob.Client.PinMessageAsync(alice.Peer, secret.Message.Id);

        await alice.Client.DeleteMessagesAsync(bob.Peer, [secret.Message.Id], revoke: true);

        (await DialogWith(bob, alice)).PinnedMessage.Should().BeNull();
        (await DialogWith(alice, bob)).PinnedMessage.Should().BeNull();
        var difference = await bob.Client.GetDifferenceAsync(before.Pts);
        difference.Updates.Select(u => u.Update).OfType<PinnedMessageUpdate>().Should().BeEmpty("the pin carried the text and was redacted");
        difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Should().OnlyContain(u => !u.Message.Text.Contains("4711"));
        await ChatTestKit.FailsWith(() => bob.Client.PinMessageAsync(alice.Peer, secret.Message.Id), MessageErrorNames.MessageIdInvalid);
    }

    [Theory]
    [InlineData(ChatKind.Group)]
    [InlineData(ChatKind.LargeGroup)]
    [InlineData(ChatKind.Channel)]
    public async Task Groups_MembersPinInSmallGroups_OnlyAdminsInLargeGroupsAndChannels(ChatKind kind)
    {
        await using var alice = await _host.MemberAsync($"alice_gpin{(int)kind}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_gpin{(int)kind}", listen: true);
        var created = await alice.Client.CreateGroupAsync("Pins", [bob.Id], large: kind != ChatKind.Group, broadcast: kind == ChatKind.Channel);
        var peer = Peer.Chat(created.Chat.Id);
        var post = await alice.Client.SendMessageAsync(peer, "agenda for monday");

        if (kind == ChatKind.Group)
        {
            await bob.Client.PinMessageAsync(peer, post.Message.Id);
        }
        else
        {
            await ChatTestKit.FailsWith(() => bob.Client.PinMessageAsync(peer, post.Message.Id), GroupErrorNames.ChatAdminRequired, 403);
            await ChatTestKit.FailsWith(() => bob.Client.UnpinMessageAsync(peer), GroupErrorNames.ChatAdminRequired, 403);
            var answer = await alice.Client.PinMessageAsync(peer, post.Message.Id);
            answer.Channel.Should().BeTrue("a large group's changes are in its own log");
            answer.PtsCount.Should().Be(2);
        }

        // The pinner's own device has the answer; the other member is told.
        var other = kind == ChatKind.Group ? alice : bob;
        var seen = await other.NextAsync<MessagePinned>();
        seen.Message!.Id.Should().Be(post.Message.Id);
        seen.Peer.Should().Be(peer);
        seen.ChannelId.Should().Be(kind == ChatKind.Group ? null : created.Chat.Id);
        foreach (var member in new[] { alice, bob })
        {
            var dialogs = await member.Client.GetDialogsAsync();
            dialogs.Items.Single(d => d.Peer == peer).PinnedMessage!.Text.Should().Be("agenda for monday");
        }

        await alice.Client.DeleteMessagesAsync(peer, [post.Message.Id], revoke: false);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).PinnedMessage.Should().BeNull("deleted for alice: not shown to her");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).PinnedMessage.Should().NotBeNull("still there for bob");
    }

    private static async Task<Dialog> DialogWith(Device owner, Device peer) =>
        (await owner.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer.Peer);
}
