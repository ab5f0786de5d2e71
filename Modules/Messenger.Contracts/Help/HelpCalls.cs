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

/// <summary><c>help.getConfig</c>: server time, version, key fingerprint and protocol limits.</summary>
[RpcMethod("help.getConfig")]
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record GetConfigCall : IRpcCall<ServerConfig>;

/// <summary>What <see cref="GetConfigCall"/> answers.</summary>
[MessagePackObject]
public sealed record ServerConfig(
    [property: Key("server_time")] long ServerTimeUnixMs,
    [property: Key("version")] string Version,
    [property: Key("key_fingerprint")] string ServerKeyFingerprint,
    [property: Key("max_frame_bytes")] int MaxFrameBytes,
    [property: Key("max_calls_in_flight")] int MaxCallsInFlight,
    [property: Key("max_container_size")] int MaxContainerSize,
    [property: Key("handshake_timeout_s")] int HandshakeTimeoutSeconds);
