using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

/// <summary>What a channel keeps from its subscribers (one another), and where a newcomer to a large chat starts reading.</summary>
public sealed class ChannelTests
{
    [Fact]
    public async Task GetFull_InAChannel_ShowsASubscriberItsAdminsAndThemselves_AndItsAdminsEveryone()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_chanlist");
        await using var bob = await host.MemberAsync("bob_chanlist");
        await using var carol = await host.MemberAsync("carol_chanlist");
        await using var dave = await host.MemberAsync("dave_chanlist");
        var chat = (await alice.Client.CreateGroupAsync("News", [bob.Id, carol.Id, dave.Id], broadcast: true)).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);

        var seen = await carol.Client.GetFullChatAsync(chat.Id);

        seen.Members.Select(m => m.UserId).Should().BeEquivalentTo([alice.Id, bob.Id, carol.Id]);
        seen.Chat.MemberCount.Should().Be(4);
        seen.MyRole.Should().Be(MemberRole.Member);
        (await carol.Client.GetFullChatAsync(chat.Id, offset: 1, limit: 1)).Members.Select(m => m.UserId).Should().Equal(bob.Id);
        (await carol.Client.SearchMembersAsync(chat.Id, "dave_chanlist")).Members.Should().BeEmpty();
        (await carol.Client.SearchMembersAsync(chat.Id, "bob_chanlist")).Members.Select(m => m.UserId).Should().Equal(bob.Id);
        (await bob.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().BeEquivalentTo([alice.Id, bob.Id, carol.Id, dave.Id]);
        (await bob.Client.SearchMembersAsync(chat.Id, "dave_chanlist")).Members.Select(m => m.UserId).Should().Equal(dave.Id);

        // A large group's members still see one another.
        var group = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id, dave.Id], large: true)).Chat;
        (await carol.Client.GetFullChatAsync(group.Id)).Members.Should().HaveCount(4);
    }

    [Fact]
    public async Task ComingsAndGoings_InAChannel_PostNothing_AndTheNewcomerStillFollowsIt()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_chanquiet");
        await using var bob = await host.MemberAsync("bob_chanquiet");
        await using var carol = await host.MemberAsync("carol_chanquiet", listen: true);
        await using var dave = await host.MemberAsync("dave_chanquiet");
        var chat = (await alice.Client.CreateGroupAsync("News", [bob.Id], broadcast: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "first post");
        var invite = await alice.Client.ExportInviteAsync(chat.Id);

        var joined = await carol.Client.JoinByInviteAsync(invite.Code);
        var added = await alice.Client.AddMembersAsync(chat.Id, [dave.Id]);
        var left = await dave.Client.LeaveGroupAsync(chat.Id);
        var removed = await alice.Client.RemoveMemberAsync(chat.Id, bob.Id);

        new[] { joined, added, left, removed }.Select(c => c.Message).Should().AllSatisfy(m => m.Should().BeNull());
        joined.Chat.MemberCount.Should().Be(3);
        removed.Chat.MemberCount.Should().Be(2);
        (await alice.Client.GetHistoryAsync(peer)).Select(m => m.Action?.Kind ?? m.Text).Should().BeEquivalentTo([ServiceActions.Create, "first post"]);
        await alice.Client.SendMessageAsync(peer, "second post");
        (await carol.NextAsync<MessageReceived>(e => e.Message.Text == "second post")).ChannelId.Should().Be(chat.Id);
    }

    [Fact]
    public async Task ComingsAndGoings_InAChannel_ReachItsAdminsAsTheChatWithItsNewCount_AndNotItsSubscribers()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_chancount");
        await using var bob = await host.MemberAsync("bob_chancount", listen: true);
        await using var carol = await host.MemberAsync("carol_chancount", listen: true);
        await using var dave = await host.MemberAsync("dave_chancount");
        await using var erin = await host.MemberAsync("erin_chancount");
        await using var frank = await host.MemberAsync("frank_chancount");
        var chat = (await alice.Client.CreateGroupAsync("News", [bob.Id, carol.Id, erin.Id, frank.Id], broadcast: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        var invite = await alice.Client.ExportInviteAsync(chat.Id);

        await dave.Client.JoinByInviteAsync(invite.Code);
        (await bob.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id && e.Chat.MemberCount == 6)).IsMember.Should().BeTrue();
        await dave.Client.LeaveGroupAsync(chat.Id);
        (await bob.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id && e.Chat.MemberCount == 5)).IsMember.Should().BeTrue();
        await alice.Client.RemoveMemberAsync(chat.Id, erin.Id);
        (await bob.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id && e.Chat.MemberCount == 4)).IsMember.Should().BeTrue();
        await frank.Client.DeleteAccountAsync(SessionTestKit.Password);
        (await bob.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id && e.Chat.MemberCount == 3)).IsMember.Should().BeTrue();

        await alice.Client.SendMessageAsync(peer, "after the changes");
        var atCarol = await carol.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "after the changes");
        atCarol.OfType<ChatUpdated>().Select(e => e.Chat.MemberCount).Should().NotContain([6, 4, 3], "a subscriber learns nothing of the others' comings and goings");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task JoinByInvite_IntoALargeChatWithHistory_StartsWithNothingUnread_AndCountsWhatComesAfter(bool channel)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_chanunread");
        await using var bob = await host.MemberAsync("bob_chanunread");
        var chat = (await alice.Client.CreateGroupAsync("News", [], large: !channel, broadcast: channel)).Chat;
        var peer = Peer.Chat(chat.Id);
        for (var i = 0; i < 5; i++)
        {
            await alice.Client.SendMessageAsync(peer, $"post {i}");
        }

        var invite = await alice.Client.ExportInviteAsync(chat.Id);

        await bob.Client.JoinByInviteAsync(invite.Code);

        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(0);
        (await bob.Client.GetHistoryAsync(peer)).Select(m => m.Text).Should().Contain("post 0");
        await alice.Client.SendMessageAsync(peer, "after bob came");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(1);

        // Coming back starts at the newest again: what was posted while away is not counted.
        await bob.Client.LeaveGroupAsync(chat.Id);
        await alice.Client.SendMessageAsync(peer, "while bob was away");
        await bob.Client.JoinByInviteAsync(invite.Code);
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(0);
    }

    [Fact]
    public async Task AddMembers_PastTheSmallGroupLimit_TheNewcomerStartsWithNothingUnreadButTheirWelcome()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_convunread");
        await using var bob = await host.MemberAsync("bob_convunread");
        await using var carol = await host.MemberAsync("carol_convunread");
        await using var dave = await host.MemberAsync("dave_convunread");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        for (var i = 0; i < 5; i++)
        {
            await alice.Client.SendMessageAsync(peer, $"message {i}");
        }

        var added = await alice.Client.AddMembersAsync(chat.Id, [dave.Id]);

        added.Chat.Kind.Should().Be(ChatKind.LargeGroup);
        // The one message after their arrival: alice added them.
        (await dave.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadCount.Should().Be(1);
    }
}
