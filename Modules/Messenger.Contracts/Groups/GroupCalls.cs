using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;

namespace Messenger.Contracts.Groups;

/// <summary>How a group chat delivers: a small group copies each message into every member's log; a large group
/// (and a channel, where only admins post) keeps one log of its own that members read.</summary>
public enum ChatKind
{
    Group = 2,
    LargeGroup = 3,
    Channel = 4,
}

/// <summary>A group chat. <see cref="Pts"/> is the position of the chat's own log (large groups and channels; 0 for
/// small groups, whose updates are in each member's log). <see cref="Photo"/> is the group's photo (members may download
/// it), if it has one; <see cref="About"/> its description (0–255 characters); <see cref="Permissions"/> what its plain
/// members may do and <see cref="SlowMode"/> how many seconds a plain member waits between two posts (0: no limit);
/// <see cref="Forum"/> whether the group is organised in topics (<c>groups.toggleForum</c>, <c>messages.getForumTopics</c>);
/// <see cref="Deleted"/> set only in the <c>chat</c> update that tells the members the creator deleted it (<c>groups.delete</c>).</summary>
[MessagePackObject]
public sealed partial record Chat(
    [property: Key("id")] long Id,
    [property: Key("kind")] ChatKind Kind,
    [property: Key("title")] string Title,
    [property: Key("creator_id")] long CreatorId,
    [property: Key("member_count")] int MemberCount,
    [property: Key("date")] long Date,
    [property: Key("pts")] long Pts,
    [property: Key("photo")] Media.MessageMedia? Photo = null,
    [property: Key("about")] string About = "",
    [property: Key("permissions")] ChatPermissions? Permissions = null,
    [property: Key("slow_mode")] int SlowMode = 0,
    [property: Key("forum")] bool Forum = false,
    [property: Key("deleted")] bool Deleted = false)
{
    [IgnoreMember]
    public bool HasOwnLog => Kind is ChatKind.LargeGroup or ChatKind.Channel;
}

/// <summary>
/// What a group's plain members may do; admins and the creator may do all of it. <see cref="SendMessages"/> covers every
/// post (text, files, polls, forwards): without it <see cref="SendMedia"/> and <see cref="SendPolls"/> are off too.
/// <see cref="ChangeInfo"/> is the title, description and photo; <see cref="ManageTopics"/> lets them create topics in a
/// forum (off by default, as Telegram's; always set in what the server answers, and null in a
/// <c>groups.editPermissions</c> call keeps the group's setting: a client from before topics never turns it off). A new small group lets members post, add members and
/// pin; a new large group lets them post; a channel's members post nothing, whatever is set.
/// </summary>
[MessagePackObject]
public sealed partial record ChatPermissions(
    [property: Key("send_messages")] bool SendMessages = true,
    [property: Key("send_media")] bool SendMedia = true,
    [property: Key("send_polls")] bool SendPolls = true,
    [property: Key("add_members")] bool AddMembers = false,
    [property: Key("pin_messages")] bool PinMessages = false,
    [property: Key("change_info")] bool ChangeInfo = false,
    [property: Key("manage_topics")] bool? ManageTopics = false);

/// <summary>Member roles.</summary>
public enum MemberRole
{
    Member = 0,
    Admin = 1,
    Creator = 2,
}

[MessagePackObject]
public sealed record ChatMember(
    [property: Key("user_id")] long UserId,
    [property: Key("role")] MemberRole Role,
    [property: Key("joined_at")] long JoinedAt);

/// <summary>A chat with its members (first <c>limit</c>, by join time) for <c>groups.getFull</c>, and the caller's own
/// role (in a large group the caller may not be among the members listed; a client needs it to know whether it may
/// post in a channel or use admin actions).</summary>
[MessagePackObject]
public sealed record ChatFull(
    [property: Key("chat")] Chat Chat,
    [property: Key("members")] ChatMember[] Members,
    [property: Key("my_role")] MemberRole MyRole);

/// <summary>The result of a membership or title change: the chat as it is now and the service message that
/// records it (the caller's log position is in <see cref="Pts"/> for small groups, the chat's for large ones).</summary>
[MessagePackObject]
public sealed record ChatChanged(
    [property: Key("chat")] Chat Chat,
    [property: Key("message")] Message? Message,
    [property: Key("pts")] long Pts,
    [property: Key("pts_count")] int PtsCount,
    [property: Key("channel")] bool Channel = false);

