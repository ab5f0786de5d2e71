using Messenger.Contracts.Contacts;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;

namespace Messenger.Client;

/// <summary>Something that changed for the signed-in user, read from <see cref="UpdateStream.Reader"/>.</summary>
public abstract record MessengerEvent;

/// <summary>An event from the user's update log. Once the app has handled it, it may persist <see cref="Pts"/> and pass
/// it to <see cref="UpdateStream.StartAsync(long, long?, CancellationToken)"/> at the next start to get what it missed meanwhile.</summary>
public abstract record LoggedEvent(long Pts) : MessengerEvent
{
    /// <summary>Set when the event comes from a large group's (or channel's) own log: <see cref="Pts"/> is then the
    /// position in that chat's log (see <see cref="UpdateStream.ChannelPts"/>), not in the user's.</summary>
    public long? ChannelId { get; init; }
}

/// <summary>A new message in one of the user's chats: from someone else, or sent by the user (<see cref="IsOutgoing"/>)
/// on this or another device. <see cref="Peer"/> is the chat as the user addresses it.</summary>
public sealed record MessageReceived(long Pts, Message Message, Peer Peer, bool IsOutgoing) : LoggedEvent(Pts)
{
    /// <summary>The <c>random_id</c> the user's device sent <see cref="Message"/> with, so an app matches it to the send in
    /// its outbox (<see cref="NewMessageUpdate.RandomId"/>): set on the user's own messages, on every one of their devices
    /// (live and after catching up), in large groups and channels too; null on others' messages and from a server that
    /// does not tell it.</summary>
    public long? RandomId { get; init; }
}

/// <summary>A message's text changed; <see cref="Message"/> is the message as it is now.</summary>
public sealed record MessageEdited(long Pts, Message Message, Peer Peer, bool IsOutgoing) : LoggedEvent(Pts);

/// <summary>Messages of the chat were deleted for the user.</summary>
public sealed record MessagesDeleted(long Pts, Peer Peer, long[] Ids) : LoggedEvent(Pts)
{
    /// <summary>The chat's unread count for the user now, when the delete changed it (unread messages went); null when
    /// it did not, from a large group's or channel's log (re-read the dialog if an unread one may have gone) and from a
    /// server that does not tell it.</summary>
    public int? UnreadCount { get; init; }
}

/// <summary>A device of the other side received the user's messages up to <see cref="MaxId"/>.</summary>
public sealed record MessagesDelivered(long Pts, Peer Peer, long MaxId) : LoggedEvent(Pts);

/// <summary>Which side of a chat read it.</summary>
public enum ReadSide
{
    /// <summary>The user read incoming messages (on another device).</summary>
    Inbox = 1,

    /// <summary>The other side read the user's messages.</summary>
    Outbox = 2,
}

/// <summary>The chat was read up to <see cref="MaxId"/>; for the inbox, <see cref="StillUnread"/> messages remain unread,
/// <see cref="UnreadMentions"/> of them mentioning the user (groups).</summary>
public sealed record HistoryRead(long Pts, Peer Peer, ReadSide Side, long MaxId, int StillUnread, int UnreadMentions = 0) : LoggedEvent(Pts);

/// <summary>The chat's pinned messages changed (for everyone in it): <see cref="Ids"/> were pinned (<see cref="Pinned"/>)
/// or unpinned (null: an entry from before the list, whose <see cref="Message"/> was the only pinned one);
/// <see cref="Message"/> is the newest pinned message now (null: none) and <see cref="Count"/> how many are pinned.</summary>
public sealed partial record MessagePinned(long Pts, Peer Peer, Message? Message, long[]? Ids = null, bool Pinned = false, int Count = 0) : LoggedEvent(Pts);

/// <summary><see cref="UserId"/> reacted to message <see cref="MessageId"/> with <see cref="Reaction"/> (null: took it
/// back); <see cref="Reactions"/> are the message's reactions now. In a channel it names nobody: <see cref="UserId"/> 0
/// and <see cref="Reaction"/> null (the reactor's own reaction comes with the call's answer and the next read).</summary>
public sealed record MessageReactionsChanged(long Pts, Peer Peer, long MessageId, long UserId, string? Reaction, ReactionCount[] Reactions)
    : LoggedEvent(Pts);

