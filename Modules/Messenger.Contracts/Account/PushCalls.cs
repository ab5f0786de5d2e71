using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Account;

/// <summary>The server's VAPID public key (RFC 8292): a P-256 point, uncompressed (65 bytes), base64url without padding —
/// what a browser's <c>PushManager.subscribe</c> takes as <c>applicationServerKey</c>.</summary>
[MessagePackObject]
public sealed record PushKey([property: Key("vapid_public_key")] string VapidPublicKey);

/// <summary><c>account.getPushKey</c>: the key a device subscribes to Web Push with. Errors: <c>PUSH_DISABLED</c>.</summary>
[RpcMethod("account.getPushKey")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetPushKeyCall : IRpcCall<PushKey>;

/// <summary>
/// <c>account.registerPush</c>: the calling device's Web Push subscription (RFC 8030/8291), as a browser's
/// <c>PushSubscription</c> gives it: the push service's <see cref="Endpoint"/> (https, at most 2,048 characters), the
/// device's P-256 key <see cref="P256dh"/> (65 bytes) and its <see cref="Auth"/> secret (16 bytes), both base64url. While
/// the device has no live connection, its new messages are pushed there, encrypted for it alone; a device has one
/// subscription (a new one replaces it), and signing out drops it. Errors: <c>PUSH_ENDPOINT_INVALID</c>,
/// <c>PUSH_KEY_INVALID</c>, <c>PUSH_DISABLED</c>.
/// </summary>
[RpcMethod("account.registerPush")]
[MessagePackObject]
public sealed record RegisterPushCall(
    [property: Key("endpoint")] string Endpoint,
    [property: Key("p256dh")] string P256dh,
    [property: Key("auth")] string Auth) : IRpcCall<Done>;

/// <summary><c>account.unregisterPush</c>: the calling device gets no more pushes (done whether it had a subscription
/// or not).</summary>
[RpcMethod("account.unregisterPush")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record UnregisterPushCall : IRpcCall<Done>;

public static class PushErrorNames
{
    public const string EndpointInvalid = "PUSH_ENDPOINT_INVALID";
    public const string KeyInvalid = "PUSH_KEY_INVALID";
    public const string Disabled = "PUSH_DISABLED";
}