/// <summary><c>groups.create</c>: a group with the caller as creator and <see cref="UserIds"/> (0–199 others) as
/// members. <see cref="Large"/> creates a large group with its own log; <see cref="Broadcast"/> a channel (large, only
/// admins post). Errors: <c>CHAT_TITLE_INVALID</c> (1–128 characters after trimming), <c>USER_IDS_INVALID</c>,
/// <c>USERS_TOO_MANY</c>.</summary>
[RpcMethod("groups.create")]
[MessagePackObject]
public sealed record CreateGroupCall(
    [property: Key("title")] string Title,
    [property: Key("user_ids")] long[] UserIds,
    [property: Key("large")] bool Large = false,
    [property: Key("broadcast")] bool Broadcast = false) : IRpcCall<ChatChanged>;

/// <summary><c>groups.addMembers</c> (admins; any member in a small group): adds users; a small group that grows past
/// the small-group limit becomes a large group (one way; history kept). An admin adding a user removed earlier lifts
/// their ban. Errors: <c>USER_IDS_INVALID</c>, <c>USERS_TOO_MANY</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 403
/// <c>USER_BANNED_IN_CHAT</c> (a plain member adding a removed user), 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.addMembers")]
[MessagePackObject]
public sealed record AddMembersCall([property: Key("chat_id")] long ChatId, [property: Key("user_ids")] long[] UserIds) : IRpcCall<ChatChanged>;

/// <summary><c>groups.removeMember</c> (admins; not the creator): the user loses access at once and is banned: they
/// cannot come back by an invite link until an admin adds them or lifts the ban (<c>groups.unban</c>).
/// Errors: <c>USER_NOT_PARTICIPANT</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.removeMember")]
[MessagePackObject]
public sealed record RemoveMemberCall([property: Key("chat_id")] long ChatId, [property: Key("user_id")] long UserId) : IRpcCall<ChatChanged>;

/// <summary><c>groups.leave</c>. The creator hands the chat over first (<c>groups.transferOwnership</c>): 403 <c>CHAT_CREATOR_CANNOT_LEAVE</c>.</summary>
[RpcMethod("groups.leave")]
[MessagePackObject]
public sealed record LeaveGroupCall([property: Key("chat_id")] long ChatId) : IRpcCall<ChatChanged>;

/// <summary><c>groups.editTitle</c> (admins). Errors: <c>CHAT_TITLE_INVALID</c>, <c>CHAT_NOT_MODIFIED</c>.</summary>
[RpcMethod("groups.editTitle")]
[MessagePackObject]
public sealed record EditTitleCall([property: Key("chat_id")] long ChatId, [property: Key("title")] string Title) : IRpcCall<ChatChanged>;

/// <summary><c>groups.editAbout</c> (admins): the group's description, 0–255 characters after trimming (empty or null
/// removes it). Posts the service message <c>edit_about</c>. Errors: <c>CHAT_ABOUT_TOO_LONG</c>, <c>CHAT_ABOUT_INVALID</c> (a
/// control character other than tab and line breaks), <c>CHAT_NOT_MODIFIED</c>, 403
/// <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.editAbout")]
[MessagePackObject]
public sealed record EditAboutCall([property: Key("chat_id")] long ChatId, [property: Key("about")] string About) : IRpcCall<ChatChanged>;

/// <summary><c>groups.editPhoto</c> (admins): sets the group's photo to <see cref="Media"/> (a finished upload of an
/// image the server can size, at most 10 MiB), or removes it (null). Posts the service message <c>edit_photo</c> or
/// <c>delete_photo</c>; members may download the photo, nobody else. Errors: <c>PHOTO_INVALID</c>, <c>PHOTO_TOO_BIG</c>,
/// the upload errors (<c>FILE_ID_INVALID</c>, <c>FILE_PART_MISSING</c>, …), <c>CHAT_NOT_MODIFIED</c> (removing no photo),
/// 403 <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.editPhoto")]
[MessagePackObject]
public sealed record EditPhotoCall([property: Key("chat_id")] long ChatId, [property: Key("media")] Media.InputMedia? Media) : IRpcCall<ChatChanged>;

