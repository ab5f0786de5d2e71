using Sodium;

namespace Messenger.Contracts.Noise;

/// <summary>An X25519 key pair.</summary>
public sealed class NoiseKeyPair
{
    public const int KeyLength = 32;

    private NoiseKeyPair(byte[] privateKey, byte[] publicKey)
    {
        PrivateKey = privateKey;
        PublicKey = publicKey;
    }

    public byte[] PrivateKey { get; }

    public byte[] PublicKey { get; }

    public static NoiseKeyPair Generate() => FromPrivateKey(SodiumCore.GetRandomBytes(KeyLength));

    public static NoiseKeyPair FromPrivateKey(byte[] privateKey)
    {
        if (privateKey.Length != KeyLength)
        {
            throw new ArgumentException($"an X25519 private key has {KeyLength} bytes", nameof(privateKey));
        }

        return new NoiseKeyPair((byte[])privateKey.Clone(), ScalarMult.Base(privateKey));
    }
}
