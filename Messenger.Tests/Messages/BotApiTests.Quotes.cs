using System.Globalization;
using System.Net;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;

namespace Messenger.Tests.Messages;

public sealed partial class BotApiTests
{
    [Fact]
    public async Task QuoteReply_ReachesTheBotAsTelegramsQuote_AndTheBotQuotesWithReplyParameters()
    {
        await using var bob = await _host.SignUpAsync("bob_botquote");
        var bot = await bob.Client.CreateBotAsync("quote_bot", "Quoter");
        var botPeer = Peer.User(bot.Bot.Id);
        var question = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "Pick one: tea or coffee" });
        var questionId = question.GetProperty("result").GetProperty("message_id").GetInt64();

        var reply = await bob.Client.SendMessageAsync(botPeer, "this", questionId, quote: new ReplyQuote("coffee", 17));
        var updates = (await CallAsync(bot.Token, "getUpdates")).GetProperty("result").EnumerateArray()
            .Select(u => u.GetProperty("message")).ToList();

        var seen = updates.Should().ContainSingle(m => m.GetProperty("message_id").GetInt64() == reply.Message.Id).Subject;
        seen.GetProperty("quote").GetProperty("text").GetString().Should().Be("coffee");
        seen.GetProperty("quote").GetProperty("position").GetInt32().Should().Be(17);

        var answer = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, text = "good choice", reply_parameters = new { message_id = reply.Message.Id, quote = "this" },
        });
        answer.GetProperty("result").GetProperty("quote").GetProperty("position").GetInt32().Should().Be(0);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "good choice")).Message
            .Should().Match<Messenger.Contracts.Messages.Message>(m => m.ReplyToId == reply.Message.Id && m.ReplyQuote == new ReplyQuote("this", 0));

        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = reply.Message.Id, quote = "that" } },
            HttpStatusCode.BadRequest, MessageErrorNames.QuoteTextInvalid);
        await FailsAsync(bot.Token, "sendMessage",
            new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = reply.Message.Id, quote = "this", quote_position = "zero" } },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage",
            new { chat_id = bob.UserId, text = "x", reply_to_message_id = questionId, reply_parameters = new { message_id = reply.Message.Id } },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
    }

    [Fact]
    public async Task ReplyParameters_NameTheChatSentTo_AndAllowSendingWithoutReply_SendsAPlainMessageWhenTheOriginalIsGone()
    {
        await using var bob = await _host.SignUpAsync("bob_botreplyto");
        var bot = await bob.Client.CreateBotAsync("replyto_bot", "Replier");
        var botPeer = Peer.User(bot.Bot.Id);
        var question = await bob.Client.SendMessageAsync(botPeer, "are you there?");
        var gone = await bob.Client.SendMessageAsync(botPeer, "never mind");
        await bob.Client.DeleteMessagesAsync(botPeer, [gone.Message.Id], revoke: true);

        var same = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, text = "yes", reply_parameters = new { message_id = question.Message.Id, chat_id = bob.UserId, quote = "there" },
        });
        same.GetProperty("result").GetProperty("reply_to_message_id").GetInt64().Should().Be(question.Message.Id);
        var asText = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, text = "yes again", reply_parameters = new { message_id = question.Message.Id, chat_id = bob.UserId.ToString(CultureInfo.InvariantCulture) },
        });
        asText.GetProperty("result").GetProperty("reply_to_message_id").GetInt64().Should().Be(question.Message.Id, "Telegram takes a chat_id as a string of digits too");
        await FailsAsync(bot.Token, "sendMessage",
            new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = question.Message.Id, chat_id = bob.UserId + 1 } },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage",
            new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = question.Message.Id, chat_id = "@bob" } },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage",
            new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = question.Message.Id, allow_sending_without_reply = "yes" } },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = gone.Message.Id } },
            HttpStatusCode.BadRequest, MessageErrorNames.ReplyToInvalid);
        await FailsAsync(bot.Token, "sendMessage",
            new { chat_id = bob.UserId, text = "x", reply_parameters = new { message_id = question.Message.Id, quote = "nowhere", allow_sending_without_reply = true } },
            HttpStatusCode.BadRequest, MessageErrorNames.QuoteTextInvalid);

        var plain = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, text = "sent anyway", reply_parameters = new { message_id = gone.Message.Id, quote = "never", allow_sending_without_reply = true },
        });
        var older = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, text = "older form", reply_to_message_id = gone.Message.Id, allow_sending_without_reply = true,
        });

        plain.GetProperty("result").GetProperty("reply_to_message_id").ValueKind.Should().Be(JsonValueKind.Null);
        older.GetProperty("result").GetProperty("reply_to_message_id").ValueKind.Should().Be(JsonValueKind.Null);
        var history = await bob.Client.GetHistoryAsync(botPeer);
        history.Single(m => m.Text == "sent anyway").Should().Match<Messenger.Contracts.Messages.Message>(m => m.ReplyToId == null && m.ReplyQuote == null);
        history.Single(m => m.Text == "older form").ReplyToId.Should().BeNull();
        history.Should().NotContain(m => m.Text == "x", "the refused sends stored nothing");
    }

    [Fact]
    public async Task SendPhotoAndDocument_TakeReplyParameters_WithTheQuote_TheChatCheck_AndAllowSendingWithoutReply()
    {
        await using var bob = await _host.SignUpAsync("bob_botfilequote");
        var bot = await bob.Client.CreateBotAsync("filequote_bot", "Filer");
        var botPeer = Peer.User(bot.Bot.Id);
        var question = await bob.Client.SendMessageAsync(botPeer, "send me the build log please");
        var gone = await bob.Client.SendMessageAsync(botPeer, "and the photo");
        await bob.Client.DeleteMessagesAsync(botPeer, [gone.Message.Id], revoke: true);
        var chat = bob.UserId.ToString();

        await FormFailsAsync(bot.Token, "sendDocument",
            [("chat_id", chat), ("reply_parameters", $"{{\"message_id\":{question.Message.Id},\"chat_id\":{bob.UserId + 1}}}")], ("document", [1, 2, 3]),
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FormFailsAsync(bot.Token, "sendPhoto", [("chat_id", chat), ("reply_parameters", $"{{\"message_id\":{gone.Message.Id}}}")], ("photo", [4, 5, 6]),
            HttpStatusCode.BadRequest, MessageErrorNames.ReplyToInvalid);
        await FormFailsAsync(bot.Token, "sendDocument",
            [("chat_id", chat), ("caption", "log"), ("reply_parameters", $"{{\"message_id\":{question.Message.Id},\"quote\":\"the build log\",\"quote_position\":8}}")],
            ("document", [7, 8, 9]), HttpStatusCode.OK, null);
        await FormFailsAsync(bot.Token, "sendPhoto",
            [("chat_id", chat), ("caption", "photo"), ("reply_parameters", $"{{\"message_id\":{gone.Message.Id},\"allow_sending_without_reply\":true}}")],
            ("photo", [10, 11, 12]), HttpStatusCode.OK, null);

        var history = await bob.Client.GetHistoryAsync(botPeer);
        history.Single(m => m.Text == "log").Should().Match<Messenger.Contracts.Messages.Message>(
            m => m.ReplyToId == question.Message.Id && m.ReplyQuote == new ReplyQuote("the build log", 8) && m.Media != null);
        history.Single(m => m.Text == "photo").Should().Match<Messenger.Contracts.Messages.Message>(m => m.ReplyToId == null && m.Media != null,
            "the upload still serves the send without the reply");
        history.Count(m => m.FromId == bot.Bot.Id).Should().Be(2);
    }
}
