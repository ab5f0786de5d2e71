using MessagePack;
using Messenger.Contracts.Media;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Messages;

/// <summary><c>messages.send</c>: stores a text message in the chat with <see cref="Peer"/> and returns it once it is
/// durable. <see cref="RandomId"/> (chosen by the client, non-zero) makes the call idempotent per sender: sending the
/// same random id again returns the first message. Text is 1–4096 characters as shown (trimmed, without its formatting
/// markup), its markup at most 4 times that; with <see cref="Media"/> (a finished upload, see <c>upload.saveFilePart</c>)
/// it is a caption of 0–1024 characters as shown.
/// Errors: <c>MESSAGE_EMPTY</c>, <c>MESSAGE_TOO_LONG</c>, <c>MESSAGE_TEXT_INVALID</c>, <c>RANDOM_ID_INVALID</c>, <c>PEER_ID_INVALID</c>,
/// <c>REPLY_TO_INVALID</c>, 403 <c>USER_IS_BLOCKED</c> (the peer blocked you), 403 <c>YOU_BLOCKED_USER</c>; with media
/// also <c>MEDIA_CAPTION_TOO_LONG</c>, <c>MEDIA_INPUT_INVALID</c>, <c>FILE_ID_INVALID</c>, <c>FILE_PARTS_INVALID</c>,
/// <c>FILE_PART_MISSING</c>, <c>FILE_PART_SIZE_INVALID</c>, <c>QUOTA_EXCEEDED</c>. <see cref="ReplyMarkup"/> (buttons) is
/// for bots only: <c>REPLY_MARKUP_INVALID</c>, 403 <c>REPLY_MARKUP_BOTS_ONLY</c>. <see cref="Silent"/> sends it without
/// sound: it arrives as usual, and every copy of it says <see cref="Message.Silent"/>, for clients to notify quietly.
/// <see cref="Quote"/> (with <see cref="ReplyToId"/>) quotes part of the replied message (<see cref="ReplyQuote"/>: checked,
/// trimmed and its offset corrected; the message carries it as <c>reply_quote</c>): <c>QUOTE_TEXT_INVALID</c>,
/// <c>QUOTE_OFFSET_INVALID</c>. <see cref="Geo"/> sends a location instead of a text (<see cref="Text"/> empty, no
/// <see cref="Media"/>; a live one with its <c>live_period</c>): <c>GEO_POINT_INVALID</c>, <c>GEO_ACCURACY_INVALID</c>,
/// <c>GEO_LIVE_PERIOD_INVALID</c>, <c>GEO_HEADING_INVALID</c>, <c>GEO_ALONE_REQUIRED</c> (with text or media).
/// <see cref="TopicId"/> posts into a forum's topic (0 or none: General; a reply goes to its replied message's topic
/// whatever is given): <c>TOPIC_ID_INVALID</c> (no such topic in the chat, a deleted one, or a chat that is no forum),
/// <c>TOPIC_CLOSED</c> (a closed topic, for all but admins).</summary>
[RpcMethod("messages.send")]
[MessagePackObject]
public sealed record SendMessageCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("random_id")] long RandomId,
    [property: Key("text")] string Text,
    [property: Key("reply_to_id")] long? ReplyToId = null,
    [property: Key("media")] InputMedia? Media = null,
    [property: Key("reply_markup")] ReplyMarkup? ReplyMarkup = null,
    [property: Key("silent")] bool Silent = false,
    [property: Key("quote")] ReplyQuote? Quote = null,
    [property: Key("geo")] InputGeo? Geo = null,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<SentMessage>, IRepeatableCall;

/// <summary><c>messages.getHistory</c>: up to <see cref="Limit"/> (1–100) messages of the chat, newest first, older
/// than <see cref="OffsetId"/> (0: from the newest). With <see cref="TopicId"/>, a forum's one topic (0: General, the
/// messages outside topics). Errors: <c>PEER_ID_INVALID</c>, <c>LIMIT_INVALID</c>, <c>TOPIC_ID_INVALID</c> (no such
/// topic, or a chat that is no forum).</summary>
[RpcMethod("messages.getHistory")]
[MessagePackObject]
public sealed record GetHistoryCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 50,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<MessageList>, IRepeatableCall;

