using System.Globalization;
using System.Text.Json;
using Mediator;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Text;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Http;
using Messenger.Message.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Bots;

/// <summary>
/// The Bot HTTP API, <c>/bot/&lt;token&gt;/&lt;method&gt;</c> (GET with a query string, or POST with JSON): a program
/// speaks as its bot without the encrypted protocol. <c>getMe</c>; <c>getUpdates</c> (offset, limit, timeout: long
/// polling over the bot's own update log, so nothing sent to it while it was away is lost); <c>sendMessage</c>
/// (chat_id, text, parse_mode or entities (<see cref="BotText"/>), reply_to_message_id, disable_notification; <c>Idempotency-Key</c> sends once), <c>editMessageText</c>, <c>deleteMessage</c>
/// (its own messages, for everyone), <c>sendChatAction</c> (typing), <c>sendLocation</c>, <c>editMessageLiveLocation</c> and
/// <c>stopMessageLiveLocation</c>; the sends take <c>message_thread_id</c> (a forum's topic); <c>createForumTopic</c>,
/// <c>editForumTopic</c>, <c>closeForumTopic</c>, <c>reopenForumTopic</c> and <c>deleteForumTopic</c>. Each method runs the protocol's own call as
/// the bot (<see cref="RpcRegistration.InvokeAsUserAsync"/>): the same rules, limits and errors as for a person.
/// Answers <c>{"ok": true, "result": …}</c> or <c>{"ok": false, "error_code", "description": NAME}</c>.
/// </summary>
internal static class BotApi
{
    public const string PathPrefix = "/bot/";
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapBotApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(PathPrefix + "{token}/{method}", ["GET", "POST"], HandleAsync);
        endpoints.MapGet(BotFiles.PathPrefix + "{token}/{fileId}", BotFiles.DownloadAsync);
        return endpoints;
    }

    private static async Task HandleAsync(
        string token, string method, HttpContext http, IBotAccounts bots, IServiceProvider services, BotLogSignals signals,
        IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<BotUpdates> logger)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            var bot = bots.FindByToken(token) ?? throw MessengerError.Unauthorized(BotErrorNames.BotTokenInvalid);
            var request = await BotRequest.ReadAsync(http.Request, cancellationToken);
            object result = method switch
            {
                "getMe" => BotUpdates.ToJson(await BotUserAsync(services, bot, cancellationToken)),
                "getUpdates" => await new BotUpdates(services, signals, clock, bot).GetAsync(request, lifetime.ApplicationStopping, cancellationToken),
                "sendMessage" => await SendMessageAsync(services, bot, request, http.Request, cancellationToken),
                "editMessageText" => await EditMessageTextAsync(services, bot, request, cancellationToken),
                "deleteMessage" => await DeleteMessageAsync(services, bot, request, cancellationToken),
                "sendChatAction" => await SendChatActionAsync(services, bot, request, cancellationToken),
                "sendLocation" => await SendLocationAsync(services, bot, request, http.Request, cancellationToken),
                "editMessageLiveLocation" => await EditLiveLocationAsync(services, bot, request, stop: false, cancellationToken),
                "stopMessageLiveLocation" => await EditLiveLocationAsync(services, bot, request, stop: true, cancellationToken),
                "sendDocument" => await OwnMessageAsync(services, bot, await BotFiles.SendAsync(services, bot, request, "document", RandomIdOf(http.Request), cancellationToken), cancellationToken),
                "sendPhoto" => await OwnMessageAsync(services, bot, await BotFiles.SendAsync(services, bot, request, "photo", RandomIdOf(http.Request), cancellationToken), cancellationToken),
                "getFile" => await BotFiles.GetFileAsync(services, bot, request, cancellationToken),
                "answerCallbackQuery" => AnswerCallbackQuery(services, bot, request),
                "editMessageReplyMarkup" => await EditMessageReplyMarkupAsync(services, bot, request, cancellationToken),
                "setMyCommands" => await SetMyCommandsAsync(services, bot, request.Commands("commands"), cancellationToken),
                "deleteMyCommands" => await SetMyCommandsAsync(services, bot, [], cancellationToken),
                "getMyCommands" => (await services.InvokeAsUserAsync<GetBotCommandsCall, BotCommands>(bot, new GetBotCommandsCall(bot), cancellationToken))
                    .Commands.Select(c => new { command = c.Command, description = c.Description }).ToArray(),
                "createForumTopic" => await BotTopics.CreateAsync(services, bot, request, RandomIdOf(http.Request), cancellationToken),
                "editForumTopic" => await BotTopics.EditAsync(services, bot, request, cancellationToken),
                "closeForumTopic" => await BotTopics.CloseAsync(services, bot, request, closed: true, cancellationToken),
                "reopenForumTopic" => await BotTopics.CloseAsync(services, bot, request, closed: false, cancellationToken),
                "deleteForumTopic" => await BotTopics.DeleteAsync(services, bot, request, cancellationToken),
                _ => throw MessengerError.NotFound(BotErrorNames.BotMethodInvalid),
            };
            await http.Response.WriteAsJsonAsync(new { ok = true, result }, cancellationToken);
        }
        catch (MessengerError error)
        {
            if (error.Code != StatusCodes.Status401Unauthorized)
            {
                logger.LogInformation("Bot API {Method} refused: {Error}", Printable(method), error.Name);
            }

            await AnswerErrorAsync(http, error, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The bot hung up (a long poll it gave up on): nobody to answer.
        }
        catch (Exception e)
        {
            // As over /rpc: a fault of ours fails this request alone, with a name the bot can report.
            logger.LogError(e, "Bot API {Method} failed", Printable(method));
            await AnswerErrorAsync(http, new MessengerError(ErrorNames.Internal, StatusCodes.Status500InternalServerError), cancellationToken);
        }
    }

    public static Task AnswerErrorAsync(HttpContext http, MessengerError error, CancellationToken cancellationToken)
    {
        HttpPlumbing.SetStatus(http.Response, error);
        // Bad formatting and unknown topics are told in Telegram's words (bots look for "can't parse entities", "message
        // thread not found"), with what is wrong.
        var description = error.Name switch
        {
            BotErrorNames.EntitiesInvalid => "Bad Request: can't parse entities: " + error.Message,
            BotErrorNames.ParseModeInvalid => "Bad Request: unsupported parse_mode",
            TopicErrorNames.TopicIdInvalid => BotTopics.ThreadNotFound,
            TopicErrorNames.ChatNotForum => BotTopics.ChatNotForum,
            _ => error.Name,
        };
        return http.Response.WriteAsJsonAsync(
            new { ok = false, error_code = http.Response.StatusCode, description, retry_after = error.RetryAfterSeconds }, cancellationToken);
    }

    /// <summary>A method name as the log shows it: the client wrote it, so only short plain names go in as they are.</summary>
    private static string Printable(string method) => method.Length <= 32 && method.All(char.IsAsciiLetterOrDigit) ? method : "(unprintable)";

    private static async Task<object> SendMessageAsync(IServiceProvider services, long bot, BotRequest request, HttpRequest http, CancellationToken cancellationToken)
    {
        var chat = request.Chat();
        var (text, markup, silent) = (BotText.Read(request, "text", "entities", required: true), request.Markup("reply_markup"), request.DisableNotification());
        var (randomId, thread) = (RandomIdOf(http), request.ThreadId());
        var sent = await SendReplyingAsync(services, bot, request.Reply(chat),
            (replyToId, quote) => new SendMessageCall(chat, randomId, text, replyToId, ReplyMarkup: markup, Silent: silent, Quote: quote, TopicId: thread),
            cancellationToken);
        return await OwnMessageAsync(services, bot, sent.Message, cancellationToken);
    }

    /// <summary>Telegram's <c>sendLocation</c>: <c>latitude</c>, <c>longitude</c>, <c>horizontal_accuracy</c> (metres,
    /// rounded), <c>live_period</c> (a live location) and <c>heading</c>, with a reply, buttons and
    /// <c>disable_notification</c> as <c>sendMessage</c> takes them.</summary>
    private static async Task<object> SendLocationAsync(IServiceProvider services, long bot, BotRequest request, HttpRequest http, CancellationToken cancellationToken)
    {
        var chat = request.Chat();
        var (markup, silent, geo, randomId) = (request.Markup("reply_markup"), request.DisableNotification(), request.Geo(requirePoint: true), RandomIdOf(http));
        var thread = request.ThreadId();
        var sent = await SendReplyingAsync(services, bot, request.Reply(chat),
            (replyToId, quote) => new SendMessageCall(chat, randomId, "", replyToId, ReplyMarkup: markup, Silent: silent, Quote: quote, Geo: geo, TopicId: thread),
            cancellationToken);
        return await OwnMessageAsync(services, bot, sent.Message, cancellationToken);
    }

    /// <summary><c>editMessageLiveLocation</c> (a new <c>latitude</c>, <c>longitude</c>, and <c>horizontal_accuracy</c>,
    /// <c>heading</c>) and <c>stopMessageLiveLocation</c> (where it is): <c>messages.editLiveLocation</c> on one of the bot's
    /// live locations; the answer is the message as it is now.</summary>
    private static async Task<object> EditLiveLocationAsync(IServiceProvider services, long bot, BotRequest request, bool stop, CancellationToken cancellationToken)
    {
        var edited = await services.InvokeAsUserAsync<EditLiveLocationCall, SentMessage>(
            bot, new EditLiveLocationCall(request.Chat(), request.MessageId(), request.Geo(requirePoint: !stop), stop), cancellationToken);
        return await OwnMessageAsync(services, bot, edited.Message, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="call"/> as the reply the request asks for; with Telegram's
    /// <c>allow_sending_without_reply</c>, a reply to a message that is gone (or the bot cannot see:
    /// <c>REPLY_TO_INVALID</c>) is sent again at once as a plain message, quote and all dropped, as Telegram does. The
    /// first try stored nothing, so the same random_id serves.
    /// </summary>
    public static async Task<SentMessage> SendReplyingAsync(
        IServiceProvider services, long bot, BotReply reply, Func<long?, ReplyQuote?, SendMessageCall> call, CancellationToken cancellationToken)
    {
        try
        {
            return await services.InvokeAsUserAsync<SendMessageCall, SentMessage>(bot, call(reply.ReplyToId, reply.Quote), cancellationToken);
        }
        catch (MessengerError error) when (reply is { ReplyToId: not null, AllowWithoutReply: true } && error.Name == MessageErrorNames.ReplyToInvalid)
        {
            return await services.InvokeAsUserAsync<SendMessageCall, SentMessage>(bot, call(null, null), cancellationToken);
        }
    }

    /// <summary>The bot's answer to a press of one of its buttons (<c>callback_query_id</c>): <c>text</c> (0–200
    /// characters) shown to whoever pressed, as an alert with <c>show_alert</c>, or a <c>url</c> to open.</summary>
    private static bool AnswerCallbackQuery(IServiceProvider services, long bot, BotRequest request)
    {
        var text = request.String("text");
        var url = request.String("url");
        if (!long.TryParse(request.Required("callback_query_id"), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || text is { Length: > 200 } || !TextRules.IsCleanText(text)
            || url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && url.Length <= ReplyMarkups.MaxUrlLength))
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }

        var answer = new BotCallbackAnswer(string.IsNullOrEmpty(text) ? null : text, request.Bool("show_alert") ?? false, url);
        return services.GetRequiredService<BotCallbacks>().Answer(bot, id, answer)
            ? true
            : throw MessengerError.BadRequest(BotErrorNames.QueryIdInvalid);
    }

    /// <summary>The send's random_id: from its <c>Idempotency-Key</c> (the same key sends once), else a new one.</summary>
    private static long RandomIdOf(HttpRequest http) =>
        http.Headers.TryGetValue("Idempotency-Key", out var key) && key.ToString().Length > 0
            ? HttpPlumbing.RandomIdOf(key.ToString())
            : Random.Shared.NextInt64(1, long.MaxValue);

    private static async Task<object> EditMessageTextAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        var edited = await services.InvokeAsUserAsync<EditMessageCall, SentMessage>(
            bot, new EditMessageCall(request.Chat(), request.MessageId(), BotText.Read(request, "text", "entities", required: true)), cancellationToken);
        return await OwnMessageAsync(services, bot, edited.Message, cancellationToken);
    }

    /// <summary>The bot's commands, offered by clients after a <c>/</c> (none: cleared).</summary>
    private static async Task<object> SetMyCommandsAsync(IServiceProvider services, long bot, BotCommand[] commands, CancellationToken cancellationToken)
    {
        await services.InvokeAsUserAsync<SetBotCommandsCall, Done>(bot, new SetBotCommandsCall(commands), cancellationToken);
        return true;
    }

    /// <summary>New buttons for one of the bot's messages, or none without <c>reply_markup</c>.</summary>
    private static async Task<object> EditMessageReplyMarkupAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        var edited = await services.InvokeAsUserAsync<EditReplyMarkupCall, SentMessage>(
            bot, new EditReplyMarkupCall(request.Chat(), request.MessageId(), request.Markup("reply_markup")), cancellationToken);
        return await OwnMessageAsync(services, bot, edited.Message, cancellationToken);
    }

    /// <summary>Deletes one of the bot's messages for everyone in the chat.</summary>
    private static async Task<object> DeleteMessageAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        await services.InvokeAsUserAsync<DeleteMessagesCall, AffectedMessages>(
            bot, new DeleteMessagesCall(request.Chat(), [request.MessageId()], Revoke: true), cancellationToken);
        return true;
    }

    /// <summary>"typing…" in the chat for a few seconds (<c>action</c>: typing, the default, upload or cancel).</summary>
    private static async Task<object> SendChatActionAsync(IServiceProvider services, long bot, BotRequest request, CancellationToken cancellationToken)
    {
        await services.InvokeAsUserAsync<SetTypingCall, Done>(
            bot, new SetTypingCall(request.Chat(), request.String("action") ?? TypingActions.Typing), cancellationToken);
        return true;
    }

    private static async Task<object> OwnMessageAsync(IServiceProvider services, long bot, ChatMessage message, CancellationToken cancellationToken) =>
        BotUpdates.ToJson(message, bot, [await BotUserAsync(services, bot, cancellationToken)], services.GetRequiredService<ChatDirectory>(),
            services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds());

    private static async Task<User> BotUserAsync(IServiceProvider services, long bot, CancellationToken cancellationToken) =>
        (await services.InvokeAsUserAsync<GetUsersCall, UserList>(bot, new GetUsersCall([bot]), cancellationToken)).Users.Single();
}

