using MessagePack;

namespace Messenger.Contracts.Rpc;

/// <summary>The result of a call that only succeeds or fails (an empty map on the wire).</summary>
[MessagePackObject(keyAsPropertyName: true)] // no fields: still a map on the wire (README, Protocol)
public sealed record Done;
