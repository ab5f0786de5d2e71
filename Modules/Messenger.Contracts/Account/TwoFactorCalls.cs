using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Account;

/// <summary>Whether signing in a new device with the password also needs a code from the user's authenticator app.</summary>
[MessagePackObject]
public sealed record TwoFactorStatus([property: Key("enabled")] bool Enabled);

/// <summary><c>account.getTwoFactor</c>: whether two-step verification is on for the caller's account.</summary>
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
/// <c>account.setupTwoFactor</c>. Devices already signed in stay signed in. Errors: <c>TWO_FACTOR_NOT_SET_UP</c>,
/// <c>TWO_FACTOR_ENABLED</c>, <c>TWO_FACTOR_CODE_INVALID</c>.</summary>
[RpcMethod("account.enableTwoFactor")]
[MessagePackObject]
public sealed record EnableTwoFactorCall([property: Key("code")] string Code) : IRpcCall<TwoFactorStatus>;

/// <summary><c>account.disableTwoFactor</c>: turns it off, with the password and a current code. Errors:
/// <c>PASSWORD_INVALID</c>, <c>TWO_FACTOR_NOT_ENABLED</c>, <c>TWO_FACTOR_CODE_INVALID</c>, 420 <c>FLOOD_WAIT</c>.</summary>
[RpcMethod("account.disableTwoFactor")]
[MessagePackObject]
public sealed record DisableTwoFactorCall([property: Key("password")] string Password, [property: Key("code")] string Code) : IRpcCall<TwoFactorStatus>;