/// <summary><c>messages.getReplies</c>: the thread of message <see cref="MessageId"/> — the messages that answer it
/// (<c>reply_to_id</c>), <b>oldest first</b>, newer than <see cref="OffsetId"/> (0: from the first), up to
/// <see cref="Limit"/> (1–100). Errors: <c>MESSAGE_ID_INVALID</c> (not a message of the chat the caller sees),
/// <c>PEER_ID_INVALID</c>, <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getReplies")]
[MessagePackObject]
public sealed record GetRepliesCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 50) : IRpcCall<MessageList>;

/// <summary><c>messages.getUnreadMentions</c>: the messages of a group that name the caller (<c>@username</c>) or answer
/// one of theirs and that they have not read yet, <b>oldest first</b>, newer than <see cref="OffsetId"/> (0: from the
/// oldest), up to <see cref="Limit"/> (1–100): a client jumps to each in turn; reading past one
/// (<c>messages.readHistory</c>) takes it off. A private chat has none. Errors: <c>PEER_ID_INVALID</c>,
/// <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getUnreadMentions")]
[MessagePackObject]
public sealed record GetUnreadMentionsCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 50) : IRpcCall<MessageList>;

/// <summary><c>messages.readMentions</c>: marks every unread mention of the caller in a group read without reading the
/// chat (the badge goes, the messages stay unread). Their other devices get <c>read_inbox</c> with the chat's read
/// position unchanged and <c>unread_mentions</c> 0; nothing to mark (or a private chat) changes nothing
/// (<c>pts_count</c> 0). Errors: <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.readMentions")]
[MessagePackObject]
public sealed record ReadMentionsCall([property: Key("peer")] Peer Peer) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.readThread</c>: the caller has read the thread of message <see cref="MessageId"/> (its answers)
/// up to <see cref="MaxId"/>. The position only moves forward, and never past the thread's newest answer; the caller's
/// other devices get <c>read_thread</c>; a position that does not move changes nothing (<c>pts_count</c> 0). Reading a
/// thread is what makes the caller follow it (see <see cref="ReplyCount"/>). With <see cref="Topic"/> true,
/// <see cref="MessageId"/> names a forum's topic (its id, 0: General), whose messages are then the thread, read apart
/// from the answers to the topic's first message (see <c>messages.getForumTopics</c>); false: always a message's
/// answers; unset (clients older than the flag): a topic when the chat is a forum and the id is one of its topics or 0.
/// Errors: <c>MESSAGE_ID_INVALID</c> (not a message of that chat the caller sees), <c>TOPIC_ID_INVALID</c> (with
/// <see cref="Topic"/>: not a forum, or no such topic), <c>MAX_ID_INVALID</c> (negative), <c>PEER_ID_INVALID</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.readThread")]
[MessagePackObject]
public sealed record ReadThreadCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("max_id")] long MaxId,
    [property: Key("topic")] bool? Topic = null) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.getSharedMedia</c>: the chat's messages of one kind — <see cref="SharedMedia"/>'s photos,
/// videos, audio (voice messages too), documents (every other file), links (text messages with a link) or locations
/// (<c>geo</c>: points and live locations) — newest first,
/// older than <see cref="OffsetId"/> (0: from the newest), at most <see cref="Limit"/> (1–100): what a chat's info shows
/// as its shared media. Errors: <c>FILTER_INVALID</c>, <c>PEER_ID_INVALID</c>, <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>,
/// 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getSharedMedia")]
[MessagePackObject]
public sealed record GetSharedMediaCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("filter")] string Filter,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 50) : IRpcCall<MessageList>;

/// <summary>The filters of <c>messages.getSharedMedia</c>, and the number each has in <c>message_messages.shared_kind</c>.</summary>
public static class SharedMedia
{
    public const string Photo = "photo";
    public const string Video = "video";
    public const string Audio = "audio";
    public const string Document = "document";
    public const string Link = "link";

    /// <summary>Location messages (<see cref="Message.Geo"/>).</summary>
    public const string Geo = "geo";

    /// <summary>The filters in the order of their numbers (1-based).</summary>
    public static readonly string[] Filters = [Photo, Video, Audio, Document, Link, Geo];

    /// <summary>The number kept for a filter (0: not a filter).</summary>
    public static int NumberOf(string? filter) => Array.IndexOf(Filters, filter) + 1;
}