/// <summary>A Bot API request's parameters: the JSON object of a POST, or the fields of a query string and of a
/// multipart form (with its files: <c>sendDocument</c>, <c>sendPhoto</c>).</summary>
internal sealed class BotRequest(JsonElement? body, IReadOnlyDictionary<string, string> fields, IFormFileCollection? files = null)
{
    public static async Task<BotRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
        if (!HttpMethods.IsPost(request.Method) || request.ContentLength == 0 || request.ContentType is null)
        {
            return new BotRequest(null, query);
        }

        if (request.HasFormContentType)
        {
            return await ReadFormAsync(request, query, cancellationToken);
        }

        if (!request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || request.ContentLength > BotApi.MaxBodyBytes)
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }

        var body = await HttpPlumbing.ReadAtMostAsync(request.Body, BotApi.MaxBodyBytes, cancellationToken)
            ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && Readable(document.RootElement)
                ? new BotRequest(document.RootElement.Clone(), query)
                : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }
        catch (JsonException)
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }
    }

    /// <summary>Whether every string and name in <paramref name="element"/> reads as text: JSON may escape half of a
    /// surrogate pair (<c>"\ud800"</c>), which <see cref="JsonElement.GetString"/> refuses with an exception, not a
    /// <see cref="JsonException"/>; checked once here, so no parameter read later meets it (the document's depth is
    /// bounded by the parser).</summary>
    private static bool Readable(JsonElement element)
    {
        try
        {
            Read(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Read(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    element.GetString();
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Read(item);
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Read(property.Value);
                    }

                    break;
            }
        }
    }

    /// <summary>A form (urlencoded, or multipart with at most one file of <see cref="BotLimits.MaxUploadBytes"/>): its
    /// fields over the query's. ASP.NET spools a file beyond 64 KiB to a temporary file, not to memory.</summary>
    private static async Task<BotRequest> ReadFormAsync(HttpRequest request, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        const long overhead = 64 * 1024;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = BotLimits.MaxUploadBytes + overhead;
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(
                new FormOptions { MultipartBodyLengthLimit = BotLimits.MaxUploadBytes + overhead, ValueCountLimit = 32, ValueLengthLimit = BotApi.MaxBodyBytes },
                cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new MessengerError(MediaErrorNames.FileTooBig, StatusCodes.Status413PayloadTooLarge);
        }
        catch (IOException)
        {
            // A multipart body that ends before its closing boundary (or a client gone meanwhile).
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }
        catch (InvalidDataException e)
        {
            // A body past the form's limits (ASP.NET says which limit it exceeded), or not the form it says it is.
            throw e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? new MessengerError(MediaErrorNames.FileTooBig, StatusCodes.Status413PayloadTooLarge)
                : MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }

        foreach (var (name, value) in form)
        {
            fields[name] = value.ToString();
        }

        return new BotRequest(null, fields, form.Files.Count > 0 ? form.Files : null);
    }

    /// <summary>The file of form field <paramref name="name"/>: present and not empty.</summary>
    public IFormFile File(string name) =>
        files?.GetFile(name) is { Length: > 0 } file ? file : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);

    public long? Long(string name)
    {
        if (body is { } json)
        {
            return !json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
                : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
                : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }

        return fields.GetValueOrDefault(name) is { Length: > 0 } text
            ? long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name)
            : null;
    }

    public double? Double(string name)
    {
        if (body is { } json)
        {
            return !json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
                : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) ? number
                : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }

        return fields.GetValueOrDefault(name) is { Length: > 0 } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name)
            : null;
    }

    /// <summary>Telegram's location fields as an <see cref="InputGeo"/> (whose ranges the call checks): null when neither
    /// coordinate is given and none is required.</summary>
    public InputGeo? Geo(bool requirePoint)
    {
        var latitude = Double("latitude");
        var longitude = Double("longitude");
        if (latitude is null && longitude is null && !requirePoint)
        {
            return null;
        }

        // Telegram's accuracy is a float, ours whole metres: the range is checked on the float (1500.4 is out of it, as
        // is -0.4), and only a value within it is rounded.
        var accuracy = Double("horizontal_accuracy") is { } metres
            ? metres is >= 0 and <= GeoLimits.MaxAccuracyRadius ? (int)Math.Round(metres) : throw MessengerError.BadRequest(GeoErrorNames.GeoAccuracyInvalid)
            : (int?)null;
        return new InputGeo(
            latitude ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "latitude"),
            longitude ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "longitude"),
            accuracy, Int("live_period"), Int("heading"));
    }

    private int? Int(string name) =>
        Long(name) switch
        {
            null => null,
            >= int.MinValue and <= int.MaxValue and var value => (int)value,
            _ => throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name),
        };

    /// <summary><c>chat_id</c>: a user's id for a private chat, minus the group's id for a group.</summary>
    public Peer Chat() => Long("chat_id") is { } id and not 0 ? BotUpdates.PeerOf(id) : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "chat_id");

    public long MessageId() => Long("message_id") is { } id and > 0 ? id : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "message_id");

    public string Required(string name) => String(name) ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);

    /// <summary>Telegram's <c>message_thread_id</c>: the forum topic a send goes into (<c>messages.send</c>'s
    /// <c>topic_id</c>; absent or 0: General), checked by the send as a person's is.</summary>
    public long? ThreadId() => Long("message_thread_id");

    /// <summary>Telegram's <c>disable_notification</c>: the message is sent without sound (<c>messages.send</c>'s <c>silent</c>).</summary>
    public bool DisableNotification() => Bool("disable_notification") ?? false;

    public bool? Bool(string name)
    {
        if (body is { } json)
        {
            return !json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
                : value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean()
                : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }

        return fields.GetValueOrDefault(name) is { Length: > 0 } text
            ? bool.TryParse(text, out var parsed) ? parsed : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name)
            : null;
    }

    /// <summary>A <c>chat_id</c> inside a JSON object: a number, or (as Telegram takes it) a string of one; a
    /// <c>@username</c> is not looked up.</summary>
    private static long? ChatIdOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var id) => id,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) => id,
        _ => null,
    };

    /// <summary>What the message answers: <c>reply_to_message_id</c>, or Telegram's <c>reply_parameters</c>
    /// (<c>{message_id, chat_id?, quote?, quote_position?, allow_sending_without_reply?}</c>, an object in a JSON body or
    /// its JSON text in a form or query), which may also quote part of that message (the position 0 when not given: the
    /// server then takes the first place the quote stands). Both at once must name the same message; a
    /// <c>chat_id</c> must be the chat sent to (<paramref name="chat"/>), since a reply to another chat's message is not
    /// kept here. <c>allow_sending_without_reply</c> (in the parameters, or beside them as Telegram's older form)
    /// sends a plain message when the replied one is gone.</summary>
    public BotReply Reply(Peer chat)
    {
        var plain = Long("reply_to_message_id");
        var allowWithout = Bool("allow_sending_without_reply") ?? false;
        if (Json("reply_parameters") is not { } parameters)
        {
            return new BotReply(plain, null, allowWithout);
        }

        if (parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("message_id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var messageId)
            || (plain is { } other && other != messageId)
            || (parameters.TryGetProperty("chat_id", out var chatId) && chatId.ValueKind != JsonValueKind.Null
                && !(ChatIdOf(chatId) is { } replyChat && replyChat != 0 && BotUpdates.PeerOf(replyChat) == chat)))
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "reply_parameters");
        }

        if (parameters.TryGetProperty("allow_sending_without_reply", out var allow) && allow.ValueKind != JsonValueKind.Null)
        {
            allowWithout = allow.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? allow.GetBoolean()
                : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "reply_parameters");
        }

        if (!parameters.TryGetProperty("quote", out var quote) || quote.ValueKind == JsonValueKind.Null)
        {
            return new BotReply(messageId, null, allowWithout);
        }

        var position = 0;
        if (quote.ValueKind != JsonValueKind.String
            || (parameters.TryGetProperty("quote_position", out var at) && at.ValueKind != JsonValueKind.Null
                && (at.ValueKind != JsonValueKind.Number || !at.TryGetInt32(out position))))
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, "reply_parameters");
        }

        return new BotReply(messageId, new ReplyQuote(quote.GetString()!, position), allowWithout);
    }

    /// <summary>Buttons (<c>{"inline_keyboard": [[{"text", "callback_data" | "url"}]]}</c>): an object in a JSON body, or
    /// that object as JSON text in a form or query (as Telegram takes it). Whether they are valid is the send's to say.</summary>
    public ReplyMarkup? Markup(string name) =>
        Json(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Object } value => Deserialize<ReplyMarkup>(value, name),
            _ => throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name),
        };

    /// <summary>A field that holds JSON: as it is in a JSON body, parsed from its text in a form or query; null when absent.</summary>
    public JsonElement? Json(string name)
    {
        if (body is { } json)
        {
            return !json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null : value;
        }

        if (fields.GetValueOrDefault(name) is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return Readable(document.RootElement) ? document.RootElement.Clone() : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }
        catch (JsonException)
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }
    }

    private static T Deserialize<T>(JsonElement value, string name)
    {
        try
        {
            return value.Deserialize<T>(SnakeCaseJson) ?? throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }
        catch (JsonException)
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }
    }

    /// <summary><c>[{"command", "description"}]</c>: an array in a JSON body, or that array as JSON text in a form or query.</summary>
    public BotCommand[] Commands(string name) =>
        Json(name) is { ValueKind: JsonValueKind.Array } value
            ? Deserialize<BotCommand[]>(value, name)
            : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);

    private static readonly JsonSerializerOptions SnakeCaseJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string? String(string name)
    {
        if (body is { } json)
        {
            return !json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
                : value.ValueKind == JsonValueKind.String ? value.GetString()
                : throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid, name);
        }

        return fields.GetValueOrDefault(name);
    }
}