/// <summary><c>groups.editPermissions</c> (admins; small and large groups): what plain members may do from now on and
/// the slow mode, <see cref="SlowMode"/> one of 0 (off), 10, 30, 60, 300, 900, 3600 seconds. Posts the service message
/// <c>edit_permissions</c>. Errors: <c>PERMISSIONS_INVALID</c> (missing), <c>SLOW_MODE_INVALID</c>,
/// <c>CHAT_NOT_MODIFIED</c>, <c>CHAT_TYPE_INVALID</c> (a channel: its members never post), 403 <c>CHAT_ADMIN_REQUIRED</c>,
/// 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.editPermissions")]
[MessagePackObject]
public sealed record EditPermissionsCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("permissions")] ChatPermissions? Permissions,
    [property: Key("slow_mode")] int SlowMode = 0) : IRpcCall<ChatChanged>;

/// <summary><c>groups.transferOwnership</c> (creator only): <see cref="UserId"/>, a member, becomes the creator, and the
/// caller an admin (who may then leave). Posts the service message <c>transfer_ownership</c>.
/// Errors: <c>USER_NOT_PARTICIPANT</c>, <c>CHAT_NOT_MODIFIED</c> (to oneself), <c>USER_IS_BOT</c> (a bot may be an admin,
/// not the owner), 403 <c>CHAT_CREATOR_REQUIRED</c>.</summary>
[RpcMethod("groups.transferOwnership")]
[MessagePackObject]
public sealed record TransferOwnershipCall([property: Key("chat_id")] long ChatId, [property: Key("user_id")] long UserId) : IRpcCall<ChatChanged>;

/// <summary><c>groups.delete</c> (creator only): deletes the group or channel for everyone (Telegram's
/// <c>channels.deleteChannel</c>). Every member's log gets a <c>chat</c> update with <see cref="Chat.Deleted"/> set and
/// <c>is_member</c> false; from then on the chat answers 404 <c>CHAT_NOT_FOUND</c> to everything, its invite links
/// <c>INVITE_HASH_INVALID</c>, and its messages and their files go (in bounded writer units, before the call answers).
/// The answer is the caller's own log position with that update. Errors: 403 <c>CHAT_CREATOR_REQUIRED</c>, 404
/// <c>CHAT_NOT_FOUND</c> (not a member, no such chat, or deleted already).</summary>
[RpcMethod("groups.delete")]
[MessagePackObject]
public sealed record DeleteGroupCall([property: Key("chat_id")] long ChatId) : IRpcCall<ChatChanged>;

/// <summary><c>groups.setAdmin</c> (creator only). Errors: <c>USER_NOT_PARTICIPANT</c>, 403 <c>CHAT_CREATOR_REQUIRED</c>.</summary>
[RpcMethod("groups.setAdmin")]
[MessagePackObject]
public sealed record SetAdminCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("user_id")] long UserId,
    [property: Key("is_admin")] bool IsAdmin) : IRpcCall<ChatChanged>;

/// <summary><c>groups.getBanned</c> (admins): the users an admin removed from the chat, who cannot come back by an
/// invite link or be added by a plain member, most recently removed first, up to <see cref="Limit"/> (1–1000) from
/// <see cref="Offset"/>. Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.getBanned")]
[MessagePackObject]
public sealed record GetBannedCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("offset")] int Offset = 0,
    [property: Key("limit")] int Limit = 100) : IRpcCall<ChatBans>;

/// <summary>The users removed from a chat by its admins (<c>groups.getBanned</c>) and how many there are.</summary>
[MessagePackObject]
public sealed record ChatBans([property: Key("user_ids")] long[] UserIds, [property: Key("total")] int Total);

/// <summary><c>groups.unban</c> (admins): the removed user may join again by an invite link (adding them back, which an
/// admin may do at once, lifts the ban too). Errors: <c>CHAT_NOT_MODIFIED</c> (not banned), 403
/// <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.unban")]
[MessagePackObject]
public sealed record UnbanCall([property: Key("chat_id")] long ChatId, [property: Key("user_id")] long UserId) : IRpcCall<Rpc.Done>;