/// <summary><c>messages.getDialogs</c>: the caller's chats ordered by last activity, skipping <see cref="Offset"/>,
/// at most <see cref="Limit"/> (1–100). Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>.</summary>
[RpcMethod("messages.getDialogs")]
[MessagePackObject]
public sealed record GetDialogsCall([property: Key("offset")] int Offset = 0, [property: Key("limit")] int Limit = 50) : IRpcCall<Dialogs>, IRepeatableCall;

/// <summary><c>messages.getPeerDialogs</c>: the caller's chat-list rows for <see cref="Peers"/> (1–<see cref="PeerDialogLimits.MaxPeers"/>
/// users, groups or channels), each as <c>messages.getDialogs</c> shows it, in the chat list's order; a peer the
/// caller has no row for (no chat with them, a group they left, a private chat whose history they cleared) is left
/// out, not an error, and <c>total</c> is the number of rows returned. Errors: <c>PEER_ID_INVALID</c> (a peer of no
/// known kind or with an id below 1), <c>LIMIT_INVALID</c> (no peers or more than 100).</summary>
[RpcMethod("messages.getPeerDialogs")]
[MessagePackObject]
public sealed record GetPeerDialogsCall([property: Key("peers")] Peer[] Peers) : IRpcCall<Dialogs>, IRepeatableCall;

/// <summary>Limits of <see cref="GetPeerDialogsCall"/>.</summary>
public static class PeerDialogLimits
{
    /// <summary>Peers one call asks for at most (as Telegram's <c>messages.getPeerDialogs</c>).</summary>
    public const int MaxPeers = 100;
}

/// <summary><c>messages.edit</c>: replaces the text of one of the caller's own messages, or the caption (0–1024
/// characters: empty removes it) of a media message.
/// Errors: <c>MESSAGE_EMPTY</c>, <c>MESSAGE_TOO_LONG</c>, <c>MESSAGE_TEXT_INVALID</c>, <c>MEDIA_CAPTION_TOO_LONG</c>, <c>PEER_ID_INVALID</c>, <c>MESSAGE_ID_INVALID</c>
/// (not in this chat or deleted), 403 <c>MESSAGE_AUTHOR_REQUIRED</c>, <c>MESSAGE_NOT_MODIFIED</c>, <c>POLL_NOT_EDITABLE</c>,
/// <c>FORWARD_NOT_EDITABLE</c> (a forwarded copy: its text is its original author's), 403 <c>USER_IS_BLOCKED</c> (a
/// private chat whose other user blocked the caller), <c>GEO_ALONE_REQUIRED</c> (a location has no text; a live one moves by <c>messages.editLiveLocation</c>),
/// 403 <c>CHAT_WRITE_FORBIDDEN</c> (in a group, checked as a send of text: a member the admins took writing from, a
/// channel admin made a subscriber again), 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.edit")]
[MessagePackObject]
public sealed record EditMessageCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("text")] string Text) : IRpcCall<SentMessage>;

/// <summary><c>messages.delete</c>: deletes messages of the chat for the caller, or for everyone when
/// <see cref="Revoke"/> is set (only the caller's own messages; others' messages are then deleted for the caller only).
/// At most 100 ids; unknown ids are ignored. Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_IDS_INVALID</c>,
/// 403 <c>MESSAGE_DELETE_FORBIDDEN</c> (revoke on a message that is not the caller's).</summary>
[RpcMethod("messages.delete")]
[MessagePackObject]
public sealed record DeleteMessagesCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("ids")] long[] Ids,
    [property: Key("revoke")] bool Revoke) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.deleteHistory</c>: clears the chat for the caller — every message with id ≤ <see cref="MaxId"/>
/// (0: all of them), newest first, in batches of <see cref="HistoryDeletion.BatchSize"/>. While the answer's
/// <c>offset</c> is above 0, call again with it as <see cref="MaxId"/> (the SDK does). With <see cref="Revoke"/>, in a
/// private chat only, the caller's own messages are deleted for both users (the other user's messages for the caller
/// only, as <c>messages.delete</c>). The caller's other devices get <c>delete_messages</c>; a private chat with nothing
/// left to show leaves the caller's chat list until its next message. Errors: <c>PEER_ID_INVALID</c>,
/// <c>MAX_ID_INVALID</c>, <c>REVOKE_PRIVATE_ONLY</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.deleteHistory")]
[MessagePackObject]
public sealed record DeleteHistoryCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("max_id")] long MaxId = 0,
    [property: Key("revoke")] bool Revoke = false) : IRpcCall<AffectedHistory>;

