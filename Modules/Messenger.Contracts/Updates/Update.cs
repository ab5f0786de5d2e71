using MessagePack;
using Messenger.Contracts.Messages;

namespace Messenger.Contracts.Updates;

/// <summary>
/// Something that changed for a user. Logged updates (new, edited and deleted messages, receipts) live in the user's
/// update log with a gap-free <c>pts</c> and arrive wrapped in <see cref="LoggedUpdate"/>; ephemeral ones (typing,
/// presence) are only pushed to online devices.
/// </summary>
[Union(0, typeof(NewMessageUpdate))]
[Union(1, typeof(EditMessageUpdate))]
[Union(2, typeof(DeleteMessagesUpdate))]
[Union(3, typeof(ReadInboxUpdate))]
[Union(4, typeof(ReadOutboxUpdate))]
[Union(5, typeof(DeliveredUpdate))]
[Union(6, typeof(TypingUpdate))]
[Union(7, typeof(UserStatusUpdate))]
[Union(8, typeof(ChatUpdate))]
[Union(9, typeof(PinnedMessageUpdate))]
[Union(10, typeof(NotifySettingsUpdate))]
[Union(11, typeof(MessageReactionsUpdate))]
[Union(12, typeof(DraftMessageUpdate))]
[Union(13, typeof(DialogPinnedUpdate))]
[Union(14, typeof(UserUpdate))]
[Union(15, typeof(DialogArchivedUpdate))]
[Union(16, typeof(DialogUnreadMarkUpdate))]
[Union(17, typeof(MessagePollUpdate))]
[Union(18, typeof(ScheduledMessagesUpdate))]
[Union(19, typeof(BotCallbackQueryUpdate))]
[Union(20, typeof(PhoneCallUpdate))]
[Union(21, typeof(PhoneCallSignalUpdate))]
[Union(22, typeof(DialogFilterUpdate))]
[Union(23, typeof(DialogFilterOrderUpdate))]
[Union(24, typeof(PendingJoinRequestsUpdate))]
[Union(25, typeof(GroupCallUpdate))]
[Union(26, typeof(GroupCallSignalUpdate))]
[Union(27, typeof(NewAuthorizationUpdate))]
[Union(28, typeof(ContactUpdate))]
[Union(29, typeof(OpenReportsUpdate))]
[Union(30, typeof(ReadThreadUpdate))]
[Union(31, typeof(SecretChatUpdate))]
[Union(32, typeof(NewEncryptedMessageUpdate))]
[Union(33, typeof(EncryptedReadUpdate))]
[Union(34, typeof(EncryptedTypingUpdate))]
public abstract record Update;

/// <summary>A secret chat of this user was requested, accepted or discarded (<see cref="Secret.SecretChat.State"/>); in
/// both users' logs. Only the device that holds the chat's keys shows it.</summary>
[MessagePackObject]
public sealed record SecretChatUpdate([property: Key("chat")] Secret.SecretChat Chat) : Update;

/// <summary>The other side of a secret chat sent this user <see cref="Message"/> (ciphertext only the bound device can
/// read); in this user's log only.</summary>
[MessagePackObject]
public sealed record NewEncryptedMessageUpdate([property: Key("message")] Secret.EncryptedMessage Message) : Update;

/// <summary>The other side of secret chat <see cref="ChatId"/> read this user's messages dated up to
/// <see cref="MaxDate"/> (server dates), at <see cref="Date"/>.</summary>
[MessagePackObject]
public sealed record EncryptedReadUpdate(
    [property: Key("chat_id")] long ChatId,
    [property: Key("max_date")] long MaxDate,
    [property: Key("date")] long Date) : Update;

/// <summary>Ephemeral: <see cref="UserId"/>, the other side of secret chat <see cref="ChatId"/>, is typing (valid 6 s).</summary>
[MessagePackObject]
public sealed record EncryptedTypingUpdate([property: Key("chat_id")] long ChatId, [property: Key("user_id")] long UserId) : Update;

