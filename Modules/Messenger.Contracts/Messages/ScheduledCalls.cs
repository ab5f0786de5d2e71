using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Messages;

/// <summary><c>messages.sendScheduled</c>: keeps a text message to be sent as the caller at <see cref="Date"/> (unix
/// seconds, at least <see cref="ScheduleLimits.MinAheadSeconds"/> ahead, at most <see cref="ScheduleLimits.MaxAheadDays"/>
/// days). At that time the server sends it as <c>messages.send</c> would, with this <see cref="RandomId"/>, and the
/// chat gets it like any message; a send that is refused then (the peer blocked the caller, the caller left the group)
/// drops it. The same random_id again returns the first one. At most <see cref="ScheduleLimits.MaxPerUser"/> waiting per
/// user. With <see cref="Media"/> (a finished upload, as for <c>messages.send</c>) the file is stored now, held for the
/// message until it is sent or cancelled, and the text is its caption (0–1024 characters). <see cref="Silent"/> is kept
/// with it: it goes out without sound, as <c>messages.send</c> with <c>silent</c>. <see cref="Quote"/> is checked (and
/// its offset corrected) now, as <c>messages.send</c> checks it, and goes out as it was checked, whatever happens to the
/// replied message's text meanwhile. <see cref="TopicId"/>: the forum topic it goes to, as for <c>messages.send</c>
/// (checked now and again when it goes out).
/// Errors: the text and media errors of <c>messages.send</c>, <c>RANDOM_ID_INVALID</c>, <c>SCHEDULE_DATE_INVALID</c>,
/// <c>SCHEDULED_TOO_MANY</c>, <c>REPLY_TO_INVALID</c>, <c>QUOTE_TEXT_INVALID</c>, <c>QUOTE_OFFSET_INVALID</c>,
/// <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.sendScheduled")]
[MessagePackObject]
public sealed record SendScheduledCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("random_id")] long RandomId,
    [property: Key("text")] string Text,
    [property: Key("date")] long Date,
    [property: Key("reply_to_id")] long? ReplyToId = null,
    [property: Key("media")] Media.InputMedia? Media = null,
    [property: Key("silent")] bool Silent = false,
    [property: Key("quote")] ReplyQuote? Quote = null,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<ScheduledMessage>, IRepeatableCall;

/// <summary><c>messages.getScheduled</c>: the caller's messages waiting to be sent in the chat, soonest first.
/// Errors: <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getScheduled")]
[MessagePackObject]
public sealed record GetScheduledCall([property: Key("peer")] Peer Peer) : IRpcCall<ScheduledMessages>;

/// <summary><c>messages.deleteScheduled</c>: cancels the caller's waiting messages in the chat (unknown ids are
/// ignored; a message already sent is not touched). Errors: <c>MESSAGE_IDS_INVALID</c>, <c>PEER_ID_INVALID</c>.</summary>
[RpcMethod("messages.deleteScheduled")]
[MessagePackObject]
public sealed record DeleteScheduledCall([property: Key("peer")] Peer Peer, [property: Key("ids")] long[] Ids) : IRpcCall<Done>;

/// <summary>A message waiting to be sent at <see cref="Date"/>; <see cref="Id"/> names it until then (it is not the id
/// the message gets when sent). <see cref="Media"/> is its file, if any (then <see cref="Text"/> is the caption);
/// <see cref="Silent"/>: it will be sent without sound; <see cref="Quote"/>: the part of the replied message it quotes;
/// <see cref="TopicId"/>: the forum topic it goes to (0: none, or General).</summary>
[MessagePackObject]
public sealed partial record ScheduledMessage(
    [property: Key("id")] long Id,
    [property: Key("peer")] Peer Peer,
    [property: Key("text")] string Text,
    [property: Key("date")] long Date,
    [property: Key("random_id")] long RandomId,
    [property: Key("reply_to_id")] long? ReplyToId,
    [property: Key("media")] Media.MessageMedia? Media = null,
    [property: Key("silent")] bool Silent = false,
    [property: Key("quote")] ReplyQuote? Quote = null,
    [property: Key("topic_id")] long TopicId = 0);

/// <summary>A chat's waiting messages (<c>messages.getScheduled</c>).</summary>
[MessagePackObject]
public sealed record ScheduledMessages([property: Key("messages")] ScheduledMessage[] Messages);

/// <summary>Limits of scheduled messages.</summary>
public static class ScheduleLimits
{
    public const int MinAheadSeconds = 10;
    public const int MaxAheadDays = 366;
    public const int MaxPerUser = 100;
}
