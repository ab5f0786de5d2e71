using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using Messenger.Contracts.Noise;

namespace Messenger.Contracts.Wire;

/// <summary>
/// A transport frame (what one hub <c>Send</c>/<c>Receive</c> carries) is one or more Noise transport messages,
/// each prefixed with its length as 2 bytes big-endian (the Noise spec's framing). A Noise message holds at most
/// 65535 bytes, so larger plaintexts are cut into chunks; the frame's plaintext is the chunks' concatenation.
/// </summary>
/// <remarks>
/// The protocol's own path (<see cref="Seal(CipherState, Frame)"/>, <see cref="OpenFrame"/>) serializes, encrypts and
/// decrypts in arrays rented from the shared pool: a 512 KiB upload part would otherwise cost two fresh large-object
/// arrays a side, and each large allocation brings a full garbage collection closer.
/// </remarks>
public static class FrameCodec
{
    public const int MaxChunkPlaintext = CipherState.MaxPlaintextLength;

    private const int Overhead = 2 + CipherState.TagLength;

    /// <summary>Serializes and seals a frame into a pooled buffer; send <see cref="SealedFrame.Segment"/>, then dispose.</summary>
    public static SealedFrame Seal(CipherState cipher, Frame frame)
    {
        using var plaintext = new PooledBufferWriter(4096);
        MessagePackSerializer.Serialize(plaintext, frame, WireSerializer.Options);
        var buffer = ArrayPool<byte>.Shared.Rent(SealedLength(plaintext.WrittenSpan.Length));
        return new SealedFrame(buffer, SealInto(cipher, plaintext.WrittenSpan, buffer));
    }

    /// <summary>Decrypts and parses a frame into a pooled buffer, which call arguments borrow: process the frame, then
    /// dispose it. Throws <see cref="NoiseException"/> when it is truncated or tampered with,
    /// <see cref="MessagePackSerializationException"/> when its plaintext is not a frame.</summary>
    public static OpenedFrame OpenFrame(CipherState cipher, ReadOnlySpan<byte> frame)
    {
        var length = PlaintextLength(frame);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            OpenInto(cipher, frame, buffer);
            return new OpenedFrame(WireSerializer.Deserialize<Frame>(buffer.AsMemory(0, length)), buffer);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public static byte[] Seal(CipherState cipher, ReadOnlySpan<byte> plaintext)
    {
        var frame = new byte[SealedLength(plaintext.Length)];
        SealInto(cipher, plaintext, frame);
        return frame;
    }

    /// <summary>Decrypts a whole frame; throws <see cref="NoiseException"/> when it is truncated or tampered with.</summary>
    public static byte[] Open(CipherState cipher, ReadOnlySpan<byte> frame)
    {
        var plaintext = new byte[PlaintextLength(frame)];
        OpenInto(cipher, frame, plaintext);
        return plaintext;
    }

    private static int SealedLength(int plaintextLength) =>
        plaintextLength + Math.Max(1, (plaintextLength + MaxChunkPlaintext - 1) / MaxChunkPlaintext) * Overhead;

    private static int SealInto(CipherState cipher, ReadOnlySpan<byte> plaintext, Span<byte> frame)
    {
        var offset = 0;
        do
        {
            var chunk = plaintext[..Math.Min(MaxChunkPlaintext, plaintext.Length)];
            plaintext = plaintext[chunk.Length..];
            BinaryPrimitives.WriteUInt16BigEndian(frame[offset..], (ushort)(chunk.Length + CipherState.TagLength));
            offset += 2;
            offset += cipher.EncryptTo(chunk, frame[offset..]);
        }
        while (!plaintext.IsEmpty);

        return offset;
    }

    private static int PlaintextLength(ReadOnlySpan<byte> frame)
    {
        if (frame.IsEmpty)
        {
            throw new NoiseException("empty frame");
        }

        var plaintextLength = 0;
        for (var rest = frame; !rest.IsEmpty;)
        {
            var length = ChunkLength(rest);
            plaintextLength += length - CipherState.TagLength;
            rest = rest[(2 + length)..];
        }

        return plaintextLength;
    }

    private static void OpenInto(CipherState cipher, ReadOnlySpan<byte> frame, Span<byte> plaintext)
    {
        var written = 0;
        while (!frame.IsEmpty)
        {
            var length = ChunkLength(frame);
            written += cipher.DecryptTo(frame.Slice(2, length), plaintext[written..]);
            frame = frame[(2 + length)..];
        }
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

/// <summary>A sealed frame in a buffer rented from the shared pool. Send <see cref="Segment"/>, then dispose once.</summary>
public readonly struct SealedFrame(byte[] buffer, int length) : IDisposable
{
    public ArraySegment<byte> Segment => new(buffer, 0, length);

    public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
}

/// <summary>A parsed frame whose call arguments borrow a pooled buffer: dispose once the frame has been processed.</summary>
public readonly struct OpenedFrame(Frame frame, byte[] buffer) : IDisposable
{
    public Frame Frame { get; } = frame;

    public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
}
