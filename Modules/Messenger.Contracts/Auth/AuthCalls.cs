using MessagePack;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;

namespace Messenger.Contracts.Auth;

/// <summary>
/// <c>auth.register</c> (anonymous): creates an account. Does not sign the device in; call <see cref="SignInCall"/> next.
/// Username: 5–32 of <c>[a-zA-Z0-9_]</c>, unique case-insensitively. Password: at least 8 characters and at most
/// 1024 bytes (UTF-8). Display name: 1–64 characters after trimming. <see cref="InviteCode"/> is required when the
/// server's registration mode is <c>InviteOnly</c>. The first account of a server becomes its admin (in every mode).
/// Errors: <c>USERNAME_INVALID</c>, <c>USERNAME_OCCUPIED</c>, <c>PASSWORD_TOO_SHORT</c>, <c>PASSWORD_TOO_LONG</c>,
/// <c>DISPLAY_NAME_INVALID</c>, <c>INVITE_CODE_INVALID</c>, <c>INVITE_CODE_EXPIRED</c>, 403 <c>REGISTRATION_CLOSED</c>,
/// 420 <c>FLOOD_WAIT</c> (too many attempts from this address: every attempt counts, a refused one too; or, with
/// retry_after 1, the server is too busy hashing passwords, which counts nothing).
/// </summary>
[RpcMethod("auth.register")]
[MessagePackObject]
public sealed record RegisterCall(
    [property: Key("username")] string Username,
    [property: Key("password")] string Password,
    [property: Key("display_name")] string DisplayName,
    [property: Key("invite_code")] string? InviteCode = null) : IRpcCall<RegisteredUser>;

/// <summary>The account <see cref="RegisterCall"/> created.</summary>
[MessagePackObject]
public sealed record RegisteredUser([property: Key("user")] User User, [property: Key("is_admin")] bool IsAdmin);

/// <summary>
/// <c>auth.signIn</c> (anonymous): binds this device's key to the account. Every later connection of this device
/// is signed in by its handshake alone. Device name: 1–64 characters; platform: 1–32.
/// Errors: <c>CREDENTIALS_INVALID</c> (unknown user or wrong password, deliberately the same),
/// <c>ALREADY_SIGNED_IN</c> (sign out first), 403 <c>USER_BLOCKED</c>, 420 <c>FLOOD_WAIT</c> with retry_after
/// (too many failed sign-ins for the account or from the address; waits grow while failures go on; retry_after 1 while
/// the checks left are all being hashed right now, or the server's line of hashes is full). An account with
/// two-step verification also needs <see cref="Code"/>, a current 6-digit code of its authenticator or one of its
/// recovery codes (<see cref="Account.RecoveryCodes"/>; each code works once): without it the answer is
/// <c>TWO_FACTOR_CODE_REQUIRED</c>, a wrong one <c>TWO_FACTOR_CODE_INVALID</c> (a failed sign-in, counted like a wrong
/// password), and so is a recovery code already used. A temporary password an admin set signs in with
/// <see cref="SignedIn.PasswordChangeRequired"/> until it expires; after that the right one gets 401
/// <c>PASSWORD_EXPIRED</c> (a wrong one still <c>CREDENTIALS_INVALID</c>).
/// </summary>
[RpcMethod("auth.signIn")]
[MessagePackObject]
public sealed record SignInCall(
    [property: Key("username")] string Username,
    [property: Key("password")] string Password,
    [property: Key("device_name")] string DeviceName,
    [property: Key("platform")] string Platform,
    [property: Key("code")] string? Code = null) : IRpcCall<SignedIn>;

/// <summary>A device is signed in: the account and this device's authorization id. <see cref="RecoveryCodesLeft"/>: when
/// a recovery code signed it in, how many are left (null otherwise), so the app can say so.
/// <see cref="PasswordChangeRequired"/>: the password was a temporary one an admin set; this device may only call
/// <c>account.changePassword</c> (with it as the old password), <c>auth.signOut</c> and help.* until it has (the rest
/// answer 403 <c>PASSWORD_CHANGE_REQUIRED</c>), and gets no updates meanwhile.</summary>
[MessagePackObject]
public sealed record SignedIn(
    [property: Key("user")] User User,
    [property: Key("authorization_id")] long AuthorizationId,
    [property: Key("is_admin")] bool IsAdmin,
    [property: Key("recovery_codes_left")] int? RecoveryCodesLeft = null,
    [property: Key("password_change_required")] bool PasswordChangeRequired = false);

/// <summary><c>auth.signOut</c>: ends this device's authorization. The device's connections are closed shortly after
/// the answer is sent; the device may reconnect and sign in again.</summary>
[RpcMethod("auth.signOut")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record SignOutCall : IRpcCall<Done>;

/// <summary>
/// <c>auth.exportLoginToken</c> (anonymous): a new device asks for a short-lived token to show (as text and as a QR
/// code). A signed-in device of the account accepts it with <see cref="AcceptLoginTokenCall"/>; this device then gets
/// the update <see cref="UpdateKinds.LoginTokenAccepted"/> and is signed in. A token works once, for 60 seconds, and
/// only ever signs in the device that exported it; exporting again replaces the previous token.
/// Errors: <c>ALREADY_SIGNED_IN</c>, <c>DEVICE_NAME_INVALID</c>, <c>PLATFORM_INVALID</c>, 420 <c>FLOOD_WAIT</c> (100 live
/// tokens from the client's address, an IPv6 /64 as one; retry_after until the oldest of them expires).
/// </summary>
[RpcMethod("auth.exportLoginToken")]
[MessagePackObject]
public sealed record ExportLoginTokenCall(
    [property: Key("device_name")] string DeviceName = "Unknown device",
    [property: Key("platform")] string Platform = "unknown") : IRpcCall<LoginToken>;

/// <summary>A login token: <see cref="Token"/> to type or paste, <see cref="QrData"/> to encode as a QR code.</summary>
[MessagePackObject]
public sealed record LoginToken(
    [property: Key("token")] string Token,
    [property: Key("qr_data")] string QrData,
    [property: Key("expires_at")] long ExpiresAtUnixSeconds);

/// <summary><c>auth.acceptLoginToken</c>: a signed-in device signs in the device that exported <see cref="Token"/>,
/// on this account. Errors: <c>LOGIN_TOKEN_INVALID</c> (unknown, already used, or its device signed in meanwhile),
/// <c>LOGIN_TOKEN_EXPIRED</c>.</summary>
[RpcMethod("auth.acceptLoginToken")]
[MessagePackObject]
public sealed record AcceptLoginTokenCall([property: Key("token")] string Token) : IRpcCall<Account.Authorization>;

/// <summary>The payload of the update <see cref="UpdateKinds.LoginTokenAccepted"/>, pushed to the device that exported
/// the token: it is now signed in.</summary>
[MessagePackObject]
public sealed record LoginTokenAcceptedUpdate([property: Key("signed_in")] SignedIn SignedIn);

/// <summary>Kinds of the updates the session layer pushes (<c>UpdatesBody.Kind</c>).</summary>
public static class UpdateKinds
{
    /// <summary>Payload: <see cref="LoginTokenAcceptedUpdate"/>.</summary>
    public const string LoginTokenAccepted = "auth.loginTokenAccepted";
}