/// <summary>Someone voted in poll message <see cref="MessageId"/> or took their vote back, or its author closed it:
/// the counts per option, the voters and whether it is closed are as they are now; <see cref="MyChoices"/> is set when
/// the user's own choices changed (on another device), null otherwise; a quiz's <see cref="CorrectOption"/> and
/// <see cref="Solution"/> once the user may know them (answered, closed, or wrote it).</summary>
public sealed partial record PollUpdated(
    long Pts, Peer Peer, long MessageId, int[] Counts, int Voters, bool Closed, int[]? MyChoices, int? CorrectOption = null, string? Solution = null)
    : LoggedEvent(Pts);

/// <summary>The user's messages waiting to be sent in the chat changed (scheduled, cancelled or sent, on any of their
/// devices): <see cref="Messages"/> are those waiting now, soonest first.</summary>
public sealed record ScheduledMessagesChanged(long Pts, Peer Peer, ScheduledMessage[] Messages) : LoggedEvent(Pts);

/// <summary>The user pinned the chat to the top of their list, or unpinned it, on another device.</summary>
public sealed record DialogPinChanged(long Pts, Peer Peer, bool Pinned) : LoggedEvent(Pts);

/// <summary>The user archived the chat, or took it out of the archive, on another device.</summary>
public sealed record DialogArchiveChanged(long Pts, Peer Peer, bool Archived) : LoggedEvent(Pts);

/// <summary>The user marked the chat unread, or took the mark off, on another device.</summary>
public sealed record DialogUnreadMarkChanged(long Pts, Peer Peer, bool Unread) : LoggedEvent(Pts);

/// <summary>The user read the thread of message <see cref="MessageId"/> up to <see cref="ReadMaxId"/> on another device;
/// with <see cref="Topic"/>, the forum's topic <see cref="MessageId"/> (0: General).</summary>
public sealed record ThreadRead(long Pts, Peer Peer, long MessageId, long ReadMaxId, bool Topic = false) : LoggedEvent(Pts);

/// <summary>The user created or changed chat folder <see cref="Id"/> (<see cref="Filter"/>), or deleted it (null), on
/// another device.</summary>
public sealed record DialogFilterChanged(long Pts, int Id, DialogFilter? Filter) : LoggedEvent(Pts);

/// <summary>The user put their chat folders in <see cref="Order"/> on another device.</summary>
public sealed record DialogFiltersReordered(long Pts, int[] Order) : LoggedEvent(Pts);

/// <summary>The user is an admin of chat <see cref="ChatId"/>, where <see cref="Count"/> requests to join wait;
/// <see cref="RecentRequesters"/> asked last.</summary>
public sealed record PendingJoinRequestsChanged(long Pts, long ChatId, int Count, long[] RecentRequesters) : LoggedEvent(Pts);

/// <summary>The user's draft in the chat changed on another device (<see cref="Draft"/> null: cleared).</summary>
public sealed record DraftChanged(long Pts, Peer Peer, DraftMessage? Draft) : LoggedEvent(Pts);

/// <summary>The user muted the chat until <see cref="MuteUntil"/> (unix seconds) or unmuted it (0) on another device;
/// with <see cref="TopicId"/> (0: General) only that topic of the forum, the chat's own setting unchanged.</summary>
public sealed partial record NotifySettingsChanged(long Pts, Peer Peer, long MuteUntil, long? TopicId = null) : LoggedEvent(Pts);

