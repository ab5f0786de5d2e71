using MessagePack;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Messages;

/// <summary><c>groups.toggleForum</c> (admins; small and large groups, not channels): organises the group in topics, or stops. Posts the service message <c>toggle_forum</c> (its
/// <c>period</c> 1: on, 0: off); the chat's <see cref="Chat.Forum"/> says which. Turned off, the topics and their
/// messages stay as they are (the history shows them all together) and come back when it is turned on again.
/// Errors: <c>CHAT_NOT_MODIFIED</c> (already so), <c>CHAT_TYPE_INVALID</c> (a channel), 403 <c>CHAT_ADMIN_REQUIRED</c>,
/// 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.toggleForum")]
[MessagePackObject]
public sealed record ToggleForumCall([property: Key("chat_id")] long ChatId, [property: Key("enabled")] bool Enabled) : IRpcCall<ChatChanged>;

/// <summary><c>messages.createTopic</c>: opens a topic in a forum (admins; members when the group's
/// <see cref="ChatPermissions.ManageTopics"/> lets them). The answer is the service message <c>topic_create</c>, whose
/// id is the topic's id and which is the topic's first message; idempotent by <see cref="RandomId"/> as
/// <c>messages.send</c>. <see cref="Title"/>: 1–128 characters after trimming; <see cref="IconColor"/>: one of
/// <see cref="TopicColors.All"/> (none: the first). Errors: <c>TOPIC_TITLE_INVALID</c>, <c>TOPIC_ICON_COLOR_INVALID</c>,
/// <c>RANDOM_ID_INVALID</c>, <c>CHAT_NOT_FORUM</c> (a group without topics, or a private chat), <c>PEER_ID_INVALID</c>,
/// 403 <c>CHAT_ADMIN_REQUIRED</c>, 403 <c>CHAT_WRITE_FORBIDDEN</c>, 404 <c>CHAT_NOT_FOUND</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("messages.createTopic")]
[MessagePackObject]
public sealed record CreateTopicCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("random_id")] long RandomId,
    [property: Key("title")] string Title,
    [property: Key("icon_color")] int? IconColor = null) : IRpcCall<SentMessage>, IRepeatableCall;

/// <summary><c>messages.editTopic</c> (the topic's creator or an admin): renames it, recolours it, or closes it (only
/// admins post in a closed topic) or reopens it; what is null stays. Posts the service message <c>topic_edit</c> in the
/// topic. Errors: <c>TOPIC_ID_INVALID</c>, <c>TOPIC_TITLE_INVALID</c>, <c>TOPIC_ICON_COLOR_INVALID</c>,
/// <c>TOPIC_NOT_MODIFIED</c> (nothing would change), <c>CHAT_NOT_FORUM</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.editTopic")]
[MessagePackObject]
public sealed record EditTopicCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("topic_id")] long TopicId,
    [property: Key("title")] string? Title = null,
    [property: Key("icon_color")] int? IconColor = null,
    [property: Key("closed")] bool? Closed = null) : IRpcCall<SentMessage>;

/// <summary><c>messages.deleteTopic</c> (admins): the topic and every message in it are deleted for everyone, as
/// <c>messages.delete</c> with revoke deletes them (the audience gets <c>delete_messages</c>), in units of a bounded
/// number of messages; the topic is gone (<c>TOPIC_ID_INVALID</c>) from the first. Errors: <c>TOPIC_ID_INVALID</c>,
/// <c>CHAT_NOT_FORUM</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.deleteTopic")]
[MessagePackObject]
public sealed record DeleteTopicCall([property: Key("peer")] Peer Peer, [property: Key("topic_id")] long TopicId) : IRpcCall<AffectedMessages>;

/// <summary><c>messages.updatePinnedTopic</c> (admins, and members when the group's
/// <see cref="ChatPermissions.ManageTopics"/> lets them): pins a topic to the top of the forum's topic list for everyone,
/// or unpins it. At most <see cref="TopicLimits.MaxPinned"/> are pinned; <c>messages.getForumTopics</c> lists them first,
/// the latest pinned first. Posts the service message <c>topic_edit</c> with <see cref="ServiceAction.Pinned"/> in the
/// topic, which tells the members' clients to read the list again. General (0) is never pinned. Errors:
/// <c>TOPIC_ID_INVALID</c> (General, no such topic), <c>TOPIC_NOT_MODIFIED</c> (pinned already, or not pinned),
/// <c>PINNED_TOPICS_TOO_MUCH</c>, <c>CHAT_NOT_FORUM</c>, <c>PEER_ID_INVALID</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 403
/// <c>CHAT_WRITE_FORBIDDEN</c>, 404 <c>CHAT_NOT_FOUND</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("messages.updatePinnedTopic")]
[MessagePackObject]
public sealed record UpdatePinnedTopicCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("topic_id")] long TopicId,
    [property: Key("pinned")] bool Pinned) : IRpcCall<SentMessage>;

