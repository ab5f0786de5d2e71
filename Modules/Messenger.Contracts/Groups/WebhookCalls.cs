using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Groups;

/// <summary>A group's incoming webhook: anything that can make an HTTP request (a CI job, a monitor, a script) posts to
/// the group through it, as its own bot user (<see cref="BotUserId"/>, named <see cref="Name"/>).</summary>
[MessagePackObject]
public sealed record Webhook(
    [property: Key("id")] long Id,
    [property: Key("chat_id")] long ChatId,
    [property: Key("name")] string Name,
    [property: Key("bot_user_id")] long BotUserId,
    [property: Key("created_by")] long CreatedBy,
    [property: Key("created_at")] long CreatedAt);

/// <summary><c>groups.createWebhook</c> (admins): a new webhook named <see cref="Name"/> (1–64 characters, the name its
/// messages show), at most <see cref="WebhookLimits.PerChat"/> per group. Errors: <c>WEBHOOK_NAME_INVALID</c>,
/// <c>WEBHOOKS_TOO_MANY</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.createWebhook")]
[MessagePackObject]
public sealed record CreateWebhookCall([property: Key("chat_id")] long ChatId, [property: Key("name")] string Name) : IRpcCall<WebhookCreated>;

/// <summary>The new webhook and its secret path, <c>/hooks/&lt;token&gt;</c> on this server: told this once (the server
/// keeps only a hash of the token), so keep it where the poster's secrets are kept.</summary>
[MessagePackObject]
public sealed record WebhookCreated([property: Key("webhook")] Webhook Webhook, [property: Key("path")] string Path);

/// <summary><c>groups.getWebhooks</c> (admins): the group's webhooks, oldest first (without their tokens).
/// Errors: 403 <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.getWebhooks")]
[MessagePackObject]
public sealed record GetWebhooksCall([property: Key("chat_id")] long ChatId) : IRpcCall<WebhookList>;

[MessagePackObject]
public sealed record WebhookList([property: Key("webhooks")] Webhook[] Items);

/// <summary><c>groups.deleteWebhook</c> (admins): the webhook's path stops working at once; what it posted stays, by its
/// bot. Errors: <c>WEBHOOK_NOT_FOUND</c> (404), 403 <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.deleteWebhook")]
[MessagePackObject]
public sealed record DeleteWebhookCall([property: Key("chat_id")] long ChatId, [property: Key("id")] long Id) : IRpcCall<Done>;

public static class WebhookLimits
{
    public const int PerChat = 10;
    public const int MaxNameLength = 64;

    /// <summary>The largest request body <c>POST /hooks/&lt;token&gt;</c> reads: a text at the raw markup limit (16384
    /// UTF-16 units, 4096 shown times 4; at most 48 KiB as UTF-8) with room for the JSON around it. A text written
    /// wholly as <c>\uXXXX</c> escapes fits only up to about 10900 units: clients send UTF-8, so the limit stays where
    /// it caps a request's memory.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The longest <c>Idempotency-Key</c> header.</summary>
    public const int MaxIdempotencyKeyLength = 128;
}

public static class WebhookErrorNames
{
    public const string WebhookNameInvalid = "WEBHOOK_NAME_INVALID";
    public const string WebhooksTooMany = "WEBHOOKS_TOO_MANY";

    /// <summary>404: no such webhook in the group, or (over HTTP) no webhook has this token.</summary>
    public const string WebhookNotFound = "WEBHOOK_NOT_FOUND";

    /// <summary>403: the admin who made the webhook is no longer an admin of the group (demoted, removed, left) or was
    /// blocked by a server admin: it posts no more until they are one again; another admin deletes it and makes a new one.</summary>
    public const string WebhookCreatorNotAdmin = "WEBHOOK_CREATOR_NOT_ADMIN";

    /// <summary>The body is not JSON with a string <c>text</c>, nor plain text.</summary>
    public const string WebhookBodyInvalid = "WEBHOOK_BODY_INVALID";
    public const string WebhookBodyTooLarge = "WEBHOOK_BODY_TOO_LARGE";
    public const string IdempotencyKeyInvalid = "IDEMPOTENCY_KEY_INVALID";
}
