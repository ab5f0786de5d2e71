using MessagePack;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;

namespace Messenger.Contracts.Bots;

/// <summary><c>bots.create</c>: a bot of the caller's, which a program drives over the Bot HTTP API
/// (<c>/bot/&lt;token&gt;/…</c>: reads the messages people send it, answers them). <see cref="Username"/> is 5–32 of
/// <c>[A-Za-z0-9_]</c> ending in <c>_bot</c>; <see cref="DisplayName"/> 1–64 characters; at most
/// <see cref="BotLimits.PerOwner"/> bots per user. Errors: <c>USERNAME_INVALID</c>, <c>USERNAME_OCCUPIED</c>,
/// <c>DISPLAY_NAME_INVALID</c>, <c>BOTS_TOO_MANY</c>.</summary>
[RpcMethod("bots.create")]
[MessagePackObject]
public sealed record CreateBotCall(
    [property: Key("username")] string Username,
    [property: Key("display_name")] string DisplayName) : IRpcCall<BotToken>;

/// <summary>A bot and its token, told this once (the server keeps only its hash): whoever has it speaks as the bot.</summary>
[MessagePackObject]
public sealed record BotToken([property: Key("bot")] User Bot, [property: Key("token")] string Token);

/// <summary><c>bots.getMine</c>: the caller's bots, oldest first.</summary>
[RpcMethod("bots.getMine")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetMyBotsCall : IRpcCall<UserList>;

/// <summary><c>bots.resetToken</c>: a new token for the caller's bot; the old one stops working at once.
/// Errors: <c>BOT_NOT_FOUND</c> (not a bot of the caller's).</summary>
[RpcMethod("bots.resetToken")]
[MessagePackObject]
public sealed record ResetBotTokenCall([property: Key("bot_id")] long BotId) : IRpcCall<BotToken>;

/// <summary><c>bots.delete</c>: deletes the caller's bot as an account is deleted ("Deleted Account", its token
/// dead, out of its groups); what it sent stays. Errors: <c>BOT_NOT_FOUND</c>.</summary>
[RpcMethod("bots.delete")]
[MessagePackObject]
public sealed record DeleteBotCall([property: Key("bot_id")] long BotId) : IRpcCall<Done>;

/// <summary>One of a bot's commands: <see cref="Command"/> is 1–32 of <c>[a-z0-9_]</c> (without the slash),
/// <see cref="Description"/> 1–256 characters.</summary>
[MessagePackObject]
public sealed record BotCommand([property: Key("command")] string Command, [property: Key("description")] string Description);

[MessagePackObject]
public sealed record BotCommands([property: Key("commands")] BotCommand[] Commands);

/// <summary><c>bots.setCommands</c>: the calling bot's commands, which clients offer when someone types <c>/</c> in a chat
/// with it (at most 100; none clears them). Errors: 403 <c>BOT_ONLY</c>, <c>BOT_COMMAND_INVALID</c>.</summary>
[RpcMethod("bots.setCommands")]
[MessagePackObject]
public sealed record SetBotCommandsCall([property: Key("commands")] BotCommand[] Commands) : IRpcCall<Done>;

/// <summary><c>bots.getCommands</c>: a bot's commands, for anyone. Errors: <c>BOT_NOT_FOUND</c> (not a bot of the Bot
/// HTTP API).</summary>
[RpcMethod("bots.getCommands")]
[MessagePackObject]
public sealed record GetBotCommandsCall([property: Key("bot_id")] long BotId) : IRpcCall<BotCommands>;

public static class BotLimits
{
    public const int PerOwner = 20;

    /// <summary>The longest <c>getUpdates</c> waits for an update (seconds).</summary>
    public const int MaxPollSeconds = 50;

    public const int MaxUpdates = 100;

    public const int MaxCommands = 100;

    /// <summary>The largest file a bot sends in one <c>sendDocument</c> / <c>sendPhoto</c> (50 MiB, as Telegram's).</summary>
    public const long MaxUploadBytes = 50L * 1024 * 1024;
}

public static class BotErrorNames
{
    public const string BotsTooMany = "BOTS_TOO_MANY";
    public const string BotNotFound = "BOT_NOT_FOUND";

    /// <summary>401 over the Bot HTTP API: no bot has this token.</summary>
    public const string BotTokenInvalid = "BOT_TOKEN_INVALID";

    /// <summary>404 over the Bot HTTP API: a method it does not have.</summary>
    public const string BotMethodInvalid = "BOT_METHOD_INVALID";

    /// <summary>The request's JSON (or query) is not what the method takes.</summary>
    public const string BotRequestInvalid = "BOT_REQUEST_INVALID";

    /// <summary><c>answerCallbackQuery</c> for a press that is not the bot's, already answered, or past its 10 s.</summary>
    public const string QueryIdInvalid = "QUERY_ID_INVALID";

    /// <summary>400 over the Bot HTTP API: a text's <c>parse_mode</c> markup or its <c>entities</c> cannot be read
    /// (described in Telegram's words, "Bad Request: can't parse entities: …").</summary>
    public const string EntitiesInvalid = "ENTITIES_INVALID";

    /// <summary>400 over the Bot HTTP API: a <c>parse_mode</c> other than HTML, MarkdownV2 or Markdown.</summary>
    public const string ParseModeInvalid = "PARSE_MODE_INVALID";

    /// <summary>403: a bot writes in a private chat only once the person wrote to it there (or made the bot), as
    /// Telegram's bots cannot start a conversation.</summary>
    public const string BotChatForbidden = "BOT_CHAT_FORBIDDEN";

    public const string BotOnly = "BOT_ONLY";
    public const string BotCommandInvalid = "BOT_COMMAND_INVALID";
}
