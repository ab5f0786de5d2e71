using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

/// <summary>A group member's unread mentions: <c>@username</c> and answers to their messages, counted in the dialog,
/// listed by <c>messages.getUnreadMentions</c>, taken off by reading, deleting and leaving.</summary>
public sealed class UnreadMentionsTests
{
    [Fact]
    public void UsernamesIn_AndPushMentions_CountOnlyTheMentionsAReaderSees()
    {
        const string text = "\\@alice_1 `@bob_12` [@carol1](https://x.org) __@dave_1__ **@erin_1** @frank_1";

        Messenger.Message.Mentions.UnreadMentions.UsernamesIn(text).Should().Equal("dave_1", "erin_1", "frank_1");
        Messenger.Update.WebPush.PushOutbox.Mentions(text, "DAVE_1").Should().BeTrue();
        Messenger.Update.WebPush.PushOutbox.Mentions(text, "alice_1").Should().BeFalse("an escaped @ is no mention");
        Messenger.Update.WebPush.PushOutbox.Mentions(text, "bob_12").Should().BeFalse("code shows its text as it is");
        Messenger.Update.WebPush.PushOutbox.Mentions(text, "carol1").Should().BeFalse("a link's text is no mention");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mentions_AndAnswers_AreCountedAndListed_ForTheMembersNamedOnly(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_mentions");
        await using var bob = await host.MemberAsync("bob_mentions");
        await using var carol = await host.MemberAsync("carol_mentions");
        await using var dave = await host.MemberAsync("dave_mentions");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        var fromBob = await bob.Client.SendMessageAsync(peer, "I'll write the report");

        var first = await alice.Client.SendMessageAsync(peer, "@bob_mentions can you look at this?");
        await alice.Client.SendMessageAsync(peer, "nothing for anyone, mail x@bob_mentions.org or @bob_mentions_ or @alice_mentions");
        var answer = await carol.Client.SendMessageAsync(peer, "thanks!", replyToId: fromBob.Message.Id);
        var third = await alice.Client.SendMessageAsync(peer, "again, @BOB_MENTIONS, and @carol_mentions and @dave_mentions");

        (await DialogOf(bob, peer)).UnreadMentionsCount.Should().Be(3);
        (await DialogOf(carol, peer)).UnreadMentionsCount.Should().Be(1);
        (await DialogOf(alice, peer)).UnreadMentionsCount.Should().Be(0, "naming yourself is no mention");
        (await bob.Client.GetUnreadMentionsAsync(peer)).Messages.Select(m => m.Id)
            .Should().Equal(first.Message.Id, answer.Message.Id, third.Message.Id);
        (await bob.Client.GetUnreadMentionsAsync(peer, offsetId: first.Message.Id, limit: 1)).Messages.Select(m => m.Id).Should().Equal(answer.Message.Id);
        // Dave was named but is not in the chat: nothing is kept for him.
        await SessionTestKit.FailsWith(() => dave.Client.GetUnreadMentionsAsync(peer), GroupErrorNames.ChatNotFound);
        host.CountRows("message_mentions").Should().Be(4);
    }

    [Fact]
    public async Task ReadingPastAMention_TakesItOff_AndTellsTheReadersOtherDevices()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_readmention");
        await using var bob = await host.MemberAsync("bob_readmention");
        await using var bobsPhone = await host.DeviceAsync("bob_readmention", bob.Id);
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var first = await alice.Client.SendMessageAsync(peer, "@bob_readmention one");
        await alice.Client.SendMessageAsync(peer, "@bob_readmention two");

        await bob.Client.ReadHistoryAsync(peer, first.Message.Id);

        (await bobsPhone.NextAsync<HistoryRead>(e => e.MaxId == first.Message.Id)).UnreadMentions.Should().Be(1);
        (await DialogOf(bob, peer)).UnreadMentionsCount.Should().Be(1);
        await bob.Client.ReadHistoryAsync(peer, long.MaxValue);
        (await DialogOf(bob, peer)).UnreadMentionsCount.Should().Be(0);
        (await bob.Client.GetUnreadMentionsAsync(peer)).Messages.Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadMentions_ClearsTheBadge_WithoutReadingTheChat_AndTellsTheOtherDevices(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_clearmention");
        await using var bob = await host.MemberAsync("bob_clearmention");
        await using var bobsPhone = await host.DeviceAsync("bob_clearmention", bob.Id);
        await using var carol = await host.MemberAsync("carol_clearmention");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "@bob_clearmention one");
        await alice.Client.SendMessageAsync(peer, "plain");
        await alice.Client.SendMessageAsync(peer, "@bob_clearmention @carol_clearmention two");
        var before = await DialogOf(bob, peer);
        before.UnreadMentionsCount.Should().Be(2);

        var cleared = await bob.Client.ReadMentionsAsync(peer);

        cleared.PtsCount.Should().Be(1);
        var told = await bobsPhone.NextAsync<HistoryRead>(e => e.Pts == cleared.Pts);
        told.UnreadMentions.Should().Be(0);
        told.MaxId.Should().Be(before.ReadInboxMaxId, "the chat itself is not read");
        told.StillUnread.Should().Be(before.UnreadCount).And.BeGreaterThanOrEqualTo(3);
        var after = await DialogOf(bob, peer);
        after.UnreadMentionsCount.Should().Be(0);
        after.UnreadCount.Should().Be(before.UnreadCount);
        (await bob.Client.GetUnreadMentionsAsync(peer)).Messages.Should().BeEmpty();
        (await DialogOf(carol, peer)).UnreadMentionsCount.Should().Be(1, "only the caller's mentions are cleared");

        (await bob.Client.ReadMentionsAsync(peer)).PtsCount.Should().Be(0, "nothing left to clear");
        var next = await alice.Client.SendMessageAsync(peer, "@bob_clearmention three");
        (await bob.Client.GetUnreadMentionsAsync(peer)).Messages.Select(m => m.Id).Should().Equal(next.Message.Id);
    }

