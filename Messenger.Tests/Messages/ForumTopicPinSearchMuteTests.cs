using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>More of forum topics: pinned topics (<c>messages.updatePinnedTopic</c>), searching one topic
/// (<c>messages.search</c> with <c>topic_id</c>) and a user's mute of one topic (<c>messages.updateNotifySettings</c> with
/// <c>topic_id</c>).</summary>
public sealed class ForumTopicPinSearchMuteTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(Device Alice, Device Bob, Peer Peer, Chat Chat)> ForumAsync(string name)
    {
        var alice = await _host.SignUpAsync($"alice_{name}");
        var bob = await _host.SignUpAsync($"bob_{name}");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        var changed = await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        return (alice, bob, Peer.Chat(chat.Id), changed.Chat);
    }

    /// <summary>A group with topics of someone else's, and one of its topics.</summary>
    private async Task<(Device Carol, Peer Peer, long TopicId)> ForeignForumAsync(string name)
    {
        var carol = await _host.SignUpAsync($"carol_{name}");
        var chat = (await carol.Client.CreateGroupAsync("Elsewhere", [])).Chat;
        await carol.Client.ToggleForumAsync(chat.Id, enabled: true);
        var topic = (await carol.Client.CreateTopicAsync(Peer.Chat(chat.Id), "Theirs")).Message.Id;
        return (carol, Peer.Chat(chat.Id), topic);
    }

    [Fact]
    public async Task PinTopic_ListsPinnedTopicsFirst_LatestPinFirst_AndMembersLearnOfItByTheTopicsServiceMessage()
    {
        var (alice, bob, peer, _) = await ForumAsync("pin");
        await using var a = alice;
        await using var b = bob;
        var first = (await alice.Client.CreateTopicAsync(peer, "First")).Message.Id;
        var second = (await alice.Client.CreateTopicAsync(peer, "Second")).Message.Id;
        var third = (await alice.Client.CreateTopicAsync(peer, "Third")).Message.Id;
        await alice.Client.SendMessageAsync(peer, "busy", topicId: third);

        var pinned = await alice.Client.PinTopicAsync(peer, first);
        pinned.Message.Action.Should().BeEquivalentTo(new { Kind = ServiceActions.TopicEdit, Pinned = (bool?)true, Title = (string?)null, Closed = (bool?)null });
        pinned.Message.TopicId.Should().Be(first, "the record stands in the topic, as its other changes do");
        (await bob.NextAsync<MessageReceived>(r => r.Message.Id == pinned.Message.Id)).Message.Action!.Pinned.Should().BeTrue();
        await alice.Client.PinTopicAsync(peer, second);
        await alice.Client.SendMessageAsync(peer, "busier", topicId: third);

        var topics = (await bob.Client.GetForumTopicsAsync(peer)).Topics;
        topics.Select(t => t.Id).Should().Equal([0, second, first, third], "General, then the pinned ones, the latest pinned first, then by activity");
        topics.Select(t => t.Pinned).Should().Equal(false, true, true, false);

        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, second), TopicErrorNames.TopicNotModified);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, third, pinned: false), TopicErrorNames.TopicNotModified);

        // The pages by activity leave the pinned topics out: the first page has them besides its limit, and paging after
        // its last topic neither repeats nor skips any.
        var page = await bob.Client.GetForumTopicsAsync(peer, limit: 1);
        page.Topics.Select(t => t.Id).Should().Equal(0, second, first, third);
        (await bob.Client.GetForumTopicsAsync(peer, offsetId: page.Topics[^1].TopMessage, limit: 1)).Topics.Should().BeEmpty();
        (await bob.Client.GetForumTopicsAsync(peer, query: "i")).Topics.Select(t => t.Id).Should().Equal([first, third], "a query keeps the pinned ones it matches, first");

        var unpinned = await alice.Client.PinTopicAsync(peer, second, pinned: false);
        unpinned.Message.Action!.Pinned.Should().BeFalse();
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Select(t => (t.Id, t.Pinned))
            .Should().Equal((0, false), (first, true), (second, false), (third, false));
    }

    [Fact]
    public async Task PinTopic_AllowsFivePinned_NotGeneral_AndOnlyAdminsOrMembersTheGroupLets()
    {
        var (alice, bob, peer, chat) = await ForumAsync("pinrules");
        await using var a = alice;
        await using var b = bob;
        var (carol, foreign, foreignTopic) = await ForeignForumAsync("pinrules");
        await using var c = carol;
        var topics = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            topics.Add((await alice.Client.CreateTopicAsync(peer, $"Topic {i}")).Message.Id);
        }

        var plain = (await alice.Client.SendMessageAsync(peer, "no topic")).Message.Id;

        await ChatTestKit.FailsWith(() => bob.Client.PinTopicAsync(peer, topics[0]), GroupErrorNames.ChatAdminRequired, 403);
        foreach (var topic in topics.Take(TopicLimits.MaxPinned))
        {
            await alice.Client.PinTopicAsync(peer, topic);
        }

        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, topics[5]), TopicErrorNames.PinnedTopicsTooMuch);
        await alice.Client.DeleteTopicAsync(peer, topics[0]);
        await alice.Client.PinTopicAsync(peer, topics[5]);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, topics[6]), TopicErrorNames.PinnedTopicsTooMuch);
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Where(t => t.Pinned).Select(t => t.Id)
            .Should().Equal([topics[5], topics[4], topics[3], topics[2], topics[1]], "a deleted topic's pin goes with it");

        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, 0), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, -3), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, plain), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, topics[0]), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, foreignTopic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(foreign, foreignTopic), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(Peer.User(bob.UserId), topics[1]), TopicErrorNames.ChatNotForum);

        // A member the group lets manage topics pins and unpins any of them, as admins do.
        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(ManageTopics: true));
        await bob.Client.PinTopicAsync(peer, topics[1], pinned: false);
        (await bob.Client.PinTopicAsync(peer, topics[6])).Message.FromId.Should().Be(bob.UserId);

        // Topics off: nothing is pinned or unpinned; on again, the pins are as they were.
        await alice.Client.ToggleForumAsync(chat.Id, enabled: false);
        await ChatTestKit.FailsWith(() => alice.Client.PinTopicAsync(peer, topics[1]), TopicErrorNames.ChatNotForum);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Count(t => t.Pinned).Should().Be(TopicLimits.MaxPinned);
    }

    [Fact]
    public async Task SearchInATopic_FindsOnlyThatTopicsMessages_GeneralToo_AndRefusesWhatGetHistoryRefuses()
    {
        var (alice, bob, peer, chat) = await ForumAsync("search");
        await using var a = alice;
        await using var b = bob;
        var (carol, foreign, foreignTopic) = await ForeignForumAsync("search");
        await using var c = carol;
        var releases = (await alice.Client.CreateTopicAsync(peer, "Releases")).Message.Id;
        var bugs = (await alice.Client.CreateTopicAsync(peer, "Bugs")).Message.Id;
        var plan = (await alice.Client.SendMessageAsync(peer, "deploy plan for friday", topicId: releases)).Message;
        var crash = (await bob.Client.SendMessageAsync(peer, "deploy crashed again", topicId: bugs)).Message;
        var lunch = (await bob.Client.SendMessageAsync(peer, "deploy lunch first")).Message;
        var reply = (await bob.Client.SendMessageAsync(peer, "deploy it monday", replyToId: plan.Id)).Message;

        (await bob.Client.SearchMessagesAsync("deploy", peer)).Select(m => m.Id).Should().Equal(reply.Id, lunch.Id, crash.Id, plan.Id);
        (await bob.Client.SearchMessagesAsync("deploy", peer, topicId: releases)).Select(m => m.Id).Should().Equal(reply.Id, plan.Id);
        (await bob.Client.SearchTopicAsync(peer, bugs, "DEPLOY")).Select(m => m.Id).Should().Equal(crash.Id);
        (await bob.Client.SearchTopicAsync(peer, 0, "deploy")).Select(m => m.Id).Should().Equal(lunch.Id);
        (await bob.Client.SearchTopicAsync(peer, releases, "deploy", offsetId: reply.Id)).Select(m => m.Id).Should().Equal(plan.Id);
        (await bob.Client.SearchMessagesAsync("", peer, fromId: bob.UserId, topicId: releases)).Select(m => m.Id)
            .Should().Equal([reply.Id], "filters without words narrow to the topic as well");
        (await bob.Client.SearchMessagesAsync("", peer, fromId: bob.UserId, topicId: 0)).Select(m => m.Id).Should().Equal(lunch.Id);

        await ChatTestKit.FailsWith(() => bob.Client.SearchMessagesAsync("deploy", null, topicId: releases), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(peer, -1, "deploy"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(peer, plan.Id, "deploy"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(peer, foreignTopic, "deploy"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(foreign, foreignTopic, "deploy"), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(Peer.User(alice.UserId), 0, "deploy"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(peer, releases, ""), GroupErrorNames.SearchQueryEmpty);

        await alice.Client.DeleteTopicAsync(peer, bugs);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(peer, bugs, "deploy"), TopicErrorNames.TopicIdInvalid);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: false);
        await ChatTestKit.FailsWith(() => bob.Client.SearchTopicAsync(peer, 0, "deploy"), TopicErrorNames.TopicIdInvalid);
        (await bob.Client.SearchMessagesAsync("deploy", peer)).Select(m => m.Id).Should().Equal(reply.Id, lunch.Id, plan.Id);
    }

    [Fact]
    public async Task MuteTopic_IsTheCallersOwn_TellsTheirOtherDevices_AndTheListCarriesIt()
    {
        var (alice, bob, peer, _) = await ForumAsync("mute");
        await using var a = alice;
        await using var b = bob;
        await using var bobLaptop = await _host.SignInAnotherDeviceAsync("bob_mute");
        var releases = (await alice.Client.CreateTopicAsync(peer, "Releases")).Message.Id;
        var until = DateTimeOffset.UtcNow.AddDays(1);

        var muted = await bob.Client.MuteTopicAsync(peer, releases, until);
        muted.PtsCount.Should().Be(1);
        var told = await bobLaptop.NextAsync<NotifySettingsChanged>(n => n.TopicId == releases);
        told.Should().BeEquivalentTo(new { Peer = peer, MuteUntil = until.ToUnixTimeSeconds() });
        (await bob.Client.MuteTopicAsync(peer, releases, until)).PtsCount.Should().Be(0, "muted so already");
        await bob.Client.MuteTopicAsync(peer, 0, DateTimeOffset.FromUnixTimeSeconds(NotifySettings.MuteForever));

        var bobs = (await bob.Client.GetForumTopicsAsync(peer)).Topics;
        bobs.Single(t => t.Id == releases).MuteUntil.Should().Be(until.ToUnixTimeSeconds());
        bobs.Single(t => t.Id == 0).MuteUntil.Should().Be(NotifySettings.MuteForever);
        (await alice.Client.GetForumTopicsAsync(peer)).Topics.Should().OnlyContain(t => t.MuteUntil == 0, "a mute is the user's own");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer).MuteUntil.Should().Be(0, "the chat itself is not muted");

        await bob.Client.MuteTopicAsync(peer, releases, null);
        (await bobLaptop.NextAsync<NotifySettingsChanged>(n => n.TopicId == releases && n.MuteUntil == 0)).Peer.Should().Be(peer);
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == releases).MuteUntil.Should().Be(0);
        (await bob.Client.MuteTopicAsync(peer, releases, DateTimeOffset.UtcNow.AddDays(-1))).PtsCount.Should().Be(0, "a time past is no mute");

        await bob.Client.MuteTopicAsync(peer, releases, until);
        await alice.Client.DeleteTopicAsync(peer, releases);
        _host.CountRows($"message_topic_notify WHERE topic_id = {releases}").Should().Be(0, "a topic's mutes go with it");
    }

    [Fact]
    public async Task MuteTopic_WithBadInput_IsRefusedByName_AndChangesNothing()
    {
        var (alice, bob, peer, _) = await ForumAsync("mutebad");
        await using var a = alice;
        await using var b = bob;
        var (carol, foreign, foreignTopic) = await ForeignForumAsync("mutebad");
        await using var c = carol;
        var topic = (await alice.Client.CreateTopicAsync(peer, "Open")).Message.Id;
        var plain = (await alice.Client.SendMessageAsync(peer, "no topic")).Message.Id;
        var gone = (await alice.Client.CreateTopicAsync(peer, "Gone")).Message.Id;
        await alice.Client.DeleteTopicAsync(peer, gone);
        var nonForum = Peer.Chat((await alice.Client.CreateGroupAsync("Plain", [bob.UserId])).Chat.Id);
        var until = DateTimeOffset.UtcNow.AddDays(1);

        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(peer, -1, until), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(peer, plain, until), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(peer, gone, until), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(peer, foreignTopic, until), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(foreign, foreignTopic, until), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(nonForum, 0, until), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(Peer.User(carol.UserId), 0, until), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.MuteTopicAsync(peer, topic, DateTimeOffset.FromUnixTimeSeconds(-5)), MessageErrorNames.MuteUntilInvalid);
        _host.CountRows("message_topic_notify").Should().Be(0);
    }
}
