using System.Security.Cryptography;
using Messenger.Client;

namespace Messenger.Tests.Client;

/// <summary>The encryption of secret chats' files (docs/secret-chats.md): what opens, what must not, and the vector the
/// web client reproduces (<c>Clients/web/test/secretFile.test.ts</c>).</summary>
public sealed class SecretFileCryptoTests
{
    private const int Chunk = SecretFileCrypto.ChunkSize;
    private const int Sealed = Chunk + SecretFileCrypto.TagLength;

    /// <summary>SHA-256 of the ciphertext of 70,000 bytes <c>i % 251</c> under key 0…31 and prefix 0…15 (two chunks).</summary>
    public const string VectorSha256 = "ca9e553b5fa757d359f715dcfd79e8a468a7201f73941bdbfc302959a601d4e0";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData((3 * Chunk) + 12_345)]
    public async Task EncryptThenDecrypt_AnySize_GivesTheFileBack(int size)
    {
        var plain = RandomNumberGenerator.GetBytes(size);
        var key = SecretFileCrypto.GenerateKey();

        var cipher = await EncryptAsync(plain, key);

        cipher.Length.Should().Be((int)SecretFileCrypto.CiphertextLength(size));
        (await DecryptAsync(cipher, key)).Should().Equal(plain);
    }

    [Fact]
    public async Task Encrypt_WithTheVectorsKeyAndPrefix_GivesTheSharedVector()
    {
        var plain = Enumerable.Range(0, 70_000).Select(i => (byte)(i % 251)).ToArray();
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var prefix = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        using var cipher = new MemoryStream();

        await SecretFileCrypto.EncryptAsync(new MemoryStream(plain), cipher, key, prefix: prefix);

        cipher.ToArray().AsSpan(0, 16).ToArray().Should().Equal(prefix);
        Convert.ToHexStringLower(SHA256.HashData(cipher.ToArray())).Should().Be(VectorSha256);
    }

    [Fact]
    public async Task Decrypt_WhenTheFileWasAlteredCutOrReordered_Fails()
    {
        var plain = RandomNumberGenerator.GetBytes((3 * Chunk) + 100);
        var key = SecretFileCrypto.GenerateKey();
        var cipher = await EncryptAsync(plain, key);
        var prefixed = SecretFileCrypto.PrefixLength;

        var flipped = cipher.ToArray();
        flipped[prefixed + Chunk + 7] ^= 1;
        var withoutLastChunk = cipher[..(prefixed + (3 * Sealed))];
        var cutInside = cipher[..^10];
        var extended = cipher.Concat(new byte[] { 0 }).ToArray();
        var reordered = cipher.ToArray();
        cipher.AsSpan(prefixed, Sealed).CopyTo(reordered.AsSpan(prefixed + Sealed));
        cipher.AsSpan(prefixed + Sealed, Sealed).CopyTo(reordered.AsSpan(prefixed));
        var otherPrefix = cipher.ToArray();
        otherPrefix[0] ^= 1;

        foreach (var bad in new[] { flipped, withoutLastChunk, cutInside, extended, reordered, otherPrefix, cipher[..20] })
        {
            await FluentActions.Awaiting(() => DecryptAsync(bad, key)).Should().ThrowAsync<CryptographicException>();
        }

        await FluentActions.Awaiting(() => DecryptAsync(cipher, SecretFileCrypto.GenerateKey())).Should().ThrowAsync<CryptographicException>();
    }

    [Fact]
    public async Task Decrypt_WhenTheLastChunkIsCut_WritesNothingOfIt()
    {
        var plain = RandomNumberGenerator.GetBytes(Chunk + 500);
        var key = SecretFileCrypto.GenerateKey();
        var cipher = await EncryptAsync(plain, key);
        using var destination = new MemoryStream();

        await FluentActions.Awaiting(() => SecretFileCrypto.DecryptAsync(new MemoryStream(cipher[..^1]), cipher.Length - 1, destination, key))
            .Should().ThrowAsync<CryptographicException>();

        destination.Length.Should().Be(Chunk, "only the verified first chunk was written");
    }

    private static async Task<byte[]> EncryptAsync(byte[] plain, byte[] key)
    {
        using var cipher = new MemoryStream();
        (await SecretFileCrypto.EncryptAsync(new MemoryStream(plain), cipher, key)).Should().Be(plain.Length);
        return cipher.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(byte[] cipher, byte[] key)
    {
        using var plain = new MemoryStream();
        await SecretFileCrypto.DecryptAsync(new MemoryStream(cipher), cipher.Length, plain, key);
        return plain.ToArray();
    }
}
