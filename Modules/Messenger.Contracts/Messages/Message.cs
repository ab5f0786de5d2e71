using MessagePack;
using Messenger.Contracts.Media;

namespace Messenger.Contracts.Messages;

/// <summary>What a chat is addressed as: a user (private chat) or a group chat.</summary>
public enum PeerKind
{
    User = 1,
    Chat = 2,
}

/// <summary>A chat as the caller addresses it: <c>(User, id)</c> for the private chat with that user,
/// <c>(Chat, id)</c> for a group.</summary>
[MessagePackObject]
public sealed record Peer([property: Key("kind")] PeerKind Kind, [property: Key("id")] long Id)
{
    public static Peer User(long userId) => new(PeerKind.User, userId);

    public static Peer Chat(long chatId) => new(PeerKind.Chat, chatId);
}

/// <summary>
/// A stored message, the same for every viewer: <see cref="FromId"/> sent it to <see cref="ToPeer"/> (the other user
/// of a private chat, or the group). A viewer's dialog peer is <c>ToPeer</c> when the viewer sent it and
/// <c>User(FromId)</c> otherwise (for private chats). Ids are server-wide and increase with time; dates are unix seconds.
/// <see cref="Media"/> is the attached file, if any (then <see cref="Text"/> is its caption and may be empty).
/// <see cref="FwdFromId"/> is set on a forwarded copy: the user who wrote the original (through forwards of forwards).
/// <see cref="Poll"/> is set on a poll (then <see cref="Text"/> is empty): its question and options, which never change.
/// <see cref="TtlPeriod"/> is set when the chat's auto-delete was on as it was posted: the server deletes it for everyone
/// <c>ttl_period</c> seconds after <see cref="Date"/> (the audience gets <c>delete_messages</c>).
/// <see cref="WebPage"/> is the preview of the first link in the text, which the server fetches after the message is
/// stored and adds by an <c>edit_message</c> update (its <c>edit_date</c> unchanged).
/// Reactions and a poll's votes are not part of it (they change, and the reader's own differ per reader): reads list them
/// beside the messages (<see cref="MessageList.Reactions"/>, <see cref="MessageList.Polls"/>), and
/// <c>message_reactions</c> / <c>message_poll</c> updates report their changes.
/// <see cref="Silent"/>: its sender sent it without sound (<c>silent</c> of <c>messages.send</c> and the other posts); it
/// arrives as any message does, and clients show its notification quietly (no sound, no vibration), not none. On the
/// wire it is written only when true (<see cref="MessageFormatter"/>); never changed by an edit.
/// <see cref="ReplyQuote"/> is set on a reply that quotes part of the replied message (<c>quote</c> of <c>messages.send</c>):
/// the quoted text as it was when the reply was sent, kept as it is after an edit of the original or its deletion by
/// someone for themselves, and erased (null) once the original is deleted for everyone; a forwarded copy drops it with
/// the <see cref="ReplyToId"/>.
/// <see cref="Geo"/> is set on a location message (then <see cref="Text"/> is empty and there is no media): a point, or a
/// live location its author moves (<c>messages.editLiveLocation</c>, told by <c>edit_message</c> without an
/// <see cref="EditDate"/>) until <see cref="MessageGeo.LiveUntil"/>; a forwarded copy is the point alone.
/// <see cref="TopicId"/> is the forum topic the message is in (the id of the topic's <c>topic_create</c> service message,
/// which is in its topic itself); 0 outside topics: General in a forum, or any message of another chat. On the wire it is
/// written only when not 0 (<see cref="MessageFormatter"/>).
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(MessageFormatter))]
public sealed partial record Message(
    [property: Key("id")] long Id,
    [property: Key("from_id")] long FromId,
    [property: Key("to_peer")] Peer ToPeer,
    [property: Key("date")] long Date,
    [property: Key("text")] string Text,
    [property: Key("reply_to_id")] long? ReplyToId,
    [property: Key("edit_date")] long? EditDate,
    [property: Key("action")] ServiceAction? Action = null,
    [property: Key("media")] MessageMedia? Media = null,
    [property: Key("fwd_from_id")] long? FwdFromId = null,
    [property: Key("poll")] Poll? Poll = null,
    [property: Key("ttl_period")] int? TtlPeriod = null,
    [property: Key("web_page")] WebPage? WebPage = null,
    [property: Key("reply_markup")] ReplyMarkup? ReplyMarkup = null,
    [property: Key("silent")] bool Silent = false,
    [property: Key("reply_quote")] ReplyQuote? ReplyQuote = null,
    [property: Key("geo")] MessageGeo? Geo = null,
    [property: Key("topic_id")] long TopicId = 0)
{
    /// <summary>The chat this message is in, as <paramref name="viewerId"/> addresses it.</summary>
    public Peer PeerFor(long viewerId) =>
        ToPeer.Kind == PeerKind.User && ToPeer.Id == viewerId ? Peer.User(FromId) : ToPeer;
}