/// <summary><c>groups.getFull</c> (members only): the chat and up to <see cref="Limit"/> (1–1000) members from
/// <see cref="Offset"/>, by join time; with <see cref="Query"/> (a name query as <c>users.search</c> takes it), only
/// the members it finds — every word of it starting a word of their display name or their username, in any order,
/// accents and case ignored, or the query starting their username — best matches first (<see cref="Offset"/> counts
/// among those). In a group of more than 2,000 members the first 1,000 accounts of the server by the query's rarest
/// word (by name and by username) are looked at, so a query whose every word starts more names than that may miss
/// some: a longer word finds them. A channel's plain member gets only its admins, its creator and themselves (pages and
/// queries alike; <see cref="Chat.MemberCount"/> counts everyone).</summary>
[RpcMethod("groups.getFull")]
[MessagePackObject]
public sealed record GetFullChatCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("offset")] int Offset = 0,
    [property: Key("limit")] int Limit = 200,
    [property: Key("query")] string? Query = null) : IRpcCall<ChatFull>;

/// <summary>An invite link's code and limits: who made it and when, until when and for how many joins it works, how
/// many joined by it, whether an admin revoked it, and whether joining by it needs an admin's approval
/// (<see cref="RequestNeeded"/>: a join request instead of a join).</summary>
[MessagePackObject]
public sealed record ChatInvite(
    [property: Key("code")] string Code,
    [property: Key("chat_id")] long ChatId,
    [property: Key("expires_at")] long? ExpiresAt,
    [property: Key("usage_limit")] int? UsageLimit,
    [property: Key("usage")] int Usage,
    [property: Key("created_by")] long CreatedBy = 0,
    [property: Key("date")] long Date = 0,
    [property: Key("revoked")] bool Revoked = false,
    [property: Key("request_needed")] bool RequestNeeded = false);

/// <summary><c>groups.exportInvite</c> (admins): a new invite code, valid <see cref="ExpiresInSeconds"/> (60 s – 365
/// days, or forever) for <see cref="UsageLimit"/> joins (1–100000, or unlimited); with <see cref="RequestNeeded"/> a
/// join by it is a request an admin approves (no usage limit then: <c>USAGE_LIMIT_INVALID</c>).</summary>
[RpcMethod("groups.exportInvite")]
[MessagePackObject]
public sealed record ExportInviteCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("expires_in")] int? ExpiresInSeconds = null,
    [property: Key("usage_limit")] int? UsageLimit = null,
    [property: Key("request_needed")] bool RequestNeeded = false) : IRpcCall<ChatInvite>;

/// <summary><c>groups.joinByInvite</c>; into a channel, the answer carries no service message (a channel posts none for
/// comings and goings). Errors: <c>INVITE_HASH_INVALID</c>, <c>INVITE_HASH_EXPIRED</c> (expired, used up or revoked, or
/// its maker no longer an admin of the chat), <c>INVITE_REQUEST_SENT</c> (a link that needs approval: the request is kept for the chat's admins —
/// not a failure, as in Telegram), <c>USER_ALREADY_PARTICIPANT</c>, <c>USERS_TOO_MANY</c>, 403
/// <c>USER_BANNED_IN_CHAT</c> (an admin removed the caller: only an admin brings them back).</summary>
[RpcMethod("groups.joinByInvite")]
[MessagePackObject]
public sealed record JoinByInviteCall([property: Key("code")] string Code) : IRpcCall<ChatChanged>;

/// <summary><c>groups.checkInvite</c>: what an invite code leads to, before joining — the chat's title, description,
/// kind and size, and whether joining needs an admin's approval; <see cref="InvitePreview.ChatId"/> is set when the
/// caller is a member already. Errors: <c>INVITE_HASH_INVALID</c>, <c>INVITE_HASH_EXPIRED</c>.</summary>
[RpcMethod("groups.checkInvite")]
[MessagePackObject]
public sealed record CheckInviteCall([property: Key("code")] string Code) : IRpcCall<InvitePreview>;

/// <summary>The chat an invite code leads to, as someone outside it may see it.</summary>
[MessagePackObject]
public sealed record InvitePreview(
    [property: Key("title")] string Title,
    [property: Key("about")] string About,
    [property: Key("kind")] ChatKind Kind,
    [property: Key("member_count")] int MemberCount,
    [property: Key("request_needed")] bool RequestNeeded,
    [property: Key("requested")] bool Requested,
    [property: Key("chat_id")] long ChatId);

