using System.Net;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;
using Messenger.Tests.Media;

namespace Messenger.Tests.Messages;

public sealed partial class BotApiTests
{
    [Fact]
    public async Task SendMessage_WhenDisableNotification_ReachesThePersonSilent_AndANonBooleanIsRefused()
    {
        await using var bob = await _host.SignUpAsync("bob_botquiet");
        var bot = await bob.Client.CreateBotAsync("quiet_bot", "Quiet");
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");

        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "nightly report", disable_notification = true });
        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "alarm", disable_notification = false });
        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "plain" });
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "stringly", disable_notification = "yes" },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "numeric", disable_notification = 1 },
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FormFailsAsync(bot.Token, "sendMessage", [("chat_id", bob.UserId.ToString()), ("text", "form"), ("disable_notification", "maybe")], null,
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FormFailsAsync(bot.Token, "sendMessage", [("chat_id", bob.UserId.ToString()), ("text", "form quiet"), ("disable_notification", "true")], null,
            HttpStatusCode.OK, null);

        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "nightly report")).Message.Silent.Should().BeTrue();
        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "alarm")).Message.Silent.Should().BeFalse();
        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "plain")).Message.Silent.Should().BeFalse();
        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "form quiet")).Message.Silent.Should().BeTrue();
        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Where(m => m.FromId == bot.Bot.Id).Select(m => (m.Text, m.Silent))
            .Should().Equal(("form quiet", true), ("plain", false), ("alarm", false), ("nightly report", true));
    }

    [Fact]
    public async Task SendPhoto_WhenDisableNotification_IsSilent_AndANonBooleanIsRefusedBeforeTheUpload()
    {
        await using var bob = await _host.SignUpAsync("bob_botquietfile");
        var bot = await bob.Client.CreateBotAsync("quietfile_bot", "Quiet files");
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");

        await FormFailsAsync(bot.Token, "sendDocument", [("chat_id", bob.UserId.ToString()), ("disable_notification", "nope")], ("document", [1, 2, 3]),
            HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        _host.UploadFiles().Should().BeEmpty("bad input is refused before a byte is stored");
        await FormFailsAsync(bot.Token, "sendPhoto", [("chat_id", bob.UserId.ToString()), ("disable_notification", "true")], ("photo", [1, 2, 3]),
            HttpStatusCode.OK, null);

        var received = await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id);
        received.Message.Media.Should().NotBeNull();
        received.Message.Silent.Should().BeTrue();
    }
}