/// <summary>
/// Part of the replied message that a reply quotes: <see cref="Text"/> as it stands at <see cref="Offset"/> in the replied
/// message's text (or caption), both in UTF-16 code units (as JavaScript and .NET count). Given to <c>messages.send</c>
/// (and <c>sendScheduled</c>, <c>sendPoll</c>, <c>saveDraft</c>) beside <c>reply_to_id</c>: the server trims leading and
/// trailing whitespace (moving the offset past what it trimmed), requires 1–<see cref="MaxLength"/> characters that stand
/// in the replied message, and, when they stand elsewhere than at the offset (an edit in between moved them), answers with
/// the offset where they stand (the nearest). Errors: <c>QUOTE_TEXT_INVALID</c> (no <c>reply_to_id</c>, empty, too
/// long, not in the message, or a message without text such as a poll), <c>QUOTE_OFFSET_INVALID</c> (negative; an
/// offset at or past the end of the text is searched from the end).
/// </summary>
[MessagePackObject]
public sealed record ReplyQuote([property: Key("text")] string Text, [property: Key("offset")] int Offset)
{
    public const int MaxLength = 1024;
}

/// <summary>A link's preview, from its page's Open Graph tags (else its <c>&lt;title&gt;</c> and description): all text,
/// never markup; any part may be missing.</summary>
[MessagePackObject]
public sealed record WebPage(
    [property: Key("url")] string Url,
    [property: Key("site_name")] string? SiteName,
    [property: Key("title")] string? Title,
    [property: Key("description")] string? Description);

/// <summary>
/// Buttons under a bot's message (only bots may attach them), in rows: each opens <see cref="InlineButton.Url"/> or, with
/// <see cref="InlineButton.CallbackData"/>, asks the bot (<c>messages.getBotCallbackAnswer</c>).
/// </summary>
[MessagePackObject]
public sealed record ReplyMarkup([property: Key("inline_keyboard")] InlineButton[][] InlineKeyboard);

/// <summary>One button: its label and exactly one of <see cref="CallbackData"/> (1–64 bytes, given back to the bot when
/// pressed) or <see cref="Url"/> (http or https, opened by the client).</summary>
[MessagePackObject]
public sealed record InlineButton(
    [property: Key("text")] string Text,
    [property: Key("callback_data")] string? CallbackData = null,
    [property: Key("url")] string? Url = null);

/// <summary>Text the user is writing in a chat, kept for all their devices (<c>messages.saveDraft</c>); date in unix
/// seconds; <see cref="Quote"/> the part of the replied message the reply will quote, if any.</summary>
[MessagePackObject]
public sealed partial record DraftMessage(
    [property: Key("text")] string Text,
    [property: Key("reply_to_id")] long? ReplyToId,
    [property: Key("date")] long Date,
    [property: Key("quote")] ReplyQuote? Quote = null);

/// <summary>How many people reacted to a message with <see cref="Reaction"/> (one emoji).</summary>
[MessagePackObject]
public sealed record ReactionCount([property: Key("reaction")] string Reaction, [property: Key("count")] int Count);

