using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.toggleDialogArchive</c> and <c>messages.markDialogUnread</c>: how a user sorts their own chat list,
/// on every device of theirs.</summary>
public sealed class ChatListMarkTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ArchivedChats_AreMarkedOnEveryDeviceOfTheUserOnly_AndStayArchivedWhenMessagesCome()
    {
        await using var alice = await _host.SignUpAsync("alice_arch");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_arch");
        await using var bob = await _host.SignUpAsync("bob_arch");
        var group = await alice.Client.CreateGroupAsync("Large", [bob.UserId], large: true);
        await bob.SendAsync(alice, "newsletter");

        (await alice.Client.ArchiveDialogAsync(bob.Peer)).PtsCount.Should().Be(1);
        await alice.Client.ArchiveDialogAsync(Peer.Chat(group.Chat.Id));

        (await alicePhone.NextAsync<DialogArchiveChanged>()).Should().Match<DialogArchiveChanged>(e => e.Peer == bob.Peer && e.Archived);
        await bob.SendAsync(alice, "another newsletter");
        var dialogs = (await alicePhone.Client.GetDialogsAsync()).Items;
        dialogs.Should().OnlyContain(d => d.Archived, "a large group is archived like any chat");
        dialogs.Single(d => d.Peer == bob.Peer).Should().Match<Dialog>(d => d.UnreadCount == 2 && d.TopMessage!.Text == "another newsletter");
        (await bob.Client.GetDialogsAsync()).Items.Should().OnlyContain(d => !d.Archived, "an archive is its owner's own");
        (await alice.Client.ArchiveDialogAsync(bob.Peer)).PtsCount.Should().Be(0, "archived already");

        await alice.Client.ArchiveDialogAsync(bob.Peer, archived: false);
        (await alicePhone.NextAsync<DialogArchiveChanged>(e => !e.Archived)).Peer.Should().Be(bob.Peer);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).Archived.Should().BeFalse();
        (await alice.Client.ArchiveDialogAsync(bob.Peer, archived: false)).PtsCount.Should().Be(0);
        _host.CountRows("message_dialog_archive").Should().Be(1);
    }

    [Fact]
    public async Task UnreadMarks_AreTheUsersOwn_OnEveryDevice_AndStayUntilTakenOff()
    {
        await using var alice = await _host.SignUpAsync("alice_mark");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_mark");
        await using var bob = await _host.SignUpAsync("bob_mark");
        var question = await bob.SendAsync(alice, "can you review this later?");
        await alice.Client.ReadHistoryAsync(bob.Peer, question.Message.Id);

        (await alice.Client.MarkDialogUnreadAsync(bob.Peer)).PtsCount.Should().Be(1);

        (await alicePhone.NextAsync<DialogUnreadMarkChanged>()).Should().Match<DialogUnreadMarkChanged>(e => e.Peer == bob.Peer && e.Unread);
        (await alicePhone.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).Should().Match<Dialog>(d => d.UnreadMark && d.UnreadCount == 0);
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == alice.Peer).UnreadMark.Should().BeFalse();
        (await alice.Client.MarkDialogUnreadAsync(bob.Peer)).PtsCount.Should().Be(0, "marked already");
        await bob.SendAsync(alice, "ping");
        await alice.Client.ReadHistoryAsync(bob.Peer, question.Message.Id + 100);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).UnreadMark.Should().BeTrue("reading does not take it off");

        await alicePhone.Client.MarkDialogUnreadAsync(bob.Peer, unread: false);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).UnreadMark.Should().BeFalse();
        _host.CountRows("message_unread_marks").Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.MarkDialogUnreadAsync(Peer.User(987654)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new MarkDialogUnreadCall(new Peer((PeerKind)9, 1), true)), MessageErrorNames.PeerIdInvalid);
    }

    [Fact]
    public async Task BadPeers_AreRefusedByName_AndAChatNotStartedCanBeArchived()
    {
        await using var alice = await _host.SignUpAsync("alice_badarch");
        await using var bob = await _host.SignUpAsync("bob_badarch");
        await using var carol = await _host.SignUpAsync("carol_badarch");
        var foreign = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);

        await ChatTestKit.FailsWith(() => alice.Client.ArchiveDialogAsync(Peer.User(987654)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new ToggleDialogArchiveCall(null!, true)), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ArchiveDialogAsync(Peer.Chat(foreign.Chat.Id)), GroupErrorNames.ChatNotFound, 404);
        _host.CountRows("message_dialog_archive").Should().Be(0);

        await alice.Client.ArchiveDialogAsync(carol.Peer);
        await carol.SendAsync(alice, "hello");
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == carol.Peer).Archived.Should().BeTrue();
    }
}
