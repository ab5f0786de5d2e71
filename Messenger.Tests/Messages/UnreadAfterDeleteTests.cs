using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>When unread messages are deleted, the reader's <c>delete_messages</c> carries their new unread count, so a
/// client's badge drops with them (review s42-r3, finding 1).</summary>
public sealed class UnreadAfterDeleteTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Revoke_OfUnreadMessages_TellsEachReaderTheirNewCount_AndTheSenderNone()
    {
        await using var alice = await _host.SignUpAsync("alice_unrev");
        await using var bob = await _host.SignUpAsync("bob_unrev");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);
        await bob.Client.SendMessageAsync(peer, "one");
        var m2 = await bob.Client.SendMessageAsync(peer, "two");
        var m3 = await bob.Client.SendMessageAsync(peer, "three");
        var aliceAt = (await alice.Client.GetDifferenceAsync(0)).State.Pts;
        var bobAt = (await bob.Client.GetDifferenceAsync(0)).State.Pts;

        await bob.Client.DeleteMessagesAsync(peer, [m2.Message.Id, m3.Message.Id], revoke: true);

        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(1);
        var toAlice = (await alice.Client.GetDifferenceAsync(aliceAt)).Updates.Select(u => u.Update).OfType<DeleteMessagesUpdate>().Single();
        toAlice.Ids.Should().Equal(m2.Message.Id, m3.Message.Id);
        toAlice.UnreadCount.Should().Be(1, "two of alice's three unread messages went");
        var toBob = (await bob.Client.GetDifferenceAsync(bobAt)).Updates.Select(u => u.Update).OfType<DeleteMessagesUpdate>().Single();
        toBob.UnreadCount.Should().BeNull("bob's own messages were never unread for him");
    }

    [Fact]
    public async Task DeleteForMe_OfAnUnreadMessage_ReachesTheOtherDevicesWithTheCount_AndLiveInTheSdkEvent()
    {
        await using var alice = await _host.SignUpAsync("alice_unhide");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_unhide");
        await using var bob = await _host.SignUpAsync("bob_unhide");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);
        var m1 = await bob.Client.SendMessageAsync(peer, "one");
        await bob.Client.SendMessageAsync(peer, "two");

        await alice.Client.DeleteMessagesAsync(peer, [m1.Message.Id], revoke: false);

        var deleted = await alicePhone.NextAsync<MessagesDeleted>(e => e.Ids.Contains(m1.Message.Id));
        deleted.UnreadCount.Should().Be(1);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(1);
    }
}
