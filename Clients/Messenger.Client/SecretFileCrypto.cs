using System.Buffers.Binary;
using System.Security.Cryptography;
using Sodium;

namespace Messenger.Client;

/// <summary>
/// The encryption of a secret chat's files (docs/secret-chats.md), the same in every client: a random 32-byte key per
/// file; the ciphertext is a 16-byte random prefix followed by the plaintext in 64 KiB chunks (the last may be shorter,
/// and an empty file is one empty chunk), chunk <c>i</c> sealed as XChaCha20-Poly1305-IETF(key, nonce = prefix ‖
/// <c>i</c> as uint64 little-endian, ad = one byte: 1 for the last chunk, 0 for the others) with its 16-byte tag. So the
/// ciphertext has <c>16 + size + 16 · max(1, ⌈size / 65536⌉)</c> bytes, and a file cut at a chunk boundary, reordered,
/// extended or changed does not open. (libsodium's secretstream would be the textbook choice; Sodium.Core does not
/// expose it, and this needs only the AEAD every libsodium binding has.)
/// </summary>
public static class SecretFileCrypto
{
    /// <summary>Bytes of plaintext per chunk.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Bytes of the random prefix at the start of the ciphertext (the first 16 bytes of every chunk's nonce).</summary>
    public const int PrefixLength = 16;

    /// <summary>Bytes a chunk grows by (its Poly1305 tag).</summary>
    public const int TagLength = 16;

    /// <summary>Bytes of a file's key.</summary>
    public const int KeyLength = 32;

    static SecretFileCrypto() => SodiumCore.Init();

    /// <summary>A fresh random key for one file.</summary>
    public static byte[] GenerateKey() => SodiumCore.GetRandomBytes(KeyLength);

    /// <summary>The number of chunks of a <paramref name="plaintextLength"/>-byte file (at least one).</summary>
    public static long Chunks(long plaintextLength) => Math.Max(1, (plaintextLength + ChunkSize - 1) / ChunkSize);

    /// <summary>The ciphertext's length for a <paramref name="plaintextLength"/>-byte file.</summary>
    public static long CiphertextLength(long plaintextLength) => PrefixLength + plaintextLength + (TagLength * Chunks(plaintextLength));

    /// <summary>Encrypts all of <paramref name="source"/> (read to its end) into <paramref name="destination"/>; returns the
    /// plaintext's length. <paramref name="prefix"/> is random unless given (tests give theirs).</summary>
    public static async Task<long> EncryptAsync(
        Stream source, Stream destination, byte[] key, CancellationToken cancellationToken = default, byte[]? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        RequireKey(key);
        prefix ??= SodiumCore.GetRandomBytes(PrefixLength);
        if (prefix.Length != PrefixLength)
        {
            throw new ArgumentException($"the prefix has {PrefixLength} bytes", nameof(prefix));
        }

        await destination.WriteAsync(prefix, cancellationToken);
        var current = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var currentLength = await source.ReadAtLeastAsync(current, ChunkSize, throwOnEndOfStream: false, cancellationToken);
        long total = 0;
        for (ulong index = 0; ; index++)
        {
            // A chunk is the last when nothing follows it: read one ahead to know.
            var nextLength = currentLength < ChunkSize ? 0 : await source.ReadAtLeastAsync(next, ChunkSize, throwOnEndOfStream: false, cancellationToken);
            var last = nextLength == 0;
            var sealedChunk = SecretAeadXChaCha20Poly1305.Encrypt(current[..currentLength], Nonce(prefix, index), key, [last ? (byte)1 : (byte)0]);
            await destination.WriteAsync(sealedChunk, cancellationToken);
            total += currentLength;
            if (last)
            {
                return total;
            }

            (current, next) = (next, current);
            currentLength = nextLength;
        }
    }

    /// <summary>
    /// Decrypts the <paramref name="ciphertextLength"/> bytes of <paramref name="source"/> into <paramref name="destination"/>,
    /// chunk by chunk, each written only once it is verified; returns the plaintext's length. Throws
    /// <see cref="CryptographicException"/> when the ciphertext is too short, a chunk fails authentication (altered,
    /// reordered, another key), the last chunk is not marked last (cut short at a chunk boundary) or more follows it.
    /// What was written before the failure is authentic but incomplete: discard it.
    /// </summary>
    public static async Task<long> DecryptAsync(
        Stream source, long ciphertextLength, Stream destination, byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        RequireKey(key);
        if (ciphertextLength < PrefixLength + TagLength)
        {
            throw new CryptographicException("an encrypted file holds at least a prefix and one chunk's tag");
        }

        var prefix = new byte[PrefixLength];
        await ReadExactlyOrFailAsync(source, prefix, cancellationToken);
        var remaining = ciphertextLength - PrefixLength;
        var buffer = new byte[ChunkSize + TagLength];
        long total = 0;
        for (ulong index = 0; remaining > 0; index++)
        {
            var length = (int)Math.Min(buffer.Length, remaining);
            if (length <= TagLength && index > 0)
            {
                // A chunk holds at least its tag and, unless it is the only one, a byte.
                throw new CryptographicException("the encrypted file has a truncated chunk");
            }

            await ReadExactlyOrFailAsync(source, buffer.AsMemory(0, length), cancellationToken);
            remaining -= length;
            var last = remaining == 0;
            byte[] plain;
            try
            {
                plain = SecretAeadXChaCha20Poly1305.Decrypt(buffer[..length], Nonce(prefix, index), key, [last ? (byte)1 : (byte)0]);
            }
            catch (CryptographicException)
            {
                throw new CryptographicException(last
                    ? "the encrypted file's last chunk does not open: altered, or cut short"
                    : $"chunk {index} of the encrypted file does not open: altered, reordered, or another key");
            }

            await destination.WriteAsync(plain, cancellationToken);
            total += plain.Length;
        }

        return total;
    }

    private static async Task ReadExactlyOrFailAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await source.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new CryptographicException("the encrypted file ends early");
        }
    }

    private static byte[] Nonce(byte[] prefix, ulong index)
    {
        var nonce = new byte[PrefixLength + 8];
        prefix.CopyTo(nonce, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(PrefixLength), index);
        return nonce;
    }

    private static void RequireKey(byte[] key)
    {
        if (key is not { Length: KeyLength })
        {
            throw new ArgumentException($"a file's key has {KeyLength} bytes", nameof(key));
        }
    }
}