/// <summary>Where the caller's update log stands after one batch of <c>messages.deleteHistory</c>, and <see cref="Offset"/>:
/// the <c>max_id</c> of the next batch, 0 when the history is cleared.</summary>
[MessagePackObject]
public sealed record AffectedHistory(
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("offset")] long Offset);

/// <summary>Limits of <see cref="DeleteHistoryCall"/>.</summary>
public static class HistoryDeletion
{
    /// <summary>Messages one call deletes at most: one writer unit, a few milliseconds, so that clearing a long chat
    /// never holds up everyone else's sends.</summary>
    public const int BatchSize = 250;
}

/// <summary><c>messages.received</c>: this device has received every incoming message with id ≤ <see cref="MaxId"/>;
/// their senders get a <c>delivered</c> update. Errors: <c>MAX_ID_INVALID</c>.</summary>
[RpcMethod("messages.received")]
[MessagePackObject]
public sealed record ReceivedMessagesCall([property: Key("max_id")] long MaxId) : IRpcCall<Done>, IRepeatableCall;

/// <summary><c>messages.readHistory</c>: the caller has read the chat up to <see cref="MaxId"/>. The caller's other
/// devices get <c>read_inbox</c>, the sender gets <c>read_outbox</c>. Errors: <c>PEER_ID_INVALID</c>,
/// <c>MAX_ID_INVALID</c>.</summary>
[RpcMethod("messages.readHistory")]
[MessagePackObject]
public sealed record ReadHistoryCall([property: Key("peer")] Peer Peer, [property: Key("max_id")] long MaxId) : IRpcCall<AffectedMessages>, IRepeatableCall;

/// <summary><c>messages.getReadParticipants</c>: who has read the caller's message <see cref="Id"/> — the other user of a
/// private chat, or the current members of a small group — by user id. Large groups and channels keep no per-reader
/// positions to ask (<c>CHAT_TOO_BIG</c>). Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_ID_INVALID</c> (not in the chat or
/// deleted), 403 <c>MESSAGE_AUTHOR_REQUIRED</c> (someone else's message), <c>CHAT_TOO_BIG</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getReadParticipants")]
[MessagePackObject]
public sealed record GetReadParticipantsCall([property: Key("peer")] Peer Peer, [property: Key("id")] long Id) : IRpcCall<ReadParticipants>;

/// <summary>The users who have read a message (<c>messages.getReadParticipants</c>).</summary>
[MessagePackObject]
public sealed record ReadParticipants([property: Key("user_ids")] long[] UserIds);

/// <summary><c>messages.setTyping</c>: tells the peer's online devices the caller is typing (valid 6 s; repeat to
/// extend). A notice is forwarded at most once per 2 s per chat unless the last was cancelled, from an allowance of 3 that
/// refills one per 2 s, and a <c>cancel</c> once after each notice still shown; the others succeed silently. Actions: <c>typing</c>, <c>cancel</c>, <c>upload</c>. In a group typing is a post: a plain member
/// needs the right to send (and to send media for <c>upload</c>); in a channel members are refused and an admin's typing
/// goes to nobody. Errors: <c>PEER_ID_INVALID</c>, <c>TYPING_ACTION_INVALID</c>, 403 <c>CHAT_WRITE_FORBIDDEN</c>, 403
/// <c>CHAT_SEND_MEDIA_FORBIDDEN</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.setTyping")]
[MessagePackObject]
public sealed record SetTypingCall([property: Key("peer")] Peer Peer, [property: Key("action")] string Action) : IRpcCall<Done>, IRepeatableCall;

/// <summary>Typing actions of <see cref="SetTypingCall"/>.</summary>
public static class TypingActions
{
    public const string Typing = "typing";
    public const string Cancel = "cancel";
    public const string Upload = "upload";

    public static bool IsKnown(string? action) => action is Typing or Cancel or Upload;
}