/// <summary>A new device signed in to the account (with the password, or by a login token one of the user's devices
/// accepted): <see cref="AuthorizationId"/> as <c>GetAuthorizationsAsync</c> lists it, its name and platform, the
/// address it came from and when. Logged: a device offline then gets it when it catches up. An app that resumes from an
/// older position may see its own sign-in: compare with <c>SignedIn.AuthorizationId</c>. If it was not the user,
/// <c>ResetAuthorizationAsync(AuthorizationId)</c> signs it out.</summary>
public sealed record DeviceSignedIn(long Pts, long AuthorizationId, string DeviceName, string Platform, string ClientAddress, DateTimeOffset Date)
    : LoggedEvent(Pts);

/// <summary>The user added <see cref="UserId"/> to their contacts or renamed them (<see cref="Contact"/>) or took them out
/// (null) on another device; or that person added the user back or took them out, and <see cref="Contracts.Contacts.Contact.Mutual"/>
/// changed.</summary>
public sealed record ContactChanged(long Pts, long UserId, Contact? Contact) : LoggedEvent(Pts);

/// <summary>The user is a server admin and <see cref="Open"/> reports wait (<c>admin.getReports</c> lists them),
/// <see cref="Latest"/> the newest (null when none is open): a report was filed or resolved, or the user became an
/// admin. A user who stops being an admin gets one with 0.</summary>
public sealed record OpenReportsChanged(long Pts, int Open, ReportNotice? Latest) : LoggedEvent(Pts);

/// <summary>Too much was missed to replay it: the stream continues from <see cref="LoggedEvent.Pts"/> and the app
/// should refetch its dialogs (and the history it shows).</summary>
public sealed record Resynced(long Pts) : LoggedEvent(Pts);

/// <summary>A group chat changed for the user: they joined or were added (<see cref="IsMember"/>), left or were
/// removed, or it became a large group. <see cref="Chat"/> is the chat as it is now. The stream starts or stops
/// following a large group's own log accordingly.</summary>
public sealed record ChatUpdated(long Pts, Chat Chat, bool IsMember) : LoggedEvent(Pts);

/// <summary>Too much was missed in the large group <see cref="ChatId"/> to replay it, or the stream was started from the
/// app's pts with no position in that group's log (<c>StartAsync</c> without it in <c>channelPts</c>), so what was
/// posted there while the app was closed cannot be reported: the stream continues from <see cref="Pts"/> in its log and
/// the app should refetch that chat's history.</summary>
public sealed record ChatResynced(long ChatId, long Pts) : MessengerEvent;

/// <summary><see cref="UserId"/> is typing in the chat <see cref="Peer"/> until <see cref="ExpiresAt"/> (client clock),
/// or stopped (action <c>cancel</c>). Not logged: missed while offline.</summary>
public sealed record UserTyping(Peer Peer, long UserId, string Action, DateTimeOffset ExpiresAt) : MessengerEvent;

/// <summary>A user who shares a private chat with the user (or the user, on another device) changed their profile;
/// <see cref="User"/> is as they are now. Not logged: missed while offline (look the user up again).</summary>
public sealed record UserUpdated(Contracts.Users.User User) : MessengerEvent;

/// <summary>A call of the user rang, was answered or ended (<see cref="Contracts.Calls.PhoneCall.State"/>). Not logged.</summary>
public sealed record PhoneCallChanged(Contracts.Calls.PhoneCall Call) : MessengerEvent;

/// <summary>The other side of call <see cref="CallId"/> sent <see cref="Data"/> (an ICE candidate). Not logged.</summary>
public sealed record PhoneCallSignal(long CallId, long FromId, string Data) : MessengerEvent;

/// <summary>Ephemeral: a group's voice chat began, someone joined or left it, or it ended.</summary>
public sealed record GroupCallChanged(Contracts.Calls.GroupCall Call) : MessengerEvent;

/// <summary>The connection came back and this client joined its voice chat again by itself (within the server's grace).</summary>
public sealed record GroupCallRejoined(Contracts.Calls.GroupCall Call) : MessengerEvent;

/// <summary>The connection came back but this device's place in the voice chat is gone (the call ended, the server's
/// grace ran out, another device of the user took the place, or the user left the group): the app should let its media
/// go.</summary>
public sealed record GroupCallDropped(long CallId, long ChatId) : MessengerEvent;

