using System.Net;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>A bot's commands: set over the Bot HTTP API, read by anyone's client to offer after a <c>/</c>.</summary>
public sealed partial class BotApiTests
{
    [Fact]
    public async Task ABotsCommands_AreSetOverHttp_AndReadByPeople_UntilDeleted()
    {
        await using var alice = await _host.SignUpAsync("alice_commands");
        await using var bob = await _host.SignUpAsync("bob_commands");
        var bot = await alice.Client.CreateBotAsync("menu_bot", "Menu");
        (await bob.Client.GetBotCommandsAsync(bot.Bot.Id)).Should().BeEmpty();

        var commands = new[] { new { command = "deploy", description = "Deploy the main branch" }, new { command = "status", description = "  What runs now  " } };
        (await CallAsync(bot.Token, "setMyCommands", new { commands })).GetProperty("result").GetBoolean().Should().BeTrue();
        (await bob.Client.GetBotCommandsAsync(bot.Bot.Id)).Should().Equal(
            new BotCommand("deploy", "Deploy the main branch"), new BotCommand("status", "What runs now"));
        var listed = (await CallAsync(bot.Token, "getMyCommands")).GetProperty("result").EnumerateArray()
            .Select(c => c.GetProperty("command").GetString()).ToList();
        listed.Should().Equal("deploy", "status");

        // As Telegram takes it: the list as JSON text in a query.
        (await _http.GetAsync($"/bot/{bot.Token}/setMyCommands?commands=" + Uri.EscapeDataString("[{\"command\":\"help\",\"description\":\"How to use me\"}]")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await bob.Client.GetBotCommandsAsync(bot.Bot.Id)).Should().Equal(new BotCommand("help", "How to use me"));

        await CallAsync(bot.Token, "deleteMyCommands");
        (await bob.Client.GetBotCommandsAsync(bot.Bot.Id)).Should().BeEmpty();
    }

    [Fact]
    public async Task BadCommands_AreRefusedByName_AndOnlyBotsHaveThem()
    {
        await using var alice = await _host.SignUpAsync("alice_badcmd");
        var bot = await alice.Client.CreateBotAsync("badcmd_bot", "Bad");
        var bad = new object[]
        {
            new[] { new { command = "Deploy", description = "upper case" } },
            new[] { new { command = "/deploy", description = "with the slash" } },
            new[] { new { command = "", description = "empty" } },
            new[] { new { command = new string('a', 33), description = "too long" } },
            new[] { new { command = "ok", description = " " } },
            new[] { new { command = "ok", description = new string('d', 257) } },
            new[] { new { command = "twice", description = "one" }, new { command = "twice", description = "two" } },
            Enumerable.Range(0, 101).Select(i => new { command = $"c{i}", description = "many" }).ToArray(),
        };
        foreach (var commands in bad)
        {
            await FailsAsync(bot.Token, "setMyCommands", new { commands }, HttpStatusCode.BadRequest, BotErrorNames.BotCommandInvalid);
        }

        await FailsAsync(bot.Token, "setMyCommands", new { commands = "not a list" }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        await FailsAsync(bot.Token, "setMyCommands", new { }, HttpStatusCode.BadRequest, BotErrorNames.BotRequestInvalid);
        (await alice.Client.GetBotCommandsAsync(bot.Bot.Id)).Should().BeEmpty("nothing refused was stored");

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SetBotCommandsCall([new BotCommand("mine", "a person's")])), BotErrorNames.BotOnly, code: 403);
        await ChatTestKit.FailsWith(() => alice.Client.GetBotCommandsAsync(alice.UserId), BotErrorNames.BotNotFound);
    }
}