/// <summary><c>messages.pin</c>: adds message <see cref="Id"/> to the chat's pinned messages, for everyone in it (at most
/// <see cref="PinnedMessages.MaxPinned"/>; they are ordered by message id, the newest message first, and the newest is the
/// one a single bar shows), or takes it off the list (<see cref="Unpin"/>; <see cref="Id"/> 0 takes off the newest, which
/// is what a client that knows one pinned message shows). The chat's audience gets <c>pinned_message</c>, and a pin also
/// posts the service message <c>pin_message</c> (its <c>reply_to_id</c> is the pinned message) unless <see cref="Silent"/>.
/// Pinning what is already pinned, or unpinning what is not, changes nothing (<c>pts_count</c> 0, no service message).
/// Both users of a private chat and every member of a small group may pin; in a large group or channel only admins.
/// Errors: <c>PEER_ID_INVALID</c>, <c>USER_DELETED</c>, <c>MESSAGE_ID_INVALID</c> (not in this chat, deleted, or a
/// service message), <c>PINNED_TOO_MUCH</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 403 <c>USER_IS_BLOCKED</c> /
/// <c>YOU_BLOCKED_USER</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.pin")]
[MessagePackObject]
public sealed record PinMessageCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("unpin")] bool Unpin = false,
    [property: Key("silent")] bool Silent = false) : IRpcCall<PinResult>;

/// <summary><c>messages.unpinAll</c>: takes every pinned message of the chat off the list, for everyone in it, with one
/// <c>pinned_message</c> entry (its <c>ids</c> every message taken off). Who may: as for <c>messages.pin</c>. Nothing
/// pinned changes nothing (<c>pts_count</c> 0). Errors: <c>PEER_ID_INVALID</c>, <c>USER_DELETED</c>, 403
/// <c>CHAT_ADMIN_REQUIRED</c>, 403 <c>USER_IS_BLOCKED</c> / <c>YOU_BLOCKED_USER</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.unpinAll")]
[MessagePackObject]
public sealed record UnpinAllMessagesCall([property: Key("peer")] Peer Peer) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.getPinned</c>: the chat's pinned messages the caller sees, newest message first, older than
/// <see cref="OffsetId"/> (0: from the newest), at most <see cref="Limit"/> (1–100). Errors: <c>PEER_ID_INVALID</c>,
/// <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getPinned")]
[MessagePackObject]
public sealed record GetPinnedMessagesCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = PinnedMessages.MaxPinned) : IRpcCall<MessageList>;

/// <summary>Limits of a chat's pinned messages.</summary>
public static class PinnedMessages
{
    /// <summary>Pinned messages a chat keeps at most (Telegram documents none; a list longer than this is no longer a
    /// list anyone reads).</summary>
    public const int MaxPinned = 100;
}

/// <summary><c>messages.setHistoryTTL</c>: turns the chat's auto-delete on (<see cref="Period"/> seconds,
/// <see cref="HistoryTtl.Min"/>–<see cref="HistoryTtl.Max"/>) or off (0), for everyone in it. Messages posted while it is on
/// carry <c>ttl_period</c> and are deleted for everyone that long after their date; messages already there stay as they
/// were. Posts the service message <c>set_ttl</c> (with the period; it never expires itself) and answers it as
/// <c>messages.send</c> does. Both users of a private chat may set it; in a group only admins. Errors:
/// <c>TTL_PERIOD_INVALID</c>, <c>CHAT_NOT_MODIFIED</c> (already that period), <c>PEER_ID_INVALID</c>, <c>USER_DELETED</c>,
/// 403 <c>CHAT_ADMIN_REQUIRED</c>, 403 <c>USER_IS_BLOCKED</c> / <c>YOU_BLOCKED_USER</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.setHistoryTTL")]
[MessagePackObject]
public sealed record SetHistoryTtlCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("period")] int Period) : IRpcCall<SentMessage>;

/// <summary>Bounds of a chat's auto-delete period (<c>messages.setHistoryTTL</c>), in seconds.</summary>
public static class HistoryTtl
{
    /// <summary>One minute.</summary>
    public const int Min = 60;

    /// <summary>One year (366 days).</summary>
    public const int Max = 366 * 86_400;
}

/// <summary>What <c>messages.pin</c> did: the chat's newest pinned message now (null: none), how many are pinned
/// (<see cref="Count"/>), the service message it posted (if any), and where the caller's log (or, when <see cref="Channel"/> is set, the large group's own log) stands after
/// both entries (apply them as one change of <see cref="PtsCount"/> positions; the caller's device gets no push of them).</summary>
[MessagePackObject]
public sealed record PinResult(
    [property: Key("pinned")] Message? Pinned,
    [property: Key("service_message")] Message? ServiceMessage,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false,
    [property: Key("count")] int Count = 0);

