using System.Net;
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
}
