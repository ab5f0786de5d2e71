using System.Buffers.Binary;
using Messenger.Contracts.Noise;

namespace Messenger.Contracts.Wire;

/// <summary>
/// A transport frame (what one hub <c>Send</c>/<c>Receive</c> carries) is one or more Noise transport messages,
/// each prefixed with its length as 2 bytes big-endian (the Noise spec's framing). A Noise message holds at most
/// 65535 bytes, so larger plaintexts are cut into chunks; the frame's plaintext is the chunks' concatenation.
/// </summary>
public static class FrameCodec
{
    public const int MaxChunkPlaintext = CipherState.MaxPlaintextLength;

    private const int Overhead = 2 + CipherState.TagLength;

    public static byte[] Seal(CipherState cipher, ReadOnlySpan<byte> plaintext)
    {
        var chunks = Math.Max(1, (plaintext.Length + MaxChunkPlaintext - 1) / MaxChunkPlaintext);
        var frame = new byte[plaintext.Length + chunks * Overhead];
        var offset = 0;
        do
        {
            var chunk = plaintext[..Math.Min(MaxChunkPlaintext, plaintext.Length)];
            plaintext = plaintext[chunk.Length..];
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), (ushort)(chunk.Length + CipherState.TagLength));
            offset += 2;
            offset += cipher.EncryptTo(chunk, frame.AsSpan(offset));
        }
        while (!plaintext.IsEmpty);

        return frame;
    }

    /// <summary>Decrypts a whole frame; throws <see cref="NoiseException"/> when it is truncated or tampered with.</summary>
    public static byte[] Open(CipherState cipher, ReadOnlySpan<byte> frame)
    {
        var plaintextLength = 0;
        for (var rest = frame; !rest.IsEmpty;)
        {
            var length = ChunkLength(rest);
            plaintextLength += length - CipherState.TagLength;
            rest = rest[(2 + length)..];
        }

        if (frame.IsEmpty)
        {
            throw new NoiseException("empty frame");
        }

        var plaintext = new byte[plaintextLength];
        var written = 0;
        while (!frame.IsEmpty)
        {
            var length = ChunkLength(frame);
            written += cipher.DecryptTo(frame.Slice(2, length), plaintext.AsSpan(written));
            frame = frame[(2 + length)..];
        }

        return plaintext;
    }

    private static int ChunkLength(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 2)
        {
            throw new NoiseException("truncated frame: no chunk length");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(frame);
        if (length < CipherState.TagLength || frame.Length < 2 + length)
        {
            throw new NoiseException("truncated frame: chunk shorter than its length");
        }

        return length;
    }
}