/// <summary>Ephemeral: participant <see cref="FromId"/> of voice chat <see cref="CallId"/> sent this user an offer, an
/// answer or an ICE candidate.</summary>
public sealed record GroupCallSignal(long CallId, long FromId, string Data) : MessengerEvent;

/// <summary>A user went online or offline, or (<see cref="Hidden"/>) hid their presence: show "last seen recently".
/// Not logged: missed while offline (use <c>GetStatusesAsync</c>).</summary>
public sealed record UserStatusChanged(long UserId, bool Online, DateTimeOffset LastSeen, bool Hidden = false) : MessengerEvent;

/// <summary>A secret chat changed on the server (requested, accepted, discarded): <see cref="Chat"/> as it is now, and
/// <see cref="Local"/> as this device holds it — null for a chat this device does not hold, reported only when the app
/// decides on requests itself (<see cref="MessengerClientOptions.AutoAcceptSecretChats"/> off): a request to accept
/// (<see cref="SecretChatMethods.AcceptSecretChatAsync"/>) or not, and then its fate. Chats held by the user's other
/// devices are not reported.</summary>
public sealed record SecretChatChanged(long Pts, Contracts.Secret.SecretChat Chat, LocalSecretChat? Local) : LoggedEvent(Pts);

/// <summary>The other side of a secret chat this device holds sent <see cref="Message"/>, decrypted (each random_id
/// once; it is in the local history now).</summary>
public sealed record SecretMessageReceived(long Pts, SecretMessage Message) : LoggedEvent(Pts);

/// <summary>The other side of secret chat <see cref="ChatId"/> read this device's messages up to <see cref="MaxDate"/>
/// (server dates): their self-destruct time starts now.</summary>
public sealed record SecretMessagesRead(long Pts, long ChatId, long MaxDate) : LoggedEvent(Pts);

/// <summary>A message of secret chat <see cref="ChatId"/> that this device should read did not decrypt (altered on the
/// way, or sent with other keys): it is dropped, never shown.</summary>
public sealed record SecretMessageUndecryptable(long Pts, long ChatId, long RandomId, long FromId, DateTimeOffset Date) : LoggedEvent(Pts);

/// <summary>An outgoing secret message whose send the app gave up on (cancelled, timed out) reached the server after all:
/// the late answer set its <see cref="SecretMessage.Date"/> and cleared <see cref="SecretMessage.Failed"/>.</summary>
public sealed record SecretMessageSent(SecretMessage Message) : MessengerEvent;

/// <summary>Of the other side's messages in a secret chat, <paramref name="Count"/> have been missing for longer than a
/// minute although later ones came (docs/secret-chats.md, Sequence numbers): the server dropped them, refused them, or
/// they did not decrypt. Raised when the count changes: a gap overdue, or a message that came late after all. Show it
/// ("N messages could not be delivered"); nothing is held back meanwhile.</summary>
public sealed record SecretMessagesMissing(long ChatId, long Count) : MessengerEvent;

/// <summary>Messages of secret chat <see cref="ChatId"/> left the local history: the other side deleted them for both
/// (<see cref="Expired"/> false), or they self-destructed (true).</summary>
public sealed record SecretMessagesDeleted(long ChatId, long[] RandomIds, bool Expired) : MessengerEvent;

/// <summary>This device's secret chat store failed: its state could not be read when the client was made (the secret
/// chats start empty on this device; what could not be read was kept aside at <see cref="KeptAt"/>, when the store can),
/// or a write failed (what changed stays in memory and is written with the next batch or call).
/// <see cref="Problem"/> says what went wrong.</summary>
public sealed record SecretChatStoreFailed(string Problem, string? KeptAt) : MessengerEvent;

/// <summary>The other side of secret chat <see cref="ChatId"/> is typing until <see cref="ExpiresAt"/> (client clock).
/// Not logged.</summary>
public sealed record SecretChatTyping(long ChatId, long UserId, DateTimeOffset ExpiresAt) : MessengerEvent;