/// <summary>Ephemeral: a call of this user's rang, was answered or ended (<see cref="Calls.PhoneCall.State"/>).</summary>
[MessagePackObject]
public sealed record PhoneCallUpdate([property: Key("call")] Calls.PhoneCall Call) : Update;

/// <summary>Ephemeral: the other side of call <see cref="CallId"/> sent <see cref="Data"/> (an ICE candidate).</summary>
[MessagePackObject]
public sealed record PhoneCallSignalUpdate(
    [property: Key("call_id")] long CallId,
    [property: Key("from_id")] long FromId,
    [property: Key("data")] string Data) : Update;

/// <summary>Ephemeral: a group's voice chat began, someone joined or left it, or it ended (<see cref="Calls.GroupCall.Ended"/>);
/// to its participants and, in a small group, to every member.</summary>
[MessagePackObject]
public sealed record GroupCallUpdate([property: Key("call")] Calls.GroupCall Call) : Update;

/// <summary>Ephemeral: participant <see cref="FromId"/> of voice chat <see cref="CallId"/> sent this user
/// <see cref="Data"/> (an offer, an answer or an ICE candidate).</summary>
[MessagePackObject]
public sealed record GroupCallSignalUpdate(
    [property: Key("call_id")] long CallId,
    [property: Key("from_id")] long FromId,
    [property: Key("data")] string Data) : Update;

/// <summary>A new device signed in to this user's account (<c>auth.signIn</c>, or a login token accepted by one of their
/// devices): its authorization <see cref="AuthorizationId"/>, as <c>account.getAuthorizations</c> lists it, from
/// <see cref="ClientAddress"/> at <see cref="Date"/> (unix seconds). In the user's own log, so a device offline then
/// learns it when it catches up; the new device itself may ignore the one with its own authorization id.</summary>
[MessagePackObject]
public sealed record NewAuthorizationUpdate(
    [property: Key("authorization_id")] long AuthorizationId,
    [property: Key("device_name")] string DeviceName,
    [property: Key("platform")] string Platform,
    [property: Key("client_address")] string ClientAddress,
    [property: Key("date")] long Date) : Update;

/// <summary>In a server admin's log: <see cref="Open"/> reports (<c>messages.report</c>) wait for an admin, the newest
/// of them <see cref="Latest"/> (null when none is open). Appended to every admin's log whenever a report is filed or
/// resolved, and to a user's log when they become an admin (the count as it is then) or stop being one (0).</summary>
[MessagePackObject]
public sealed record OpenReportsUpdate([property: Key("open")] int Open, [property: Key("latest")] ReportNotice? Latest) : Update;

/// <summary>The newest open report, as much as an admin's badge or notice shows: its id (for <c>admin.getReports</c>),
/// why it was filed and when (unix seconds).</summary>
[MessagePackObject]
public sealed record ReportNotice([property: Key("id")] long Id, [property: Key("reason")] string Reason, [property: Key("date")] long Date);

/// <summary>This user added <see cref="UserId"/> to their contacts or renamed them (<see cref="Contact"/>, as stored), or
/// took them out (null), on some device; or the other person added this user back or took them out, so the entry's
/// <see cref="Contacts.Contact.Mutual"/> changed. The other person is never told of being added to someone's contacts
/// otherwise.</summary>
[MessagePackObject]
public sealed record ContactUpdate([property: Key("user_id")] long UserId, [property: Key("contact")] Contacts.Contact? Contact) : Update;

/// <summary>A group chat changed for this user: they joined or were added (<see cref="IsMember"/>), left or were
/// removed, or its title, kind or roles changed. Carries the chat as it is now.</summary>
[MessagePackObject]
public sealed record ChatUpdate([property: Key("chat")] Groups.Chat Chat, [property: Key("is_member")] bool IsMember) : Update;

