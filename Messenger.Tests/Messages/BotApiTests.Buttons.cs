using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>
/// A bot's buttons: sent over the Bot HTTP API under its message, shown to people with the message, and pressed
/// (<c>messages.getBotCallbackAnswer</c>): the bot reads the press as a <c>callback_query</c> and its
/// <c>answerCallbackQuery</c> comes back as the pressing call's answer.
/// </summary>
public sealed partial class BotApiTests
{
    private static readonly object Keyboard = new
    {
        inline_keyboard = new object[][]
        {
            [new { text = "Approve", callback_data = "approve:42" }, new { text = "Reject", callback_data = "reject:42" }],
            [new { text = "Docs", url = "https://example.org/docs" }],
        },
    };

    [Fact]
    public async Task APersonPressesABotsButton_TheBotReadsThePress_AndItsAnswerComesBack()
    {
        await using var bob = await _host.SignUpAsync("bob_buttons");
        var bot = await bob.Client.CreateBotAsync("approve_bot", "Approver");
        var botPeer = Peer.User(bot.Bot.Id);

        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "Deploy v2?", reply_markup = Keyboard });
        sent.GetProperty("result").GetProperty("reply_markup").GetProperty("inline_keyboard")[1][0].GetProperty("url").GetString()
            .Should().Be("https://example.org/docs");
        var message = (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "Deploy v2?")).Message;
        message.ReplyMarkup!.InlineKeyboard.Select(row => row.Select(b => $"{b.Text}|{b.CallbackData}|{b.Url}")).Should().BeEquivalentTo(
            new[] { new[] { "Approve|approve:42|", "Reject|reject:42|" }, new[] { "Docs||https://example.org/docs" } },
            options => options.WithStrictOrdering());
        (await bob.Client.GetHistoryAsync(botPeer, limit: 1)).Single().ReplyMarkup.Should().BeEquivalentTo(message.ReplyMarkup, "kept with the message");

        var pressing = bob.Client.GetBotCallbackAnswerAsync(botPeer, message.Id, "approve:42");
        var update = (await CallAsync(bot.Token, "getUpdates", new { timeout = 10 })).GetProperty("result").EnumerateArray().Single();
        var press = update.GetProperty("callback_query");
        press.GetProperty("data").GetString().Should().Be("approve:42");
        press.GetProperty("from").GetProperty("username").GetString().Should().Be("bob_buttons");
        press.GetProperty("message").GetProperty("message_id").GetInt64().Should().Be(message.Id);
        press.GetProperty("message").GetProperty("chat").GetProperty("id").GetInt64().Should().Be(bob.UserId);
        pressing.IsCompleted.Should().BeFalse("the answer is the bot's to give");

        var id = press.GetProperty("id").GetString();
        (await CallAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = id, text = "Deploying v2", show_alert = true }))
            .GetProperty("result").GetBoolean().Should().BeTrue();
        var answer = await pressing;
        answer.Message.Should().Be("Deploying v2");
        answer.Alert.Should().BeTrue();
        await FailsAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = id, text = "again" }, HttpStatusCode.BadRequest, BotErrorNames.QueryIdInvalid);

        // The next poll moves past the press; a press with no text to show answers with nothing.
        var next = update.GetProperty("update_id").GetInt64() + 1;
        pressing = bob.Client.GetBotCallbackAnswerAsync(botPeer, message.Id, "reject:42");
        var second = (await CallAsync(bot.Token, "getUpdates", new { offset = next, timeout = 10 })).GetProperty("result").EnumerateArray().Single();
        await CallAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = second.GetProperty("callback_query").GetProperty("id").GetString() });
        (await pressing).Should().Be(new BotCallbackAnswer(null, false));
    }

    [Fact]
    public async Task APressNobodyAnswers_TimesOut_AndPressesOfNoSuchButton_OrNotABotsMessage_AreRefused()
    {
        await using var alice = await _host.SignUpAsync("alice_presses");
        await using var bob = await _host.SignUpAsync("bob_presses");
        var bot = await bob.Client.CreateBotAsync("silent_bot", "Silent");
        var other = await alice.Client.CreateBotAsync("other_bot", "Other");
        var botPeer = Peer.User(bot.Bot.Id);
        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "Pick one", reply_markup = Keyboard });
        var messageId = sent.GetProperty("result").GetProperty("message_id").GetInt64();
        var own = (await bob.Client.SendMessageAsync(alice.Peer, "a person's message")).Message;

        await ChatTestKit.FailsWith(() => bob.Client.GetBotCallbackAnswerAsync(botPeer, messageId, "approve:43"), MessageErrorNames.DataInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetBotCallbackAnswerAsync(botPeer, messageId, "https://example.org/docs"), MessageErrorNames.DataInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetBotCallbackAnswerAsync(botPeer, messageId, new string('x', 65)), MessageErrorNames.DataInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetBotCallbackAnswerAsync(alice.Peer, own.Id, "approve:42"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetBotCallbackAnswerAsync(alice.Peer, messageId, "approve:42"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetBotCallbackAnswerAsync(botPeer, messageId, "approve:42"), MessageErrorNames.MessageIdInvalid,
            code: 400);

        var started = DateTime.UtcNow;
        var pressing = bob.Client.GetBotCallbackAnswerAsync(botPeer, messageId, "approve:42");
        var press = (await CallAsync(bot.Token, "getUpdates", new { timeout = 10 })).GetProperty("result").EnumerateArray().Single();
        var id = press.GetProperty("callback_query").GetProperty("id").GetString();
        await FailsAsync(other.Token, "answerCallbackQuery", new { callback_query_id = id, text = "not mine" }, HttpStatusCode.BadRequest, BotErrorNames.QueryIdInvalid);
        await ChatTestKit.FailsWith(() => pressing, MessageErrorNames.BotResponseTimeout);
        (DateTime.UtcNow - started).Should().BeGreaterThan(TimeSpan.FromSeconds(9));
        await FailsAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = id, text = "too late" }, HttpStatusCode.BadRequest, BotErrorNames.QueryIdInvalid);
        await FailsAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = "not a number" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = id, url = "javascript:alert(1)" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
    }

    [Fact]
    public async Task Buttons_AreForBotsOnly_AndMustBeWellFormed()
    {
        await using var alice = await _host.SignUpAsync("alice_markup");
        await using var bob = await _host.SignUpAsync("bob_markup");
        var bot = await alice.Client.CreateBotAsync("markup_bot", "Markup");
        await StartBotAsync(bob, bot);
        var markup = new ReplyMarkup([[new InlineButton("Yes", CallbackData: "yes")]]);
        await ChatTestKit.FailsWith(
            () => bob.Client.CallAsync(new SendMessageCall(alice.Peer, 7, "buttons from a person", ReplyMarkup: markup)),
            MessageErrorNames.ReplyMarkupBotsOnly, code: 403);

        var bad = new object[]
        {
            new { inline_keyboard = Array.Empty<object[]>() },
            new { inline_keyboard = new object[][] { [] } },
            new { inline_keyboard = Enumerable.Repeat(new object[] { new { text = "a", callback_data = "a" } }, 9).ToArray() },
            new { inline_keyboard = new object[][] { [new { text = "both", callback_data = "a", url = "https://example.org" }] } },
            new { inline_keyboard = new object[][] { [new { text = "neither" }] } },
            new { inline_keyboard = new object[][] { [new { text = " ", callback_data = "a" }] } },
            new { inline_keyboard = new object[][] { [new { text = new string('t', 65), callback_data = "a" }] } },
            new { inline_keyboard = new object[][] { [new { text = "long", callback_data = new string('d', 65) }] } },
            new { inline_keyboard = new object[][] { [new { text = "script", url = "javascript:alert(1)" }] } },
            new { inline_keyboard = new object[][] { [new { text = "relative", url = "/docs" }] } },
        };
        foreach (var keyboard in bad)
        {
            await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "bad", reply_markup = keyboard },
                HttpStatusCode.BadRequest, MessageErrorNames.ReplyMarkupInvalid);
        }

        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "bad", reply_markup = "[1, 2]" },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 10)).Should().OnlyContain(m => m.FromId == bob.UserId, "nothing refused was stored");

        // As Telegram takes it: the markup as JSON text in a form.
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["chat_id"] = bob.UserId.ToString(),
            ["text"] = "from a form",
            ["reply_markup"] = JsonSerializer.Serialize(Keyboard),
        });
        (await _http.PostAsync($"/bot/{bot.Token}/sendMessage", form)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "from a form")).Message.ReplyMarkup!.InlineKeyboard.Should().HaveCount(2);
    }

    [Fact]
    public async Task ABot_ReplacesItsButtons_AndTakesThemAway()
    {
        await using var alice = await _host.SignUpAsync("alice_rekey");
        await using var bob = await _host.SignUpAsync("bob_rekey");
        var bot = await alice.Client.CreateBotAsync("rekey_bot", "Rekey");
        var own = (await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "hello")).Message;
        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "Deploy?", reply_markup = Keyboard });
        var messageId = sent.GetProperty("result").GetProperty("message_id").GetInt64();
        await bob.NextAsync<MessageReceived>(m => m.Message.Id == messageId);

        var done = new { inline_keyboard = new object[][] { [new { text = "Deployed ✓", url = "https://example.org/run/7" }] } };
        var edited = await CallAsync(bot.Token, "editMessageReplyMarkup", new { chat_id = bob.UserId, message_id = messageId, reply_markup = done });
        edited.GetProperty("result").GetProperty("reply_markup").GetProperty("inline_keyboard")[0][0].GetProperty("text").GetString().Should().Be("Deployed ✓");
        var seen = (await bob.NextAsync<MessageEdited>(e => e.Message.Id == messageId)).Message;
        seen.ReplyMarkup!.InlineKeyboard.Single().Single().Url.Should().Be("https://example.org/run/7");
        seen.EditDate.Should().BeNull("the text is as it was");
        seen.Text.Should().Be("Deploy?");
        await ChatTestKit.FailsWith(() => bob.Client.GetBotCallbackAnswerAsync(Peer.User(bot.Bot.Id), messageId, "approve:42"), MessageErrorNames.DataInvalid);

        await CallAsync(bot.Token, "editMessageReplyMarkup", new { chat_id = bob.UserId, message_id = messageId });
        (await bob.NextAsync<MessageEdited>(e => e.Message.Id == messageId)).Message.ReplyMarkup.Should().BeNull();
        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 1)).Single().ReplyMarkup.Should().BeNull();
        await FailsAsync(bot.Token, "editMessageReplyMarkup", new { chat_id = bob.UserId, message_id = messageId }, HttpStatusCode.BadRequest,
            MessageErrorNames.MessageNotModified);
        await FailsAsync(bot.Token, "editMessageReplyMarkup", new { chat_id = bob.UserId, message_id = own.Id, reply_markup = done }, HttpStatusCode.Forbidden,
            MessageErrorNames.MessageAuthorRequired);
        await ChatTestKit.FailsWith(
            () => bob.Client.CallAsync(new EditReplyMarkupCall(Peer.User(bot.Bot.Id), own.Id, null)), MessageErrorNames.ReplyMarkupBotsOnly, code: 403);

        // Blocked by bob, the bot changes nothing he received.
        await bob.Client.BlockUserAsync(bot.Bot.Id);
        await FailsAsync(bot.Token, "editMessageReplyMarkup", new { chat_id = bob.UserId, message_id = messageId, reply_markup = done }, HttpStatusCode.Forbidden,
            MessageErrorNames.UserIsBlocked);
        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id), limit: 1)).Single().ReplyMarkup.Should().BeNull();
    }

    [Fact]
    public async Task AChannelsSubscriber_PressesItsBotsButton()
    {
        await using var alice = await _host.SignUpAsync("alice_channel");
        await using var bob = await _host.SignUpAsync("bob_channel");
        var bot = await alice.Client.CreateBotAsync("poster_bot", "Poster");
        var channel = (await alice.Client.CreateGroupAsync("Releases", [bob.UserId, bot.Bot.Id], large: true, broadcast: true)).Chat;
        await alice.Client.SetAdminAsync(channel.Id, bot.Bot.Id, true);

        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = -channel.Id, text = "v3 is out", reply_markup = Keyboard });
        var messageId = sent.GetProperty("result").GetProperty("message_id").GetInt64();
        var pressing = bob.Client.GetBotCallbackAnswerAsync(Peer.Chat(channel.Id), messageId, "approve:42");
        var press = (await CallAsync(bot.Token, "getUpdates", new { timeout = 10 })).GetProperty("result").EnumerateArray()
            .Single(u => u.TryGetProperty("callback_query", out _)).GetProperty("callback_query");
        press.GetProperty("message").GetProperty("chat").GetProperty("id").GetInt64().Should().Be(-channel.Id);
        await CallAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = press.GetProperty("id").GetString(), text = "Thanks" });
        (await pressing).Message.Should().Be("Thanks");
    }
}
