using System.Text;
using System.Text.Json;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Http;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using ChatMessage = Messenger.Contracts.Messages.Message;
using Messenger.Kernel.Text;

namespace Messenger.Message.Webhooks;

/// <summary>
/// <c>POST /hooks/&lt;token&gt;</c>: a text (JSON <c>{"text": "…", "message_thread_id"?: topic}</c>, or the body itself
/// as <c>text/plain</c>) posted to the webhook's group by its bot, into the forum topic named (none or 0: General). <c>Idempotency-Key</c> (1–128 printable ASCII characters) makes a retried request
/// post once: the same key answers with the first message. Answers JSON: <c>{"ok": true, "message_id", "date"}</c>, or
/// <c>{"ok": false, "error": NAME}</c> with 400, 404 (no webhook has this token), 413, 415 or 429 (with Retry-After).
/// </summary>
internal static class WebhookEndpoint
{
    public const string PathPrefix = "/hooks/";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(PathPrefix + "{token}", PostAsync);
        return endpoints;
    }

    private static async Task PostAsync(string token, HttpContext http, WebhookPoster poster, ILogger<WebhookPoster> logger)
    {
        try
        {
            var key = IdempotencyKey(http.Request);
            var (text, topicId) = await ReadTextAsync(http.Request, http.RequestAborted);
            var message = await poster.PostAsync(token, text, topicId, key, http.RequestAborted);
            await http.Response.WriteAsJsonAsync(new { ok = true, message_id = message.Id, date = message.Date }, http.RequestAborted);
        }
        catch (MessengerError error)
        {
            if (error.Name != WebhookErrorNames.WebhookNotFound)
            {
                logger.LogInformation("Webhook post refused: {Error}", error.Name);
            }

            HttpPlumbing.SetStatus(http.Response, error);
            await http.Response.WriteAsJsonAsync(new { ok = false, error = error.Name }, http.RequestAborted);
        }
    }

    private static string? IdempotencyKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        var key = values.ToString();
        return key is { Length: > 0 and <= WebhookLimits.MaxIdempotencyKeyLength } && key.All(c => c is >= ' ' and <= '~')
            ? key
            : throw MessengerError.BadRequest(WebhookErrorNames.IdempotencyKeyInvalid);
    }

    private static async Task<(string Text, long? TopicId)> ReadTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > WebhookLimits.MaxBodyBytes)
        {
            throw new MessengerError(WebhookErrorNames.WebhookBodyTooLarge, StatusCodes.Status413PayloadTooLarge);
        }

        var json = request.ContentType is null ? false
            : request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ? true
            : request.ContentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) ? false
            : throw new MessengerError(WebhookErrorNames.WebhookBodyInvalid, StatusCodes.Status415UnsupportedMediaType);
        var bytes = await HttpPlumbing.ReadAtMostAsync(request.Body, WebhookLimits.MaxBodyBytes, cancellationToken)
            ?? throw new MessengerError(WebhookErrorNames.WebhookBodyTooLarge, StatusCodes.Status413PayloadTooLarge);
        try
        {
            if (!json)
            {
                return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes), null);
            }

            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement is not { ValueKind: JsonValueKind.Object } root
                || !root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw MessengerError.BadRequest(WebhookErrorNames.WebhookBodyInvalid);
            }

            long? topicId = !root.TryGetProperty("message_thread_id", out var thread) || thread.ValueKind == JsonValueKind.Null ? null
                : thread.ValueKind == JsonValueKind.Number && thread.TryGetInt64(out var id) ? id
                : throw MessengerError.BadRequest(WebhookErrorNames.WebhookBodyInvalid);
            return (text.GetString()!, topicId);
        }
        // InvalidOperationException: a text escaping half of a surrogate pair ("\ud800"), which GetString refuses.
        catch (Exception e) when (e is JsonException or DecoderFallbackException or InvalidOperationException)
        {
            throw MessengerError.BadRequest(WebhookErrorNames.WebhookBodyInvalid);
        }
    }
}

/// <summary>Posts a webhook's text to its group as its bot, as <c>messages.send</c> posts (one writer unit, idempotent by
/// random_id, the per-user posting limit), whatever the group's kind: the webhook was made by an admin, so it posts into
/// a closed topic too — while that admin still is one, and is not blocked by a server admin.</summary>
internal sealed class WebhookPoster(SqliteDatabase database, LoggedWriter writer, IUpdateLog log, IMediator bus, PostLimiter limiter, TimeProvider clock)
{
    public async Task<ChatMessage> PostAsync(string token, string text, long? topicId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var (hookId, chatId, bot, maker) = Find(token) ?? throw MessengerError.NotFound(WebhookErrorNames.WebhookNotFound);
        if (await bus.Send(new IsUserBlockedQuery(maker), cancellationToken))
        {
            throw MessengerError.Forbidden(WebhookErrorNames.WebhookCreatorNotAdmin);
        }

        text = text.Trim();
        if (text.Length == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageEmpty);
        }

        if (!SendMessageValidator.Fits(text, SendMessageValidator.MaxTextLength))
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageTooLong);
        }

        if (!TextRules.IsCleanText(text))
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageTextInvalid);
        }

        limiter.Take(bot, 1);
        var randomId = idempotencyKey is null ? Random.Shared.NextInt64(1, long.MaxValue) : HttpPlumbing.RandomIdOf(idempotencyKey);
        var message = await writer.WriteAsync(bus, (scope, appends) =>
        {
            // Deleted since it was read: its path stops working at once. Its maker no longer an admin of the group
            // (demoted, removed, left, account deleted): it posts no more, since it posts with an admin's powers.
            var makerRole = scope.Scalar(
                "SELECT coalesce((SELECT m.role FROM message_members m WHERE m.chat_id = w.chat_id AND m.user_id = w.created_by), -1) " +
                "FROM message_webhooks w WHERE w.id = @id", ("@id", hookId));
            if (makerRole is null)
            {
                throw MessengerError.NotFound(WebhookErrorNames.WebhookNotFound);
            }

            if ((MemberRole)(long)makerRole is not (MemberRole.Admin or MemberRole.Creator))
            {
                throw MessengerError.Forbidden(WebhookErrorNames.WebhookCreatorNotAdmin);
            }

            if (MessageStore.FindByRandomId(scope, bot, randomId) is { } first)
            {
                return first;
            }

            var chat = GroupStore.Chat(scope, chatId) ?? throw MessengerError.NotFound(WebhookErrorNames.WebhookNotFound);
            var target = new ChatTarget(chatId, chat.Kind, Peer.Chat(chatId), 0, MemberRole.Admin)
            {
                Forum = scope.Scalar("SELECT forum FROM message_chats WHERE id = @chat", ("@chat", chatId)) is 1L,
            };
            target = target with { TopicId = Topics.TopicStore.ForPost(scope, target, topicId, replied: null) };
            var posted = Delivery.Post(scope, log, target, bot, randomId, text, null, action: null, clock.GetUtcNow().ToUnixTimeSeconds());
            appends.AddRange(posted.Appends);
            return posted.Message;
        }, cancellationToken);

        return message;
    }

    private (long Id, long ChatId, long BotUserId, long CreatedBy)? Find(string token)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, chat_id, bot_user_id, created_by FROM message_webhooks WHERE token_hash = @hash";
        command.Parameters.AddWithValue("@hash", WebhookTokens.Hash(token));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)) : null;
    }
}
