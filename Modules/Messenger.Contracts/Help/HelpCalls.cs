using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Help;

/// <summary><c>help.ping</c>: an RPC round trip; the server echoes <see cref="Id"/>.</summary>
[RpcMethod("help.ping")]
[MessagePackObject]
public sealed record PingCall([property: Key("id")] long Id) : IRpcCall<Pong>, IRepeatableCall;

/// <summary>The answer to <see cref="PingCall"/>.</summary>
[MessagePackObject]
public sealed record Pong([property: Key("id")] long Id);

/// <summary><c>help.getConfig</c>: server time, version, key fingerprint, protocol limits, and whether the server has
/// accounts yet and takes new ones (anyone may ask, before signing in).</summary>
[RpcMethod("help.getConfig")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetConfigCall : IRpcCall<ServerConfig>;

/// <summary>What <see cref="GetConfigCall"/> answers. <see cref="HasAccounts"/>: any account was ever made here (false:
/// the next one registered is the first, and becomes the admin). <see cref="Registration"/>: what <c>auth.register</c>
/// asks of a new account now, one of <see cref="Registrations"/> (a server without accounts is open whatever it is
/// configured to). Both null from a server older than them (2026-12-07), which does not say.</summary>
[MessagePackObject]
public sealed partial record ServerConfig(
    [property: Key("server_time")] long ServerTimeUnixMs,
    [property: Key("version")] string Version,
    [property: Key("key_fingerprint")] string ServerKeyFingerprint,
    [property: Key("max_frame_bytes")] int MaxFrameBytes,
    [property: Key("max_calls_in_flight")] int MaxCallsInFlight,
    [property: Key("max_container_size")] int MaxContainerSize,
    [property: Key("handshake_timeout_s")] int HandshakeTimeoutSeconds,
    [property: Key("has_accounts")] bool? HasAccounts = null,
    [property: Key("registration")] string? Registration = null);

/// <summary>The earlier shape of <see cref="ServerConfig"/>'s constructor and deconstruction (an app built against an
/// earlier SDK binds to them; see <c>Messages/Compatibility.cs</c>).</summary>
public sealed partial record ServerConfig
{
    /// <summary>The constructor from before <see cref="HasAccounts"/> and <see cref="Registration"/>; see the current one.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public ServerConfig(
        long serverTimeUnixMs, string version, string serverKeyFingerprint, int maxFrameBytes, int maxCallsInFlight, int maxContainerSize, int handshakeTimeoutSeconds)
        : this(serverTimeUnixMs, version, serverKeyFingerprint, maxFrameBytes, maxCallsInFlight, maxContainerSize, handshakeTimeoutSeconds, HasAccounts: null)
    {
    }

    /// <summary>The deconstruction from before <see cref="HasAccounts"/> and <see cref="Registration"/>.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public void Deconstruct(
        out long serverTimeUnixMs, out string version, out string serverKeyFingerprint, out int maxFrameBytes, out int maxCallsInFlight, out int maxContainerSize,
        out int handshakeTimeoutSeconds) =>
        (serverTimeUnixMs, version, serverKeyFingerprint, maxFrameBytes, maxCallsInFlight, maxContainerSize, handshakeTimeoutSeconds) =
            (ServerTimeUnixMs, Version, ServerKeyFingerprint, MaxFrameBytes, MaxCallsInFlight, MaxContainerSize, HandshakeTimeoutSeconds);
}

/// <summary>The values of <see cref="ServerConfig.Registration"/>.</summary>
public static class Registrations
{
    /// <summary>Anyone may register.</summary>
    public const string Open = "open";

    /// <summary>A new account needs an invite code from an admin (<c>auth.register</c>'s <c>invite_code</c>).</summary>
    public const string InviteOnly = "invite_only";

    /// <summary>The server takes no new accounts (<c>auth.register</c> answers 403 <c>REGISTRATION_CLOSED</c>).</summary>
    public const string Closed = "closed";
}