/// <summary>The chat's pinned messages changed: <see cref="Ids"/> were pinned (<see cref="Pinned"/>) or unpinned;
/// <see cref="Message"/> is the newest pinned message now (null: none pinned) and <see cref="Count"/> how many are. A
/// client that knows one pinned message shows <see cref="Message"/>. Entries logged before the list existed carry no
/// <see cref="Ids"/>: <see cref="Message"/> was then the chat's only pinned message.</summary>
[MessagePackObject]
public sealed record PinnedMessageUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("message")] Message? Message,
    [property: Key("ids")] long[]? Ids = null,
    [property: Key("pinned")] bool Pinned = false,
    [property: Key("count")] int Count = 0) : Update;

/// <summary>This user muted the chat until <see cref="MuteUntil"/> (unix seconds), or unmuted it (0), on some device;
/// with <see cref="TopicId"/> (0: General) only that topic of the forum (the chat's own setting stays as it is).</summary>
[MessagePackObject]
public sealed record NotifySettingsUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("mute_until")] long MuteUntil,
    [property: Key("topic_id")] long? TopicId = null) : Update;

/// <summary>Ephemeral: a user who shares a private chat or a small group with this user (or this user, on another
/// device) changed their profile: name, username, bio or photo. <see cref="User"/> is the user as they are now.</summary>
[MessagePackObject]
public sealed record UserUpdate([property: Key("user")] Users.User User) : Update;

/// <summary>This user pinned the chat to the top of their list, or unpinned it, on some device.</summary>
[MessagePackObject]
public sealed record DialogPinnedUpdate([property: Key("peer")] Peer Peer, [property: Key("pinned")] bool Pinned) : Update;

/// <summary>This user archived the chat, or took it out of the archive, on some device.</summary>
[MessagePackObject]
public sealed record DialogArchivedUpdate([property: Key("peer")] Peer Peer, [property: Key("archived")] bool Archived) : Update;

/// <summary>This user marked the chat unread, or took the mark off, on some device.</summary>
[MessagePackObject]
public sealed record DialogUnreadMarkUpdate([property: Key("peer")] Peer Peer, [property: Key("unread")] bool Unread) : Update;

/// <summary>This user created or changed chat folder <see cref="Id"/> (<see cref="Filter"/>), or deleted it (null), on
/// some device.</summary>
[MessagePackObject]
public sealed record DialogFilterUpdate([property: Key("id")] int Id, [property: Key("filter")] DialogFilter? Filter) : Update;

/// <summary>In an admin's log: chat <see cref="ChatId"/> has <see cref="Count"/> join requests waiting;
/// <see cref="RecentRequesters"/> are the latest few who asked.</summary>
[MessagePackObject]
public sealed record PendingJoinRequestsUpdate(
    [property: Key("chat_id")] long ChatId,
    [property: Key("count")] int Count,
    [property: Key("recent_requesters")] long[] RecentRequesters) : Update;

/// <summary>This user put their chat folders in <see cref="Order"/> on some device.</summary>
[MessagePackObject]
public sealed record DialogFilterOrderUpdate([property: Key("order")] int[] Order) : Update;

/// <summary>This user's draft in the chat changed on some device (<see cref="Draft"/> null: cleared).</summary>
[MessagePackObject]
public sealed record DraftMessageUpdate([property: Key("peer")] Peer Peer, [property: Key("draft")] DraftMessage? Draft) : Update;

/// <summary><see cref="UserId"/> reacted to message <see cref="MessageId"/> with <see cref="Reaction"/> (null: took their
/// reaction back); <see cref="Reactions"/> are the message's reactions now. In a channel, whose subscribers do not see
/// one another, the entry is anonymous: <see cref="UserId"/> 0 and <see cref="Reaction"/> null; only the totals
/// change.</summary>
[MessagePackObject]
public sealed record MessageReactionsUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("user_id")] long UserId,
    [property: Key("reaction")] string? Reaction,
    [property: Key("reactions")] ReactionCount[] Reactions) : Update;

