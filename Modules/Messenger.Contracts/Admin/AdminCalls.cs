using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Admin;

/// <summary><c>admin.createInvite</c> (admins only): an invite code for <see cref="Uses"/> registrations (1–1000),
/// valid for <see cref="ExpiresInSeconds"/> (60 s – 365 days; null: no expiry).
/// Errors: <c>USES_INVALID</c>, <c>EXPIRES_INVALID</c>, 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.createInvite")]
[MessagePackObject]
public sealed record CreateInviteCall(
    [property: Key("uses")] int Uses,
    [property: Key("expires_in_seconds")] int? ExpiresInSeconds = null) : IRpcCall<Invite>;

/// <summary>An invite code; <see cref="ExpiresAtUnixSeconds"/> is null when it does not expire.</summary>
[MessagePackObject]
public sealed record Invite(
    [property: Key("code")] string Code,
    [property: Key("uses")] int Uses,
    [property: Key("expires_at")] long? ExpiresAtUnixSeconds);

/// <summary><c>admin.listUsers</c> (admins only): accounts by id, <see cref="Limit"/> 1–100 from <see cref="Offset"/>.
/// Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.listUsers")]
[MessagePackObject]
public sealed record ListUsersCall([property: Key("offset")] int Offset, [property: Key("limit")] int Limit) : IRpcCall<UserPage>;

/// <summary>An account as an admin sees it: <see cref="TwoFactor"/> when it has two-step verification on, <see cref="Bot"/> for a
/// webhook's poster. Times are unix seconds.</summary>
[MessagePackObject]
public sealed record AdminUser(
    [property: Key("id")] long Id,
    [property: Key("username")] string Username,
    [property: Key("display_name")] string DisplayName,
    [property: Key("is_admin")] bool IsAdmin,
    [property: Key("is_blocked")] bool IsBlocked,
    [property: Key("created_at")] long CreatedAtUnixSeconds,
    [property: Key("devices")] int Devices,
    [property: Key("deleted")] bool Deleted = false,
    [property: Key("two_factor")] bool TwoFactor = false,
    [property: Key("bot")] bool Bot = false);

/// <summary>One page of <see cref="ListUsersCall"/> and the total number of accounts.</summary>
[MessagePackObject]
public sealed record UserPage([property: Key("users")] AdminUser[] Users, [property: Key("total")] int Total);

/// <summary><c>admin.setUserBlocked</c> (admins only): a blocked user's devices are signed out and disconnected, and
/// the account cannot sign in until unblocked. The last admin who can administer the server (not blocked, not a bot)
/// cannot be blocked. Errors: <c>USER_ID_INVALID</c>, <c>USER_IS_SELF</c>, 403 <c>ADMIN_REQUIRED</c>, 403
/// <c>LAST_ADMIN</c>.</summary>
[RpcMethod("admin.setUserBlocked")]
[MessagePackObject]
public sealed record SetUserBlockedCall([property: Key("user_id")] long UserId, [property: Key("blocked")] bool Blocked) : IRpcCall<Done>;

/// <summary><c>admin.resetTwoFactor</c> (admins only): turns off two-step verification of an account whose owner lost their
/// authenticator (they sign in with the password alone, and may turn it on again). Errors: <c>USER_ID_INVALID</c>,
/// <c>TWO_FACTOR_NOT_ENABLED</c>, 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.resetTwoFactor")]
[MessagePackObject]
public sealed record ResetTwoFactorCall([property: Key("user_id")] long UserId) : IRpcCall<Done>;

/// <summary><c>admin.setUserAdmin</c> (admins only): makes an account an admin, or a plain user again; takes effect on
/// its next call. The last admin who can administer the server (not blocked, not a bot) stays one; a bot cannot be
/// made one. Errors: <c>USER_ID_INVALID</c> (unknown or deleted), <c>USER_IS_BOT</c>, 403 <c>ADMIN_REQUIRED</c>, 403
/// <c>LAST_ADMIN</c>.</summary>
[RpcMethod("admin.setUserAdmin")]
[MessagePackObject]
public sealed record SetUserAdminCall([property: Key("user_id")] long UserId, [property: Key("is_admin")] bool IsAdmin) : IRpcCall<Done>;

/// <summary><c>admin.resetPassword</c> (admins only): for a user who forgot theirs, a new temporary password, told to
/// the admin only here, to hand to the user, who signs in with it and must change it before anything else
/// (<see cref="Auth.SignedIn.PasswordChangeRequired"/>); it signs in only until <see cref="TemporaryPassword.ExpiresAt"/>
/// (<c>TemporaryPasswordHours</c> after the reset). Every device of the user is signed out (whoever knew the old
/// password is). Two-step verification stays as it is. Errors: <c>USER_ID_INVALID</c> (unknown,
/// deleted or a bot), <c>USER_IS_SELF</c> (use <c>account.changePassword</c>), 403 <c>ADMIN_REQUIRED</c>.</summary>
[RpcMethod("admin.resetPassword")]
[MessagePackObject]
public sealed record ResetPasswordCall([property: Key("user_id")] long UserId) : IRpcCall<TemporaryPassword>;

[MessagePackObject]
public sealed record TemporaryPassword([property: Key("password")] string Password, [property: Key("expires_at")] long ExpiresAt);
