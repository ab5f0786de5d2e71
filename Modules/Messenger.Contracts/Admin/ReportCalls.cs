using MessagePack;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Admin;

/// <summary><c>messages.report</c>: tells the server's admins that messages <see cref="Ids"/> of the chat with
/// <see cref="Peer"/> break its rules, for <see cref="Reason"/> (one of <see cref="ReportReasons"/>) with an optional
/// <see cref="Comment"/> (≤ 512 characters). The admins get what the messages said when reported (a copy: a later edit or
/// delete does not hide it), from whom and where — a private chat's messages too, as Telegram forwards them to its
/// moderators. Reporting a message again changes nothing; one's own and service messages cannot be reported. Each
/// message counts against the posting limit. Errors: <c>PEER_ID_INVALID</c>, <c>MESSAGE_IDS_INVALID</c> (none, more than 100, or
/// one zero or negative), <c>MESSAGE_ID_INVALID</c> (one the caller cannot see, their own, or a service message),
/// <c>REPORT_REASON_INVALID</c>, <c>REPORT_COMMENT_TOO_LONG</c>, <c>REPORT_COMMENT_INVALID</c> (a control character other
/// than tab and line breaks), 404 <c>CHAT_NOT_FOUND</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("messages.report")]
[MessagePackObject]
public sealed record ReportMessagesCall(
    [property: Key("peer")] Peer Peer,
    [property: Key("ids")] long[] Ids,
    [property: Key("reason")] string Reason,
    [property: Key("comment")] string? Comment = null) : IRpcCall<ReportsFiled>;

/// <summary>How many of the messages were reported now (the rest had been reported by the caller before).</summary>
[MessagePackObject]
public sealed record ReportsFiled([property: Key("filed")] int Filed);

/// <summary><c>admin.getReports</c> (server admins): reports still to look at (<see cref="Resolved"/> false), or the
/// ones resolved, newest first, older than <see cref="OffsetId"/> (0: from the newest), at most <see cref="Limit"/>
/// (1–100). Errors: 403 <c>ADMIN_REQUIRED</c>, <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>.</summary>
[RpcMethod("admin.getReports")]
[MessagePackObject]
public sealed record GetReportsCall(
    [property: Key("resolved")] bool Resolved = false,
    [property: Key("offset_id")] long OffsetId = 0,
    [property: Key("limit")] int Limit = 50) : IRpcCall<ReportList>;

/// <summary>A page of reports and how many are open in all.</summary>
[MessagePackObject]
public sealed record ReportList([property: Key("reports")] Report[] Reports, [property: Key("open")] int Open);

/// <summary>One user's report of one message: who reported it (<see cref="ReporterId"/>), why, and the message as it
/// was then — its author (<see cref="FromId"/>), chat (<see cref="ChatId"/>; <see cref="ChatTitle"/> null for a private
/// chat, which is between the reporter and the author), <see cref="Text"/> (a poll's question), the name and kind of a
/// file it carried (<see cref="Media"/>, e.g. <c>photo: beach.jpg</c>) and when it was sent. <see cref="State"/>:
/// <c>open</c>, <c>dismissed</c>, or <c>deleted</c> (an admin deleted the message for everyone). <see cref="ChatDeleted"/>:
/// the group was deleted since (<c>groups.delete</c>): the report stays, with its copy of the message, and
/// <see cref="ChatTitle"/> is null (the title went with the chat).</summary>
[MessagePackObject]
public sealed record Report(
    [property: Key("id")] long Id,
    [property: Key("reporter_id")] long ReporterId,
    [property: Key("reason")] string Reason,
    [property: Key("comment")] string? Comment,
    [property: Key("date")] long Date,
    [property: Key("chat_id")] long ChatId,
    [property: Key("chat_title")] string? ChatTitle,
    [property: Key("msg_id")] long MessageId,
    [property: Key("from_id")] long FromId,
    [property: Key("text")] string Text,
    [property: Key("media")] string? Media,
    [property: Key("msg_date")] long MessageDate,
    [property: Key("state")] string State,
    [property: Key("resolved_by")] long? ResolvedBy = null,
    [property: Key("resolved_at")] long? ResolvedAt = null,
    [property: Key("chat_deleted")] bool ChatDeleted = false);

