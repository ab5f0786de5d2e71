using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Messages;

namespace Messenger.Tests.Messages;

/// <summary>Formatted text over the Bot API: <c>parse_mode</c> and <c>entities</c> in, plain text and entities out, and
/// Telegram's "can't parse entities" for what cannot be read.</summary>
public sealed partial class BotApiTests
{
    [Fact]
    public async Task SendMessage_WhenParseModeHtml_ThePersonGetsTheMarkup_AndTheBotGetsTextWithEntities()
    {
        var (bob, bot) = await BotChatAsync("bob_fmthtml", "fmthtml_bot");
        await using var _ = bob;

        var sent = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, parse_mode = "HTML",
            text = "<b>bold</b> <i>it</i> <s>gone</s> <u>under</u> <span class=\"tg-spoiler\">secret</span> <a href=\"https://example.org/a\">link</a> "
                + "<code>x*y</code> 1 &lt; 2 &amp;&amp; **literal**",
        });

        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("**bold** __it__ ~~gone~~ under ||secret|| [link](https://example.org/a) `x*y` 1 < 2 && \\*\\*literal\\*\\*");
        var result = sent.GetProperty("result");
        result.GetProperty("text").GetString().Should().Be("bold it gone under secret link x*y 1 < 2 && **literal**");
        Entities(result.GetProperty("entities")).Should().Equal(
            "bold 0 4", "italic 5 2", "strikethrough 8 4", "spoiler 19 6", "text_link 26 4 https://example.org/a", "code 31 3");
    }

    [Fact]
    public async Task SendMessage_WhenTheTextIsTooLong_IsRefusedBeforeItIsWritten_AndAnAddressWithUserInfoIsOneLink()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtlong", "fmtlong_bot");
        await using var _ = bob;

        // 63 KB of short addresses: refused by its length, not after reading it for addresses.
        var adversarial = string.Concat(Enumerable.Repeat("http://a,", 7000));
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = adversarial }, HttpStatusCode.BadRequest, MessageErrorNames.MessageTooLong);
        await FailsAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, parse_mode = "HTML", text = "<b>" + new string('x', 4097) + "</b>" },
            HttpStatusCode.BadRequest, MessageErrorNames.MessageTooLong);

        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "git clone https://alice@bitbucket.org/team/repo.git " + new string('x', 4000) });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text.Should().StartWith("git clone https://alice@bitbucket.org/team/repo.git x");
        Entities(sent.GetProperty("result").GetProperty("entities")).Should().Equal("url 10 41");
    }

    [Fact]
    public async Task SendMessage_WhenParseModeMarkdownV2OrMarkdown_FollowsTelegramsRules()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtmd", "fmtmd_bot");
        await using var _ = bob;

        await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, parse_mode = "MarkdownV2",
            text = "*bold _both_* ~s~ ||sp|| __u__ [a\\.b](https://example.org/x_\\(1\\)) `c\\`` snake\\_case 2\\*\\*10 \\!",
        });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("**bold __both__** ~~s~~ ||sp|| u [a.b](https://example.org/x_%281%29) c\\` snake_case 2\\*\\*10 !");

        await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, parse_mode = "markdown",
            text = "*bold* _it_ [x](https://example.org) `code` snake\\_case 1.5 (ok)",
        });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("**bold** __it__ [x](https://example.org/) `code` snake_case 1.5 (ok)");
    }

    [Fact]
    public async Task SendMessage_WithoutParseMode_ShowsTheTextAsTyped_MarkersEscapedOnlyWhereTheyWouldFormat()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtplain", "fmtplain_bot");
        await using var _ = bob;

        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "snake_case and @bob_fmtplain, see https://example.org/a_b" });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("snake_case and @bob_fmtplain, see https://example.org/a_b", "a text that reads as itself is kept as it is");

        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "2**10 is **1024** [x](https://e.org)" });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("2\\*\\*10 is \\*\\*1024\\*\\* \\[x\\](https://e.org)");
        sent.GetProperty("result").GetProperty("text").GetString().Should().Be("2**10 is **1024** [x](https://e.org)");
    }

    [Fact]
    public async Task SendMessage_WithEntities_WritesThemAsMarkup_CountingUtf16_AndRefusesOverlapsAndBadOnesClearly()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtent", "fmtent_bot");
        await using var _ = bob;

        const string text = "👋 Hello world, see site and secret ";
        await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, text, parse_mode = "HTML",
            entities = new object[]
            {
                new { type = "bold", offset = 3, length = 11 },
                new { type = "italic", offset = 9, length = 5 },
                new { type = "text_link", offset = 20, length = 4, url = "https://example.org/s" },
                new { type = "spoiler", offset = 28, length = 8 },
                new { type = "underline", offset = 3, length = 5 },
                new { type = "mention", offset = 0, length = 2 },
            },
        });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("👋 **Hello __world__**, see [site](https://example.org/s) and ||secret||",
                "entities win over parse_mode, underline keeps its text, and spaces stay outside markers (the last trimmed by the send)");

        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "bold", offset = 0, length = 4 }, new { type = "italic", offset = 2, length = 4 }], "overlaps");
        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "bold", offset = 4, length = 5 }], "out of the text's bounds");
        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "bold", offset = -1, length = 2 }], "out of the text's bounds");
        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "bold", offset = 0, length = 0 }], "out of the text's bounds");
        await EntitiesFailAsync(bot.Token, bob.UserId, "👋x", [new { type = "bold", offset = 1, length = 2 }], "inside a character");
        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "blink", offset = 0, length = 2 }], "unsupported type \"blink\"");
        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "text_link", offset = 0, length = 2, url = "javascript:alert(1)" }], "http or https");
        await EntitiesFailAsync(bot.Token, bob.UserId, "abcdef", [new { type = "bold", offset = "0", length = 2 }], "whole-number offset");

        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Where(m => m.FromId == bot.Bot.Id).Should().ContainSingle("refused sends store nothing");
    }

    [Fact]
    public async Task SendMessage_WhenTheMarkupCannotBeRead_Fails400WithTelegramsCantParseEntities()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtbad", "fmtbad_bot");
        await using var _ = bob;

        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", "<b>open", "Can't find end tag corresponding to start tag \"b\"");
        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", "<b>x</i>", "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\"");
        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", "<script>alert(1)</script>", "Unsupported start tag \"script\" at byte offset 0");
        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", "<a href=\"javascript:alert(1)\">x</a>", "Unsupported URL \"javascript:alert(1)\"");
        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", "<span>x</span>", "Tag \"span\" must have class \"tg-spoiler\"");
        await ParseFailsAsync(bot.Token, bob.UserId, "MarkdownV2", "Done.", "Character '.' is reserved and must be escaped with the preceding '\\'");
        await ParseFailsAsync(bot.Token, bob.UserId, "MarkdownV2", "é *open", "Can't find end of Bold entity at byte offset 3");
        await ParseFailsAsync(bot.Token, bob.UserId, "MarkdownV2", "*a _b* c_", "Can't find end of Italic entity at byte offset 3");
        await ParseFailsAsync(bot.Token, bob.UserId, "MarkdownV2", "[x](javascript:alert\\(1\\))", "Unsupported URL");
        await ParseFailsAsync(bot.Token, bob.UserId, "Markdown", "a *open", "Can't find end of the entity starting at byte offset 2");

        var response = await _http.PostAsJsonAsync($"/bot/{bot.Token}/sendMessage", new { chat_id = bob.UserId, text = "x", parse_mode = "BBCode" });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        json.GetProperty("ok").GetBoolean().Should().BeFalse();
        json.GetProperty("error_code").GetInt32().Should().Be(400);
        json.GetProperty("description").GetString().Should().Be("Bad Request: unsupported parse_mode");

        (await bob.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Should().ContainSingle("only the person's /start is there");
    }

    [Fact]
    public async Task GetUpdates_GivesAPersonsFormattedMessage_AsTextAndEntities_AndEditsAndCaptionsTakeParseModeToo()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtout", "fmtout_bot");
        await using var _ = bob;
        var offset = (await CallAsync(bot.Token, "getUpdates")).GetProperty("result").EnumerateArray().Last().GetProperty("update_id").GetInt64() + 1;

        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id),
            "**Hi** __there__ ~~x~~ ||y|| [docs](https://example.org/d) `c` ```py\nblock``` @bob_fmtout https://example.org \\*\\*");
        var message = (await CallAsync(bot.Token, "getUpdates", new { offset })).GetProperty("result").EnumerateArray().Single().GetProperty("message");

        message.GetProperty("text").GetString().Should().Be("Hi there x y docs c block @bob_fmtout https://example.org **");
        Entities(message.GetProperty("entities")).Should().Equal(
            "bold 0 2", "italic 3 5", "strikethrough 9 1", "spoiler 11 1", "text_link 13 4 https://example.org/d", "code 18 1", "pre 20 5 py",
            "mention 26 11", "url 38 19");

        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "plain" });
        var id = sent.GetProperty("result").GetProperty("message_id").GetInt64();
        sent.GetProperty("result").GetProperty("entities").ValueKind.Should().Be(JsonValueKind.Null, "a text without formatting has no entities");
        var edited = await CallAsync(bot.Token, "editMessageText", new { chat_id = bob.UserId, message_id = id, text = "<b>now</b> bold", parse_mode = "HTML" });
        Entities(edited.GetProperty("result").GetProperty("entities")).Should().Equal("bold 0 3");
        (await bob.NextAsync<MessageEdited>(m => m.Message.Id == id)).Message.Text.Should().Be("**now** bold");

        await FormFailsAsync(bot.Token, "sendPhoto", [("chat_id", bob.UserId.ToString()), ("caption", "<b>x"), ("parse_mode", "HTML")], ("photo", [1, 2, 3]),
            HttpStatusCode.BadRequest, "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"");
        await FormFailsAsync(bot.Token, "sendDocument",
            [("chat_id", bob.UserId.ToString()), ("caption", "the ||report||"), ("caption_entities", "[{\"type\":\"italic\",\"offset\":4,\"length\":10}]")],
            ("document", [1, 2, 3]), HttpStatusCode.OK, null);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Media is not null)).Message.Text.Should().Be("the __\\|\\|report\\|\\|__");
    }

    [Fact]
    public async Task SendMessage_WhenEntitiesOrTagsNestThousandsDeep_FailsTooManyEntities_AndTheServerKeepsAnswering()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtdeep", "fmtdeep_bot");
        await using var _ = bob;

        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", string.Concat(Enumerable.Repeat("<b>", 2000)) + "x" + string.Concat(Enumerable.Repeat("</b>", 2000)), "too many entities");
        await ParseFailsAsync(bot.Token, bob.UserId, "HTML", string.Concat(Enumerable.Repeat("<b><i>", 1000)) + "x" + string.Concat(Enumerable.Repeat("</i></b>", 1000)), "too many entities");
        await ParseFailsAsync(bot.Token, bob.UserId, "MarkdownV2", new string('[', 32000) + new string('*', 32000), "reserved");
        await EntitiesFailAsync(bot.Token, bob.UserId, "x", [.. Enumerable.Repeat<object>(new { type = "bold", offset = 0, length = 1 }, 1600)], "too many entities");

        var hundred = Enumerable.Repeat<object>(new { type = "bold", offset = 0, length = 1 }, 100).ToArray();
        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "x", entities = hundred });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text.Should().Be("**x**", "a bold inside a bold says nothing more");
        (await CallAsync(bot.Token, "getMe")).GetProperty("result").GetProperty("username").GetString().Should().Be("fmtdeep_bot");
    }

    [Fact]
    public async Task SendMessage_WhenFormattedTextHasBareAddresses_KeepsThemAsTyped()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtaddr", "fmtaddr_bot");
        await using var _ = bob;

        var sent = await CallAsync(bot.Token, "sendMessage", new
        {
            chat_id = bob.UserId, parse_mode = "HTML",
            text = "<b>Docs</b>: https://example.com/a__b and https://example.com/q?x=a|b*c~ and <i>https://example.com/i__</i> @bob_fmtaddr",
        });

        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text
            .Should().Be("**Docs**: https://example.com/a__b and https://example.com/q?x=a|b*c~ and __https://example.com/i____ @bob_fmtaddr");
        var result = sent.GetProperty("result");
        result.GetProperty("text").GetString().Should().Be("Docs: https://example.com/a__b and https://example.com/q?x=a|b*c~ and https://example.com/i__ @bob_fmtaddr");
        Entities(result.GetProperty("entities")).Should().Equal(
            "bold 0 4", "url 6 24", "url 35 30", "italic 70 23", "url 70 23", "mention 94 12");
    }

    [Fact]
    public async Task SendMessage_CountsTheVisibleText_SoEscapedMarkersDoNotMakeItTooLong()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtlong", "fmtlong_bot");
        await using var _ = bob;

        var chunk = ("def __init__(self): pass " + new string('x', 4096)).Substring(0, 4096);
        var sent = await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = chunk });
        sent.GetProperty("result").GetProperty("text").GetString().Should().Be(chunk);
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text.Should().StartWith("def \\_\\_init\\_\\_(self)");

        var response = await _http.PostAsJsonAsync($"/bot/{bot.Token}/sendMessage", new { chat_id = bob.UserId, text = chunk + "y" });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "**" + new string('y', 4097) + "**"), MessageErrorNames.MessageTooLong);
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "**" + new string('y', 4096) + "**");
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), new string('*', 4 * 4096 + 1)), MessageErrorNames.MessageTooLong);
    }

    [Fact]
    public async Task SendMessage_FollowsTelegramOnTheSmallPoints_EntitiesOverABadParseMode_QuotedGreaterThan_LoneBackslash()
    {
        var (bob, bot) = await BotChatAsync("bob_fmtsmall", "fmtsmall_bot");
        await using var _ = bob;

        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "abc", parse_mode = "BBCode", entities = new object[] { new { type = "bold", offset = 0, length = 1 } } });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text.Should().Be("**a**bc");

        await CallAsync(bot.Token, "sendMessage", new { chat_id = bob.UserId, text = "<a href=\"https://e.org/?q=a>b\">x</a> y", parse_mode = "HTML" });
        (await bob.NextAsync<MessageReceived>(m => m.Message.FromId == bot.Bot.Id)).Message.Text.Should().Be("[x](https://e.org/?q=a%3Eb) y");

        await ParseFailsAsync(bot.Token, bob.UserId, "MarkdownV2", "ends with \\", "escapes nothing");
    }

    private async Task<(Device Bob, BotToken Bot)> BotChatAsync(string person, string botName)
    {
        var bob = await _host.SignUpAsync(person);
        var bot = await bob.Client.CreateBotAsync(botName, "Formatting");
        await bob.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "/start");
        return (bob, bot);
    }

    private static IEnumerable<string> Entities(JsonElement entities) =>
        entities.EnumerateArray().Select(e => string.Join(' ', new[]
        {
            e.GetProperty("type").GetString(), e.GetProperty("offset").GetInt32().ToString(), e.GetProperty("length").GetInt32().ToString(),
            e.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null,
            e.TryGetProperty("language", out var language) && language.ValueKind == JsonValueKind.String ? language.GetString() : null,
        }.Where(part => part is not null)));

    private async Task ParseFailsAsync(string token, long chat, string mode, string text, string reason)
    {
        var response = await _http.PostAsJsonAsync($"/bot/{token}/sendMessage", new { chat_id = chat, text, parse_mode = mode });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, json.ToString());
        json.GetProperty("error_code").GetInt32().Should().Be(400);
        json.GetProperty("description").GetString().Should().StartWith("Bad Request: can't parse entities: ").And.Contain(reason);
    }

    private async Task EntitiesFailAsync(string token, long chat, string text, object[] entities, string reason)
    {
        var response = await _http.PostAsJsonAsync($"/bot/{token}/sendMessage", new { chat_id = chat, text, entities });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, json.ToString());
        json.GetProperty("description").GetString().Should().StartWith("Bad Request: can't parse entities: ").And.Contain(reason);
    }
}