/// <summary>What a service message records (its text is empty): <see cref="Kind"/> is one of
/// <see cref="ServiceActions"/>; <see cref="UserIds"/> the users it concerns; <see cref="Title"/> for create and title;
/// <see cref="Period"/> for <c>set_ttl</c> (seconds; 0: auto-delete turned off), <c>edit_permissions</c> (the slow
/// mode's seconds; 0: off), <c>toggle_forum</c> (1: topics on, 0: off) and <c>phone_call</c> (the seconds talked);
/// <see cref="Video"/> for a <c>phone_call</c> with cameras; <see cref="Title"/>, <see cref="IconColor"/> and
/// <see cref="Closed"/> for <c>topic_create</c> and <c>topic_edit</c> (an edit carries what it changed, the rest nil);
/// <see cref="Pinned"/> for a <c>topic_edit</c> that pinned (true) or unpinned (false) the topic.</summary>
[MessagePackObject]
public sealed partial record ServiceAction(
    [property: Key("kind")] string Kind,
    [property: Key("user_ids")] long[] UserIds,
    [property: Key("title")] string? Title = null,
    [property: Key("period")] int? Period = null,
    [property: Key("video")] bool Video = false,
    [property: Key("icon_color")] int? IconColor = null,
    [property: Key("closed")] bool? Closed = null,
    [property: Key("pinned")] bool? Pinned = null);

/// <summary>Kinds of <see cref="ServiceAction"/>.</summary>
public static class ServiceActions
{
    public const string Create = "create";
    public const string AddMembers = "add_members";
    public const string RemoveMember = "remove_member";
    public const string Leave = "leave";
    public const string JoinByInvite = "join_by_invite";

    /// <summary>An admin approved the user's request to join (posted as the user who joined).</summary>
    public const string JoinByRequest = "join_by_request";
    public const string EditTitle = "edit_title";
    public const string EditPhoto = "edit_photo";
    public const string EditAbout = "edit_about";
    public const string DeletePhoto = "delete_photo";
    public const string SetAdmin = "set_admin";
    public const string UnsetAdmin = "unset_admin";
    public const string TransferOwnership = "transfer_ownership";
    public const string ConvertToLarge = "convert_to_large";

    /// <summary>A message was pinned: the service message's <c>reply_to_id</c> is the pinned message.</summary>
    public const string PinMessage = "pin_message";

    /// <summary>The chat's auto-delete period was set (<see cref="ServiceAction.Period"/>; 0: turned off).</summary>
    public const string SetTtl = "set_ttl";

    /// <summary>An admin changed what members may do or the slow mode (<see cref="ServiceAction.Period"/>: the slow
    /// mode's seconds, 0: off); the chat's <c>permissions</c> and <c>slow_mode</c> say what they are now.</summary>
    public const string EditPermissions = "edit_permissions";

    /// <summary>A call between the two users of a private chat ended (posted as the caller):
    /// <see cref="ServiceAction.Title"/> says how (<c>Calls.CallEndReasons</c>), <see cref="ServiceAction.Period"/> the
    /// seconds talked.</summary>
    public const string PhoneCall = "phone_call";

    /// <summary>A group's voice chat began (posted as who started it; no <see cref="ServiceAction.Period"/>) or ended
    /// (posted as the last to leave; <see cref="ServiceAction.Period"/> the seconds it lasted).</summary>
    public const string GroupCall = "group_call";

    /// <summary>An admin turned the group's topics on or off (<see cref="ServiceAction.Period"/>: 1 on, 0 off;
    /// <c>groups.toggleForum</c>); the chat's <c>forum</c> says which.</summary>
    public const string ToggleForum = "toggle_forum";

    /// <summary>A forum topic was created (<c>messages.createTopic</c>): this message's id is the topic's id, and it is
    /// the topic's first message; <see cref="ServiceAction.Title"/> and <see cref="ServiceAction.IconColor"/> describe it.</summary>
    public const string TopicCreate = "topic_create";

    /// <summary>A forum topic was renamed, recoloured, closed or reopened (<c>messages.editTopic</c>), or pinned or unpinned
    /// (<c>messages.updatePinnedTopic</c>); posted in the topic: what changed is set (<see cref="ServiceAction.Title"/>,
    /// <see cref="ServiceAction.IconColor"/>, <see cref="ServiceAction.Closed"/>, <see cref="ServiceAction.Pinned"/>).</summary>
    public const string TopicEdit = "topic_edit";
}

/// <summary>The caller's stored message and the position of the log it was appended to (apply it as the update with
/// this <c>pts</c>): the caller's own log, or — when <see cref="Channel"/> is set — the large group's own log.</summary>
[MessagePackObject]
public sealed record SentMessage(
    [property: Key("message")] Message Message,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false);

/// <summary>Where the caller's update log (or, when <see cref="Channel"/> is set, the large group's own log) stands
/// after a change that appended to it.</summary>
[MessagePackObject]
public sealed record AffectedMessages(
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false);