/// <summary><c>admin.resolveReport</c> (server admins): <c>dismiss</c> the report, or <c>delete_message</c> — the
/// message is deleted for everyone in its chat (as its author would revoke it) and every open report of it is resolved
/// with it. Blocking the author is <c>admin.setUserBlocked</c>. Recorded in the audit log. Errors: 403
/// <c>ADMIN_REQUIRED</c>, 404 <c>REPORT_ID_INVALID</c>, <c>REPORT_ACTION_INVALID</c>, <c>REPORT_ALREADY_RESOLVED</c>.</summary>
[RpcMethod("admin.resolveReport")]
[MessagePackObject]
public sealed record ResolveReportCall([property: Key("id")] long Id, [property: Key("action")] string Action) : IRpcCall<Report>;

/// <summary>Why a message is reported (Telegram's reasons).</summary>
public static class ReportReasons
{
    public const string Spam = "spam";
    public const string Violence = "violence";
    public const string Pornography = "pornography";
    public const string ChildAbuse = "child_abuse";
    public const string Copyright = "copyright";
    public const string PersonalDetails = "personal_details";
    public const string IllegalDrugs = "illegal_drugs";
    public const string Other = "other";

    public static readonly string[] All = [Spam, Violence, Pornography, ChildAbuse, Copyright, PersonalDetails, IllegalDrugs, Other];
}

/// <summary>What an admin does with a report, and the states a report is in.</summary>
public static class ReportActions
{
    public const string Dismiss = "dismiss";
    public const string DeleteMessage = "delete_message";

    public const string Open = "open";
    public const string Dismissed = "dismissed";
    public const string Deleted = "deleted";
}

/// <summary>Limits of reports.</summary>
public static class ReportLimits
{
    public const int MaxIds = 100;
    public const int MaxCommentLength = 512;
}

/// <summary>Error names of reports.</summary>
public static class ReportErrorNames
{
    public const string ReportReasonInvalid = "REPORT_REASON_INVALID";
    public const string ReportCommentTooLong = "REPORT_COMMENT_TOO_LONG";

    /// <summary>The comment holds a control character other than tab and line breaks, or a lone surrogate (the rule of
    /// message text).</summary>
    public const string ReportCommentInvalid = "REPORT_COMMENT_INVALID";

    /// <summary>404: no report with this id.</summary>
    public const string ReportIdInvalid = "REPORT_ID_INVALID";
    public const string ReportActionInvalid = "REPORT_ACTION_INVALID";
    public const string ReportAlreadyResolved = "REPORT_ALREADY_RESOLVED";
}

/// <summary><c>admin.deleteUserMessages</c> (server admins): deletes for everyone every message <see cref="UserId"/> has
/// posted, in every chat (as they would revoke them, a few dozen to a writer unit, so other writes go on meanwhile), and
/// the messages they scheduled —
/// the clean-up after a spammer, with <c>admin.setUserBlocked</c>. Service messages stay. Recorded in the audit log.
/// Errors: 403 <c>ADMIN_REQUIRED</c>, <c>USER_ID_INVALID</c>.</summary>
[RpcMethod("admin.deleteUserMessages")]
[MessagePackObject]
public sealed record DeleteUserMessagesCall([property: Key("user_id")] long UserId) : IRpcCall<UserMessagesDeleted>;

/// <summary>How many messages <c>admin.deleteUserMessages</c> deleted.</summary>
[MessagePackObject]
public sealed record UserMessagesDeleted([property: Key("deleted")] int Deleted);