/// <summary><c>groups.getInvites</c> (admins): the chat's invite links, newest first (the latest
/// <see cref="InviteLimits.Listed"/>), revoked ones included (a link whose maker is no longer an admin shows revoked, and
/// works again if they are made an admin again). Errors: 403 <c>CHAT_ADMIN_REQUIRED</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.getInvites")]
[MessagePackObject]
public sealed record GetInvitesCall([property: Key("chat_id")] long ChatId) : IRpcCall<ChatInvites>;

[MessagePackObject]
public sealed record ChatInvites([property: Key("invites")] ChatInvite[] Invites);

/// <summary><c>groups.revokeInvite</c> (admins): the link stops working at once (joins by it are
/// <c>INVITE_HASH_EXPIRED</c>; requests made by it stay for the admins to answer); answers the link as it is now.
/// Errors: <c>INVITE_HASH_INVALID</c> (not a link of this chat), 403 <c>CHAT_ADMIN_REQUIRED</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.revokeInvite")]
[MessagePackObject]
public sealed record RevokeInviteCall([property: Key("chat_id")] long ChatId, [property: Key("code")] string Code) : IRpcCall<ChatInvite>;

/// <summary><c>groups.getJoinRequests</c> (admins): who asked to join by a link that needs approval, the oldest first,
/// and how many there are. Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c> (1–200), 403
/// <c>CHAT_ADMIN_REQUIRED</c>, 404 <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.getJoinRequests")]
[MessagePackObject]
public sealed record GetJoinRequestsCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("offset")] int Offset = 0,
    [property: Key("limit")] int Limit = 100) : IRpcCall<JoinRequests>;

[MessagePackObject]
public sealed record JoinRequest([property: Key("user_id")] long UserId, [property: Key("date")] long Date);

[MessagePackObject]
public sealed record JoinRequests([property: Key("requests")] JoinRequest[] Requests, [property: Key("total")] int Total);

/// <summary><c>groups.hideJoinRequest</c> (admins): approves the request (<see cref="Approved"/>: the user joins, the
/// service message <c>join_by_request</c> from them) or declines it (nothing is said to them). Errors:
/// <c>HIDE_REQUESTER_MISSING</c> (no such request), <c>USERS_TOO_MANY</c>, 403 <c>CHAT_ADMIN_REQUIRED</c>, 404
/// <c>CHAT_NOT_FOUND</c>.</summary>
[RpcMethod("groups.hideJoinRequest")]
[MessagePackObject]
public sealed record HideJoinRequestCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("user_id")] long UserId,
    [property: Key("approved")] bool Approved) : IRpcCall<Rpc.Done>;

/// <summary>Limits of invite links and join requests.</summary>
public static class InviteLimits
{
    /// <summary>Links <c>groups.getInvites</c> lists.</summary>
    public const int Listed = 100;

    /// <summary>Requesters a <c>pending_join_requests</c> update names.</summary>
    public const int RecentRequesters = 3;
}

/// <summary>Updates of one large group's log after the caller's pts, like <see cref="Difference"/>.</summary>
[MessagePackObject]
public sealed record ChannelDifference(
    [property: Key("chat_id")] long ChatId,
    [property: Key("updates")] LoggedUpdate[] Updates,
    [property: Key("pts")] long Pts,
    [property: Key("slice")] bool Slice,
    [property: Key("too_long")] bool TooLong);

/// <summary><c>updates.getChannelDifference</c> (members of a large group or channel). Errors: <c>PTS_INVALID</c>,
/// <c>LIMIT_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c> (also for non-members).</summary>
[RpcMethod("updates.getChannelDifference")]
[MessagePackObject]
public sealed record GetChannelDifferenceCall(
    [property: Key("chat_id")] long ChatId,
    [property: Key("pts")] long Pts,
    [property: Key("limit")] int Limit = 1000) : IRpcCall<ChannelDifference>, IRepeatableCall;

