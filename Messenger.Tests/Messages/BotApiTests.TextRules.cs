using System.Net;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;

namespace Messenger.Tests.Messages;

/// <summary>A bot's words shown beside names (a command's description, a button's label) follow the name rule; its
/// answer to a press, shown as a notice or alert, follows the message-text rule.</summary>
public sealed partial class BotApiTests
{
    [Theory]
    [InlineData("\u202Egnp.exe")]
    [InlineData("Deploy\u200B")]
    [InlineData("bell\a")]
    public async Task SetMyCommandsAndSendMessage_WhenDescriptionOrLabelHasSpoofingCharacters_FailWithTheirErrors(string words)
    {
        await using var alice = await _host.SignUpAsync("alice_spoofbot");
        var bot = await alice.Client.CreateBotAsync("spoof_bot", "Spoof");

        await FailsAsync(bot.Token, "setMyCommands", new { commands = new[] { new { command = "deploy", description = words } } },
            HttpStatusCode.BadRequest, BotErrorNames.BotCommandInvalid);
        var keyboard = new { inline_keyboard = new[] { new[] { new { text = words, callback_data = "go" } } } };
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "Pick", reply_markup = keyboard },
            HttpStatusCode.BadRequest, MessageErrorNames.ReplyMarkupInvalid);
        (await alice.Client.GetBotCommandsAsync(bot.Bot.Id)).Should().BeEmpty();
    }

    [Fact]
    public async Task AnswerCallbackQuery_WhenTextHasAControlCharacter_FailsBotRequestInvalid()
    {
        await using var alice = await _host.SignUpAsync("alice_answer");
        var bot = await alice.Client.CreateBotAsync("answer_bot", "Answer");

        await FailsAsync(bot.Token, "answerCallbackQuery", new { callback_query_id = "1", text = "done\u001B[2J" },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
    }
}
