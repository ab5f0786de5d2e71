using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.toggleDialogPin</c>: chats a user keeps at the top of their own list, on every device.</summary>
public sealed class DialogPinTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task PinnedChats_ComeFirst_MostRecentlyPinnedFirst_OnEveryDeviceOfTheUserOnly()
    {
        await using var alice = await _host.SignUpAsync("alice_dpin");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_dpin");
        await using var bob = await _host.SignUpAsync("bob_dpin");
        await using var carol = await _host.SignUpAsync("carol_dpin");
        var group = await alice.Client.CreateGroupAsync("Large", [bob.UserId], large: true);
        await bob.SendAsync(alice, "from bob");
        await carol.SendAsync(alice, "from carol");
        await alice.Client.SendMessageAsync(Peer.Chat(group.Chat.Id), "newest of all");
        (await Order(alice)).Should().Equal(Peer.Chat(group.Chat.Id), carol.Peer, bob.Peer);

        (await alice.Client.PinDialogAsync(bob.Peer)).PtsCount.Should().Be(1);
        await alice.Client.PinDialogAsync(carol.Peer);

        (await Order(alice)).Should().Equal(carol.Peer, bob.Peer, Peer.Chat(group.Chat.Id));
        (await alice.Client.GetDialogsAsync()).Items.Select(d => d.Pinned).Should().Equal(true, true, false);
        (await alicePhone.NextAsync<DialogPinChanged>()).Should().Match<DialogPinChanged>(e => e.Peer == bob.Peer && e.Pinned);
        (await Order(bob)).Should().Equal(Peer.Chat(group.Chat.Id), alice.Peer);
        (await alice.Client.PinDialogAsync(carol.Peer)).PtsCount.Should().Be(0, "pinned already");

        await alice.Client.PinDialogAsync(Peer.Chat(group.Chat.Id));
        (await Order(alice)).First().Should().Be(Peer.Chat(group.Chat.Id), "a large group is pinned like any chat");
        await alice.Client.PinDialogAsync(carol.Peer, pinned: false);
        (await Order(alice)).Should().Equal(Peer.Chat(group.Chat.Id), bob.Peer, carol.Peer);
        (await alicePhone.NextAsync<DialogPinChanged>(e => !e.Pinned)).Peer.Should().Be(carol.Peer);
    }

    [Fact]
    public async Task ASixthPin_AndBadPeers_AreRefusedByName()
    {
        await using var alice = await _host.SignUpAsync("alice_sixpins");
        var others = new List<Device>();
        for (var i = 0; i < DialogPins.MaxPinned + 1; i++)
        {
            others.Add(await _host.SignUpAsync($"pinned_{i:d2}", startEvents: false));
        }

        foreach (var other in others.Take(DialogPins.MaxPinned))
        {
            await alice.Client.PinDialogAsync(other.Peer);
        }

        await ChatTestKit.FailsWith(() => alice.Client.PinDialogAsync(others[^1].Peer), MessageErrorNames.PinnedDialogsTooMuch);
        await ChatTestKit.FailsWith(() => alice.Client.PinDialogAsync(Peer.User(987654)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new ToggleDialogPinCall(null!, true)), MessageErrorNames.PeerIdInvalid);
        var foreign = await others[0].Client.CreateGroupAsync("Not alice's", [others[1].UserId]);
        await ChatTestKit.FailsWith(() => alice.Client.PinDialogAsync(Peer.Chat(foreign.Chat.Id)), GroupErrorNames.ChatNotFound, 404);
        _host.CountRows("message_dialog_pins").Should().Be(DialogPins.MaxPinned);
        foreach (var other in others)
        {
            await other.DisposeAsync();
        }
    }

    [Fact]
    public async Task LeavingOrBeingRemovedFromAPinnedGroup_FreesItsPinSlot_AndARejoinStartsWithoutTheOldSettings()
    {
        await using var alice = await _host.SignUpAsync("alice_leftpin");
        await using var bob = await _host.SignUpAsync("bob_leftpin");
        var groups = new List<long>();
        for (var i = 0; i < DialogPins.MaxPinned; i++)
        {
            groups.Add((await alice.Client.CreateGroupAsync($"G{i}", [bob.UserId])).Chat.Id);
            await bob.Client.PinDialogAsync(Peer.Chat(groups[^1]));
        }

        var left = Peer.Chat(groups[0]);
        await bob.Client.ArchiveDialogAsync(left);
        await bob.Client.MarkDialogUnreadAsync(left);
        await bob.Client.SaveDraftAsync(left, "half a thought");
        await bob.Client.MuteChatAsync(left, DateTimeOffset.UtcNow.AddDays(1));

        await bob.Client.LeaveGroupAsync(groups[0]);
        await alice.Client.RemoveMemberAsync(groups[1], bob.UserId);

        (await bob.Client.GetDialogsAsync()).Items.Count(d => d.Pinned).Should().Be(DialogPins.MaxPinned - 2);
        await alice.SendAsync(bob, "hi");
        await bob.Client.PinDialogAsync(alice.Peer);
        await bob.Client.PinDialogAsync(Peer.Chat((await alice.Client.CreateGroupAsync("Another", [bob.UserId])).Chat.Id));
        await ChatTestKit.FailsWith(() => bob.Client.PinDialogAsync(Peer.Chat(groups[1])), GroupErrorNames.ChatNotFound, 404);

        await alice.Client.AddMembersAsync(groups[0], [bob.UserId]);
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == left)
            .Should().Match<Dialog>(d => !d.Pinned && !d.Archived && !d.UnreadMark && d.Draft == null && d.MuteUntil == 0);
    }

    private static async Task<Peer[]> Order(Device device) =>
        [.. (await device.Client.GetDialogsAsync()).Items.Select(d => d.Peer)];
}