/// <summary>
/// <c>getUpdates</c>: the messages in the bot's own update log after <c>offset − 1</c> (an update's <c>update_id</c>
/// is its pts, so the next call passes the last one + 1), waiting up to <c>timeout</c> seconds (0–50) for one when
/// there is none; a message edited since comes again as <c>edited_message</c>. Its own messages and service messages
/// are left out; what it fetched is marked received for their senders. A bot further behind than the log keeps starts again from the present (as a device would refetch).
/// </summary>
internal sealed class BotUpdates(IServiceProvider services, BotLogSignals signals, TimeProvider clock, long bot)
{
    /// <param name="stopping">The server shutting down: a waiting poll answers at once with nothing, so the shutdown
    /// does not wait for it (the bot polls again once the server is back).</param>
    public async Task<object[]> GetAsync(BotRequest request, CancellationToken stopping, CancellationToken cancellationToken)
    {
        var offset = request.Long("offset") ?? 0;
        var limit = request.Long("limit") ?? BotLimits.MaxUpdates;
        var timeout = request.Long("timeout") ?? 0;
        if (offset < 0 || limit is < 1 or > BotLimits.MaxUpdates || timeout is < 0 or > BotLimits.MaxPollSeconds)
        {
            throw MessengerError.BadRequest(BotErrorNames.BotRequestInvalid);
        }

        var pts = Math.Max(0, offset - 1);
        var deadline = clock.GetUtcNow().AddSeconds(timeout);
        while (true)
        {
            // Armed before reading: an update appended between the read and the wait still wakes it.
            using var appended = signals.Arm(bot);
            var difference = await services.InvokeAsUserAsync<GetDifferenceCall, Difference>(bot, new GetDifferenceCall(pts), cancellationToken);
            if (difference.TooLong)
            {
                pts = difference.State.Pts;
                continue;
            }

            var messages = difference.Updates
                .Select(u => u.Update switch
                {
                    NewMessageUpdate { Message: var m } when m.FromId != bot && m.Action is null => new Fetched(u.Pts, m, Edited: false),
                    // An edit without an edit date is the server adding a link preview (not news to a bot), or a live location
                    // moving (news, as Telegram's edited_message tells it).
                    EditMessageUpdate { Message: var m } when m.FromId != bot && (m.EditDate is not null || m.Geo is { LivePeriod: not null })
                        => new Fetched(u.Pts, m, Edited: true),
                    // A press of one of its buttons, with the message as it is now (one deleted since is left out).
                    BotCallbackQueryUpdate press => PressedMessage(press) is { } m ? new Fetched(u.Pts, m, Edited: false, press) : null,
                    _ => null,
                })
                .OfType<Fetched>()
                .Take((int)limit)
                .ToList();
            if (messages.Count > 0)
            {
                return await ToUpdatesAsync(messages, cancellationToken);
            }

            pts = difference.State.Pts;
            var left = deadline - clock.GetUtcNow();
            if (difference.Slice)
            {
                continue;
            }

            if (left <= TimeSpan.Zero)
            {
                return [];
            }

            try
            {
                await appended.Fired.WaitAsync(left, clock, stopping).WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && stopping.IsCancellationRequested))
            {
                return [];
            }
        }
    }

    private async Task<object[]> ToUpdatesAsync(List<Fetched> fetched, CancellationToken cancellationToken)
    {
        var users = (await services.InvokeAsUserAsync<GetUsersCall, UserList>(
            bot, new GetUsersCall([.. fetched.Select(f => f.Press?.FromId ?? f.Message.FromId).Append(bot).Distinct()]), cancellationToken)).Users;
        // Fetched is received: their senders see them delivered, as for a device.
        if (fetched.Where(f => f.Press is null).Select(f => f.Message.Id).DefaultIfEmpty().Max() is > 0 and var newest)
        {
            await services.InvokeAsUserAsync<ReceivedMessagesCall, Done>(bot, new ReceivedMessagesCall(newest), cancellationToken);
        }

        var chats = services.GetRequiredService<ChatDirectory>();
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return [.. fetched.Select(f => f switch
        {
            { Press: { } press } => new
            {
                update_id = f.Pts,
                callback_query = new
                {
                    id = press.QueryId.ToString(CultureInfo.InvariantCulture),
                    from = users.FirstOrDefault(u => u.Id == press.FromId) is { } from ? ToJson(from) : new { id = press.FromId, username = "", display_name = "", is_bot = false },
                    message = ToJson(f.Message, bot, users, chats, now),
                    data = press.Data,
                },
            },
            { Edited: true } => (object)new { update_id = f.Pts, edited_message = ToJson(f.Message, bot, users, chats, now) },
            _ => new { update_id = f.Pts, message = ToJson(f.Message, bot, users, chats, now) },
        })];
    }

    /// <summary>The bot's message a press was on, if it still is.</summary>
    private ChatMessage? PressedMessage(BotCallbackQueryUpdate press)
    {
        var chatId = press.Peer.Kind == PeerKind.User ? services.GetRequiredService<Chats.ChatResolver>().FindPrivateChat(bot, press.Peer.Id) : press.Peer.Id;
        return chatId is { } id ? services.GetRequiredService<MessageStore>().ReadVisibleMessage(bot, id, press.MessageId) : null;
    }

    /// <summary>From the bot's log: a message of someone else's, new or edited since, or a press of its buttons.</summary>
    private sealed record Fetched(long Pts, ChatMessage Message, bool Edited, BotCallbackQueryUpdate? Press = null);

    /// <summary>A chat as the Bot API names it: a user's id for a private chat, minus the group's id for a group.</summary>
    public static Peer PeerOf(long chatId) => chatId > 0 ? Peer.User(chatId) : Peer.Chat(-chatId);

    public static object ToJson(User user) => new { id = user.Id, username = user.Username, display_name = user.DisplayName, is_bot = user.Bot };

    /// <summary>A chat's <c>type</c> as Telegram names it: <c>private</c>, <c>group</c>, <c>supergroup</c> (a large group)
    /// or <c>channel</c>.</summary>
    public static string ChatType(Peer peer, ChatDirectory chats) =>
        peer.Kind == PeerKind.User ? "private"
        : chats.Get(peer.Id)?.Kind switch
        {
            ChatKind.LargeGroup => "supergroup",
            ChatKind.Channel => "channel",
            _ => "group",
        };

    /// <summary>A message as Telegram's Bot API has it, at <paramref name="now"/> (unix seconds: whether a live location
    /// still runs). Fields a message does not have are null, as everywhere in this API's answers.</summary>
    public static object ToJson(ChatMessage message, long viewer, IReadOnlyCollection<User> users, ChatDirectory chats, long now)
    {
        var peer = message.PeerFor(viewer);
        var from = users.FirstOrDefault(u => u.Id == message.FromId);
        var media = message.Media;
        var (text, entities) = BotText.ForBot(message.Text);
        return new
        {
            message_id = message.Id,
            from = from is null ? new { id = message.FromId, username = "", display_name = "", is_bot = false } : ToJson(from),
            chat = new
            {
                id = peer.Kind == PeerKind.User ? peer.Id : -peer.Id,
                type = ChatType(peer, chats),
                is_forum = peer.Kind == PeerKind.Chat && chats.Get(peer.Id) is { Forum: true } ? true : (bool?)null,
            },
            date = message.Date,
            // As Telegram's: a file's message has a caption (possibly empty) instead of a text, a location neither; the
            // markup is taken out of them into entities.
            text = media is null && message.Geo is null ? text : null,
            entities = media is null && message.Geo is null ? entities : null,
            caption = media is null ? null : text,
            caption_entities = media is null ? null : entities,
            photo = media is { Kind: MediaKinds.Photo } ? new[] { new { file_id = BotFiles.FileIdOf(media), width = media.Width, height = media.Height, file_size = media.Size } } : null,
            document = media is { Kind: not MediaKinds.Photo } ? new { file_id = BotFiles.FileIdOf(media), file_name = media.Name, mime_type = media.MimeType, file_size = media.Size } : null,
            location = message.Geo is { } geo
                ? new
                {
                    latitude = geo.Lat, longitude = geo.Long, horizontal_accuracy = geo.AccuracyRadius,
                    // Telegram's live_period is the whole period (0x7FFFFFFF: until stopped); it and the heading only
                    // while it runs: an ended live location reads as the point it stopped at.
                    live_period = geo.IsLiveAt(now) ? geo.LivePeriod : null, heading = geo.IsLiveAt(now) ? geo.Heading : null,
                }
                : null,
            reply_to_message_id = message.ReplyToId,
            // As Telegram's: a message in a forum's topic names it; General's (topic 0) do not.
            message_thread_id = message.TopicId > 0 ? message.TopicId : (long?)null,
            is_topic_message = message.TopicId > 0 ? true : (bool?)null,
            // Telegram's name and shape for the part of the replied message a reply quotes.
            quote = message.ReplyQuote is { } quote ? new { text = quote.Text, position = quote.Offset } : null,
            reply_markup = message.ReplyMarkup is { } markup
                ? new { inline_keyboard = markup.InlineKeyboard.Select(row => row.Select(b => new { text = b.Text, callback_data = b.CallbackData, url = b.Url })) }
                : null,
            // A live location's move or stop is an edit to Telegram's bots (an edited_message with an edit_date), though
            // not to this server's clients (see Location messages): the bots get the moment it last changed.
            edit_date = LastEdit(message),
            has_media = media is not null,
        };
    }

    /// <summary>When the message last changed for a bot: its edit, or a live location's last move or its stop (an end
    /// before the one its period set), whichever is later; null when none of them happened.</summary>
    private static long? LastEdit(ChatMessage message)
    {
        var geo = message.Geo;
        var stopped = geo is { LivePeriod: { } period, LiveUntil: { } until } && (period == GeoLimits.LiveUntilStopped || until < message.Date + period)
            ? geo.LiveUntil
            : null;
        long?[] changes = [message.EditDate, geo?.MoveDate, stopped];
        return changes.Max();
    }
}

