using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>
/// Bots: <c>bots.*</c> over the protocol, and the Bot HTTP API (<c>/bot/&lt;token&gt;/…</c>) over real HTTP: a program
/// reads what people send its bot (long polling the bot's update log) and answers, under the same rules as a person.
/// </summary>
public sealed partial class BotApiTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await Groups.GroupTestKit.StartHostAsync();
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task ABot_ReadsWhatAPersonSendsIt_Answers_AndTheSenderSeesItDelivered()
    {
        await using var alice = await _host.SignUpAsync("alice_bots");
        await using var bob = await _host.SignUpAsync("bob_bots");
        var created = await alice.Client.CreateBotAsync("Echo_bot", "Echo");
        created.Bot.Bot.Should().BeTrue();
        created.Token.Should().StartWith($"{created.Bot.Id}:");

        var me = await CallAsync(created.Token, "getMe");
        me.GetProperty("result").GetProperty("username").GetString().Should().Be("Echo_bot");
        me.GetProperty("result").GetProperty("is_bot").GetBoolean().Should().BeTrue();
        (await bob.Client.SearchUsersAsync("echo_")).Should().ContainSingle(u => u.Id == created.Bot.Id, "people find a bot to talk to it");

        var sent = (await bob.Client.SendMessageAsync(Peer.User(created.Bot.Id), "hello bot")).Message;
        var updates = (await CallAsync(created.Token, "getUpdates")).GetProperty("result").EnumerateArray().ToList();

        var update = updates.Should().ContainSingle().Subject;
        var message = update.GetProperty("message");
        message.GetProperty("message_id").GetInt64().Should().Be(sent.Id);
        message.GetProperty("text").GetString().Should().Be("hello bot");
        message.GetProperty("from").GetProperty("username").GetString().Should().Be("bob_bots");
        message.GetProperty("chat").GetProperty("id").GetInt64().Should().Be(bob.UserId);
        message.GetProperty("chat").GetProperty("type").GetString().Should().Be("private");
        (await bob.NextAsync<MessagesDelivered>()).MaxId.Should().Be(sent.Id, "what the bot fetched is received");

        var answer = await CallAsync(created.Token, "sendMessage", new { chat_id = bob.UserId, text = "hi bob", reply_to_message_id = sent.Id });
        answer.GetProperty("result").GetProperty("reply_to_message_id").GetInt64().Should().Be(sent.Id);
        var received = await bob.NextAsync<MessageReceived>(m => !m.IsOutgoing);
        received.Message.Text.Should().Be("hi bob");
        received.Message.FromId.Should().Be(created.Bot.Id);

        var next = update.GetProperty("update_id").GetInt64() + 1;
        (await CallAsync(created.Token, "getUpdates", new { offset = next })).GetProperty("result").GetArrayLength()
            .Should().Be(0, "its own answer is not an update for it, and the first was confirmed by the offset");
    }

    [Fact]
    public async Task ABot_SeesEdits_EditsAndDeletesItsOwnMessages_AndTypes()
    {
        await using var alice = await _host.SignUpAsync("alice_edits");
        var bot = await alice.Client.CreateBotAsync("editor_bot", "Editor");
        var draft = (await alice.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "draft")).Message;
        var first = (await CallAsync(bot.Token, "getUpdates")).GetProperty("result").EnumerateArray().Single();
        await alice.Client.EditMessageAsync(Peer.User(bot.Bot.Id), draft.Id, "final");

        var next = first.GetProperty("update_id").GetInt64() + 1;
        var edited = (await CallAsync(bot.Token, "getUpdates", new { offset = next, timeout = 10 })).GetProperty("result").EnumerateArray().Single();
        edited.GetProperty("edited_message").GetProperty("message_id").GetInt64().Should().Be(draft.Id);
        edited.GetProperty("edited_message").GetProperty("text").GetString().Should().Be("final");
        edited.GetProperty("edited_message").GetProperty("edit_date").GetInt64().Should().BePositive();

        var sent = (await CallAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "v1" })).GetProperty("result");
        var id = sent.GetProperty("message_id").GetInt64();
        (await CallAsync(bot.Token, "editMessageText", new { chat_id = alice.UserId, message_id = id, text = "v2" }))
            .GetProperty("result").GetProperty("text").GetString().Should().Be("v2");
        (await alice.NextAsync<MessageEdited>(e => e.Message.Id == id)).Message.Text.Should().Be("v2");
        await CallAsync(bot.Token, "sendChatAction", new { chat_id = alice.UserId });
        (await alice.NextAsync<UserTyping>()).UserId.Should().Be(bot.Bot.Id);
        await CallAsync(bot.Token, "deleteMessage", new { chat_id = alice.UserId, message_id = id });
        (await alice.NextAsync<MessagesDeleted>()).Ids.Should().Equal(id);

        await FailsAsync(bot.Token, "editMessageText", new { chat_id = alice.UserId, message_id = draft.Id, text = "mine now" },
            HttpStatusCode.Forbidden, MessageErrorNames.MessageAuthorRequired);
        await FailsAsync(bot.Token, "deleteMessage", new { chat_id = alice.UserId }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendChatAction", new { chat_id = alice.UserId, action = "dance" }, HttpStatusCode.BadRequest, MessageErrorNames.TypingActionInvalid);
        (await alice.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 10)).Select(m => m.Text).Should().Equal("final");
    }

    [Fact]
    public async Task GetUpdates_WithATimeout_WaitsForTheNextMessage_AndAnswersEmptyWhenNoneComes()
    {
        await using var alice = await _host.SignUpAsync("alice_poll");
        var bot = await alice.Client.CreateBotAsync("poll_bot", "Poller");

        var started = DateTime.UtcNow;
        (await CallAsync(bot.Token, "getUpdates?timeout=1")).GetProperty("result").GetArrayLength().Should().Be(0);
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "it waited for the timeout");

        var poll = CallAsync(bot.Token, "getUpdates", new { timeout = 30 });
        await Task.Delay(300);
        poll.IsCompleted.Should().BeFalse("nothing has come yet");
        await alice.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "wake up");
        var result = (await poll.WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("result");
        result.EnumerateArray().Single().GetProperty("message").GetProperty("text").GetString().Should().Be("wake up");
    }

    [Fact]
    public async Task AWaitingPoll_AnswersEmptyAtOnce_WhenTheServerShutsDown()
    {
        var host = await Groups.GroupTestKit.StartHostAsync();
        using var http = host.CreateHttpClient();
        await using var alice = await host.SignUpAsync("alice_stop");
        var bot = await alice.Client.CreateBotAsync("stop_bot", "Stopper");
        var poll = http.GetAsync($"/bot/{bot.Token}/getUpdates?timeout=50");
        // The poll is in the server's hands before it stops (a request that came after would find no server).
        var signals = host.Services.GetRequiredService<Messenger.Message.Bots.BotLogSignals>();
        await SessionTestKit.WaitUntil(() => signals.ArmedOwners == 1);

        var stopped = System.Diagnostics.Stopwatch.StartNew();
        await host.DisposeAsync();

        stopped.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the shutdown does not wait out a 50-second poll");
        var response = await poll.WaitAsync(TimeSpan.FromSeconds(5));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task ABotInASmallGroup_ReadsItsMessages_AndAnswersTheGroup()
    {
        await using var alice = await _host.SignUpAsync("alice_gbot");
        await using var bob = await _host.SignUpAsync("bob_gbot");
        var bot = await alice.Client.CreateBotAsync("deploy_bot", "Deployer");
        var chat = (await alice.Client.CreateGroupAsync("Ops", [bob.UserId, bot.Bot.Id])).Chat;

        await bob.Client.SendMessageAsync(Peer.Chat(chat.Id), "deploy please");
        var message = (await CallAsync(bot.Token, "getUpdates", new { timeout = 10 })).GetProperty("result").EnumerateArray()
            .Select(u => u.GetProperty("message")).Single(m => m.GetProperty("text").GetString() == "deploy please");
        message.GetProperty("chat").GetProperty("id").GetInt64().Should().Be(-chat.Id);
        message.GetProperty("chat").GetProperty("type").GetString().Should().Be("group");

        await CallAsync(bot.Token, "sendMessage", new { chat_id = -chat.Id, text = "deploying" });
        (await alice.NextAsync<MessageReceived>(m => m.Message.Text == "deploying")).Peer.Should().Be(Peer.Chat(chat.Id));
    }

    [Fact]
    public async Task ABotInALargeGroupOrChannel_ReadsItsMessagesAndEdits_FromItsOwnLog_AndPostsWhereItMay()
    {
        await using var alice = await _host.SignUpAsync("alice_lbot");
        await using var bob = await _host.SignUpAsync("bob_lbot");
        var bot = await alice.Client.CreateBotAsync("large_bot", "Large");
        var large = (await alice.Client.CreateGroupAsync("All hands", [bob.UserId, bot.Bot.Id], large: true)).Chat;
        var channel = (await alice.Client.CreateGroupAsync("News", [bob.UserId, bot.Bot.Id], broadcast: true)).Chat;
        var small = (await alice.Client.CreateGroupAsync("Grows", [bob.UserId])).Chat;
        await alice.Client.AddMembersAsync(small.Id, [bot.Bot.Id]);
        await using var carol = await _host.SignUpAsync("carol_lbot");
        await alice.Client.AddMembersAsync(small.Id, [carol.UserId]); // past the small-group limit of 3: now a large group

        var inLarge = await bob.Client.SendMessageAsync(Peer.Chat(large.Id), "standup in 5");
        await alice.Client.SendMessageAsync(Peer.Chat(channel.Id), "release 1.2 is out");
        await carol.Client.SendMessageAsync(Peer.Chat(small.Id), "hello, bigger group");
        await bob.Client.EditMessageAsync(Peer.Chat(large.Id), inLarge.Message.Id, "standup in 10");

        var updates = (await CallAsync(bot.Token, "getUpdates", new { timeout = 10 })).GetProperty("result").EnumerateArray().ToList();
        var texts = updates.Select(u => u.TryGetProperty("message", out var m)
            ? $"{m.GetProperty("chat").GetProperty("id").GetInt64()}:{m.GetProperty("text").GetString()}"
            : $"edited {u.GetProperty("edited_message").GetProperty("text").GetString()}").ToList();
        texts.Should().Equal($"{-large.Id}:standup in 5", $"{-channel.Id}:release 1.2 is out", $"{-small.Id}:hello, bigger group", "edited standup in 10");
        updates.Take(3).Select(u => u.GetProperty("message").GetProperty("chat").GetProperty("type").GetString())
            .Should().Equal(["supergroup", "channel", "supergroup"], "as Telegram names a large group and a channel");

        await CallAsync(bot.Token, "sendMessage", new { chat_id = -large.Id, text = "noted" });
        (await bob.Client.GetHistoryAsync(Peer.Chat(large.Id))).Should().Contain(m => m.Text == "noted" && m.FromId == bot.Bot.Id);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -channel.Id, text = "me too" }, HttpStatusCode.Forbidden, GroupErrorNames.ChatWriteForbidden);
        var offset = updates[^1].GetProperty("update_id").GetInt64() + 1;
        (await CallAsync(bot.Token, "getUpdates", new { offset })).GetProperty("result").EnumerateArray().Should().BeEmpty("its own message is not news to it");
    }

    [Fact]
    public async Task ABotAddedToALargeGroupBeforeItsMembershipWasMarked_IsMarkedAtTheNextStart()
    {
        using var data = new TempDirectory();
        string token;
        long chatId;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignUpAsync("alice_oldbot");
            var bot = await alice.Client.CreateBotAsync("old_bot", "Old");
            token = bot.Token;
            chatId = (await alice.Client.CreateGroupAsync("Old hands", [bot.Bot.Id], large: true)).Chat.Id;
            using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE message_members SET is_bot = 0"; // as stored before the column
            command.ExecuteNonQuery();
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await SessionTestKit.WaitUntil(() => Groups.GroupTestKit.CountRows(host, "message_members WHERE is_bot = 1") == 1);
            await using var alice = await host.SignedInClientAsync("alice_oldbot", register: false);
            await alice.SendMessageAsync(Peer.Chat(chatId), "still there?");
            using var http = host.CreateHttpClient();
            var updates = await http.GetFromJsonAsync<JsonElement>($"/bot/{token}/getUpdates?timeout=10");
            updates.GetProperty("result").EnumerateArray().Select(u => u.GetProperty("message").GetProperty("text").GetString()).Should().Equal("still there?");
        }
    }

    [Fact]
    public async Task BadRequests_GetNamedErrors_AndSendNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_badbot");
        await using var bob = await _host.SignUpAsync("bob_badbot");
        var bot = await alice.Client.CreateBotAsync("strict_bot", "Strict");
        var group = (await bob.Client.CreateGroupAsync("Private", [alice.UserId])).Chat;

        await FailsAsync("0:nonsense", "getMe", null, HttpStatusCode.Unauthorized, BotErrorNames.BotTokenInvalid);
        await FailsAsync(bot.Token + "x", "getMe", null, HttpStatusCode.Unauthorized, BotErrorNames.BotTokenInvalid);
        await FailsAsync(bot.Token, "deleteEverything", null, HttpStatusCode.NotFound, BotErrorNames.BotMethodInvalid);
        await FailsAsync(bot.Token, "sendMessage", new { text = "no chat" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = "alice", text = "x" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "  " }, HttpStatusCode.BadRequest, MessageErrorNames.MessageEmpty);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = new string('a', 4097) }, HttpStatusCode.BadRequest, MessageErrorNames.MessageTooLong);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = -group.Id, text = "let me in" }, HttpStatusCode.NotFound, GroupErrorNames.ChatNotFound);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "x", reply_to_message_id = 999_999 }, HttpStatusCode.BadRequest, MessageErrorNames.ReplyToInvalid);
        await FailsAsync(bot.Token, "getUpdates", new { limit = 0 }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "getUpdates", new { timeout = 51 }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "getUpdates?offset=abc", null, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        using (var garbage = new StringContent("{not json", Encoding.UTF8, "application/json"))
        {
            var response = await _http.PostAsync($"/bot/{bot.Token}/sendMessage", garbage);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");
        await bob.Client.BlockUserAsync(bot.Bot.Id);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "spam" }, HttpStatusCode.Forbidden, MessageErrorNames.UserIsBlocked);

        (await alice.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 10)).Should().BeEmpty("nothing reached alice");
        (await CallAsync(bot.Token, "getMe")).GetProperty("ok").GetBoolean().Should().BeTrue("the bot still works after its bad requests");
    }

    [Fact]
    public async Task ABot_WritesToAPerson_OnlyOnceTheyWroteToIt_OrToWhoMadeIt_AndInItsGroupsAsBefore()
    {
        await using var alice = await _host.SignUpAsync("alice_first");
        await using var bob = await _host.SignUpAsync("bob_first");
        await using var carol = await _host.SignUpAsync("carol_first");
        var bot = await alice.Client.CreateBotAsync("first_word_bot", "First");
        await bob.Client.MuteChatAsync(Peer.User(bot.Bot.Id), DateTimeOffset.UtcNow.AddDays(1));

        // Bob never wrote to it (muting it made the chat's row, not a word); carol has no chat with it at all.
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "buy now" }, HttpStatusCode.Forbidden, BotErrorNames.BotChatForbidden);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = carol.UserId, text = "buy now" }, HttpStatusCode.Forbidden, BotErrorNames.BotChatForbidden);
        await FailsAsync(bot.Token, "sendLocation", new { chat_id = carol.UserId, latitude = 1.5, longitude = 2.5 }, HttpStatusCode.Forbidden, BotErrorNames.BotChatForbidden);
        await FormFailsAsync(bot.Token, "sendDocument", [("chat_id", carol.UserId.ToString())], ("document", [1, 2, 3]), HttpStatusCode.Forbidden, BotErrorNames.BotChatForbidden);
        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 10)).Should().BeEmpty();
        (await carol.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 10)).Should().BeEmpty();

        // Its maker needs no first word; a person who wrote to it gets answers, even after deleting what they wrote.
        await CallAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "deployed" });
        var start = await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");
        await bob.Client.DeleteMessagesAsync(Peer.User(bot.Bot.Id), [start.Message.Id], revoke: true);
        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "welcome" });
        (await bob.NextAsync<MessageReceived>(m => !m.IsOutgoing && m.Message.Text == "welcome")).Message.FromId.Should().Be(bot.Bot.Id);

        // In a group it is in, the bot writes as it always did.
        var group = (await carol.Client.CreateGroupAsync("With a bot", [bot.Bot.Id])).Chat;
        await CallAsync(bot.Token, "sendMessage", new { chat_id = -group.Id, text = "hello group" });
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = carol.UserId, text = "and you?" }, HttpStatusCode.Forbidden, BotErrorNames.BotChatForbidden);
    }

    [Fact]
    public async Task AnIdempotencyKey_SendsOnce()
    {
        await using var alice = await _host.SignUpAsync("alice_idem");
        var bot = await alice.Client.CreateBotAsync("once_bot", "Once");
        var ids = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/bot/{bot.Token}/sendMessage")
            {
                Content = JsonContent.Create(new { chat_id = alice.UserId, text = "build 42 passed" }),
            };
            request.Headers.Add("Idempotency-Key", "build-42");
            var response = await _http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetProperty("message_id").GetInt64());
        }

        ids.Distinct().Should().ContainSingle();
        (await alice.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 10)).Should().ContainSingle();
    }

    [Fact]
    public async Task AnIdempotencyKey_ResentAfterTheBotLeftTheChat_IsRefusedAsTheChat_ForAFileAsForText()
    {
        await using var alice = await _host.SignUpAsync("alice_idemleft");
        var bot = await alice.Client.CreateBotAsync("left_bot", "Left");
        var group = (await alice.Client.CreateGroupAsync("Ops", [bot.Bot.Id])).Chat;
        var chatId = (-group.Id).ToString();
        HttpRequestMessage Text() => new(HttpMethod.Post, $"/bot/{bot.Token}/sendMessage")
        {
            Content = JsonContent.Create(new { chat_id = -group.Id, text = "deployed" }), Headers = { { "Idempotency-Key", "deploy-7" } },
        };
        HttpRequestMessage Document() => new(HttpMethod.Post, $"/bot/{bot.Token}/sendDocument")
        {
            Content = new MultipartFormDataContent { { new StringContent(chatId), "chat_id" }, { new ByteArrayContent([1, 2, 3]), "document", "log.txt" } },
            Headers = { { "Idempotency-Key", "deploy-7-log" } },
        };
        foreach (var send in new[] { Text, Document })
        {
            using var request = send();
            (await _http.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await alice.Client.RemoveMemberAsync(group.Id, bot.Bot.Id);

        foreach (var send in new[] { Text, Document })
        {
            using var request = send();
            var response = await _http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, request.RequestUri!.ToString());
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString().Should().Be(GroupErrorNames.ChatNotFound);
        }
    }

    [Fact]
    public async Task ABlockedOwnersBots_AreRefused_UntilTheOwnerIsUnblocked_AndOtherBotsWorkOn()
    {
        await using var admin = await _host.SignUpAsync("admin_blocks");
        await using var carol = await _host.SignUpAsync("carol_spams");
        await using var dave = await _host.SignUpAsync("dave_bots");
        var spam = await carol.Client.CreateBotAsync("spam_bot", "Spam");
        var fine = await dave.Client.CreateBotAsync("fine_bot", "Fine");
        await dave.Client.SendMessageAsync(Peer.User(spam.Bot.Id), "/start");
        (await CallAsync(spam.Token, "sendMessage", new { chat_id = dave.UserId, text = "before" })).GetProperty("ok").GetBoolean().Should().BeTrue();

        await admin.Client.SetUserBlockedAsync(carol.UserId, true);
        await FailsAsync(spam.Token, "getMe", null, HttpStatusCode.Forbidden, SessionErrorNames.UserBlocked);
        await FailsAsync(spam.Token, "sendMessage", new { chat_id = dave.UserId, text = "after" }, HttpStatusCode.Forbidden, SessionErrorNames.UserBlocked);
        (await CallAsync(fine.Token, "getMe")).GetProperty("ok").GetBoolean().Should().BeTrue("another owner's bot is not disturbed");

        await admin.Client.SetUserBlockedAsync(carol.UserId, false);
        (await CallAsync(spam.Token, "getMe")).GetProperty("ok").GetBoolean().Should().BeTrue("the owner unblocked, the bot works again");
        (await dave.Client.GetHistoryAsync(Peer.User(spam.Bot.Id), limit: 10)).Select(m => m.Text).Should().BeEquivalentTo(["/start", "before"], "nothing reached dave while the owner was blocked");
    }

    [Fact]
    public async Task Management_NamesRules_Ownership_TokenResetAndDeletion()
    {
        await using var admin = await _host.SignUpAsync("admin_owner"); // the first account: alice may delete hers
        await using var alice = await _host.SignUpAsync("alice_owner");
        await using var bob = await _host.SignUpAsync("bob_owner");

        await SessionTestKit.FailsWith(() => alice.Client.CreateBotAsync("not_a_bot_name", "X"), SessionErrorNames.UsernameInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.CreateBotAsync("_bot", "X"), SessionErrorNames.UsernameInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.CreateBotAsync("fine_bot", " "), SessionErrorNames.DisplayNameInvalid);
        var bot = await alice.Client.CreateBotAsync("owned_bot", "Owned");
        await SessionTestKit.FailsWith(() => bob.Client.CreateBotAsync("OWNED_bot", "Copy"), SessionErrorNames.UsernameOccupied);
        (await alice.Client.GetMyBotsAsync()).Select(b => b.Id).Should().Equal(bot.Bot.Id);
        (await bob.Client.GetMyBotsAsync()).Should().BeEmpty();
        await SessionTestKit.FailsWith(() => bob.Client.ResetBotTokenAsync(bot.Bot.Id), BotErrorNames.BotNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.DeleteBotAsync(bot.Bot.Id), BotErrorNames.BotNotFound);
        await using (var anonymous = await _host.ConnectAsync())
        {
            await SessionTestKit.FailsWith(() => anonymous.SignInAsync("owned_bot", "", "d", "p"), SessionErrorNames.CredentialsInvalid);
        }

        await admin.Client.SetUserBlockedAsync(bot.Bot.Id, true);
        await FailsAsync(bot.Token, "getMe", null, HttpStatusCode.Forbidden, SessionErrorNames.UserBlocked);
        await admin.Client.SetUserBlockedAsync(bot.Bot.Id, false);
        (await CallAsync(bot.Token, "getMe")).GetProperty("ok").GetBoolean().Should().BeTrue("unblocked, it works again");

        var renewed = await alice.Client.ResetBotTokenAsync(bot.Bot.Id);
        await FailsAsync(bot.Token, "getMe", null, HttpStatusCode.Unauthorized, BotErrorNames.BotTokenInvalid);
        (await CallAsync(renewed.Token, "getMe")).GetProperty("ok").GetBoolean().Should().BeTrue();

        for (var i = 1; i < BotLimits.PerOwner; i++)
        {
            await alice.Client.CreateBotAsync($"many{i}_bot", $"Bot {i}");
        }

        await SessionTestKit.FailsWith(() => alice.Client.CreateBotAsync("onetoomany_bot", "No"), BotErrorNames.BotsTooMany);

        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "before it goes");
        await alice.Client.DeleteBotAsync(bot.Bot.Id);
        await FailsAsync(renewed.Token, "getMe", null, HttpStatusCode.Unauthorized, BotErrorNames.BotTokenInvalid);
        (await bob.Client.GetUsersAsync([bot.Bot.Id])).Single().Deleted.Should().BeTrue();
        await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "anyone?"), MessageErrorNames.UserDeleted);
        (await alice.Client.GetMyBotsAsync()).Should().HaveCount(BotLimits.PerOwner - 1);

        var left = await alice.Client.GetMyBotsAsync();
        var survivorToken = (await alice.Client.ResetBotTokenAsync(left[0].Id)).Token;
        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);
        await FailsAsync(survivorToken, "getMe", null, HttpStatusCode.Unauthorized, BotErrorNames.BotTokenInvalid);
        (await bob.Client.GetUsersAsync([.. left.Select(b => b.Id)])).Should().OnlyContain(u => u.Deleted, "an account's bots go with it");
    }

    [Fact]
    public void LongPollSignals_FireOnTheirOwnersAppends_AndAreLetGoWhenNobodyWaits()
    {
        var signals = new Messenger.Message.Bots.BotLogSignals();
        var first = signals.Arm(7);
        var second = signals.Arm(7);
        using var other = signals.Arm(8);
        first.Dispose();
        signals.ArmedOwners.Should().Be(2, "the second poll still waits for 7");

        signals.Appended([new Messenger.Kernel.Updates.LogAppend(7, new LoggedUpdate(1, 1, 0, new DeliveredUpdate(Peer.User(1), 1)))]);
        second.Fired.IsCompleted.Should().BeTrue();
        other.Fired.IsCompleted.Should().BeFalse("8's log did not grow");
        second.Dispose();
        other.Dispose();
        signals.ArmedOwners.Should().Be(0, "a poll that gave up leaves nothing for every later append to look at");
    }

    [Fact]
    public async Task ARequestBodyOverItsLimit_IsRefused_EvenWithoutALength()
    {
        await using var alice = await _host.SignUpAsync("alice_bigbody");
        var bot = await alice.Client.CreateBotAsync("big_bot", "Big");
        var text = new string('a', 70 * 1024);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"chat_id\": {alice.UserId}, \"text\": \"{text}\"}}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/bot/{bot.Token}/sendMessage") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString().Should().Be(BotErrorNames.BotRequestInvalid);
    }

    [Fact]
    public async Task Files_APersonsPhotoReachesTheBotWithAFileId_ItDownloadsIt_AndSendsDocumentsBack()
    {
        await using var alice = await _host.SignUpAsync("alice_botfiles");
        await using var bob = await _host.SignUpAsync("bob_botfiles");
        var created = await alice.Client.CreateBotAsync("Files_bot", "Files");
        var photo = Media.MediaTestKit.Png(64, 48, seed: 5, length: 1_300_000);
        var input = await bob.Client.UploadFileAsync(new MemoryStream(photo), "cat.png", "image/png");
        var sent = (await bob.Client.SendMediaAsync(Peer.User(created.Bot.Id), input, "my cat")).Message;

        var message = (await CallAsync(created.Token, "getUpdates")).GetProperty("result").EnumerateArray().Single().GetProperty("message");
        message.GetProperty("caption").GetString().Should().Be("my cat");
        message.GetProperty("text").ValueKind.Should().Be(JsonValueKind.Null, "a file's message has a caption instead");
        var size = message.GetProperty("photo")[0];
        size.GetProperty("width").GetInt32().Should().Be(64);
        size.GetProperty("file_size").GetInt64().Should().Be(photo.Length);
        var fileId = size.GetProperty("file_id").GetString()!;
        var file = (await CallAsync(created.Token, "getFile", new { file_id = fileId })).GetProperty("result");
        var download = await _http.GetAsync($"/file/bot{created.Token}/{file.GetProperty("file_path").GetString()}");
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync()).Should().Equal(photo, "read a megabyte at a time, whole");

        var report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("build 42 passed\n", 70_000)));
        using var form = new MultipartFormDataContent
        {
            { new StringContent(bob.UserId.ToString()), "chat_id" },
            { new StringContent("the report"), "caption" },
            { new StringContent(sent.Id.ToString()), "reply_to_message_id" },
            { new ByteArrayContent(report) { Headers = { ContentType = new("text/plain") } }, "document", "report.txt" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/bot/{created.Token}/sendDocument") { Content = form };
        request.Headers.Add("Idempotency-Key", "report-42");
        var answer = await _http.SendAsync(request);
        var json = await answer.Content.ReadFromJsonAsync<JsonElement>();
        answer.StatusCode.Should().Be(HttpStatusCode.OK, json.ToString());
        var document = json.GetProperty("result").GetProperty("document");
        document.GetProperty("file_name").GetString().Should().Be("report.txt");
        document.GetProperty("mime_type").GetString().Should().Be("text/plain");

        var received = await bob.NextAsync<MessageReceived>(e => e.Message.Media is not null && e.Message.FromId == created.Bot.Id);
        received.Message.Text.Should().Be("the report");
        received.Message.ReplyToId.Should().Be(sent.Id);
        received.Message.Media!.Size.Should().Be(report.Length);
        (await Media.MediaTestKit.DownloadAsync(bob.Client, received.Message.Media)).Should().Equal(report);

        using var again = new HttpRequestMessage(HttpMethod.Post, $"/bot/{created.Token}/sendDocument")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent(bob.UserId.ToString()), "chat_id" },
                { new ByteArrayContent(report), "document", "report.txt" },
            },
        };
        again.Headers.Add("Idempotency-Key", "report-42");
        var resent = await _http.SendAsync(again);
        resent.StatusCode.Should().Be(HttpStatusCode.OK);
        (await resent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetProperty("message_id").GetInt64()
            .Should().Be(json.GetProperty("result").GetProperty("message_id").GetInt64());
        (await bob.Client.GetHistoryAsync(Peer.User(created.Bot.Id))).Count(m => m.Media is not null && m.FromId == created.Bot.Id)
            .Should().Be(1, "the same Idempotency-Key sends once");
        Media.MediaTestKit.UploadFiles(_host).Should().BeEmpty("a resend is answered before its file is uploaded again");
    }

    [Fact]
    public async Task Files_BadRequests_AreRefusedByName_AndABotReadsOnlyFilesOfItsChats()
    {
        await using var alice = await _host.SignUpAsync("alice_botfilebad");
        await using var bob = await _host.SignUpAsync("bob_botfilebad");
        await using var carol = await _host.SignUpAsync("carol_botfilebad");
        var created = await alice.Client.CreateBotAsync("Picky_bot", "Picky");
        await StartBotAsync(bob, created);
        var token = created.Token;
        var secret = await bob.Client.SendMediaAsync(carol.Peer, await bob.Client.UploadFileAsync(new MemoryStream([1, 2, 3]), "secret.bin", "application/octet-stream"));
        var foreignId = secret.Message.Media!.Id.ToString();

        await FailsAsync(token, "getFile", new { file_id = foreignId }, HttpStatusCode.NotFound, "MEDIA_INVALID");
        await FailsAsync(token, "getFile", new { file_id = "not-a-number" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(token, "getFile", new { }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await DownloadFailsAsync($"/file/bot{token}/{foreignId}", HttpStatusCode.NotFound, "MEDIA_INVALID");
        await DownloadFailsAsync($"/file/bot{token}/0", HttpStatusCode.NotFound, "MEDIA_INVALID");
        await DownloadFailsAsync($"/file/bot{created.Bot.Id}:nope/{foreignId}", HttpStatusCode.Unauthorized, BotErrorNames.BotTokenInvalid);

        await FormFailsAsync(token, "sendDocument", [("chat_id", bob.UserId.ToString())], null, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FormFailsAsync(token, "sendDocument", [("chat_id", bob.UserId.ToString())], ("photo", new byte[10]), HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FormFailsAsync(token, "sendDocument", [("chat_id", bob.UserId.ToString())], ("document", []), HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FormFailsAsync(token, "sendPhoto", [], ("photo", new byte[10]), HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        var group = await bob.Client.CreateGroupAsync("Without the bot", [carol.UserId]);
        await FormFailsAsync(token, "sendPhoto", [("chat_id", (-group.Chat.Id).ToString())], ("photo", new byte[10]), HttpStatusCode.NotFound, GroupErrorNames.ChatNotFound);
        await FormFailsAsync(token, "sendDocument", [("chat_id", bob.UserId.ToString())], ("document", new byte[BotLimits.MaxUploadBytes + 1]),
            HttpStatusCode.RequestEntityTooLarge, "FILE_TOO_BIG");
        var textOnly = await bob.Client.CreateGroupAsync("Text only", [carol.UserId, created.Bot.Id]);
        await bob.Client.EditPermissionsAsync(textOnly.Chat.Id, new ChatPermissions(SendMedia: false));
        var blobs = _host.BlobFiles().Length;
        await FormFailsAsync(token, "sendDocument", [("chat_id", (-textOnly.Chat.Id).ToString())], ("document", [4, 5, 6]),
            HttpStatusCode.Forbidden, GroupErrorNames.ChatSendMediaForbidden);
        _host.BlobFiles().Should().HaveCount(blobs, "a file the bot may not post is not uploaded first");
        _host.UploadFiles().Should().BeEmpty("a refused chat, right or file is refused before a byte is stored");
        await FormFailsAsync(token, "sendDocument", [("chat_id", bob.UserId.ToString()), ("caption", new string('x', 1025))], ("document", new byte[10]),
            HttpStatusCode.BadRequest, "MEDIA_CAPTION_TOO_LONG");
        (await bob.Client.GetHistoryAsync(Peer.User(created.Bot.Id))).Should().OnlyContain(m => m.FromId == bob.UserId, "nothing of the bot's reached bob");

        await using var bobLaptop = await _host.SignInAnotherDeviceAsync("bob_botfilebad");
        await FormFailsAsync(token, "sendDocument", [("chat_id", bob.UserId.ToString())], ("document", [9, 9, 9]), HttpStatusCode.OK, null);
        (await bobLaptop.Client.GetHistoryAsync(Peer.User(created.Bot.Id))).Should().ContainSingle(m => m.FromId == created.Bot.Id).Which.Media!.Name.Should().Be("upload.bin");
    }

    private async Task DownloadFailsAsync(string path, HttpStatusCode status, string name)
    {
        var response = await _http.GetAsync(path);
        response.StatusCode.Should().Be(status);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("description").GetString().Should().Be(name);
    }

    private async Task FormFailsAsync(
        string token, string method, (string Name, string Value)[] fields, (string Field, byte[] Bytes)? file, HttpStatusCode status, string? name)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (field, value) in fields)
        {
            form.Add(new StringContent(value), field);
        }

        if (file is var (fileField, bytes))
        {
            form.Add(new ByteArrayContent(bytes), fileField, "upload.bin");
        }

        var response = await _http.PostAsync($"/bot/{token}/{method}", form);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.Should().Be(status, json.ToString());
        if (name is not null)
        {
            json.GetProperty("description").GetString().Should().Be(name);
        }
    }

    private Task<JsonElement> CallAsync(string token, string method, object? body = null) => _http.CallAsync(token, method, body);

    /// <summary>The person writes "/start" to the bot: a bot writes in a private chat only to those who wrote to it
    /// there (or made it).</summary>
    private Task StartBotAsync(Device person, BotToken bot) => person.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");

    private Task FailsAsync(string token, string method, object? body, HttpStatusCode status, string name) =>
        _http.FailsAsync(token, method, body, status, name);
}
