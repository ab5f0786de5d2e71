using MessagePack;

namespace Messenger.Contracts.Wire;

/// <summary>
/// The payload of Noise message 2 (encrypted to the client): the server's clock and protocol version, so a
/// client can correct its msg_id clock before its first call. Message 1's payload is always empty.
/// </summary>
[MessagePackObject]
public sealed record HandshakeInfo(
    [property: Key(0)] long ServerTimeUnixMs,
    [property: Key(1)] string Protocol);