/// <summary><c>messages.getForumTopics</c>: a forum's topics, by last activity (the newest message first), up to
/// <see cref="Limit"/> (1–100): those whose newest message is older than <see cref="OffsetId"/> (the last page's last
/// <see cref="ForumTopic.TopMessage"/>; 0: from the newest) or, with <see cref="OffsetDate"/>, dated before it.
/// <see cref="Query"/> (1–128 characters after trimming) keeps those whose title has it (any case). The first page
/// (no offset, no query) starts with General (id 0), then the pinned topics (<see cref="ForumTopic.Pinned"/>, the latest
/// pinned first; with a query, those it keeps, on the page without an offset), both besides its <see cref="Limit"/>
/// topics; the pages by activity leave the pinned ones out. Errors: <c>CHAT_NOT_FORUM</c>, <c>PEER_ID_INVALID</c>,
/// <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, <c>SEARCH_QUERY_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("messages.getForumTopics")]
[MessagePackObject]
public sealed record GetForumTopicsCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("offset_date")] long OffsetDate = 0,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 50,
    [property: Key("query")] string? Query = null) : IRpcCall<ForumTopics>;

/// <summary>One topic of a forum. <see cref="Id"/> is its <c>topic_create</c> message's id (0: General, the messages
/// outside topics, whose creator is the chat's and which is never closed); <see cref="IconColor"/> one of
/// <see cref="TopicColors.All"/>; <see cref="TopMessage"/> its newest message (its last activity);
/// <see cref="ReadMaxId"/> how far the reader has read it (their <c>messages.readThread</c> position in it, or their own
/// newest message there, whichever is later) and <see cref="UnreadCount"/> the messages of others after it (at most
/// <see cref="MaxUnreadCount"/>: a badge says "999+", not more); <see cref="Pinned"/> whether it is pinned to the top of
/// the list (<c>messages.updatePinnedTopic</c>); <see cref="MuteUntil"/> the reader's own mute of it (unix seconds, as a
/// dialog's <c>mute_until</c>; 0: not muted on its own).</summary>
[MessagePackObject]
public sealed partial record ForumTopic(
    [property: Key("id")] long Id,
    [property: Key("title")] string Title,
    [property: Key("icon_color")] int IconColor,
    [property: Key("closed")] bool Closed,
    [property: Key("creator_id")] long CreatorId,
    [property: Key("date")] long Date,
    [property: Key("top_message")] long TopMessage,
    [property: Key("unread_count")] int UnreadCount,
    [property: Key("read_max_id")] long ReadMaxId,
    [property: Key("pinned")] bool Pinned = false,
    [property: Key("mute_until")] long MuteUntil = 0)
{
    public const int MaxUnreadCount = 999;
}

/// <summary>A page of a forum's topics and their newest messages (<see cref="ForumTopic.TopMessage"/>, those the reader
/// sees), with how many topics the forum has in all (General not counted).</summary>
[MessagePackObject]
public sealed record ForumTopics(
    [property: Key("topics")] ForumTopic[] Topics,
    [property: Key("messages")] Message[] Messages,
    [property: Key("count")] int Count);

/// <summary>The colours a topic's icon may have (RGB), Telegram's six; the first is the default.</summary>
public static class TopicColors
{
    public static readonly int[] All = [0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F];

    public const int MaxTitleLength = 128;

    /// <summary>General's title.</summary>
    public const string GeneralTitle = "General";
}

/// <summary>Limits of forum topics.</summary>
public static class TopicLimits
{
    /// <summary>Topics pinned at once in one forum (Telegram's limit).</summary>
    public const int MaxPinned = 5;
}

/// <summary>Stable error names of forum topics.</summary>
public static class TopicErrorNames
{
    public const string TopicTitleInvalid = "TOPIC_TITLE_INVALID";
    public const string TopicIconColorInvalid = "TOPIC_ICON_COLOR_INVALID";

    /// <summary>No such topic in the chat (or a deleted one), or a topic given in a chat that is no forum.</summary>
    public const string TopicIdInvalid = "TOPIC_ID_INVALID";

    /// <summary>A closed topic: only admins post in it.</summary>
    public const string TopicClosed = "TOPIC_CLOSED";
    public const string TopicNotModified = "TOPIC_NOT_MODIFIED";

    /// <summary>The forum has <see cref="TopicLimits.MaxPinned"/> pinned topics already.</summary>
    public const string PinnedTopicsTooMuch = "PINNED_TOPICS_TOO_MUCH";

    /// <summary>The group is not organised in topics (<c>groups.toggleForum</c>).</summary>
    public const string ChatNotForum = "CHAT_NOT_FORUM";
}
