using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.pin</c>, <c>messages.unpinAll</c>, <c>messages.getPinned</c>: a list of pinned messages per chat,
/// for everyone in it, in every kind of chat.</summary>
public sealed class PinTests : IAsyncLifetime
{
    private TestHost _host = null!;

    // A hundred messages and a hundred pins in a second or two: more than the posting limit's burst.
    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Message:SmallGroupLimit"] = GroupTestKit.SmallGroupLimit.ToString(),
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        ["Messenger:Message:PostBurst"] = "1000",
    });

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
        (await bob.NextAsync<MessagePinned>()).Message!.Id.Should().Be(first.Message.Id, "unpinning without an id takes off the newest");
        (await DialogWith(bob, alice)).PinnedMessage!.Id.Should().Be(first.Message.Id);
        (await alice.Client.UnpinMessageAsync(bob.Peer)).PtsCount.Should().Be(1);
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
        difference.Updates.Select(u => u.Update).OfType<PinnedMessageUpdate>().Should()
            .ContainSingle("the pin carried the text and was redacted; the unpin by the revoke carries none")
            .Which.Should().Match<PinnedMessageUpdate>(u => u.Message == null && u.Ids!.SequenceEqual(new[] { secret.Message.Id }) && !u.Pinned && u.Count == 0);
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

    [Fact]
    public async Task PinList_PinThree_ListedNewestFirst_DialogShowsNewest_UnpinMiddleThenAll_OtherDevicesFollow()
    {
        await using var alice = await _host.SignUpAsync("alice_pins3");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_pins3");
        await using var bob = await _host.SignUpAsync("bob_pins3");
        var before = await alicePhone.Client.GetStateAsync();
        var one = (await alice.SendAsync(bob, "one")).Message.Id;
        var two = (await bob.SendAsync(alice, "two")).Message.Id;
        var three = (await alice.SendAsync(bob, "three")).Message.Id;

        // Pinned out of order: the list follows the messages, not the pinning.
        await alice.Client.PinMessageAsync(bob.Peer, two);
        await alice.Client.PinMessageAsync(bob.Peer, three, silent: true);
        var last = await bob.Client.PinMessageAsync(alice.Peer, one);

        last.Pinned!.Id.Should().Be(three, "the newest pinned message is still 'three'");
        last.Count.Should().Be(3);
        (await alice.Client.GetPinnedAsync(bob.Peer)).Select(m => m.Text).Should().Equal("three", "two", "one");
        (await bob.Client.GetPinnedAsync(alice.Peer, offsetId: three, limit: 1)).Select(m => m.Text).Should().Equal("two");
        var dialog = await DialogWith(bob, alice);
        dialog.PinnedMessage!.Id.Should().Be(three);
        dialog.PinnedCount.Should().Be(3);
        var phoneSaw = await alicePhone.ReadUntilAsync(e => e is MessagePinned { Count: 3 });
        phoneSaw.OfType<MessagePinned>().Select(e => e.Ids!.Single()).Should().Equal(two, three, one);

        (await alice.Client.UnpinMessageAsync(bob.Peer, two)).Should().Match<PinResult>(r => r.PtsCount == 1 && r.Count == 2 && r.Pinned!.Id == three);
        (await bob.NextAsync<MessagePinned>(e => !e.Pinned)).Should().Match<MessagePinned>(e => e.Ids!.Single() == two && e.Count == 2 && e.Message!.Id == three);
        (await alice.Client.GetPinnedAsync(bob.Peer)).Select(m => m.Text).Should().Equal("three", "one");
        (await alice.Client.UnpinMessageAsync(bob.Peer, two)).PtsCount.Should().Be(0, "not pinned any more");

        (await bob.Client.UnpinAllAsync(alice.Peer)).PtsCount.Should().Be(1, "one entry for the whole list");
        var cleared = await alicePhone.NextAsync<MessagePinned>(e => e.Count == 0);
        cleared.Ids.Should().BeEquivalentTo([one, three]);
        cleared.Message.Should().BeNull();
        (await alice.Client.GetPinnedAsync(bob.Peer)).Should().BeEmpty();
        (await DialogWith(alice, bob)).Should().Match<Dialog>(d => d.PinnedMessage == null && d.PinnedCount == 0);
        (await bob.Client.UnpinAllAsync(alice.Peer)).PtsCount.Should().Be(0);

        var difference = await alicePhone.Client.GetDifferenceAsync(before.Pts);
        difference.Updates.Select(u => u.Update).OfType<PinnedMessageUpdate>().Select(u => (u.Pinned, u.Count))
            .Should().Equal((true, 1), (true, 2), (true, 3), (false, 2), (false, 0));
        (await alice.Client.GetHistoryAsync(bob.Peer)).Count(m => m.Action?.Kind == ServiceActions.PinMessage).Should().Be(2, "the silent pin posted none");
    }

    [Fact]
    public async Task Revoke_OfTheNewestPin_TheNextOlderShows_ForEveryone()
    {
        await using var alice = await _host.SignUpAsync("alice_revnew");
        await using var bob = await _host.SignUpAsync("bob_revnew");
        var older = (await alice.SendAsync(bob, "older")).Message.Id;
        var newer = (await alice.SendAsync(bob, "newer")).Message.Id;
        await alice.Client.PinMessageAsync(bob.Peer, older, silent: true);
        await alice.Client.PinMessageAsync(bob.Peer, newer, silent: true);

        await alice.Client.DeleteMessagesAsync(bob.Peer, [newer], revoke: true);

        (await bob.NextAsync<MessagePinned>(e => !e.Pinned)).Should().Match<MessagePinned>(e => e.Message!.Id == older && e.Count == 1 && e.Ids!.Single() == newer);
        (await DialogWith(bob, alice)).Should().Match<Dialog>(d => d.PinnedMessage!.Id == older && d.PinnedCount == 1);
        (await bob.Client.GetPinnedAsync(alice.Peer)).Select(m => m.Id).Should().Equal(older);

        // Deleted by bob for himself only: the pin stays for alice, bob no longer sees it.
        await alice.SendAsync(bob, "keeps the chat in bob's list");
        await bob.Client.DeleteMessagesAsync(alice.Peer, [older], revoke: false);
        (await bob.Client.GetPinnedAsync(alice.Peer)).Should().BeEmpty();
        (await DialogWith(bob, alice)).Should().Match<Dialog>(d => d.PinnedMessage == null && d.PinnedCount == 0);
        (await DialogWith(alice, bob)).PinnedCount.Should().Be(1);
    }

    [Fact]
    public async Task Pin_PastTheLimit_FailsPinnedTooMuch_AndBadListCallsAreRefused()
    {
        await using var alice = await _host.SignUpAsync("alice_pinmax");
        await using var bob = await _host.SignUpAsync("bob_pinmax", startEvents: false);
        var ids = new List<long>();
        for (var i = 0; i <= PinnedMessages.MaxPinned; i++)
        {
            ids.Add((await alice.Client.SendMessageAsync(bob.Peer, $"m{i}")).Message.Id);
        }

        foreach (var id in ids.Take(PinnedMessages.MaxPinned))
        {
            await alice.Client.PinMessageAsync(bob.Peer, id, silent: true);
        }

        await ChatTestKit.FailsWith(() => alice.Client.PinMessageAsync(bob.Peer, ids[^1], silent: true), MessageErrorNames.PinnedTooMuch);
        (await alice.Client.PinMessageAsync(bob.Peer, ids[0], silent: true)).PtsCount.Should().Be(0, "a pinned one pinned again is no new pin");
        await alice.Client.UnpinMessageAsync(bob.Peer, ids[0]);
        (await alice.Client.PinMessageAsync(bob.Peer, ids[^1], silent: true)).Count.Should().Be(PinnedMessages.MaxPinned);

        await ChatTestKit.FailsWith(() => alice.Client.GetPinnedAsync(bob.Peer, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetPinnedAsync(bob.Peer, limit: PinnedMessages.MaxPinned + 1), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetPinnedAsync(bob.Peer, offsetId: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new PinMessageCall(bob.Peer, -1, Unpin: true)), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.UnpinAllAsync(Peer.User(987654)), MessageErrorNames.PeerIdInvalid);
        (await bob.Client.GetPinnedAsync(alice.Peer, limit: 5)).Select(m => m.Id).Should().Equal(ids.AsEnumerable().Reverse().Take(5));
    }

    [Theory]
    [InlineData(ChatKind.LargeGroup)]
    [InlineData(ChatKind.Channel)]
    public async Task LargeGroups_AdminsPinSeveral_MembersListThem_ButMayNotUnpinAll(ChatKind kind)
    {
        await using var alice = await _host.MemberAsync($"alice_lpins{(int)kind}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_lpins{(int)kind}", listen: true);
        var created = await alice.Client.CreateGroupAsync("Pins", [bob.Id], large: true, broadcast: kind == ChatKind.Channel);
        var peer = Peer.Chat(created.Chat.Id);
        var first = (await alice.Client.SendMessageAsync(peer, "rules")).Message.Id;
        var sent = await alice.Client.SendMessageAsync(peer, "schedule");
        var second = sent.Message.Id;

        await alice.Client.PinMessageAsync(peer, first);
        (await alice.Client.PinMessageAsync(peer, second, silent: true)).Should().Match<PinResult>(r => r.Channel && r.Count == 2);

        (await bob.NextAsync<MessagePinned>(e => e.Count == 2)).ChannelId.Should().Be(created.Chat.Id);
        (await bob.Client.GetPinnedAsync(peer)).Select(m => m.Text).Should().Equal("schedule", "rules");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).Should().Match<Dialog>(d => d.PinnedMessage!.Id == second && d.PinnedCount == 2);
        await ChatTestKit.FailsWith(() => bob.Client.UnpinAllAsync(peer), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => bob.Client.UnpinMessageAsync(peer, first), GroupErrorNames.ChatAdminRequired, 403);

        var all = await alice.Client.UnpinAllAsync(peer);
        all.Should().Match<AffectedMessages>(a => a.Channel && a.PtsCount == 1);
        (await bob.NextAsync<MessagePinned>(e => e.Count == 0)).Ids.Should().BeEquivalentTo([first, second]);
        var difference = await bob.Client.GetChannelDifferenceAsync(created.Chat.Id, sent.Pts);
        difference.Updates.Select(u => u.Update).OfType<PinnedMessageUpdate>().Select(u => u.Count).Should().Equal(1, 2, 0);
    }

    [Fact]
    public async Task Pin_OfAMessageTheOtherUserDeletedForThemselves_ShowsThemTheirOwnPins_InThePushTheLogAndTheirDialogs()
    {
        await using var alice = await _host.SignUpAsync("alice_hidpin");
        await using var bob = await _host.SignUpAsync("bob_hidpin");
        var before = await bob.Client.GetStateAsync();
        var kept = await alice.SendAsync(bob, "words bob kept");
        var secret = await alice.SendAsync(bob, "words bob deleted");
        await bob.NextAsync<MessageReceived>(e => e.Message.Id == secret.Message.Id);
        await alice.Client.PinMessageAsync(bob.Peer, kept.Message.Id, silent: true);
        await bob.NextAsync<MessagePinned>();
        await bob.Client.DeleteMessagesAsync(alice.Peer, [secret.Message.Id], revoke: false);

        var answer = await alice.Client.PinMessageAsync(bob.Peer, secret.Message.Id, silent: true);

        answer.Should().Match<PinResult>(r => r.Pinned!.Id == secret.Message.Id && r.Count == 2, "alice sees both pins");
        (await bob.NextAsync<MessagePinned>()).Should().Match<MessagePinned>(e => e.Message!.Id == kept.Message.Id && e.Count == 1,
            "bob deleted the newest pin for himself: his newest is the one he kept");
        (await DialogWith(bob, alice)).Should().Match<Dialog>(d => d.PinnedMessage!.Id == kept.Message.Id && d.PinnedCount == 1);
        var logged = (await bob.Client.GetDifferenceAsync(before.Pts)).Updates.Select(u => u.Update).OfType<PinnedMessageUpdate>().Last();
        logged.Should().Match<PinnedMessageUpdate>(u => u.Message!.Id == kept.Message.Id && u.Count == 1);

        (await bob.Client.UnpinMessageAsync(alice.Peer, kept.Message.Id)).Should().Match<PinResult>(r => r.Pinned == null && r.Count == 0,
            "the pin left is one bob deleted: his answer shows none");
        (await alice.NextAsync<MessagePinned>()).Should().Match<MessagePinned>(e => e.Message!.Id == secret.Message.Id && e.Count == 1);
        (await DialogWith(bob, alice)).Should().Match<Dialog>(d => d.PinnedMessage == null && d.PinnedCount == 0);
    }

    [Fact]
    public async Task LargeGroup_PinEditAndReactionsOfAMessageAMemberDeleted_AreDroppedByTheirDevices_AsTheirDialogsShowIt()
    {
        await using var alice = await _host.MemberAsync("alice_lhidpin", listen: true);
        await using var bob = await _host.MemberAsync("bob_lhidpin", listen: true);
        await using var bobPhone = await _host.DeviceAsync("bob_lhidpin", bob.Id);
        var created = await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true);
        var peer = Peer.Chat(created.Chat.Id);
        var post = await alice.Client.SendMessageAsync(peer, "words bob deleted");
        await bob.NextAsync<MessageReceived>(e => e.Message.Id == post.Message.Id);
        await bob.Client.DeleteMessagesAsync(peer, [post.Message.Id], revoke: false);
        await bobPhone.NextAsync<MessagesDeleted>(e => e.Ids.Contains(post.Message.Id));

        await alice.Client.PinMessageAsync(peer, post.Message.Id, silent: true);
        await alice.Client.EditMessageAsync(peer, post.Message.Id, "new words bob never asked for");
        await alice.Client.SendReactionAsync(peer, post.Message.Id, "🎉");
        await alice.Client.SendMessageAsync(peer, "marker");

        // Bob's laptop deleted it itself; his phone learned it from his log.
        foreach (var device in new[] { bob, bobPhone })
        {
            var events = await device.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "marker");
            events.OfType<MessagePinned>().Should().ContainSingle()
                .Which.Should().Match<MessagePinned>(e => e.Message == null && e.ChannelId == created.Chat.Id && e.Ids!.Contains(post.Message.Id));
            events.OfType<MessageEdited>().Should().BeEmpty();
            events.OfType<MessageReactionsChanged>().Should().BeEmpty();
        }

        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).PinnedMessage.Should().BeNull();
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).PinnedMessage!.Text.Should().Be("new words bob never asked for");
    }

    private static async Task<Dialog> DialogWith(Device owner, Device peer) =>
        (await owner.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer.Peer);
}
