using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupRightsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EditAndRevoke_OfSomeoneElsesMessage_OnlyAdminsMayRevokeNobodyMayEdit(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rights");
        await using var bob = await host.MemberAsync("bob_rights");
        await using var carol = await host.MemberAsync("carol_rights");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        var fromCarol = await carol.Client.SendMessageAsync(peer, "carol's words");

        await SessionTestKit.FailsWith(() => bob.Client.EditMessageAsync(peer, fromCarol.Message.Id, "bob's words"), MessageErrorNames.MessageAuthorRequired);
        await SessionTestKit.FailsWith(() => alice.Client.EditMessageAsync(peer, fromCarol.Message.Id, "alice's words"), MessageErrorNames.MessageAuthorRequired);
        await SessionTestKit.FailsWith(() => bob.Client.DeleteMessagesAsync(peer, [fromCarol.Message.Id], revoke: true), MessageErrorNames.MessageDeleteForbidden);

        await alice.Client.DeleteMessagesAsync(peer, [fromCarol.Message.Id], revoke: true);
        (await carol.Client.GetHistoryAsync(peer)).Select(m => m.Id).Should().NotContain(fromCarol.Message.Id);
    }

    [Fact]
    public async Task JoinByInvite_AfterBeingRemovedAndLetBack_FollowsTheLargeGroupAgain()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rejoin");
        await using var bob = await host.MemberAsync("bob_rejoin", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var invite = await alice.Client.ExportInviteAsync(chat.Id);
        await alice.Client.RemoveMemberAsync(chat.Id, bob.Id);
        await bob.NextAsync<ChatUpdated>(e => !e.IsMember);
        await alice.Client.SendMessageAsync(peer, "while bob was out");
        await alice.Client.UnbanAsync(chat.Id, bob.Id);

        await bob.Client.JoinByInviteAsync(invite.Code);
        await alice.Client.SendMessageAsync(peer, "welcome back");

        var events = await bob.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "welcome back");
        events.OfType<MessageReceived>().Select(e => e.Message.Text).Should().NotContain("while bob was out");
        events.OfType<MessageReceived>().Last().ChannelId.Should().Be(chat.Id);
        bob.Client.Events.ChannelPts.Should().ContainKey(chat.Id);
        (await bob.Client.GetHistoryAsync(peer)).Select(m => m.Text).Should().Contain("welcome back");
    }
}