/// <summary><c>messages.sendReaction</c>: the caller reacts to message <see cref="Id"/> with <see cref="Reaction"/> (one
/// emoji: a single grapheme, not a letter, digit or ASCII character), replacing their earlier reaction, or takes their
/// reaction back (null or empty). One reaction per person per message, at most <see cref="ReactionLimits.MaxDistinct"/>
/// different ones per message. The chat's audience gets <c>message_reactions</c>; reacting as before changes nothing
/// (<c>pts_count</c> 0). Counts against the posting limit. Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_ID_INVALID</c>
/// (not in the chat, deleted, or a service message), <c>REACTION_INVALID</c>, <c>REACTIONS_TOO_MANY</c>,
/// <c>USER_DELETED</c>, 403 <c>USER_IS_BLOCKED</c> / <c>YOU_BLOCKED_USER</c>, 404 <c>CHAT_NOT_FOUND</c>,
/// 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("messages.sendReaction")]
[MessagePackObject]
public sealed record SendReactionCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("reaction")] string? Reaction) : IRpcCall<ReactionsChanged>;

/// <summary>The message's reactions after <c>messages.sendReaction</c>, the caller's own, and where the caller's log (or,
/// when <see cref="Channel"/> is set, the large group's own log) stands; the caller's device gets no push of it.</summary>
[MessagePackObject]
public sealed record ReactionsChanged(
    [property: Key("reactions")] ReactionCount[] Reactions,
    [property: Key("my_reaction")] string? MyReaction,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false);

/// <summary>Limits of reactions.</summary>
public static class ReactionLimits
{
    /// <summary>Different reactions one message may carry.</summary>
    public const int MaxDistinct = 20;

    /// <summary>UTF-16 code units of one reaction (a family emoji with skin tones is the longest).</summary>
    public const int MaxLength = 32;
}

/// <summary><c>messages.saveDraft</c>: keeps the text the caller is writing in the chat (0–4096 characters as shown; empty clears
/// it) so that their other devices show it too (<c>draft_message</c> in the caller's log; the dialog carries it as
/// <c>draft</c>). Sending does not clear a draft: a client clears it after the send. The same draft again changes
/// nothing (<c>pts_count</c> 0). <see cref="Quote"/> is the part of the replied message the reply will quote, checked
/// as <c>messages.send</c> checks it (an empty draft keeps neither the reply nor the quote). Errors: <c>PEER_ID_INVALID</c>,
/// <c>MESSAGE_TOO_LONG</c>, <c>MESSAGE_TEXT_INVALID</c>, <c>REPLY_TO_INVALID</c>, <c>QUOTE_TEXT_INVALID</c>, <c>QUOTE_OFFSET_INVALID</c>,
/// 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.saveDraft")]
[MessagePackObject]
public sealed record SaveDraftCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("text")] string Text,
    [property: Key("reply_to_id")] long? ReplyToId = null,
    [property: Key("quote")] ReplyQuote? Quote = null) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.toggleDialogPin</c>: keeps the chat at the top of the caller's chat list (pinned chats first,
/// the most recently pinned first), or lets it go back to its place. At most <see cref="DialogPins.MaxPinned"/>. Only the
/// caller's own devices are told (<c>dialog_pinned</c> in the caller's log). Pinning what is pinned changes nothing.
/// Errors: <c>PEER_ID_INVALID</c>, <c>PINNED_DIALOGS_TOO_MUCH</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.toggleDialogPin")]
[MessagePackObject]
public sealed record ToggleDialogPinCall([property: Key("peer")] Peer Peer, [property: Key("pinned")] bool Pinned) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.toggleDialogArchive</c>: moves the chat to the caller's archive (out of the main list; it stays
/// archived when new messages come, as WhatsApp keeps it) or back. Only the caller's own devices are told
/// (<c>dialog_archived</c> in the caller's log). Archiving what is archived changes nothing. Errors:
/// <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.toggleDialogArchive")]
[MessagePackObject]
public sealed record ToggleDialogArchiveCall([property: Key("peer")] Peer Peer, [property: Key("archived")] bool Archived) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.markDialogUnread</c>: marks the chat unread for the caller, to come back to it (or takes the mark
/// off). The mark is the caller's own and stays until taken off: clients take it off when the chat is opened. Only the
/// caller's own devices are told (<c>dialog_unread_mark</c> in the caller's log). Errors: <c>PEER_ID_INVALID</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.markDialogUnread")]
[MessagePackObject]
public sealed record MarkDialogUnreadCall([property: Key("peer")] Peer Peer, [property: Key("unread")] bool Unread) : IRpcCall<AffectedMessages>;

/// <summary>Limits of pinned chats.</summary>
public static class DialogPins
{
    public const int MaxPinned = 5;
}

/// <summary><c>messages.updateNotifySettings</c>: mutes the chat for the caller until <see cref="MuteUntil"/> (unix
/// seconds; <see cref="NotifySettings.MuteForever"/> for good) or unmutes it (0, or any time already past). Only the
/// caller's own devices are told (<c>notify_settings</c> in the caller's log); the dialog carries it as
/// <c>mute_until</c>. Muting is for clients to act on (no notification, not counted in a badge): messages still
/// arrive. With <see cref="TopicId"/> (0: General) it mutes or unmutes that one topic of a forum instead
/// (<see cref="ForumTopic.MuteUntil"/>; a muted topic adds to the chat's mute, it does not lift it), and the update
/// carries the topic. Errors: <c>PEER_ID_INVALID</c>, <c>MUTE_UNTIL_INVALID</c> (negative), <c>TOPIC_ID_INVALID</c>
/// (no such topic, or no forum), 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.updateNotifySettings")]
[MessagePackObject]
public sealed record UpdateNotifySettingsCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("mute_until")] long MuteUntil,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<AffectedMessages>;