/// <summary>Someone voted in poll message <see cref="MessageId"/>, took their vote back, or its author closed it:
/// <see cref="Counts"/> per option, <see cref="Voters"/> and <see cref="Closed"/> are as they are now. Who voted is never
/// told here. <see cref="MyChoices"/> is set only in the voter's own log (their choices now, empty when taken back);
/// null means this user's own choices did not change. A quiz's <see cref="CorrectOption"/> and <see cref="Solution"/>
/// come in the answerer's own log with their answer, in every log when it closes, and in its author's (private chats and
/// small groups; a large group's shared log carries them only once it is closed).</summary>
[MessagePackObject]
public sealed record MessagePollUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("counts")] int[] Counts,
    [property: Key("voters")] int Voters,
    [property: Key("closed")] bool Closed,
    [property: Key("my_choices")] int[]? MyChoices,
    [property: Key("correct_option")] int? CorrectOption = null,
    [property: Key("solution")] string? Solution = null) : Update;

/// <summary>The user's messages waiting to be sent in the chat changed (one was scheduled, cancelled or sent):
/// <see cref="Messages"/> are those waiting now, soonest first. Only ever in the user's own log.</summary>
[MessagePackObject]
public sealed record ScheduledMessagesUpdate([property: Key("peer")] Peer Peer, [property: Key("messages")] ScheduledMessage[] Messages) : Update;

/// <summary>Someone (<see cref="FromId"/>) pressed a button with <see cref="Data"/> under the bot's message
/// <see cref="MessageId"/> in the chat <see cref="Peer"/> (as the bot sees it); <see cref="QueryId"/> names the press in
/// the bot's answer. Only ever in a bot's own log.</summary>
[MessagePackObject]
public sealed record BotCallbackQueryUpdate(
    [property: Key("query_id")] long QueryId,
    [property: Key("from_id")] long FromId,
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("data")] string Data) : Update;

/// <summary>
/// A message arrived in one of the user's chats (or the user sent it from any device). <see cref="RandomId"/> is the
/// <c>random_id</c> its sender gave it, set only in the sender's own log entry (so on each of the sender's devices, live
/// and in <c>updates.getDifference</c>) for a message the sender posted (<c>messages.send</c>, <c>sendPoll</c>,
/// <c>forward</c>; not service messages): a device matches it to its outbox by it. Never in a recipient's entry. A large
/// group's shared log stores it for nobody: the sender's devices get it in their own copy of the live push and in what
/// <c>updates.getChannelDifference</c> answers them; null in entries logged before.
/// On the wire it is written only when set (<see cref="NewMessageUpdateFormatter"/>).
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(NewMessageUpdateFormatter))]
public sealed record NewMessageUpdate([property: Key("message")] Message Message) : Update
{
    /// <summary>The sender's <c>random_id</c> of <see cref="Message"/>; set only in the sender's own log entry.</summary>
    [Key("random_id")]
    public long? RandomId { get; init; }
}

/// <summary>A message's text changed; carries the message as it is now.</summary>
[MessagePackObject]
public sealed record EditMessageUpdate([property: Key("message")] Message Message) : Update;

/// <summary>Messages were deleted for this user (for them only, or for everyone). <see cref="UnreadCount"/> is the
/// chat's unread count for this user now, when the delete changed it (unread messages went); null when it did not, and
/// always in a large group's or channel's shared log, which holds no count of anyone's.</summary>
[MessagePackObject]
public sealed record DeleteMessagesUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("ids")] long[] Ids,
    [property: Key("unread_count")] int? UnreadCount = null) : Update;