/// <summary>
/// Wakes the bots' long polls when their logs grow: a <c>getUpdates</c> with nothing to read holds a signal for its bot
/// (<see cref="Arm"/>, let go when it returns); every batch of appends (<see cref="UpdatesAppendedEvent"/>) fires the
/// signals of its owners. With no poll waiting (every moment of a server without bots) an append costs one read of a
/// counter.
/// </summary>
internal sealed class BotLogSignals
{
    private readonly Dictionary<long, Signal> _armed = [];
    private int _count;

    /// <summary>Bots with a poll waiting now.</summary>
    public int ArmedOwners => Volatile.Read(ref _count);

    /// <summary>A signal that fires at the next append to <paramref name="owner"/>'s log; dispose it when done waiting.</summary>
    public Waiter Arm(long owner)
    {
        lock (_armed)
        {
            if (!_armed.TryGetValue(owner, out var signal))
            {
                signal = new Signal();
                _armed[owner] = signal;
                _count = _armed.Count;
            }

            signal.Waiters++;
            return new Waiter(this, owner, signal);
        }
    }

    public void Appended(IReadOnlyList<LogAppend> appends)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        lock (_armed)
        {
            foreach (var append in appends)
            {
                if (_armed.Remove(append.OwnerId, out var signal))
                {
                    signal.Fired.SetResult();
                }
            }

            _count = _armed.Count;
        }
    }

    private void Disarm(long owner, Signal signal)
    {
        lock (_armed)
        {
            if (--signal.Waiters == 0 && _armed.TryGetValue(owner, out var current) && current == signal)
            {
                _armed.Remove(owner);
                _count = _armed.Count;
            }
        }
    }

    internal sealed class Signal
    {
        public TaskCompletionSource Fired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Waiters { get; set; }
    }

    public sealed class Waiter : IDisposable
    {
        private readonly BotLogSignals _signals;
        private readonly long _owner;
        private readonly Signal _signal;
        private bool _disposed;

        internal Waiter(BotLogSignals signals, long owner, Signal signal)
        {
            _signals = signals;
            _owner = owner;
            _signal = signal;
        }

        public Task Fired => _signal.Fired.Task;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _signals.Disarm(_owner, _signal);
            }
        }
    }
}

internal sealed class WakeBotPolls(BotLogSignals signals) : INotificationHandler<UpdatesAppendedEvent>
{
    public ValueTask Handle(UpdatesAppendedEvent notification, CancellationToken cancellationToken)
    {
        signals.Appended(notification.Appends);
        return ValueTask.CompletedTask;
    }
}

/// <summary>What a Bot API send answers (<see cref="BotRequest.Reply"/>): the replied message, the part of it quoted, and
/// whether to send without the reply when that message is gone (Telegram's <c>allow_sending_without_reply</c>).</summary>
internal sealed record BotReply(long? ReplyToId, ReplyQuote? Quote, bool AllowWithoutReply);