/// <summary>Values of <see cref="UpdateNotifySettingsCall.MuteUntil"/>.</summary>
public static class NotifySettings
{
    /// <summary>Muted until unmuted (2³¹ − 1, as Telegram).</summary>
    public const long MuteForever = int.MaxValue;

    /// <summary>Whether a chat with this <c>mute_until</c> is muted at <paramref name="now"/> (unix seconds).</summary>
    public static bool IsMuted(long muteUntil, long now) => muteUntil > now;
}

/// <summary><c>users.block</c>: the user can no longer send to the caller (403 <c>USER_IS_BLOCKED</c>).
/// Errors: <c>USER_ID_INVALID</c>.</summary>
[RpcMethod("users.block")]
[MessagePackObject]
public sealed record BlockUserCall([property: Key("user_id")] long UserId) : IRpcCall<Done>;

/// <summary><c>users.getBlocked</c>: the users the caller has blocked, by id.</summary>
[RpcMethod("users.getBlocked")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetBlockedCall : IRpcCall<BlockedUsers>;

/// <summary>The users the caller has blocked (<c>users.getBlocked</c>).</summary>
[MessagePackObject]
public sealed record BlockedUsers([property: Key("user_ids")] long[] UserIds);

/// <summary><c>users.unblock</c>. Errors: <c>USER_ID_INVALID</c>.</summary>
[RpcMethod("users.unblock")]
[MessagePackObject]
public sealed record UnblockUserCall([property: Key("user_id")] long UserId) : IRpcCall<Done>;

/// <summary>Stable error names of chats and messages.</summary>
/// <summary><c>messages.editReplyMarkup</c>: a bot replaces the buttons under one of its messages, or (null) takes them
/// away; the chat gets <c>edit_message</c> (its <c>edit_date</c> unchanged: the text is as it was). Errors:
/// <c>REPLY_MARKUP_INVALID</c>, 403 <c>REPLY_MARKUP_BOTS_ONLY</c>, <c>MESSAGE_ID_INVALID</c>, 403 <c>MESSAGE_AUTHOR_REQUIRED</c>,
/// <c>MESSAGE_NOT_MODIFIED</c>.</summary>
[RpcMethod("messages.editReplyMarkup")]
[MessagePackObject]
public sealed record EditReplyMarkupCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("id")] long Id,
    [property: Key("reply_markup")] ReplyMarkup? ReplyMarkup) : IRpcCall<SentMessage>;

/// <summary><c>messages.getBotCallbackAnswer</c>: presses the button with <see cref="Data"/> under a bot's message
/// <see cref="MessageId"/> in the chat with <see cref="Peer"/>: the bot gets a <c>callback_query</c> and has 10 s to answer
/// (<c>answerCallbackQuery</c>). Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_ID_INVALID</c> (not a bot's message the caller
/// sees), <c>DATA_INVALID</c> (no such button on it), <c>BOT_RESPONSE_TIMEOUT</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getBotCallbackAnswer")]
[MessagePackObject]
public sealed record GetBotCallbackAnswerCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("data")] string Data) : IRpcCall<BotCallbackAnswer>;