/// <summary>Messages, newest first, the reactions of those that have any (with the reader's own), and the results of
/// the polls among them (with the reader's own votes).</summary>
[MessagePackObject]
public sealed record MessageList(
    [property: Key("messages")] Message[] Messages,
    [property: Key("reactions")] MessageReactions[]? Reactions = null,
    [property: Key("polls")] PollResults[]? Polls = null,
    [property: Key("replies")] ReplyCount[]? Replies = null);

/// <summary>How many messages answer message <see cref="MessageId"/> (<c>reply_to_id</c>; deleted ones not counted):
/// its thread, read with <c>messages.getReplies</c>; <see cref="MaxId"/> is the newest answer. When the reader follows
/// the thread — they wrote the message, answered in it, or read it (<c>messages.readThread</c>) —
/// <see cref="ReadMaxId"/> is how far they have read it (their read position or their own newest answer, whichever is
/// later; 0 when neither) and <see cref="UnreadCount"/> the answers by others after it; otherwise
/// <see cref="ReadMaxId"/> is nil and <see cref="UnreadCount"/> 0.</summary>
[MessagePackObject]
public sealed record ReplyCount(
    [property: Key("msg_id")] long MessageId,
    [property: Key("count")] int Count,
    [property: Key("max_id")] long MaxId = 0,
    [property: Key("read_max_id")] long? ReadMaxId = null,
    [property: Key("unread_count")] int UnreadCount = 0);

/// <summary>The reactions of message <see cref="MessageId"/> (by count, then by which kind has had a count the longest) and the reader's own.</summary>
[MessagePackObject]
public sealed record MessageReactions(
    [property: Key("msg_id")] long MessageId,
    [property: Key("reactions")] ReactionCount[] Reactions,
    [property: Key("my_reaction")] string? MyReaction);

/// <summary>One chat in the caller's chat list. <see cref="PinnedMessage"/> is the chat's newest pinned message (for
/// everyone in it; the newest the caller sees) and <see cref="PinnedCount"/> how many pinned ones the caller sees
/// (<c>messages.getPinned</c> lists them); <see cref="MuteUntil"/> the caller's own mute (unix seconds, 0 when not muted); <see cref="Draft"/> the
/// caller's unsent text, if any; <see cref="Pinned"/> whether the caller keeps it at the top of their list;
/// <see cref="Archived"/> whether the caller moved it out of the main list (it stays there when new messages come);
/// <see cref="UnreadMark"/> whether the caller marked it unread to come back to it; <see cref="TtlPeriod"/> the chat's
/// auto-delete period for everyone in it (seconds, 0: off; <c>messages.setHistoryTTL</c>);
/// <see cref="UnreadMentionsCount"/> the group messages naming the caller (<c>@username</c>) or answering theirs that
/// they have not read yet (<c>messages.getUnreadMentions</c> lists them).</summary>
[MessagePackObject]
public sealed record Dialog(
    [property: Key("peer")] Peer Peer,
    [property: Key("top_message")] Message? TopMessage,
    [property: Key("unread_count")] int UnreadCount,
    [property: Key("read_inbox_max_id")] long ReadInboxMaxId,
    [property: Key("read_outbox_max_id")] long ReadOutboxMaxId,
    [property: Key("delivered_max_id")] long DeliveredMaxId,
    [property: Key("last_activity")] long LastActivity,
    [property: Key("pinned_message")] Message? PinnedMessage = null,
    [property: Key("mute_until")] long MuteUntil = 0,
    [property: Key("draft")] DraftMessage? Draft = null,
    [property: Key("pinned")] bool Pinned = false,
    [property: Key("archived")] bool Archived = false,
    [property: Key("unread_mark")] bool UnreadMark = false,
    [property: Key("ttl_period")] int TtlPeriod = 0,
    [property: Key("unread_mentions_count")] int UnreadMentionsCount = 0,
    [property: Key("pinned_count")] int PinnedCount = 0);

/// <summary>A page of the caller's chats, pinned ones first (most recently pinned first), then by most recent activity,
/// and how many there are in all.</summary>
[MessagePackObject]
public sealed record Dialogs([property: Key("dialogs")] Dialog[] Items, [property: Key("total")] int Total);