/// <summary><c>messages.search</c>: messages containing every word of <see cref="Query"/> (its first 16 words; the last
/// four of two or more characters are prefix-matched, the others and one-character words match whole words; case- and
/// accent-insensitive) in <see cref="Peer"/> or in every chat the caller can read, newest first, older than
/// <see cref="OffsetId"/> (0: from the newest), narrowed by the optional filters: sent by <see cref="FromId"/>, dated
/// within <see cref="MinDate"/>–<see cref="MaxDate"/> (unix seconds, inclusive; 0: unbounded), of one
/// <see cref="SearchFilters"/> kind. With at least one filter the query may be empty: then every message that passes them.
/// Errors: <c>SEARCH_QUERY_EMPTY</c> (no words and no filter), <c>SEARCH_FILTER_INVALID</c>, <c>DATE_RANGE_INVALID</c>
/// (negative, or min after max), <c>USER_ID_INVALID</c> (a negative <see cref="FromId"/>; an id of nobody finds nothing),
/// <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, <c>PEER_ID_INVALID</c>, 404 <c>CHAT_NOT_FOUND</c>. With
/// <see cref="TopicId"/> (0: General) only that topic of the forum <see cref="Peer"/> is searched (<c>TOPIC_ID_INVALID</c>:
/// no peer, no forum, or no such topic, as <c>messages.getHistory</c> answers it).</summary>
[RpcMethod("messages.search")]
[MessagePackObject]
public sealed record SearchMessagesCall(
    [property: Key("peer")] Peer? Peer,
    [property: Key("query")] string Query,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 20,
    [property: Key("from_id")] long FromId = 0,
    [property: Key("min_date")] long MinDate = 0,
    [property: Key("max_date")] long MaxDate = 0,
    [property: Key("filter")] string? Filter = null,
    [property: Key("topic_id")] long? TopicId = null) : IRpcCall<MessageList>
{
    /// <summary>True when anything but the words narrows the search (then the query may be empty).</summary>
    [IgnoreMember]
    public bool HasFilter => FromId != 0 || MinDate != 0 || MaxDate != 0 || !string.IsNullOrEmpty(Filter);
}

/// <summary>The content filters of <c>messages.search</c>, each one of <see cref="SharedMedia"/>'s kinds (what a chat's
/// shared media lists under it); empty or null: any message.</summary>
public static class SearchFilters
{
    public const string Photos = "photos";
    public const string Videos = "videos";

    /// <summary>Files that are not photos, videos or audio.</summary>
    public const string Documents = "documents";

    /// <summary>Voice notes, and any other audio file: the server keeps no difference between them.</summary>
    public const string Voice = "voice";

    /// <summary>Text messages with an <c>http://</c> or <c>https://</c> link.</summary>
    public const string Links = "links";

    /// <summary>Location messages, points and live ones (Telegram's <c>inputMessagesFilterGeo</c>).</summary>
    public const string Geo = "geo";

    /// <summary>The number of the <see cref="SharedMedia"/> kind the filter stands for (0: any message; -1: not a filter).</summary>
    public static int SharedKindOf(string? filter) => filter switch
    {
        null or "" => 0,
        Photos => SharedMedia.NumberOf(SharedMedia.Photo),
        Videos => SharedMedia.NumberOf(SharedMedia.Video),
        Documents => SharedMedia.NumberOf(SharedMedia.Document),
        Voice => SharedMedia.NumberOf(SharedMedia.Audio),
        Links => SharedMedia.NumberOf(SharedMedia.Link),
        Geo => SharedMedia.NumberOf(SharedMedia.Geo),
        _ => -1,
    };
}

/// <summary>Stable error names of groups and search.</summary>
public static class GroupErrorNames
{
    public const string ChatTitleInvalid = "CHAT_TITLE_INVALID";
    public const string ChatAboutTooLong = "CHAT_ABOUT_TOO_LONG";

    /// <summary>A description holds a control character other than tab and line breaks, or a lone surrogate (the rule
    /// of message text).</summary>
    public const string ChatAboutInvalid = "CHAT_ABOUT_INVALID";
    public const string ChatNotModified = "CHAT_NOT_MODIFIED";
    public const string UserIdsInvalid = "USER_IDS_INVALID";
    public const string UsersTooMany = "USERS_TOO_MANY";
    public const string UserNotParticipant = "USER_NOT_PARTICIPANT";
    public const string UserAlreadyParticipant = "USER_ALREADY_PARTICIPANT";
    public const string InviteHashInvalid = "INVITE_HASH_INVALID";
    public const string InviteHashExpired = "INVITE_HASH_EXPIRED";
    public const string InviteRequestSent = "INVITE_REQUEST_SENT";
    public const string HideRequesterMissing = "HIDE_REQUESTER_MISSING";
    public const string ExpiresInvalid = "EXPIRES_INVALID";
    public const string UsageLimitInvalid = "USAGE_LIMIT_INVALID";
    public const string SearchQueryEmpty = "SEARCH_QUERY_EMPTY";
    public const string SearchFilterInvalid = "SEARCH_FILTER_INVALID";
    public const string DateRangeInvalid = "DATE_RANGE_INVALID";