    [Fact]
    public async Task ReadMentions_InAPrivateChat_ChangesNothing_AndOutsidersAreRefused()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_clearbad");
        await using var bob = await host.MemberAsync("bob_clearbad");
        await using var eve = await host.MemberAsync("eve_clearbad");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "@bob_clearbad hi");
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "@bob_clearbad hi");

        (await bob.Client.ReadMentionsAsync(Peer.User(alice.Id))).PtsCount.Should().Be(0);
        await SessionTestKit.FailsWith(() => eve.Client.ReadMentionsAsync(Peer.Chat(chat.Id)), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => eve.Client.ReadMentionsAsync(Peer.Chat(987_654)), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => eve.Client.ReadMentionsAsync(Peer.User(987_654)), MessageErrorNames.PeerIdInvalid);
        await SessionTestKit.FailsWith(() => eve.Client.ReadMentionsAsync(new Peer((PeerKind)7, 1)), MessageErrorNames.PeerIdInvalid);
        (await DialogOf(bob, Peer.Chat(chat.Id))).UnreadMentionsCount.Should().Be(1, "nobody else's requests touched bob's mentions");
    }

    [Fact]
    public async Task DeletedMessages_AndMembersWhoLeave_KeepNoMentions()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_gone");
        await using var bob = await host.MemberAsync("bob_gone");
        await using var carol = await host.MemberAsync("carol_gone");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var revoked = await alice.Client.SendMessageAsync(peer, "@bob_gone wrong chat, sorry");
        var hidden = await alice.Client.SendMessageAsync(peer, "@bob_gone @carol_gone stand-up at ten");
        await alice.Client.SendMessageAsync(peer, "@carol_gone and you?");

        await alice.Client.DeleteMessagesAsync(peer, [revoked.Message.Id], revoke: true);
        await bob.Client.DeleteMessagesAsync(peer, [hidden.Message.Id], revoke: false);

        (await DialogOf(bob, peer)).UnreadMentionsCount.Should().Be(0);
        (await DialogOf(carol, peer)).UnreadMentionsCount.Should().Be(2);
        await carol.Client.LeaveGroupAsync(chat.Id);
        host.CountRows("message_mentions").Should().Be(0);
    }

    [Fact]
    public async Task PrivateChats_KeepNoMentions_AndBadRequestsAreRefusedByName()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_badmention");
        await using var bob = await host.MemberAsync("bob_badmention");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "@bob_badmention hi");

        (await DialogOf(bob, Peer.User(alice.Id))).UnreadMentionsCount.Should().Be(0);
        (await bob.Client.GetUnreadMentionsAsync(Peer.User(alice.Id))).Messages.Should().BeEmpty();
        host.CountRows("message_mentions").Should().Be(0);
        await SessionTestKit.FailsWith(() => bob.Client.GetUnreadMentionsAsync(Peer.Chat(chat.Id), limit: 0), MessageErrorNames.LimitInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.GetUnreadMentionsAsync(Peer.Chat(chat.Id), limit: 101), MessageErrorNames.LimitInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.GetUnreadMentionsAsync(Peer.Chat(chat.Id), offsetId: -1), MessageErrorNames.OffsetInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.GetUnreadMentionsAsync(Peer.User(987_654)), MessageErrorNames.PeerIdInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.GetUnreadMentionsAsync(Peer.Chat(987_654)), GroupErrorNames.ChatNotFound);
    }

    private static async Task<Dialog> DialogOf(Member member, Peer peer) =>
        (await member.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);
}
