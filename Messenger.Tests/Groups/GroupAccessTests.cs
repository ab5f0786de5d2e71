using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupAccessTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemoveMember_ThenNewMessages_TheRemovedMemberSeesNothingNew(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_removed");
        await using var bob = await host.MemberAsync("bob_removed", listen: true);
        await using var carol = await host.MemberAsync("carol_removed");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "before removal");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "before removal");

        await alice.Client.RemoveMemberAsync(chat.Id, bob.Id);
        var left = await bob.NextAsync<ChatUpdated>(e => !e.IsMember);
        left.Chat.Id.Should().Be(chat.Id);
        var ptsAfterRemoval = left.Pts;
        await alice.Client.SendMessageAsync(peer, "secret after removal");
        await carol.Client.SendMessageAsync(peer, "another secret");
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "marker");

        // No push: the private marker, sent after the group messages, is the next message bob's stream reports.
        var events = await bob.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "marker");
        events.OfType<MessageReceived>().Should().ContainSingle();
        bob.Client.Events.ChannelPts.Should().NotContainKey(chat.Id);

        var difference = await bob.Client.GetDifferenceAsync(ptsAfterRemoval);
        difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Select(u => u.Message.Text).Should().Equal("marker");
        difference.Channels.Should().NotContain(c => c.ChatId == chat.Id);
        await SessionTestKit.FailsWith(() => bob.Client.GetHistoryAsync(peer), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.GetChannelDifferenceAsync(chat.Id, 0), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.SearchMessagesAsync("secret", peer), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.GetFullChatAsync(chat.Id), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "let me back"), GroupErrorNames.ChatNotFound);
        (await bob.Client.SearchMessagesAsync("secret")).Should().BeEmpty();
        (await bob.Client.GetDialogsAsync()).Items.Select(d => d.TopMessage?.Text).Should().NotContain(t => t != null && t.Contains("secret"));
    }

    [Fact]
    public async Task Leave_ALargeGroup_StopsItsPushesAndItsLog()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_leftlarge");
        await using var bob = await host.MemberAsync("bob_leftlarge", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "before");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "before");
        bob.Client.Events.ChannelPts.Should().ContainKey(chat.Id);

        var left = await bob.Client.LeaveGroupAsync(chat.Id);
        left.Channel.Should().BeTrue();
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "after");
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "marker");

        var events = await bob.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "marker");
        events.OfType<MessageReceived>().Should().ContainSingle();
        bob.Client.Events.ChannelPts.Should().NotContainKey(chat.Id);
        await SessionTestKit.FailsWith(() => bob.Client.GetChannelDifferenceAsync(chat.Id, 0), GroupErrorNames.ChatNotFound);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task NonMember_CannotReadPostSearchOrFetchMembers(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_outsider");
        await using var bob = await host.MemberAsync("bob_outsider");
        await using var eve = await host.MemberAsync("eve_outsider");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        var sent = await alice.Client.SendMessageAsync(peer, "members only");

        foreach (var id in new[] { chat.Id, chat.Id + 1000 })
        {
            var error = await SessionTestKit.FailsWith(() => eve.Client.GetHistoryAsync(Peer.Chat(id)), GroupErrorNames.ChatNotFound);
            error.Code.Should().Be(404);
            await SessionTestKit.FailsWith(() => eve.Client.SendMessageAsync(Peer.Chat(id), "hi"), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.SearchMessagesAsync("members", Peer.Chat(id)), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.GetFullChatAsync(id), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.GetChannelDifferenceAsync(id, 0), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.SetTypingAsync(Peer.Chat(id)), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.AddMembersAsync(id, [eve.Id]), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.ExportInviteAsync(id), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.EditMessageAsync(Peer.Chat(id), sent.Message.Id, "mine"), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => eve.Client.DeleteMessagesAsync(Peer.Chat(id), [sent.Message.Id], revoke: true), GroupErrorNames.ChatNotFound);
        }

        (await eve.Client.SearchMessagesAsync("members")).Should().BeEmpty();
        (await eve.Client.GetDifferenceAsync(0)).Channels.Should().BeEmpty();
        (await bob.Client.GetHistoryAsync(peer)).Select(m => m.Text).Should().Contain("members only");
    }
}