    /// <summary>404: no such chat, or the caller is not a member (the same answer, so chats cannot be probed).</summary>
    public const string ChatNotFound = "CHAT_NOT_FOUND";

    /// <summary>403: only admins may do this.</summary>
    public const string ChatAdminRequired = "CHAT_ADMIN_REQUIRED";
    public const string ChatCreatorRequired = "CHAT_CREATOR_REQUIRED";
    public const string ChatCreatorCannotLeave = "CHAT_CREATOR_CANNOT_LEAVE";

    /// <summary>403: an admin removed this user from the chat; only an admin adds them back.</summary>
    public const string UserBannedInChat = "USER_BANNED_IN_CHAT";

    /// <summary>403: the user's privacy settings do not let the caller add them to groups (an invite link still works).</summary>
    public const string UserPrivacyRestricted = "USER_PRIVACY_RESTRICTED";

    /// <summary>403: a channel where only admins post, or a group whose admins took posting from members.</summary>
    public const string ChatWriteForbidden = "CHAT_WRITE_FORBIDDEN";

    /// <summary>403: the group's members may not post files.</summary>
    public const string ChatSendMediaForbidden = "CHAT_SEND_MEDIA_FORBIDDEN";

    /// <summary>403: the group's members may not post polls.</summary>
    public const string ChatSendPollForbidden = "CHAT_SEND_POLL_FORBIDDEN";

    /// <summary>420: slow mode; the error's retry_after says in how many seconds the member may post again.</summary>
    public const string SlowModeWait = "SLOWMODE_WAIT";

    public const string SlowModeInvalid = "SLOW_MODE_INVALID";
    public const string PermissionsInvalid = "PERMISSIONS_INVALID";

    /// <summary>400: not for this kind of chat (a channel's permissions: its members never post).</summary>
    public const string ChatTypeInvalid = "CHAT_TYPE_INVALID";
}

/// <summary>The earlier shape of <see cref="Chat"/>'s constructor and deconstruction.</summary>
public sealed partial record Chat
{
    /// <summary>The constructor from before <see cref="Forum"/>; see the current one.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public Chat(
        long id, ChatKind kind, string title, long creatorId, int memberCount, long date, long pts, Media.MessageMedia? photo, string about,
        ChatPermissions? permissions, int slowMode)
        : this(id, kind, title, creatorId, memberCount, date, pts, photo, about, permissions, slowMode, Forum: false)
    {
    }

    /// <summary>The deconstruction from before <see cref="Forum"/>.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out ChatKind kind, out string title, out long creatorId, out int memberCount, out long date, out long pts,
        out Media.MessageMedia? photo, out string about, out ChatPermissions? permissions, out int slowMode) =>
        (id, kind, title, creatorId, memberCount, date, pts, photo, about, permissions, slowMode) =
            (Id, Kind, Title, CreatorId, MemberCount, Date, Pts, Photo, About, Permissions, SlowMode);
}

/// <summary>The earlier shape of <see cref="ChatPermissions"/>'s constructor and deconstruction.</summary>
public sealed partial record ChatPermissions
{
    /// <summary>The constructor from before <see cref="ManageTopics"/>; see the current one.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public ChatPermissions(bool sendMessages, bool sendMedia, bool sendPolls, bool addMembers, bool pinMessages, bool changeInfo)
        : this(sendMessages, sendMedia, sendPolls, addMembers, pinMessages, changeInfo, ManageTopics: null)
    {
    }

    /// <summary>The deconstruction from before <see cref="ManageTopics"/>.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void Deconstruct(out bool sendMessages, out bool sendMedia, out bool sendPolls, out bool addMembers, out bool pinMessages, out bool changeInfo) =>
        (sendMessages, sendMedia, sendPolls, addMembers, pinMessages, changeInfo) = (SendMessages, SendMedia, SendPolls, AddMembers, PinMessages, ChangeInfo);
}
