using MessagePack;

namespace Messenger.Contracts.Rpc;

/// <summary>The result of a call that only succeeds or fails (an empty map on the wire).</summary>
[MessagePackObject(keyAsPropertyName: true)] // no fields: an empty map, like every other call
public sealed record Done;
