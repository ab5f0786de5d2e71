using System.Security.Cryptography;

namespace Messenger.Message.SecretChats;

/// <summary>The check the server can make of a secret chat's public keys without learning anything: 32 bytes, and not a
/// low-order point (X25519 with one is all zero whatever the scalar, so the chat's keys would be known to anyone).</summary>
internal static class PublicKeys
{
    public const int Length = 32;

    public static bool IsValid(byte[]? key)
    {
        if (key is not { Length: Length })
        {
            return false;
        }

        // Sodium.Core's ScalarMult.Mult answers zeros where libsodium's crypto_scalarmult fails: both mean low order.
        byte[] product;
        try
        {
            product = Sodium.ScalarMult.Mult(RandomNumberGenerator.GetBytes(Length), key);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return false;
        }

        return !CryptographicOperations.FixedTimeEquals(product, new byte[Length]);
    }
}
