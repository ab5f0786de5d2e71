using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.updateNotifySettings</c>: a user's own mute of a chat, synced to their devices and nobody else.</summary>
public sealed class MuteTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Mute_ReachesTheUsersOtherDevices_ShowsInTheirDialogs_AndNobodyElseLearnsOfIt()
    {
        await using var alice = await _host.SignUpAsync("alice_mute");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_mute");
        await using var bob = await _host.SignUpAsync("bob_mute");
        await bob.SendAsync(alice, "hello");
        await alice.ReceiveUntilAsync("hello");
        await alicePhone.ReceiveUntilAsync("hello");

        var muted = await alice.Client.MuteChatAsync(bob.Peer, DateTimeOffset.FromUnixTimeSeconds(NotifySettings.MuteForever));

        muted.PtsCount.Should().Be(1);
        (await alicePhone.NextAsync<NotifySettingsChanged>()).Should().Be(new NotifySettingsChanged(muted.Pts, bob.Peer, NotifySettings.MuteForever));
        (await DialogWith(alice, bob)).MuteUntil.Should().Be(NotifySettings.MuteForever);
        (await DialogWith(bob, alice)).MuteUntil.Should().Be(0, "bob's side is his own");
        (await alice.Client.MuteChatAsync(bob.Peer, DateTimeOffset.FromUnixTimeSeconds(NotifySettings.MuteForever))).PtsCount.Should().Be(0);

        await bob.SendAsync(alice, "still delivered");
        (await alice.ReceiveUntilAsync("still delivered")).Should().ContainSingle("a muted chat still gets its messages");
        var bobsEvents = await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "still delivered" });
        bobsEvents.OfType<NotifySettingsChanged>().Should().BeEmpty();

        var until = DateTimeOffset.UtcNow.AddHours(8);
        await alicePhone.Client.MuteChatAsync(bob.Peer, until);
        (await alice.NextAsync<NotifySettingsChanged>()).MuteUntil.Should().Be(until.ToUnixTimeSeconds());
        await alice.Client.MuteChatAsync(bob.Peer, null);
        (await alicePhone.NextAsync<NotifySettingsChanged>()).MuteUntil.Should().Be(0);
        (await DialogWith(alice, bob)).MuteUntil.Should().Be(0);
        _host.CountRows("message_notify").Should().Be(0, "an unmuted chat keeps no row");
    }

    [Fact]
    public async Task Mute_ATimeAlreadyPast_IsNoMute_AndBadInputIsRefusedByName()
    {
        await using var alice = await _host.SignUpAsync("alice_badmute");
        await using var bob = await _host.SignUpAsync("bob_badmute");
        await using var carol = await _host.SignUpAsync("carol_badmute");
        await alice.SendAsync(bob, "hi");
        var group = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);

        (await alice.Client.MuteChatAsync(bob.Peer, DateTimeOffset.UtcNow.AddMinutes(-1))).PtsCount.Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new UpdateNotifySettingsCall(bob.Peer, -1)), MessageErrorNames.MuteUntilInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new UpdateNotifySettingsCall(null!, 0)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new UpdateNotifySettingsCall(Peer.User(0), NotifySettings.MuteForever)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.MuteChatAsync(Peer.User(987654), DateTimeOffset.MaxValue), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.MuteChatAsync(Peer.Chat(group.Chat.Id), DateTimeOffset.UtcNow.AddDays(1)), GroupErrorNames.ChatNotFound, 404);

        _host.CountRows("message_notify").Should().Be(0);
        (await DialogWith(alice, bob)).MuteUntil.Should().Be(0);
    }

    [Fact]
    public async Task Mute_BeforeTheFirstMessage_HoldsOnceTheChatStarts()
    {
        await using var alice = await _host.SignUpAsync("alice_early");
        await using var bob = await _host.SignUpAsync("bob_early");

        await alice.Client.MuteChatAsync(bob.Peer, DateTimeOffset.FromUnixTimeSeconds(NotifySettings.MuteForever));
        await bob.SendAsync(alice, "first words");

        (await DialogWith(alice, bob)).MuteUntil.Should().Be(NotifySettings.MuteForever);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mute_AGroup_SmallOrLarge_ShowsInTheMembersOwnDialogOnly(bool large)
    {
        await using var alice = await _host.MemberAsync($"alice_gmute{(large ? 1 : 0)}", listen: true);
        await using var bob = await _host.MemberAsync($"bob_gmute{(large ? 1 : 0)}");
        var created = await alice.Client.CreateGroupAsync("Noisy", [bob.Id], large);
        var peer = Peer.Chat(created.Chat.Id);
        var until = DateTimeOffset.UtcNow.AddDays(2).ToUnixTimeSeconds();

        var muted = await bob.Client.MuteChatAsync(peer, DateTimeOffset.FromUnixTimeSeconds(until));

        muted.Channel.Should().BeFalse("a mute is in the member's own log, whatever the chat");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).MuteUntil.Should().Be(until);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).MuteUntil.Should().Be(0);
        await alice.Client.SendMessageAsync(peer, "ping");
        var events = await alice.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "ping");
        events.OfType<NotifySettingsChanged>().Should().BeEmpty();
    }

    private static async Task<Dialog> DialogWith(Device owner, Device peer) =>
        (await owner.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer.Peer);
}
