namespace Messenger.Contracts.Noise;

/// <summary>A handshake or transport message failed: bad authentication tag, wrong length, low-order key, or a
/// message out of turn. The connection it came from must be closed.</summary>
public sealed class NoiseException(string message) : Exception(message);