/// <summary>This user read the chat up to <see cref="MaxId"/> (on some device); <see cref="StillUnread"/> remain, of
/// which <see cref="UnreadMentions"/> mention them (groups).</summary>
[MessagePackObject]
public sealed record ReadInboxUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("max_id")] long MaxId,
    [property: Key("still_unread")] int StillUnread,
    [property: Key("unread_mentions")] int UnreadMentions = 0) : Update;

/// <summary>This user read the thread of message <see cref="MessageId"/> in <see cref="Peer"/> up to
/// <see cref="ReadMaxId"/> (on some device, <c>messages.readThread</c>); with <see cref="Topic"/>, the forum's topic
/// <see cref="MessageId"/> (0: General) instead of the answers to that message.</summary>
[MessagePackObject]
public sealed record ReadThreadUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("msg_id")] long MessageId,
    [property: Key("read_max_id")] long ReadMaxId,
    [property: Key("topic")] bool Topic = false) : Update;

/// <summary>The other side of the chat read this user's messages up to <see cref="MaxId"/>.</summary>
[MessagePackObject]
public sealed record ReadOutboxUpdate([property: Key("peer")] Peer Peer, [property: Key("max_id")] long MaxId) : Update;

/// <summary>A device of the other side received this user's messages up to <see cref="MaxId"/>.</summary>
[MessagePackObject]
public sealed record DeliveredUpdate([property: Key("peer")] Peer Peer, [property: Key("max_id")] long MaxId) : Update;

/// <summary>Ephemeral: <see cref="UserId"/> is typing in the chat <see cref="Peer"/> (as this user addresses it) for the
/// next <see cref="ExpiresInSeconds"/> seconds, or stopped (<c>cancel</c>).</summary>
[MessagePackObject]
public sealed record TypingUpdate(
    [property: Key("peer")] Peer Peer,
    [property: Key("user_id")] long UserId,
    [property: Key("action")] string Action,
    [property: Key("expires_in")] int ExpiresInSeconds) : Update;

/// <summary>Ephemeral: a user who shares a private chat with this user went online or offline (with the time they
/// were last seen, unix seconds). <see cref="Hidden"/>: their privacy settings hide it (show "last seen recently";
/// online false, last seen 0).</summary>
[MessagePackObject]
public sealed record UserStatusUpdate(
    [property: Key("user_id")] long UserId,
    [property: Key("online")] bool Online,
    [property: Key("last_seen")] long LastSeen,
    [property: Key("hidden")] bool Hidden = false) : Update;

/// <summary>An update from the user's log: <see cref="Pts"/> is the log position after it, <see cref="PtsCount"/> how
/// many positions it takes (a client at <c>local_pts</c> applies it when <c>local_pts + pts_count == pts</c>).</summary>
[MessagePackObject]
public sealed record LoggedUpdate(
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("date")] long Date,
    [property: Key("update")] Update Update);

/// <summary>Push payload of kind <see cref="UpdateKinds.Logged"/>: updates of the receiving user's log, in pts order.</summary>
[MessagePackObject]
public sealed record LoggedUpdates([property: Key("updates")] LoggedUpdate[] Updates);

/// <summary>Push payload of kind <see cref="UpdateKinds.Channel"/>: updates of one large group's own log, in pts order.</summary>
[MessagePackObject]
public sealed record ChannelUpdates([property: Key("chat_id")] long ChatId, [property: Key("updates")] LoggedUpdate[] Updates);

/// <summary><c>UpdatesBody.Kind</c> of pushed updates.</summary>
public static class UpdateKinds
{
    /// <summary>Payload <see cref="LoggedUpdates"/>.</summary>
    public const string Logged = "updates.logged";

    /// <summary>Payload one ephemeral <see cref="Update"/> (<see cref="TypingUpdate"/>, <see cref="UserStatusUpdate"/>).</summary>
    public const string Ephemeral = "updates.ephemeral";

    /// <summary>Payload <see cref="ChannelUpdates"/>.</summary>
    public const string Channel = "updates.channel";
}
