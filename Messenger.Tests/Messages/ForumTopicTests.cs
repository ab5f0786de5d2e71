using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>Forum topics: <c>groups.toggleForum</c>, <c>messages.createTopic</c> / <c>editTopic</c> / <c>deleteTopic</c> /
/// <c>getForumTopics</c>, posts and history per topic, and reading a topic (<c>messages.readThread</c>).</summary>
public sealed class ForumTopicTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(Device Alice, Device Bob, Peer Peer, Chat Chat)> ForumAsync(string name, bool large = false)
    {
        var alice = await _host.SignUpAsync($"alice_{name}");
        var bob = await _host.SignUpAsync($"bob_{name}");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId], large: large)).Chat;
        var changed = await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        return (alice, bob, Peer.Chat(chat.Id), changed.Chat);
    }

    [Fact]
    public async Task ToggleForum_WhenAdminTurnsItOn_TheChatSaysForumAndAServiceMessageRecordsIt()
    {
        var (alice, bob, peer, chat) = await ForumAsync("toggle");
        await using var _ = alice;
        await using var __ = bob;
        chat.Forum.Should().BeTrue();
        (await bob.Client.GetFullChatAsync(chat.Id)).Chat.Forum.Should().BeTrue();
        var record = (await bob.Client.GetHistoryAsync(peer, limit: 1)).Single();
        record.Action!.Kind.Should().Be(ServiceActions.ToggleForum);
        record.Action.Period.Should().Be(1);
        record.TopicId.Should().Be(0, "the group's own changes stand in General");

        await ChatTestKit.FailsWith(() => alice.Client.ToggleForumAsync(chat.Id, enabled: true), GroupErrorNames.ChatNotModified);
        await ChatTestKit.FailsWith(() => bob.Client.ToggleForumAsync(chat.Id, enabled: false), GroupErrorNames.ChatAdminRequired, 403);
        (await alice.Client.ToggleForumAsync(chat.Id, enabled: false)).Chat.Forum.Should().BeFalse();
    }

    [Fact]
    public async Task ToggleForum_OnAChannelOrAForeignChat_IsRefused()
    {
        await using var alice = await _host.SignUpAsync("alice_channelforum");
        await using var carol = await _host.SignUpAsync("carol_channelforum");
        var channel = (await alice.Client.CreateGroupAsync("News", [], broadcast: true)).Chat;
        var theirs = (await carol.Client.CreateGroupAsync("Theirs", [])).Chat;

        await ChatTestKit.FailsWith(() => alice.Client.ToggleForumAsync(channel.Id, enabled: true), GroupErrorNames.ChatTypeInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.ToggleForumAsync(theirs.Id, enabled: true), GroupErrorNames.ChatNotFound, 404);
    }

    [Fact]
    public async Task CreateTopic_PostsItsServiceMessage_WhoseIdIsTheTopicAndWhichOpensIt()
    {
        var (alice, bob, peer, _) = await ForumAsync("create");
        await using var a = alice;
        await using var b = bob;

        var created = await alice.Client.CreateTopicAsync(peer, "  Releases  ", TopicColors.All[2]);
        var topicId = created.Message.Id;
        created.Message.Action!.Kind.Should().Be(ServiceActions.TopicCreate);
        created.Message.Action.Title.Should().Be("Releases");
        created.Message.Action.IconColor.Should().Be(TopicColors.All[2]);
        created.Message.TopicId.Should().Be(topicId, "the topic's first message is its own record");
        var seen = await bob.NextAsync<MessageReceived>(r => r.Message.Id == topicId);
        seen.Message.TopicId.Should().Be(topicId);
        var logged = (await bob.Client.GetDifferenceAsync(0)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Single(u => u.Message.Id == topicId);
        logged.Message.TopicId.Should().Be(topicId, "a small group's member logs carry it too");

        var again = await alice.Client.CreateTopicAsync(peer, "Releases", randomId: 77);
        (await alice.Client.CreateTopicAsync(peer, "Something else", randomId: 77)).Message.Id.Should().Be(again.Message.Id, "a resend answers the first");

        var topics = await bob.Client.GetForumTopicsAsync(peer);
        topics.Count.Should().Be(2);
        topics.Topics.Select(t => t.Title).Should().Equal(TopicColors.GeneralTitle, "Releases", "Releases");
        var topic = topics.Topics.Single(t => t.Id == topicId);
        topic.Should().BeEquivalentTo(new { IconColor = TopicColors.All[2], Closed = false, CreatorId = alice.UserId, TopMessage = topicId });
        topics.Topics.Single(t => t.Id == again.Message.Id).IconColor.Should().Be(TopicColors.All[0], "the default colour");
    }

    [Fact]
    public async Task Posts_GoIntoTheirTopic_RepliesInheritIt_AndHistoryIsPerTopic()
    {
        var (alice, bob, peer, _) = await ForumAsync("posts");
        await using var a = alice;
        await using var b = bob;
        var releases = (await alice.Client.CreateTopicAsync(peer, "Releases")).Message.Id;
        var bugs = (await alice.Client.CreateTopicAsync(peer, "Bugs")).Message.Id;

        var general = (await alice.Client.SendMessageAsync(peer, "hello all")).Message;
        var shipped = (await alice.Client.SendMessageAsync(peer, "1.0 shipped", topicId: releases)).Message;
        var crash = (await bob.Client.SendMessageAsync(peer, "it crashes", topicId: bugs)).Message;
        var reply = (await bob.Client.SendMessageAsync(peer, "congrats", replyToId: shipped.Id, topicId: bugs)).Message;
        var poll = (await bob.Client.SendPollAsync(peer, "Ship 1.1?", ["yes", "no"], topicId: releases)).Message;
        var explicitGeneral = (await bob.Client.SendMessageAsync(peer, "lunch?", topicId: 0)).Message;

        general.TopicId.Should().Be(0);
        shipped.TopicId.Should().Be(releases);
        crash.TopicId.Should().Be(bugs);
        reply.TopicId.Should().Be(releases, "a reply goes where its replied message is");
        poll.TopicId.Should().Be(releases);
        explicitGeneral.TopicId.Should().Be(0);

        (await bob.Client.GetTopicHistoryAsync(peer, releases)).Messages.Select(m => m.Id).Should().Equal(poll.Id, reply.Id, shipped.Id, releases);
        (await bob.Client.GetTopicHistoryAsync(peer, bugs)).Messages.Select(m => m.Id).Should().Equal(crash.Id, bugs);
        (await bob.Client.GetTopicHistoryAsync(peer, releases, offsetId: reply.Id, limit: 1)).Messages.Single().Id.Should().Be(shipped.Id);
        var generalPage = (await bob.Client.GetTopicHistoryAsync(peer, 0)).Messages;
        generalPage.Select(m => m.Id).Should().StartWith([explicitGeneral.Id, general.Id]);
        generalPage.Should().OnlyContain(m => m.TopicId == 0);
        (await bob.Client.GetHistoryAsync(peer, limit: 100)).Should().Contain(m => m.Id == crash.Id, "the whole history still shows every topic");

        var forwarded = await alice.Client.ForwardMessagesAsync(peer, [general.Id], peer, topicId: bugs);
        forwarded.Messages.Single().TopicId.Should().Be(bugs);
        var file = await bob.Client.UploadFileAsync(new MemoryStream([1, 2, 3]), "crash.log", "text/plain");
        (await bob.Client.SendMediaAsync(peer, file, "the log", topicId: bugs)).Message.TopicId.Should().Be(bugs);
        var pin = await alice.Client.PinMessageAsync(peer, crash.Id);
        pin.ServiceMessage!.TopicId.Should().Be(bugs, "the record of a pin stands where the pinned message is");
        (await alice.Client.ScheduleMessageAsync(peer, "later", DateTimeOffset.UtcNow.AddHours(1), topicId: bugs)).TopicId.Should().Be(bugs);
        (await alice.Client.GetScheduledAsync(peer)).Single().TopicId.Should().Be(bugs);
    }

    [Fact]
    public async Task GetForumTopics_OrdersByLastActivity_AndCountsUnreadFromTheReadPosition()
    {
        var (alice, bob, peer, _) = await ForumAsync("order");
        await using var a = alice;
        await using var b = bob;
        var first = (await alice.Client.CreateTopicAsync(peer, "First")).Message.Id;
        var second = (await alice.Client.CreateTopicAsync(peer, "Second")).Message.Id;
        var third = (await alice.Client.CreateTopicAsync(peer, "Third")).Message.Id;
        await alice.Client.SendMessageAsync(peer, "one", topicId: first);
        var two = (await alice.Client.SendMessageAsync(peer, "two", topicId: first)).Message;
        await alice.Client.SendMessageAsync(peer, "in second", topicId: second);
        await alice.Client.SendMessageAsync(peer, "in general");

        var topics = await bob.Client.GetForumTopicsAsync(peer);
        topics.Topics.Select(t => t.Id).Should().Equal(0, second, first, third);
        topics.Topics.Select(t => t.UnreadCount).Should().Equal(1, 1, 2, 0);
        topics.Messages.Select(m => m.Id).Should().Contain(two.Id, "each topic's newest message comes with the page");
        (await alice.Client.GetForumTopicsAsync(peer)).Topics.Should().OnlyContain(t => t.UnreadCount == 0, "one's own messages are read");

        var read = await bob.Client.ReadTopicAsync(peer, first, two.Id - 1);
        read.PtsCount.Should().Be(1);
        (await bob.NextAsync<ThreadRead>()).MessageId.Should().Be(first);
        await bob.Client.ReadTopicAsync(peer, 0, long.MaxValue);
        var after = (await bob.Client.GetForumTopicsAsync(peer)).Topics;
        after.Single(t => t.Id == first).Should().BeEquivalentTo(new { UnreadCount = 1, ReadMaxId = two.Id - 1 });
        after.Single(t => t.Id == 0).UnreadCount.Should().Be(0);
        (await bob.Client.ReadTopicAsync(peer, first, two.Id - 2)).PtsCount.Should().Be(0, "a position never moves back");

        await bob.Client.SendMessageAsync(peer, "bump third", topicId: third);
        var paged = await bob.Client.GetForumTopicsAsync(peer, limit: 2);
        paged.Topics.Select(t => t.Id).Should().Equal([0, third, second], "General comes besides the page's topics");
        (await bob.Client.GetForumTopicsAsync(peer, offsetId: paged.Topics[^1].TopMessage, limit: 2)).Topics.Select(t => t.Id).Should().Equal(first);
        var seen = new List<long>();
        for (var page = await bob.Client.GetForumTopicsAsync(peer, limit: 1); page.Topics.Any(t => t.Id != 0);
             page = await bob.Client.GetForumTopicsAsync(peer, offsetId: page.Topics[^1].TopMessage, limit: 1))
        {
            seen.AddRange(page.Topics.Select(t => t.Id));
        }

        seen.Should().Equal([0, third, second, first], "pages of one topic skip none");
        (await bob.Client.GetForumTopicsAsync(peer, query: "SEC")).Topics.Select(t => t.Id).Should().Equal(second);
    }

    [Fact]
    public async Task EditTopic_RenamesAndCloses_AndOnlyAdminsPostInAClosedTopic()
    {
        var (alice, bob, peer, chat) = await ForumAsync("edit");
        await using var a = alice;
        await using var b = bob;
        var topic = (await alice.Client.CreateTopicAsync(peer, "Plans")).Message.Id;

        var renamed = await alice.Client.EditTopicAsync(peer, topic, title: "Roadmap", iconColor: TopicColors.All[4]);
        renamed.Message.Action.Should().BeEquivalentTo(new { Kind = ServiceActions.TopicEdit, Title = "Roadmap", IconColor = TopicColors.All[4], Closed = (bool?)null });
        renamed.Message.TopicId.Should().Be(topic);
        await ChatTestKit.FailsWith(() => alice.Client.EditTopicAsync(peer, topic, title: "Roadmap"), TopicErrorNames.TopicNotModified);
        await ChatTestKit.FailsWith(() => bob.Client.EditTopicAsync(peer, topic, title: "Mine now"), GroupErrorNames.ChatAdminRequired, 403);

        (await alice.Client.EditTopicAsync(peer, topic, closed: true)).Message.Action!.Closed.Should().BeTrue();
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "can I?", topicId: topic), TopicErrorNames.TopicClosed);
        var admins = (await alice.Client.SendMessageAsync(peer, "admins still can", topicId: topic)).Message;
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "reply into it", replyToId: admins.Id), TopicErrorNames.TopicClosed);
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == topic).Should().BeEquivalentTo(new { Title = "Roadmap", Closed = true });

        await alice.Client.EditTopicAsync(peer, topic, closed: false);
        (await bob.Client.SendMessageAsync(peer, "open again", topicId: topic)).Message.TopicId.Should().Be(topic);

        // A member the group lets create topics edits their own, not others'.
        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(ManageTopics: true, AddMembers: true, PinMessages: true));
        var bobs = (await bob.Client.CreateTopicAsync(peer, "Bob's")).Message.Id;
        (await bob.Client.EditTopicAsync(peer, bobs, closed: true)).Message.Action!.Closed.Should().BeTrue();
        await ChatTestKit.FailsWith(() => bob.Client.EditTopicAsync(peer, topic, closed: true), GroupErrorNames.ChatAdminRequired, 403);
    }

    [Fact]
    public async Task CreateTopic_ByAMemberWithoutTheRight_IsRefused_UntilTheGroupGivesIt()
    {
        var (alice, bob, peer, chat) = await ForumAsync("rights");
        await using var a = alice;
        await using var b = bob;
        chat.Permissions!.ManageTopics.Should().BeFalse("off by default, as Telegram's");

        await ChatTestKit.FailsWith(() => bob.Client.CreateTopicAsync(peer, "Mine"), GroupErrorNames.ChatAdminRequired, 403);
        var changed = await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(ManageTopics: true));
        changed.Chat.Permissions!.ManageTopics.Should().BeTrue();
        (await bob.Client.CreateTopicAsync(peer, "Mine")).Message.Action!.Title.Should().Be("Mine");

        // A client from before topics sends the permissions without manage_topics: the group's setting stays.
        var older = await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(true, true, true, true, false, false));
        older.Chat.Permissions!.Should().Match<ChatPermissions>(p => p.AddMembers && p.ManageTopics == true);
        (await bob.Client.CreateTopicAsync(peer, "Still mine")).Message.Action!.Title.Should().Be("Still mine");
        (await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(AddMembers: true, ManageTopics: false))).Chat.Permissions!.ManageTopics.Should().BeFalse();
    }

    [Fact]
    public async Task DeleteTopic_RevokesEveryMessageOfIt_ForEveryone()
    {
        var (alice, bob, peer, _) = await ForumAsync("delete");
        await using var a = alice;
        await using var b = bob;
        var topic = (await alice.Client.CreateTopicAsync(peer, "Doomed")).Message.Id;
        var keep = (await alice.Client.CreateTopicAsync(peer, "Kept")).Message.Id;
        var words = (await bob.Client.SendMessageAsync(peer, "secret words", topicId: topic)).Message;
        await alice.Client.PinMessageAsync(peer, words.Id);
        await bob.Client.SendMessageAsync(peer, "quoting", replyToId: words.Id, quote: new ReplyQuote("secret", 0));
        var kept = (await bob.Client.SendMessageAsync(peer, "stays", topicId: keep)).Message;
        await bob.Client.ReadTopicAsync(peer, topic, long.MaxValue);

        await ChatTestKit.FailsWith(() => bob.Client.DeleteTopicAsync(peer, topic), GroupErrorNames.ChatAdminRequired, 403);
        var deleted = await alice.Client.DeleteTopicAsync(peer, topic);
        deleted.PtsCount.Should().BeGreaterThan(0);

        var deletedIds = await bob.NextAsync<MessagesDeleted>(d => d.Ids.Contains(words.Id));
        deletedIds.Ids.Should().Contain(topic);
        (await bob.Client.GetHistoryAsync(peer, limit: 100)).Select(m => m.Id).Should().NotContain([topic, words.Id]).And.Contain(kept.Id);
        (await bob.Client.SearchMessagesAsync("secret", peer)).Should().BeEmpty();
        (await bob.Client.GetPinnedAsync(peer)).Should().BeEmpty();
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Select(t => t.Id).Should().Equal(0, keep);
        _host.CountRows($"message_topic_reads WHERE topic_id = {topic}").Should().Be(0);
        _host.CountRows($"message_thread_reads WHERE msg_id = {topic}").Should().Be(0);
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "too late", topicId: topic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetTopicHistoryAsync(peer, topic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteTopicAsync(peer, topic), TopicErrorNames.TopicIdInvalid);
    }

    [Fact]
    public async Task Topics_OutsideAForum_AreRefusedByName()
    {
        await using var alice = await _host.SignUpAsync("alice_notforum");
        await using var bob = await _host.SignUpAsync("bob_notforum");
        var chat = (await alice.Client.CreateGroupAsync("Plain", [bob.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);

        await ChatTestKit.FailsWith(() => alice.Client.CreateTopicAsync(peer, "Nope"), TopicErrorNames.ChatNotForum);
        await ChatTestKit.FailsWith(() => alice.Client.GetForumTopicsAsync(peer), TopicErrorNames.ChatNotForum);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(peer, "into a topic", topicId: 5), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetTopicHistoryAsync(peer, 0), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CreateTopicAsync(Peer.User(bob.UserId), "Private"), TopicErrorNames.ChatNotForum);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(Peer.User(bob.UserId), "hi", topicId: 5), TopicErrorNames.TopicIdInvalid);
        (await alice.Client.SendMessageAsync(peer, "no topic", topicId: 0)).Message.TopicId.Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.ReadTopicAsync(peer, 0, 1), TopicErrorNames.TopicIdInvalid);

        // Topics kept while the forum is off come back with it.
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var topic = (await alice.Client.CreateTopicAsync(peer, "Kept")).Message.Id;
        await alice.Client.ToggleForumAsync(chat.Id, enabled: false);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(peer, "off", topicId: topic), TopicErrorNames.TopicIdInvalid);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        (await alice.Client.GetForumTopicsAsync(peer)).Topics.Select(t => t.Id).Should().Equal(0, topic);
    }

    [Fact]
    public async Task BadTopicArguments_AreRefusedByName()
    {
        var (alice, bob, peer, _) = await ForumAsync("bad");
        await using var a = alice;
        await using var b = bob;
        await using var carol = await _host.SignUpAsync("carol_badtopic");
        var other = (await carol.Client.CreateGroupAsync("Elsewhere", [])).Chat;
        await carol.Client.ToggleForumAsync(other.Id, enabled: true);
        var foreignTopic = (await carol.Client.CreateTopicAsync(Peer.Chat(other.Id), "Theirs")).Message.Id;
        var plain = (await alice.Client.SendMessageAsync(peer, "not a topic")).Message.Id;

        await ChatTestKit.FailsWith(() => alice.Client.CreateTopicAsync(peer, "   "), TopicErrorNames.TopicTitleInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CreateTopicAsync(peer, new string('x', 129)), TopicErrorNames.TopicTitleInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CreateTopicAsync(peer, "bad\u0001"), TopicErrorNames.TopicTitleInvalid);
        (await alice.Client.CreateTopicAsync(peer, new string('x', 128))).Message.Action!.Title.Should().HaveLength(128);
        await ChatTestKit.FailsWith(() => alice.Client.CreateTopicAsync(peer, "Colour", iconColor: 0x123456), TopicErrorNames.TopicIconColorInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditTopicAsync(peer, 0, title: "x"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditTopicAsync(peer, plain, title: "x"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditTopicAsync(peer, foreignTopic, title: "x"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(peer, "x", topicId: foreignTopic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(peer, "x", topicId: plain), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(peer, "x", topicId: -1), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetTopicHistoryAsync(peer, -1), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetForumTopicsAsync(peer, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetForumTopicsAsync(peer, offsetId: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetForumTopicsAsync(Peer.Chat(other.Id)), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteTopicAsync(Peer.Chat(other.Id), foreignTopic), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.ReadTopicAsync(Peer.Chat(other.Id), foreignTopic, 1), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.ScheduleMessageAsync(peer, "later", DateTimeOffset.UtcNow.AddHours(1), topicId: plain),
            TopicErrorNames.TopicIdInvalid);
    }

    [Fact]
    public async Task ALargeForum_CarriesTopicsThroughTheChatsOwnLog()
    {
        var (alice, bob, peer, chat) = await ForumAsync("large", large: true);
        await using var a = alice;
        await using var b = bob;
        chat.Kind.Should().Be(ChatKind.LargeGroup);
        var startPts = (await bob.Client.GetFullChatAsync(chat.Id)).Chat.Pts;

        var topic = (await alice.Client.CreateTopicAsync(peer, "Large")).Message.Id;
        var post = (await alice.Client.SendMessageAsync(peer, "into the large topic", topicId: topic)).Message;
        await alice.Client.EditTopicAsync(peer, topic, closed: true);

        var difference = await bob.Client.GetChannelDifferenceAsync(chat.Id, startPts);
        var messages = difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Select(u => u.Message).ToList();
        messages.Select(m => (m.Id == post.Id ? "post" : m.Action!.Kind, m.TopicId))
            .Should().Equal(("topic_create", topic), ("post", topic), ("topic_edit", topic));
        var live = await bob.NextAsync<MessageReceived>(r => r.Message.Id == post.Id);
        live.Message.TopicId.Should().Be(topic);

        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == topic).Should().BeEquivalentTo(new { UnreadCount = 1, Closed = true });
        await alice.Client.DeleteTopicAsync(peer, topic);
        (await bob.Client.GetTopicHistoryAsync(peer, 0)).Messages.Should().NotContain(m => m.Id == post.Id);
        var after = await bob.Client.GetChannelDifferenceAsync(chat.Id, startPts);
        after.Updates.Select(u => u.Update).OfType<DeleteMessagesUpdate>().SelectMany(d => d.Ids).Should().Contain(post.Id);
    }
}
