using Sodium;

namespace Messenger.Contracts.Wire;

/// <summary>The fingerprint people compare: BLAKE2b-256 of the server's public key, hex in groups of four.</summary>
public static class ServerKeyFingerprint
{
    public static string Of(byte[] publicKey) =>
        ProtocolConstants.Grouped(ProtocolConstants.Hex(GenericHash.Hash(publicKey, (byte[]?)null, 32)));
}
