using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Xunit.Abstractions;

namespace Messenger.Tests.Messages;

/// <summary>
/// The Bot HTTP API (every method it serves, and names it does not), its file downloads and the incoming webhooks, with
/// seeded bad input: parameters of the wrong type, missing, huge, negative, NaN, 5,000 characters, invalid UTF-8 or a
/// lone surrogate, unknown chats and other bots' chats, over a GET query, a JSON body, a urlencoded form and a multipart
/// form; malformed JSON, other content types, bodies past the limit; tokens none, malformed, revoked or another bot's.
/// Every answer is the documented JSON — <c>{"ok": false, "error_code": 4xx, "description"}</c> for the API,
/// <c>{"ok": false, "error": NAME}</c> for a webhook — never a 500, and afterwards the bot, the webhook and two other
/// users still work and the host logged no error.
/// </summary>
public sealed class BotApiFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Methods =
    [
        "getMe", "getUpdates", "sendMessage", "editMessageText", "deleteMessage", "sendChatAction", "sendLocation", "editMessageLiveLocation",
        "stopMessageLiveLocation", "sendDocument", "sendPhoto", "getFile", "answerCallbackQuery", "editMessageReplyMarkup", "setMyCommands",
        "deleteMyCommands", "getMyCommands", "createForumTopic", "editForumTopic", "closeForumTopic", "reopenForumTopic", "deleteForumTopic",
        "getChat", "sendmessage", "", "%00", "getMe.json",
    ];

    private static readonly string[] Fields =
    [
        "chat_id", "text", "parse_mode", "entities", "reply_to_message_id", "reply_parameters", "allow_sending_without_reply", "disable_notification",
        "message_id", "action", "latitude", "longitude", "horizontal_accuracy", "live_period", "heading", "caption", "caption_entities", "file_id",
        "callback_query_id", "show_alert", "url", "reply_markup", "commands", "message_thread_id", "name", "icon_color", "icon_custom_emoji_id",
        "offset", "limit", "timeout",
    ];

    // What each method needs: present and plausible most of the time, so that the cases reach the calls behind it.
    private static readonly Dictionary<string, string[]> Needs = new()
    {
        ["getUpdates"] = ["offset", "limit"], ["sendMessage"] = ["chat_id", "text"], ["editMessageText"] = ["chat_id", "message_id", "text"],
        ["deleteMessage"] = ["chat_id", "message_id"], ["sendChatAction"] = ["chat_id", "action"], ["sendLocation"] = ["chat_id", "latitude", "longitude"],
        ["editMessageLiveLocation"] = ["chat_id", "message_id", "latitude", "longitude"], ["stopMessageLiveLocation"] = ["chat_id", "message_id"],
        ["sendDocument"] = ["chat_id", "caption"], ["sendPhoto"] = ["chat_id", "caption"], ["getFile"] = ["file_id"],
        ["answerCallbackQuery"] = ["callback_query_id"], ["editMessageReplyMarkup"] = ["chat_id", "message_id", "reply_markup"],
        ["setMyCommands"] = ["commands"], ["createForumTopic"] = ["chat_id", "name"], ["editForumTopic"] = ["chat_id", "message_thread_id", "name"],
        ["closeForumTopic"] = ["chat_id", "message_thread_id"], ["reopenForumTopic"] = ["chat_id", "message_thread_id"],
        ["deleteForumTopic"] = ["chat_id", "message_thread_id"],
    };

    // Odd values as JSON text: each goes in as a JSON value, and (its text, unquoted) in a query or a form.
    private static readonly string[] OddJson =
    [
        "null", "true", "0", "-1", "1.5", "-0", "1e308", "-1e308", "1e400", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "\"\"", "\" \"", "\"abc\"", "\"\\ud800\"", "\"a\\udc00b\"", "\"\\u0000\"", "\"NaN\"", "\"Infinity\"", "\"-1\"", "\"1e400\"",
        "[]", "[1,2,3]", "[[[[[]]]]]", "{}", "{\"a\":{\"b\":[null]}}", "[{\"text\":\"\\ud800\",\"callback_data\":\"x\"}]",
        "{\"inline_keyboard\":[[{\"text\":\"\\udfff\",\"callback_data\":\"\\ud800\"}]]}", "[{\"type\":\"bold\",\"offset\":-1,\"length\":99999}]",
        "[{\"command\":\"\\ud800\",\"description\":\"x\"}]", "{\"message_id\":1,\"quote\":\"\\ud800\"}", "{\"message_id\":\"x\"}",
        "\"" + new string('x', 5000) + "\"", "\"" + string.Concat(Enumerable.Repeat("é", 3000)) + "\"",
    ];

    // Odd values only a query or a form can carry: raw, percent-encoded as they stand.
    private static readonly string[] OddRaw = ["NaN", "Infinity", "-Infinity", "%FF", "%C3%28", "%ED%A0%80", "%00", "%", "%ZZ", "1%2C2", "+1", " 1", "0x10", "1_000"];

    private enum Transport
    {
        Query, Json, Form, Multipart, BadBody,
    }

    [Fact]
    public async Task EveryBotApiMethod_WebhookAndFileDownload_WithGeneratedBadInput_AnswersTheDocumentedJson_AndDisturbsNoOne()
    {
        using var logs = new TempDirectory();
        var settings = FuzzRun.HostSettings(logs.Path);
        await using var host = await SessionTestKit.StartHostAsync(settings);
        using var http = host.CreateHttpClient();
        var run = new FuzzRun("bot API", 300);
        await using var alice = await host.SignUpAsync("alice_bfz", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_bfz", startEvents: false);
        await using var dave = await host.SignUpAsync("dave_bfz", startEvents: false);
        await using var erin = await host.SignUpAsync("erin_bfz", startEvents: false);
        var bot = await alice.Client.CreateBotAsync("fuzz_bfz_bot", "Fuzz");
        var other = await bob.Client.CreateBotAsync("other_bfz_bot", "Other");
        var revoked = (await alice.Client.CreateBotAsync("revoked_bfz_bot", "Revoked")).Token;
        var revokedBot = long.Parse(revoked.Split(':')[0], CultureInfo.InvariantCulture);
        await alice.Client.ResetBotTokenAsync(revokedBot);

        // The bot's world: a private chat with a message and a file, a group, a forum with a topic; another bot's group.
        await alice.Client.SendMessageAsync(Peer.User(bot.Bot.Id), "hello bot");
        var file = (await alice.Client.SendMediaAsync(Peer.User(bot.Bot.Id), await alice.Client.UploadAsync(MediaTestKit.RandomBytes(70_000, 7)))).Message.Media!;
        var unseen = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(MediaTestKit.RandomBytes(5_000, 8)))).Message.Media!;
        var group = (await alice.Client.CreateGroupAsync("Bot group", [bob.UserId, bot.Bot.Id])).Chat.Id;
        var forum = (await alice.Client.CreateGroupAsync("Bot forum", [bob.UserId, bot.Bot.Id], large: true)).Chat.Id;
        await alice.Client.CallAsync(new ToggleForumCall(forum, true));
        var othersGroup = (await bob.Client.CreateGroupAsync("Other bot's group", [alice.UserId, other.Bot.Id])).Chat.Id;
        var hook = await alice.Client.CreateWebhookAsync(group, "Fuzz hook");
        var botMessage = (await http.CallAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "from the bot" }))
            .GetProperty("result").GetProperty("message_id").GetInt64();
        var topic = (await alice.Client.CallAsync(new CreateTopicCall(Peer.Chat(forum), 77, "Topic"))).Message.Id;

        var plausible = new Dictionary<string, string[]>
        {
            ["chat_id"] = [$"{alice.UserId}", $"{-group}", $"{-forum}", $"{-othersGroup}", $"{bob.UserId}", $"{other.Bot.Id}", "987654321", "-987654321", $"\"{alice.UserId}\""],
            ["text"] = ["\"hi\"", "\"*bold*\"", "\"<b>x</b>\""],
            ["caption"] = ["\"a caption\""],
            ["parse_mode"] = ["\"HTML\"", "\"MarkdownV2\"", "\"Markdown\"", "\"nope\""],
            ["message_id"] = [$"{botMessage}", "1", "2"],
            ["reply_to_message_id"] = [$"{botMessage}", "1"],
            ["message_thread_id"] = [$"{topic}", "0"],
            ["file_id"] = [$"\"{file.Id}\"", $"\"{unseen.Id}\"", $"{file.Id}"],
            ["action"] = ["\"typing\"", "\"upload\"", "\"cancel\"", "\"dance\""],
            ["latitude"] = ["51.5", "-90", "90.0001"],
            ["longitude"] = ["-0.12", "180", "-180.5"],
            ["horizontal_accuracy"] = ["10", "1500.4", "-0.4"],
            ["live_period"] = ["60", "2147483647", "59"],
            ["heading"] = ["1", "360", "0"],
            ["reply_markup"] = ["{\"inline_keyboard\":[[{\"text\":\"b\",\"callback_data\":\"d\"}]]}", "{\"inline_keyboard\":[]}"],
            ["commands"] = ["[{\"command\":\"start\",\"description\":\"Start\"}]", "[]"],
            ["name"] = ["\"A topic\""],
            ["icon_color"] = ["7322096", "1"],
            ["callback_query_id"] = ["\"1\"", "\"abc\""],
            ["url"] = ["\"https://example.com\"", "\"javascript:alert(1)\""],
            ["offset"] = ["0", "1"],
            ["limit"] = ["1", "100", "101"],
            // Never a long poll: a plausible timeout is none.
            ["timeout"] = ["0", "51", "-1"],
        };
        string[] tokens = [.. Enumerable.Repeat(bot.Token, 20), other.Token, revoked, "", "x", "123:abc", $"{bot.Bot.Id}:", new string('a', 5000),
            bot.Token + "x", bot.Token.ToUpperInvariant(), "%00", "..%2F..%2Fadmin"];

        foreach (var caseSeed in run.CaseSeeds())
        {
            var random = new Random(caseSeed);
            var family = random.Next(10);
            if (family < 7)
            {
                var method = Pick(random, Methods);
                var token = Pick(random, tokens);
                var transport = (Transport)random.Next(Enum.GetValues<Transport>().Length);
                var needs = Needs.GetValueOrDefault(method) ?? [];
                var fields = Fields.Where(f => needs.Contains(f) ? random.Next(10) > 0 : random.Next(6) == 0).ToDictionary(f => f, f =>
                    plausible.TryGetValue(f, out var values) && random.Next(10) < (needs.Contains(f) ? 8 : 5) ? Pick(random, values) : Pick(random, OddJson));
                if (method == "getUpdates" && fields.ContainsKey("timeout") && !plausible["timeout"].Contains(fields["timeout"]))
                {
                    fields["timeout"] = "\"soon\"";
                }

                await run.CaseAsync($"{method} ({transport})", caseSeed, () => ApiCaseAsync(run, http, random, caseSeed, token, method, transport, fields));
            }
            else if (family < 9)
            {
                await run.CaseAsync("webhook", caseSeed, () => WebhookCaseAsync(run, http, random, caseSeed, hook.Path, topic));
            }
            else
            {
                var token = Pick(random, tokens);
                var fileId = Pick(random, $"{file.Id}", $"{unseen.Id}", "0", "-1", "abc", "1.5", "99999999999999999999", new string('9', 3000), "%00", $"{file.Id}%20", "");
                await run.CaseAsync("file download", caseSeed, async () =>
                {
                    using var response = await http.GetAsync($"/file/bot{token}/{fileId}");
                    await CheckApiAnswerAsync(run, "file download", caseSeed, response, $"token {Shorten(token)}, file {Shorten(fileId)}", binaryOk: true,
                        routeMissOk: token.Length == 0 || fileId.Length == 0);
                });
            }
        }

        output.WriteLine(run.Summary());
        // The bot, the webhook and the file download still work.
        (await http.CallAsync(bot.Token, "sendMessage", new { chat_id = alice.UserId, text = "after the fuzz" })).GetProperty("ok").GetBoolean().Should().BeTrue();
        (await alice.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Select(m => m.Text).Should().Contain("after the fuzz");
        (await http.PostAsync(hook.Path, new StringContent("hook after the fuzz", Encoding.UTF8, "text/plain"))).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        (await http.GetByteArrayAsync($"/file/bot{bot.Token}/{file.Id}")).Should().Equal(MediaTestKit.RandomBytes(70_000, 7));
        await run.ShouldLeaveEveryoneWellAsync(dave, erin, logs.Path);
    }

    [Fact]
    public async Task BotApiAndWebhook_WhenATextEscapesHalfASurrogatePair_OrAFormEndsEarly_Fail400ByName_NotInternal()
    {
        using var logs = new TempDirectory();
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>(LogFiles.Settings(logs.Path)));
        using var http = host.CreateHttpClient();
        await using var alice = await host.SignUpAsync("alice_bsur", startEvents: false);
        await using var bob = await host.SignUpAsync("bob_bsur", startEvents: false);
        var bot = await alice.Client.CreateBotAsync("surrogate_bot", "Bot");
        var group = (await alice.Client.CreateGroupAsync("Hooked", [bob.UserId])).Chat.Id;
        var hook = await alice.Client.CreateWebhookAsync(group, "Hook");

        // JSON may escape half of a surrogate pair; reading it as a string throws, which answered 500 INTERNAL.
        var json = $"{{\"chat_id\":{alice.UserId},\"text\":\"a\\ud800\"}}";
        await ExpectApiErrorAsync(await http.PostAsync($"/bot/{bot.Token}/sendMessage", new StringContent(json, Encoding.UTF8, "application/json")));
        var markup = Uri.EscapeDataString("{\"inline_keyboard\":[[{\"text\":\"\\udfff\",\"callback_data\":\"x\"}]]}");
        await ExpectApiErrorAsync(await http.GetAsync($"/bot/{bot.Token}/sendMessage?chat_id={alice.UserId}&text=hi&reply_markup={markup}"));
        // A multipart form that ends before its closing boundary threw an IOException, which answered 500 INTERNAL.
        var cut = new ByteArrayContent("--b\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n1\r\n"u8.ToArray());
        cut.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");
        await ExpectApiErrorAsync(await http.PostAsync($"/bot/{bot.Token}/sendDocument", cut));

        // The webhook's text the same: it was an unhandled exception.
        using var hooked = await http.PostAsync(hook.Path, new StringContent("{\"text\":\"\\ud800\"}", Encoding.UTF8, "application/json"));
        ((int)hooked.StatusCode).Should().Be(400);
        (await hooked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Be(WebhookErrorNames.WebhookBodyInvalid);

        (await alice.Client.GetHistoryAsync(Peer.User(bot.Bot.Id))).Should().BeEmpty("nothing was sent");
        (await bob.Client.GetHistoryAsync(Peer.Chat(group))).Should().NotContain(m => m.FromId == hook.Webhook.BotUserId);
        LogFiles.Read(logs.Path).Should().NotContain("[ERR]").And.NotContain("Unhandled exception");

        static async Task ExpectApiErrorAsync(HttpResponseMessage response)
        {
            using (response)
            {
                ((int)response.StatusCode).Should().Be(400);
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                answer.GetProperty("ok").GetBoolean().Should().BeFalse();
                answer.GetProperty("description").GetString().Should().Be(BotErrorNames.BotRequestInvalid);
            }
        }
    }

    private static async Task ApiCaseAsync(
        FuzzRun run, HttpClient http, Random random, int caseSeed, string token, string method, Transport transport, Dictionary<string, string> fields)
    {
        try
        {
            await SendApiCaseAsync(run, http, random, caseSeed, token, method, transport, fields);
        }
        catch (HttpRequestException) when ($"{token}/{method}".Contains("%00", StringComparison.Ordinal))
        {
            // Kestrel refuses a NUL in the path at the request line and closes the connection while a large body is
            // still being sent: the client sees the connection go, the API never saw the request.
            run.Tally($"{method} ({transport})", "closed by the HTTP layer");
        }
    }

    private static async Task SendApiCaseAsync(
        FuzzRun run, HttpClient http, Random random, int caseSeed, string token, string method, Transport transport, Dictionary<string, string> fields)
    {
        var path = $"/bot/{token}/{method}";
        var described = $"token {Shorten(token)}, {string.Join(", ", fields.Select(f => $"{f.Key}={Shorten(f.Value)}"))}";
        HttpResponseMessage response;
        switch (transport)
        {
            case Transport.Query:
            {
                var query = string.Join("&", fields.Select(f => $"{f.Key}={AsText(random, f.Value)}"));
                response = await http.GetAsync(path + (query.Length > 0 ? "?" + query : ""));
                break;
            }

            case Transport.Json:
            {
                var json = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
                response = await http.PostAsync(path, Content(Encoding.UTF8.GetBytes(json), "application/json"));
                break;
            }

            case Transport.Form:
            {
                var form = string.Join("&", fields.Select(f => $"{f.Key}={AsText(random, f.Value)}"));
                response = await http.PostAsync(path, Content(Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded"));
                break;
            }

            case Transport.Multipart:
            {
                using var multipart = new MultipartFormDataContent();
                foreach (var (name, value) in fields)
                {
                    multipart.Add(new StringContent(Unquoted(value)), name);
                }

                var fileField = Pick(random, "document", "photo", "file", "document", "photo");
                var bytes = MediaTestKit.RandomBytes(Pick(random, 0, 1, 5000, 600_000), caseSeed);
                var part = new ByteArrayContent(bytes);
                part.Headers.ContentType = new MediaTypeHeaderValue(Pick(random, "application/octet-stream", "image/png", "text/html"));
                multipart.Add(part, fileField, Pick(random, "a.bin", "../../etc/passwd", "-", new string('n', 300), "\u202Eexe.txt"));
                response = await http.PostAsync(path, multipart);
                described += $", a {bytes.Length}-byte file as {fileField}";
                break;
            }

            default:
            {
                var (body, type) = Pick<(byte[], string?)>(random,
                    ("{"u8.ToArray(), "application/json"), ("[]"u8.ToArray(), "application/json"), ("\"str\""u8.ToArray(), "application/json"),
                    ("null"u8.ToArray(), "application/json"), ([0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xC0, 0x22, 0x7D], "application/json"),
                    (Encoding.UTF8.GetBytes(new string('[', 1000)), "application/json"), (Encoding.Unicode.GetBytes("{\"chat_id\":1}"), "application/json; charset=utf-16"),
                    ("{\"chat_id\":1}"u8.ToArray(), "text/plain"), ("<a/>"u8.ToArray(), "application/xml"), ("chat_id=1"u8.ToArray(), null),
                    (Encoding.UTF8.GetBytes("{\"text\":\"" + new string('x', 70_000) + "\"}"), "application/json"),
                    ("--b\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n1\r\n"u8.ToArray(), "multipart/form-data; boundary=b"),
                    ("x"u8.ToArray(), "multipart/form-data"), ("a=%FF&b=%"u8.ToArray(), "application/x-www-form-urlencoded"));
                HttpContent content = random.Next(2) == 0 ? new ByteArrayContent(body) : new StreamContent(new MemoryStream(body)); // with a length, or chunked
                if (type is not null)
                {
                    content.Headers.TryAddWithoutValidation("Content-Type", type);
                }

                response = await http.PostAsync(path, content);
                described += $", body {Shorten(Encoding.UTF8.GetString(body))} as {type ?? "no type"}";
                break;
            }
        }

        using (response)
        {
            await CheckApiAnswerAsync(run, $"{method} ({transport})", caseSeed, response, described, binaryOk: false, routeMissOk: token.Length == 0 || method.Length == 0);
        }
    }

    private static async Task WebhookCaseAsync(FuzzRun run, HttpClient http, Random random, int caseSeed, string hookPath, long topic)
    {
        var path = random.Next(4) > 0 ? hookPath : Pick(random, "/hooks/nope", "/hooks/" + new string('a', 43), hookPath + "x", "/hooks/%00", "/hooks/" + new string('b', 5000));
        var text = Pick(random, "\"Build passed\"", "\"\"", "\"   \"", "\"\\ud800\"", "\"a\\u0000b\"", "1", "null", "[]", "\"" + new string('x', 5000) + "\"",
            "\"" + new string('y', 70_000) + "\"", "\"\\u202Eevil\"");
        var thread = Pick(random, "", $",\"message_thread_id\":{topic}", ",\"message_thread_id\":0", ",\"message_thread_id\":-1", ",\"message_thread_id\":\"1\"",
            ",\"message_thread_id\":1e400", ",\"message_thread_id\":987654321");
        var (body, type) = Pick<(byte[], string?)>(random,
            (Encoding.UTF8.GetBytes("{\"text\":" + text + thread + "}"), "application/json"),
            (Encoding.UTF8.GetBytes("{\"text\":" + text + thread + "}"), "application/json"),
            (Encoding.UTF8.GetBytes(text.Trim('"')), "text/plain"), ([0xFF, 0xFE, 0x41], "text/plain; charset=utf-8"), ("{"u8.ToArray(), "application/json"),
            ("[]"u8.ToArray(), "application/json"), ("x"u8.ToArray(), "application/x-www-form-urlencoded"), ("plain"u8.ToArray(), null),
            ("<x/>"u8.ToArray(), "application/xml"), (Encoding.Unicode.GetBytes("{\"text\":\"hi\"}"), "application/json; charset=utf-16"), ([], "application/json"));
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = random.Next(2) == 0 ? new ByteArrayContent(body) : new StreamContent(new MemoryStream(body)),
        };
        if (type is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        if (random.Next(3) == 0)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Pick(random, "k1", "", new string('k', 129), "a\tb", "x"));
        }

        using var response = await http.SendAsync(request);
        var described = $"{Shorten(path)}, body {Shorten(Encoding.UTF8.GetString(body))} as {type ?? "no type"}";
        var answer = await response.Content.ReadAsStringAsync();
        run.Tally("webhook", $"{(int)response.StatusCode}");
        if (HttpLayerRefused((int)response.StatusCode, Encoding.UTF8.GetBytes(answer)))
        {
            return;
        }

        try
        {
            var json = JsonDocument.Parse(answer).RootElement;
            var ok = json.GetProperty("ok").GetBoolean();
            if (ok ? (int)response.StatusCode != 200 : (int)response.StatusCode is < 400 or >= 500 || !FuzzRun.ErrorName.IsMatch(json.GetProperty("error").GetString()!))
            {
                run.Fail("webhook", caseSeed, $"{described} → {(int)response.StatusCode} {Shorten(answer)}");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            run.Fail("webhook", caseSeed, $"{described} → {(int)response.StatusCode} {Shorten(answer)} (not the documented JSON)");
        }
    }

    /// <summary>Records a failure unless the answer is a success or the API's JSON error with a 4xx code (or, for a
    /// download, bytes).</summary>
    private static async Task CheckApiAnswerAsync(
        FuzzRun run, string kind, int caseSeed, HttpResponseMessage response, string described, bool binaryOk, bool routeMissOk = false)
    {
        var status = (int)response.StatusCode;
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (binaryOk && status == 200 && response.Content.Headers.ContentType?.MediaType == "application/octet-stream")
        {
            run.Tally(kind, "200 bytes");
            return;
        }

        if (routeMissOk && status == 404 && bytes.Length == 0)
        {
            // A path without a token or a method is not the API's: the routing's 404.
            run.Tally(kind, "404 (no route)");
            return;
        }

        if (HttpLayerRefused(status, bytes))
        {
            run.Tally(kind, $"{status} (HTTP layer)");
            return;
        }

        try
        {
            var json = JsonDocument.Parse(bytes).RootElement;
            var ok = json.GetProperty("ok").GetBoolean();
            var description = ok ? "ok" : json.GetProperty("description").GetString()!;
            run.Tally(kind, $"{status} {(description.StartsWith("Bad Request", StringComparison.Ordinal) ? description[..Math.Min(30, description.Length)] : description)}");
            if (ok ? status != 200 : status is < 400 or >= 500 || json.GetProperty("error_code").GetInt32() != status || description.Length == 0)
            {
                run.Fail(kind, caseSeed, $"{described} → {status} {Shorten(Encoding.UTF8.GetString(bytes))}");
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            run.Tally(kind, $"{status} not JSON");
            run.Fail(kind, caseSeed, $"{described} → {status} {Shorten(Encoding.UTF8.GetString(bytes))} (not the documented JSON)");
        }
    }

    /// <summary>Refused by Kestrel before any handler (a NUL in the path, a request line past 8 KiB): its status without a
    /// body, not the API's answer, since the API never saw the request.</summary>
    private static bool HttpLayerRefused(int status, byte[] body) => status is 400 or 414 or 431 && body.Length == 0;

    /// <summary>A JSON value as a query or form writes it: a string without its quotes (escaped), other values as they
    /// stand, or now and then one of the raw oddities.</summary>
    private static string AsText(Random random, string json) =>
        random.Next(6) == 0 ? Pick(random, OddRaw) : Uri.EscapeDataString(Unquoted(json));

    private static string Unquoted(string json) =>
        json.Length >= 2 && json[0] == '"' && json[^1] == '"' ? json[1..^1] : json;

    private static ByteArrayContent Content(byte[] body, string type)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", type);
        return content;
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + $"…({text.Length})" : text;

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];
}