/// <summary>The bot's answer to a pressed button: a short <see cref="Message"/> to show (none: nothing to say), as an
/// alert to dismiss when <see cref="Alert"/>, else as a passing notice; or a <see cref="Url"/> to open.</summary>
[MessagePackObject]
public sealed record BotCallbackAnswer(
    [property: Key("message")] string? Message,
    [property: Key("alert")] bool Alert,
    [property: Key("url")] string? Url = null);

public static class MessageErrorNames
{
    public const string ReplyMarkupInvalid = "REPLY_MARKUP_INVALID";
    public const string ReplyMarkupBotsOnly = "REPLY_MARKUP_BOTS_ONLY";
    public const string DataInvalid = "DATA_INVALID";
    public const string BotResponseTimeout = "BOT_RESPONSE_TIMEOUT";
    public const string MessageEmpty = "MESSAGE_EMPTY";
    public const string MessageTooLong = "MESSAGE_TOO_LONG";

    /// <summary>A text or caption holds a control character other than tab, line feed and carriage return (C0, DEL,
    /// C1, NUL), or a lone surrogate: refused rather than cleaned, so what is stored is what the sender wrote.</summary>
    public const string MessageTextInvalid = "MESSAGE_TEXT_INVALID";
    public const string RandomIdInvalid = "RANDOM_ID_INVALID";
    public const string PeerIdInvalid = "PEER_ID_INVALID";

    /// <summary>The other user of a private chat deleted their account: the chat can be read, not written to.</summary>
    public const string UserDeleted = "USER_DELETED";
    public const string ReplyToInvalid = "REPLY_TO_INVALID";

    /// <summary>A reply's quote is not 1–1024 characters of the replied message's text, or there is no reply to quote.</summary>
    public const string QuoteTextInvalid = "QUOTE_TEXT_INVALID";

    /// <summary>A reply's quote's offset is negative or beyond the replied message's text.</summary>
    public const string QuoteOffsetInvalid = "QUOTE_OFFSET_INVALID";
    public const string LimitInvalid = "LIMIT_INVALID";
    public const string OffsetInvalid = "OFFSET_INVALID";
    public const string MessageIdInvalid = "MESSAGE_ID_INVALID";
    public const string MessageIdsInvalid = "MESSAGE_IDS_INVALID";
    public const string MessageNotModified = "MESSAGE_NOT_MODIFIED";
    public const string TtlPeriodInvalid = "TTL_PERIOD_INVALID";
    public const string FilterInvalid = "FILTER_INVALID";
    public const string MaxIdInvalid = "MAX_ID_INVALID";
    public const string TypingActionInvalid = "TYPING_ACTION_INVALID";
    public const string UserIdInvalid = "USER_ID_INVALID";

    /// <summary>403: the peer has blocked the caller.</summary>
    public const string UserIsBlocked = "USER_IS_BLOCKED";

    /// <summary>403: the caller has blocked the peer (unblock first).</summary>
    public const string YouBlockedUser = "YOU_BLOCKED_USER";

    /// <summary>403: only the author may edit a message or delete it for everyone.</summary>
    public const string MessageAuthorRequired = "MESSAGE_AUTHOR_REQUIRED";

    /// <summary>400: a forwarded copy keeps the words of the one it names as the author; nobody edits it.</summary>
    public const string ForwardNotEditable = "FORWARD_NOT_EDITABLE";
    public const string MessageDeleteForbidden = "MESSAGE_DELETE_FORBIDDEN";
    public const string MuteUntilInvalid = "MUTE_UNTIL_INVALID";
    public const string ReactionInvalid = "REACTION_INVALID";
    public const string ReactionsTooMany = "REACTIONS_TOO_MANY";
    public const string PinnedDialogsTooMuch = "PINNED_DIALOGS_TOO_MUCH";
    public const string PinnedTooMuch = "PINNED_TOO_MUCH";

    /// <summary><c>messages.deleteHistory</c> with <c>revoke</c> outside a private chat (in groups, delete your own messages with <c>messages.delete</c>).</summary>
    public const string RevokePrivateOnly = "REVOKE_PRIVATE_ONLY";
    public const string ScheduleDateInvalid = "SCHEDULE_DATE_INVALID";
    public const string ScheduledTooMany = "SCHEDULED_TOO_MANY";

    /// <summary>A large group or channel: no per-reader read positions to answer from.</summary>
    public const string ChatTooBig = "CHAT_TOO_BIG";
}
