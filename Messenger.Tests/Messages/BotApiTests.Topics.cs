using System.Net;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;

namespace Messenger.Tests.Messages;

public sealed partial class BotApiTests
{
    [Fact]
    public async Task ABotInAForum_PostsIntoTopicsByMessageThreadId_AndSeesWhichTopicPeopleWroteIn()
    {
        await using var alice = await _host.SignUpAsync("alice_topicbot");
        await using var bob = await _host.SignUpAsync("bob_topicbot");
        var bot = await alice.Client.CreateBotAsync("topic_bot", "Topics");
        var chat = (await alice.Client.CreateGroupAsync("Ops", [bob.UserId, bot.Bot.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var deploys = (await alice.Client.CreateTopicAsync(peer, "Deploys")).Message.Id;

        var posted = (await CallAsync(bot.Token, "sendMessage", new { chat_id = -chat.Id, text = "deploy started", message_thread_id = deploys }))
            .GetProperty("result");
        posted.GetProperty("message_thread_id").GetInt64().Should().Be(deploys);
        posted.GetProperty("is_topic_message").GetBoolean().Should().BeTrue();
        posted.GetProperty("chat").GetProperty("is_forum").GetBoolean().Should().BeTrue();
        var general = (await CallAsync(bot.Token, "sendMessage", new { chat_id = -chat.Id, text = "hello all" })).GetProperty("result");
        general.GetProperty("message_thread_id").ValueKind.Should().Be(JsonValueKind.Null, "General's messages name no thread, as Telegram's");
        general.GetProperty("is_topic_message").ValueKind.Should().Be(JsonValueKind.Null);
        await CallAsync(bot.Token, "sendLocation", new { chat_id = -chat.Id, latitude = 52.5, longitude = 13.4, message_thread_id = deploys });
        await FormFailsAsync(bot.Token, "sendDocument", [("chat_id", (-chat.Id).ToString()), ("message_thread_id", deploys.ToString())],
            ("document", [1, 2, 3]), HttpStatusCode.OK, null);
        (await bob.Client.GetTopicHistoryAsync(peer, deploys)).Messages.Where(m => m.FromId == bot.Bot.Id)
            .Select(m => m.Geo is not null ? "location" : m.Media is not null ? "file" : m.Text)
            .Should().Equal("file", "location", "deploy started");

        var inTopic = (await bob.Client.SendMessageAsync(peer, "is it done?", topicId: deploys)).Message;
        var inGeneral = (await bob.Client.SendMessageAsync(peer, "lunch?")).Message;
        var updates = (await CallAsync(bot.Token, "getUpdates", new { timeout = 10 })).GetProperty("result").EnumerateArray()
            .Select(u => u.GetProperty("message")).ToList();
        var seenInTopic = updates.Single(m => m.GetProperty("message_id").GetInt64() == inTopic.Id);
        seenInTopic.GetProperty("message_thread_id").GetInt64().Should().Be(deploys);
        seenInTopic.GetProperty("is_topic_message").GetBoolean().Should().BeTrue();
        var seenInGeneral = updates.Single(m => m.GetProperty("message_id").GetInt64() == inGeneral.Id);
        seenInGeneral.GetProperty("message_thread_id").ValueKind.Should().Be(JsonValueKind.Null);

        // A reply goes into its replied message's topic, whatever thread it names.
        var reply = (await CallAsync(bot.Token, "sendMessage", new { chat_id = -chat.Id, text = "yes", reply_to_message_id = inTopic.Id }))
            .GetProperty("result");
        reply.GetProperty("message_thread_id").GetInt64().Should().Be(deploys);
    }

    [Fact]
    public async Task ABotsThreadIds_WhenUnknownOrClosedToIt_AreRefusedInTelegramsWords_AndSendNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_threadbad");
        await using var bob = await _host.SignUpAsync("bob_threadbad");
        var bot = await alice.Client.CreateBotAsync("thread_bot", "Threads");
        var forum = (await alice.Client.CreateGroupAsync("Forum", [bob.UserId, bot.Bot.Id])).Chat;
        var plain = (await alice.Client.CreateGroupAsync("Plain", [bob.UserId, bot.Bot.Id])).Chat;
        await alice.Client.ToggleForumAsync(forum.Id, enabled: true);
        var topic = (await alice.Client.CreateTopicAsync(Peer.Chat(forum.Id), "Open")).Message.Id;
        var notATopic = (await alice.Client.SendMessageAsync(Peer.Chat(forum.Id), "plain message")).Message.Id;
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");
        const string notFound = "Bad Request: message thread not found";

        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -forum.Id, text = "x", message_thread_id = 999_999 }, HttpStatusCode.BadRequest, notFound);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -forum.Id, text = "x", message_thread_id = notATopic }, HttpStatusCode.BadRequest, notFound);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -forum.Id, text = "x", message_thread_id = -4 }, HttpStatusCode.BadRequest, notFound);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -plain.Id, text = "x", message_thread_id = topic }, HttpStatusCode.BadRequest, notFound);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "x", message_thread_id = topic }, HttpStatusCode.BadRequest, notFound);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -forum.Id, text = "x", message_thread_id = "deploys" },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = -forum.Id, latitude = 1, longitude = 2, message_thread_id = 999_999 },
            HttpStatusCode.BadRequest, notFound);
        await FormFailsAsync(bot.Token, "sendPhoto", [("chat_id", (-forum.Id).ToString()), ("message_thread_id", "999999")], ("photo", [1, 2, 3]),
            HttpStatusCode.BadRequest, notFound);

        await alice.Client.EditTopicAsync(Peer.Chat(forum.Id), topic, closed: true);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -forum.Id, text = "x", message_thread_id = topic },
            HttpStatusCode.BadRequest, TopicErrorNames.TopicClosed);
        (await bob.Client.GetHistoryAsync(Peer.Chat(forum.Id), limit: 100)).Should().NotContain(m => m.FromId == bot.Bot.Id);
        (await bob.Client.GetHistoryAsync(Peer.Chat(plain.Id), limit: 100)).Should().NotContain(m => m.FromId == bot.Bot.Id);
    }

    [Fact]
    public async Task ABotAdmin_CreatesEditsClosesReopensAndDeletesTopics_InTelegramsShapes_AndWithoutTheRightIsRefused()
    {
        await using var alice = await _host.SignUpAsync("alice_topicadmin");
        await using var bob = await _host.SignUpAsync("bob_topicadmin");
        var bot = await alice.Client.CreateBotAsync("moderator_bot", "Moderator");
        var chat = (await alice.Client.CreateGroupAsync("Forum", [bob.UserId, bot.Bot.Id])).Chat;
        var plain = (await alice.Client.CreateGroupAsync("Plain", [bot.Bot.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var alices = (await alice.Client.CreateTopicAsync(peer, "Alice's")).Message.Id;

        // A plain member of the group: no topics of its own, nor others' to change.
        await FailsAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id, name = "Mine" }, HttpStatusCode.Forbidden, GroupErrorNames.ChatAdminRequired);
        await FailsAsync(bot.Token, "closeForumTopic", new { chat_id = -chat.Id, message_thread_id = alices }, HttpStatusCode.Forbidden,
            GroupErrorNames.ChatAdminRequired);
        await FailsAsync(bot.Token, "deleteForumTopic", new { chat_id = -chat.Id, message_thread_id = alices }, HttpStatusCode.Forbidden,
            GroupErrorNames.ChatAdminRequired);

        await alice.Client.SetAdminAsync(chat.Id, bot.Bot.Id, true);
        await alice.Client.SetAdminAsync(plain.Id, bot.Bot.Id, true);
        var created = (await CallAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id, name = "  Incidents ", icon_color = 0xFB6F5F }))
            .GetProperty("result");
        var thread = created.GetProperty("message_thread_id").GetInt64();
        created.GetProperty("name").GetString().Should().Be("Incidents");
        created.GetProperty("icon_color").GetInt32().Should().Be(16478047);
        var topic = (await bob.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == thread);
        topic.Should().BeEquivalentTo(new { Title = "Incidents", IconColor = 0xFB6F5F, CreatorId = bot.Bot.Id });
        (await CallAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id, name = "Plain colour", icon_custom_emoji_id = "5312536423851630001" }))
            .GetProperty("result").GetProperty("icon_color").GetInt32().Should().Be(TopicColors.All[0], "custom emoji are taken and not kept");

        (await CallAsync(bot.Token, "editForumTopic", new { chat_id = -chat.Id, message_thread_id = thread, name = "Outages" })).GetProperty("result")
            .GetBoolean().Should().BeTrue();
        (await CallAsync(bot.Token, "closeForumTopic", new { chat_id = -chat.Id, message_thread_id = thread })).GetProperty("result").GetBoolean().Should().BeTrue();
        await FailsAsync(bot.Token, "closeForumTopic", new { chat_id = -chat.Id, message_thread_id = thread }, HttpStatusCode.BadRequest, TopicErrorNames.TopicNotModified);
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == thread).Should().BeEquivalentTo(new { Title = "Outages", Closed = true });
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "anyone?", topicId: thread), TopicErrorNames.TopicClosed);
        await CallAsync(bot.Token, "reopenForumTopic", new { chat_id = -chat.Id, message_thread_id = thread });
        (await bob.Client.SendMessageAsync(peer, "back", topicId: thread)).Message.TopicId.Should().Be(thread);
        await CallAsync(bot.Token, "closeForumTopic", new { chat_id = -chat.Id, message_thread_id = alices });

        (await CallAsync(bot.Token, "deleteForumTopic", new { chat_id = -chat.Id, message_thread_id = thread })).GetProperty("result").GetBoolean().Should().BeTrue();
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Should().NotContain(t => t.Id == thread);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -chat.Id, text = "gone?", message_thread_id = thread }, HttpStatusCode.BadRequest,
            "Bad Request: message thread not found");

        // Bad input, each refused by name.
        await FailsAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id, name = " " }, HttpStatusCode.BadRequest, TopicErrorNames.TopicTitleInvalid);
        await FailsAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id, name = "x", icon_color = 123 }, HttpStatusCode.BadRequest,
            TopicErrorNames.TopicIconColorInvalid);
        await FailsAsync(bot.Token, "createForumTopic", new { chat_id = -chat.Id, name = "x", icon_color = -1 }, HttpStatusCode.BadRequest,
            TopicErrorNames.TopicIconColorInvalid);
        await FailsAsync(bot.Token, "createForumTopic", new { chat_id = -plain.Id, name = "x" }, HttpStatusCode.BadRequest, "Bad Request: the chat is not a forum");
        await FailsAsync(bot.Token, "editForumTopic", new { chat_id = -chat.Id, name = "x" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "editForumTopic", new { chat_id = -chat.Id, message_thread_id = alices }, HttpStatusCode.BadRequest, TopicErrorNames.TopicNotModified);
        (await CallAsync(bot.Token, "editForumTopic", new { chat_id = -chat.Id, message_thread_id = alices, icon_custom_emoji_id = "5312536423851630001" }))
            .GetProperty("result").GetBoolean().Should().BeTrue("an icon alone is taken and not kept, as docs/bots.md says");
        await FailsAsync(bot.Token, "editForumTopic", new { chat_id = -chat.Id, message_thread_id = 0, name = "General?" }, HttpStatusCode.BadRequest,
            "Bad Request: message thread not found");
        await FailsAsync(bot.Token, "reopenForumTopic", new { chat_id = -chat.Id, message_thread_id = 999_999 }, HttpStatusCode.BadRequest,
            "Bad Request: message thread not found");
        await FailsAsync(bot.Token, "deleteForumTopic", new { chat_id = -chat.Id, message_thread_id = thread }, HttpStatusCode.BadRequest,
            "Bad Request: message thread not found");
        (await bob.Client.GetForumTopicsAsync(peer)).Topics.Select(t => (t.Title, t.Closed))
            .Should().Equal([(TopicColors.GeneralTitle, false), ("Alice's", true), ("Plain colour", false)], "the refused calls changed nothing");
    }
}
