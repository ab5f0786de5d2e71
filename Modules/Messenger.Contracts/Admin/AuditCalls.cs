using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Admin;

/// <summary><c>admin.getAuditLog</c> (admins only): what admins did, newest first, older than <see cref="OffsetId"/>
/// (0: from the newest), at most <see cref="Limit"/> (1–100). Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>,
/// 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.getAuditLog")]
[MessagePackObject]
public sealed record GetAuditLogCall([property: Key("offset_id")] long OffsetId = 0, [property: Key("limit")] int Limit = 50) : IRpcCall<AuditLog>;

/// <summary>A page of the audit log.</summary>
[MessagePackObject]
public sealed record AuditLog([property: Key("entries")] AuditEntry[] Entries);

/// <summary>One admin action: when (unix seconds), who (<see cref="ActorId"/>; 0 is the server's console, e.g. the
/// <c>reset-password</c> command), what (<see cref="AuditActions"/>), to whom (<see cref="UserId"/>, when it concerns an
/// account) and <see cref="Detail"/> (e.g. an invite's uses and expiry).</summary>
[MessagePackObject]
public sealed record AuditEntry(
    [property: Key("id")] long Id,
    [property: Key("date")] long Date,
    [property: Key("actor_id")] long ActorId,
    [property: Key("action")] string Action,
    [property: Key("user_id")] long? UserId,
    [property: Key("detail")] string? Detail);

/// <summary>The actions of <see cref="AuditEntry"/>.</summary>
public static class AuditActions
{
    public const string CreateInvite = "create_invite";
    public const string BlockUser = "block_user";
    public const string UnblockUser = "unblock_user";
    public const string GrantAdmin = "grant_admin";
    public const string RevokeAdmin = "revoke_admin";
    public const string ResetPassword = "reset_password";
    public const string ResetTwoFactor = "reset_two_factor";
    public const string BackupNow = "backup_now";
    public const string DismissReport = "dismiss_report";
    public const string DeleteReportedMessage = "delete_reported_message";
    public const string DeleteUserMessages = "delete_user_messages";
}
