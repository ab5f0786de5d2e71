using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Messenger.Contracts.Noise;

/// <summary>
/// The primitives of <c>25519_ChaChaPoly_BLAKE2b</c>. Hashing and X25519 come from Sodium.Core; the AEAD calls
/// the libsodium that Sodium.Core ships directly, because Sodium.Core has no span API and the transport encrypts
/// every frame (one allocation and copy less per frame).
/// </summary>
internal static class NoiseCrypto
{
    public const int HashLength = 64;
    public const int BlockLength = 128;
    public const int NonceLength = 12;

    static NoiseCrypto() => global::Sodium.SodiumCore.Init();

    public static byte[] Hash(ReadOnlySpan<byte> data) => global::Sodium.GenericHash.Hash(data.ToArray(), (byte[]?)null, HashLength);

    public static byte[] Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var data = new byte[first.Length + second.Length];
        first.CopyTo(data);
        second.CopyTo(data.AsSpan(first.Length));
        return Hash(data);
    }

    /// <summary>HMAC (RFC 2104) over BLAKE2b-512 with its 128-byte block — not libsodium's keyed BLAKE2b.</summary>
    public static byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        block.Clear();
        if (key.Length > BlockLength)
        {
            Hash(key).CopyTo(block);
        }
        else
        {
            key.CopyTo(block);
        }

        var inner = new byte[BlockLength + data.Length];
        var outer = new byte[BlockLength + HashLength];
        for (var i = 0; i < BlockLength; i++)
        {
            inner[i] = (byte)(block[i] ^ 0x36);
            outer[i] = (byte)(block[i] ^ 0x5c);
        }

        data.CopyTo(inner.AsSpan(BlockLength));
        Hash(inner).CopyTo(outer.AsSpan(BlockLength));
        return Hash(outer);
    }

    /// <summary>Noise's HKDF with two outputs (spec §4.3).</summary>
    public static (byte[] First, byte[] Second) Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial)
    {
        var temporaryKey = Hmac(chainingKey, inputKeyMaterial);
        var first = Hmac(temporaryKey, [0x01]);
        var second = Hmac(temporaryKey, [.. first, 0x02]);
        return (first, second);
    }

    public static byte[] Dh(NoiseKeyPair local, ReadOnlySpan<byte> remotePublicKey)
    {
        if (remotePublicKey.Length != NoiseKeyPair.KeyLength)
        {
            throw new NoiseException("public key has the wrong length");
        }

        var shared = global::Sodium.ScalarMult.Mult(local.PrivateKey, remotePublicKey.ToArray());
        // libsodium's scalarmult answers zeros for low-order points instead of failing: a peer that sends one
        // would make the shared secret public, so it is refused.
        if (CryptographicOperations.FixedTimeEquals(shared, new byte[shared.Length]))
        {
            throw new NoiseException("low-order public key (all-zero DH result)");
        }

        return shared;
    }

    public static void Encrypt(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(counter, nonce);
        var rc = Native.Encrypt(
            ref MemoryMarshal.GetReference(destination), out _,
            ref MemoryMarshal.GetReference(plaintext), (ulong)plaintext.Length,
            ref MemoryMarshal.GetReference(ad), (ulong)ad.Length,
            IntPtr.Zero, ref MemoryMarshal.GetReference(nonce), ref MemoryMarshal.GetReference(key));
        if (rc != 0)
        {
            throw new NoiseException("encryption failed");
        }
    }

    public static void Decrypt(ReadOnlySpan<byte> key, ulong counter, ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(counter, nonce);
        var rc = Native.Decrypt(
            ref MemoryMarshal.GetReference(destination), out _, IntPtr.Zero,
            ref MemoryMarshal.GetReference(ciphertext), (ulong)ciphertext.Length,
            ref MemoryMarshal.GetReference(ad), (ulong)ad.Length,
            ref MemoryMarshal.GetReference(nonce), ref MemoryMarshal.GetReference(key));
        if (rc != 0)
        {
            throw new NoiseException("decryption failed (bad tag)");
        }
    }

    // ChaChaPoly nonce: 4 zero bytes, then the 64-bit counter little-endian (Noise spec §12.3).
    public static void Nonce(ulong counter, Span<byte> nonce)
    {
        nonce.Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], counter);
    }

    private static class Native
    {
        [DllImport("libsodium", EntryPoint = "crypto_aead_chacha20poly1305_ietf_encrypt", CallingConvention = CallingConvention.Cdecl)]
        public static extern int Encrypt(
            ref byte c, out ulong clen, ref byte m, ulong mlen, ref byte ad, ulong adlen, IntPtr nsec, ref byte npub, ref byte k);

        [DllImport("libsodium", EntryPoint = "crypto_aead_chacha20poly1305_ietf_decrypt", CallingConvention = CallingConvention.Cdecl)]
        public static extern int Decrypt(
            ref byte m, out ulong mlen, IntPtr nsec, ref byte c, ulong clen, ref byte ad, ulong adlen, ref byte npub, ref byte k);
    }
}
