using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Account;

/// <summary>Whether signing in a new device with the password also needs a code from the user's authenticator app;
/// <see cref="RecoveryCodesLeft"/>: how many one-time recovery codes are still unused (0 while it is off);
/// <see cref="RecoveryCodes"/>: new recovery codes, only in the answer that made them (<c>account.enableTwoFactor</c>,
/// <c>account.regenerateRecoveryCodes</c>): the server keeps only their hashes, so this is the one time they are told.
/// Both fields are optional on the wire (a server without recovery codes sends neither).</summary>
[MessagePackObject]
public sealed record TwoFactorStatus(
    [property: Key("enabled")] bool Enabled,
    [property: Key("recovery_codes_left")] int RecoveryCodesLeft = 0,
    [property: Key("recovery_codes")] string[]? RecoveryCodes = null);

/// <summary>One-time recovery codes of two-step verification: a way in for a user who lost their authenticator. Each is
/// 10 characters of <see cref="Alphabet"/> (50 random bits), shown as <c>xxxxx-xxxxx</c>. <c>auth.signIn</c> and
/// <c>account.disableTwoFactor</c> take one in place of a code of the app, once. Given back case-insensitively, with or
/// without the dash, spaces ignored; <c>o</c> is read as <c>0</c> and <c>i</c>, <c>l</c> as <c>1</c>.</summary>
public static class RecoveryCodes
{
    /// <summary>How many <c>account.enableTwoFactor</c> and <c>account.regenerateRecoveryCodes</c> make.</summary>
    public const int Count = 10;

    /// <summary>Characters of a code, without its dash.</summary>
    public const int Length = 10;

    /// <summary>Crockford's base32: digits and lower-case letters without i, l, o and u (no look-alikes).</summary>
    public const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
}

/// <summary><c>account.getTwoFactor</c>: whether two-step verification is on for the caller's account, and how many
/// recovery codes are left.</summary>
[RpcMethod("account.getTwoFactor")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetTwoFactorCall : IRpcCall<TwoFactorStatus>;

/// <summary><c>account.setupTwoFactor</c>: with the account's password, a new TOTP secret (RFC 6238: HMAC-SHA1, 30 s,
/// 6 digits) for an authenticator app, as base32 text and as an <c>otpauth://</c> URI (a QR code). Nothing changes
/// until <c>account.enableTwoFactor</c> confirms a code from it; a second setup replaces the first.
/// Errors: <c>PASSWORD_INVALID</c>, <c>TWO_FACTOR_ENABLED</c> (turn it off first), 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("account.setupTwoFactor")]
[MessagePackObject]
public sealed record SetupTwoFactorCall([property: Key("password")] string Password) : IRpcCall<TwoFactorSetup>;

/// <summary>A secret waiting for its first code: <see cref="Secret"/> in base32, <see cref="Uri"/> for a QR code.</summary>
[MessagePackObject]
public sealed record TwoFactorSetup([property: Key("secret")] string Secret, [property: Key("uri")] string Uri);

/// <summary><c>account.enableTwoFactor</c>: turns two-step verification on with a current code from the secret of
/// <c>account.setupTwoFactor</c>, and answers its <see cref="RecoveryCodes.Count"/> recovery codes (told only here).
/// Devices already signed in stay signed in. Errors: <c>TWO_FACTOR_NOT_SET_UP</c>, <c>TWO_FACTOR_ENABLED</c>,
/// <c>TWO_FACTOR_CODE_INVALID</c>.</summary>
[RpcMethod("account.enableTwoFactor")]
[MessagePackObject]
public sealed record EnableTwoFactorCall([property: Key("code")] string Code) : IRpcCall<TwoFactorStatus>;

/// <summary><c>account.disableTwoFactor</c>: turns it off, with the password and a current code or a recovery code (a
/// user who lost their phone signs in with one and turns it off to set up a new phone); the recovery codes go with it.
/// Errors: <c>PASSWORD_INVALID</c>, <c>TWO_FACTOR_NOT_ENABLED</c>, <c>TWO_FACTOR_CODE_INVALID</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("account.disableTwoFactor")]
[MessagePackObject]
public sealed record DisableTwoFactorCall([property: Key("password")] string Password, [property: Key("code")] string Code) : IRpcCall<TwoFactorStatus>;

/// <summary><c>account.regenerateRecoveryCodes</c>: with the password and a current code of the authenticator (not a
/// recovery code), <see cref="RecoveryCodes.Count"/> new recovery codes, told only in this answer; the old ones stop
/// working. Errors: <c>PASSWORD_INVALID</c>, <c>TWO_FACTOR_NOT_ENABLED</c>, <c>TWO_FACTOR_CODE_INVALID</c> (counted
/// like a wrong password), 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("account.regenerateRecoveryCodes")]
[MessagePackObject]
public sealed record RegenerateRecoveryCodesCall([property: Key("password")] string Password, [property: Key("code")] string Code) : IRpcCall<TwoFactorStatus>;
