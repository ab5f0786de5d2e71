using MessagePack;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;

namespace Messenger.Contracts.Account;

/// <summary>One signed-in device of the account. Times are unix seconds.</summary>
[MessagePackObject]
public sealed record Authorization(
    [property: Key("id")] long Id,
    [property: Key("device_name")] string DeviceName,
    [property: Key("platform")] string Platform,
    [property: Key("client_address")] string ClientAddress,
    [property: Key("created_at")] long CreatedAtUnixSeconds,
    [property: Key("last_active_at")] long LastActiveAtUnixSeconds,
    [property: Key("current")] bool Current);

/// <summary>The account's signed-in devices, oldest first.</summary>
[MessagePackObject]
public sealed record Authorizations([property: Key("authorizations")] Authorization[] Items);

/// <summary><c>account.getAuthorizations</c>: every signed-in device of the account; the caller's is marked current.</summary>
[RpcMethod("account.getAuthorizations")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetAuthorizationsCall : IRpcCall<Authorizations>;

/// <summary><c>account.resetAuthorization</c>: signs out one device of the account; its live connections are closed
/// within a second and its key is refused afterwards. Errors: 404 <c>AUTHORIZATION_NOT_FOUND</c>.</summary>
[RpcMethod("account.resetAuthorization")]
[MessagePackObject]
public sealed record ResetAuthorizationCall([property: Key("id")] long Id) : IRpcCall<Done>;

/// <summary><c>account.resetOtherAuthorizations</c>: signs out every device of the account but the caller.</summary>
[RpcMethod("account.resetOtherAuthorizations")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record ResetOtherAuthorizationsCall : IRpcCall<Done>;

/// <summary>How long a device of the account may go unused before the server signs it out:
/// <see cref="Days"/>, one of <see cref="AuthorizationTtlDays.Allowed"/>.</summary>
[MessagePackObject]
public sealed record AuthorizationTtl([property: Key("authorization_ttl_days")] int Days);

/// <summary>The choices of <c>account.setAuthorizationTTL</c>, in days (Telegram's), and the default of an account that
/// never chose.</summary>
public static class AuthorizationTtlDays
{
    /// <summary>A week, a month, three months, six months, a year.</summary>
    public static readonly IReadOnlyList<int> Allowed = [7, 30, 90, 180, 365];

    /// <summary>Six months, as Telegram's default.</summary>
    public const int Default = 180;
}

/// <summary><c>account.getAuthorizationTTL</c>: after how many days without a call a device of the caller's account is
/// signed out by the server (default <see cref="AuthorizationTtlDays.Default"/>).</summary>
[RpcMethod("account.getAuthorizationTTL")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetAuthorizationTtlCall : IRpcCall<AuthorizationTtl>;

/// <summary><c>account.setAuthorizationTTL</c>: sets after how many days without a call a device of the caller's account
/// is signed out (one of <see cref="AuthorizationTtlDays.Allowed"/>), and signs out at once the devices already unused
/// that long (as <c>account.resetAuthorization</c> would); answers the setting as stored. A device with a live
/// connection counts as used. Errors: <c>AUTHORIZATION_TTL_INVALID</c>.</summary>
[RpcMethod("account.setAuthorizationTTL")]
[MessagePackObject]
public sealed record SetAuthorizationTtlCall([property: Key("authorization_ttl_days")] int Days) : IRpcCall<AuthorizationTtl>;

/// <summary><c>account.changePassword</c>: sets a new password and signs out every other device. A temporary password
/// an admin set is no longer one: this device's restriction (<see cref="Auth.SignedIn.PasswordChangeRequired"/>) ends at
/// once, on its live connection. Errors: <c>PASSWORD_INVALID</c> (old password wrong), <c>PASSWORD_TOO_SHORT</c>, <c>PASSWORD_TOO_LONG</c>,
/// 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("account.changePassword")]
[MessagePackObject]
public sealed record ChangePasswordCall(
    [property: Key("old_password")] string OldPassword,
    [property: Key("new_password")] string NewPassword) : IRpcCall<Done>;

/// <summary><c>account.deleteAccount</c>: deletes the caller's account for good, confirmed by its password. Every device
/// is signed out (the caller's after its answer), the username is free again, the user leaves every group (a creator's
/// role passes to the longest-standing admin, else member), and their own dialogs, blocks and update log are erased.
/// Messages they sent stay in the other side's history, from "Deleted Account"; nobody can send them anything new.
/// Errors: <c>PASSWORD_INVALID</c>, 403 <c>LAST_ADMIN</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("account.deleteAccount")]
[MessagePackObject]
public sealed record DeleteAccountCall([property: Key("password")] string Password) : IRpcCall<Done>;

/// <summary><c>account.updateUsername</c>: the caller takes another username (5–32 letters, digits, underscores; unique
/// case-insensitively); the old one is free at once. Devices stay signed in; people find the account by the new name.
/// Errors: <c>USERNAME_INVALID</c>, <c>USERNAME_OCCUPIED</c>, <c>USERNAME_NOT_MODIFIED</c> (the same, to the letter).</summary>
[RpcMethod("account.updateUsername")]
[MessagePackObject]
public sealed record UpdateUsernameCall([property: Key("username")] string Username) : IRpcCall<User>;

/// <summary><c>account.updateProfilePhoto</c>: sets the caller's profile photo from a finished upload (an image of at
/// most 10 MiB whose size the server can read: JPEG, PNG, GIF or WebP), replacing the previous one, or removes it
/// (null). Anyone signed in may download a current profile photo. Errors: <c>PHOTO_INVALID</c> (not such an image),
/// <c>PHOTO_TOO_BIG</c>, and the upload's errors (<c>FILE_ID_INVALID</c>, <c>FILE_PART_MISSING</c>, …,
/// <c>QUOTA_EXCEEDED</c>).</summary>
[RpcMethod("account.updateProfilePhoto")]
[MessagePackObject]
public sealed record UpdateProfilePhotoCall([property: Key("media")] Media.InputMedia? Media) : IRpcCall<User>;

/// <summary><c>account.updateProfile</c>: display name 1–64 characters after trimming, bio at most 140 on one line,
/// held to the name rule when not empty. Errors: <c>DISPLAY_NAME_INVALID</c>, <c>BIO_TOO_LONG</c>, <c>BIO_INVALID</c>.</summary>
[RpcMethod("account.updateProfile")]
[MessagePackObject]
public sealed record UpdateProfileCall(
    [property: Key("display_name")] string DisplayName,
    [property: Key("bio")] string Bio = "") : IRpcCall<User>;
