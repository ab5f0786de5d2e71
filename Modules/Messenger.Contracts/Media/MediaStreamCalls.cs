using System.Buffers.Binary;
using System.Security.Cryptography;
using MessagePack;
using Messenger.Contracts.Rpc;

namespace Messenger.Contracts.Media;

/// <summary><c>upload.openUploadStream</c>: a one-use ticket to send parts <see cref="FirstPart"/> ..
/// <see cref="FirstPart"/> + <see cref="PartCount"/> − 1 of the caller's upload <see cref="FileId"/> (a file of
/// <see cref="Size"/> bytes in 512 KiB parts) as one HTTP request body instead of one RPC call per part. The parts
/// land exactly as if sent with <c>upload.saveFilePart</c>: resume with <c>upload.getUploadedParts</c>, attach with
/// <c>messages.send</c>. Errors: those of <c>upload.saveFilePart</c>, and 420 <c>STREAM_TICKETS_EXHAUSTED</c>.</summary>
[RpcMethod("upload.openUploadStream")]
[MessagePackObject]
public sealed record OpenUploadStreamCall(
    [property: Key("file_id")] long FileId,
    [property: Key("size")] long Size,
    [property: Key("first_part")] int FirstPart,
    [property: Key("part_count")] int PartCount) : IRpcCall<MediaStreamTicket>;

/// <summary><c>upload.openDownloadStream</c>: a one-use ticket to read <see cref="Length"/> bytes of a media file from
/// <see cref="Offset"/> (any offset; the length is cut at the end of the file) as one HTTP response. Who may read is
/// decided as for <c>upload.getFile</c>. Errors: <c>OFFSET_INVALID</c>, <c>LIMIT_INVALID</c>, 404
/// <c>MEDIA_INVALID</c>, 420 <c>STREAM_TICKETS_EXHAUSTED</c>.</summary>
[RpcMethod("upload.openDownloadStream")]
[MessagePackObject]
public sealed record OpenDownloadStreamCall(
    [property: Key("media_id")] long MediaId,
    [property: Key("offset")] long Offset,
    [property: Key("length")] long Length) : IRpcCall<MediaStreamTicket>;

/// <summary>
/// Where and how to stream: <c>PUT</c> (upload) or <c>GET</c> (download) <see cref="Path"/> on the server's own
/// address, within 60 s, once. The body is <see cref="Length"/> plaintext bytes sealed in chunks by
/// <see cref="MediaStreamCipher"/> under <see cref="Key"/>, which travelled only inside the encrypted session.
/// </summary>
[MessagePackObject]
public sealed record MediaStreamTicket(
    [property: Key("path")] string Path,
    [property: Key("key")] byte[] Key,
    [property: Key("length")] long Length);

/// <summary>
/// The chunk format of a media stream: the plaintext is cut into 64 KiB chunks (the last may be shorter, never empty),
/// and chunk <c>i</c> travels as ChaCha20-Poly1305(key, nonce = 4 zero bytes ‖ i as 64-bit little-endian, no
/// associated data) ciphertext ‖ 16-byte tag. Each ticket has its own random key, so a nonce never repeats; the
/// length is fixed by the ticket, so a cut or extended body is refused.
/// </summary>
public sealed class MediaStreamCipher : IDisposable
{
    public const int ChunkBytes = 64 * 1024;
    public const int TagBytes = 16;
    public const int SealedChunkBytes = ChunkBytes + TagBytes;
    public const string PathPrefix = "/media/stream/";

    private readonly ChaCha20Poly1305 _aead;
    private readonly byte[] _nonce = new byte[12];

    public MediaStreamCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _aead = new ChaCha20Poly1305(key);
    }

    /// <summary>Bytes on the wire for <paramref name="plainLength"/> bytes of plaintext.</summary>
    public static long SealedLength(long plainLength) => plainLength + ChunksIn(plainLength) * TagBytes;

    /// <summary>How many chunks <paramref name="plainLength"/> bytes of plaintext make (the last may be short).</summary>
    public static long ChunksIn(long plainLength) => (plainLength + ChunkBytes - 1) / ChunkBytes;

    /// <summary>
    /// Seals <paramref name="plain"/> as consecutive chunks from <paramref name="firstIndex"/> (every chunk but the last
    /// of 64 KiB) into <paramref name="destination"/>; returns the bytes written (<see cref="SealedLength"/>).
    /// </summary>
    public int Seal(long firstIndex, ReadOnlySpan<byte> plain, Span<byte> destination)
    {
        var written = 0;
        for (var at = 0; at < plain.Length; at += ChunkBytes)
        {
            var chunk = plain.Slice(at, Math.Min(ChunkBytes, plain.Length - at));
            SealChunk(firstIndex++, chunk, destination[written..]);
            written += chunk.Length + TagBytes;
        }

        return written;
    }

    /// <summary>Opens chunk <paramref name="index"/>; throws <see cref="AuthenticationTagMismatchException"/> when it was changed.</summary>
    public void Open(long index, ReadOnlySpan<byte> sealedChunk, Span<byte> plain)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_nonce.AsSpan(4), index);
        var length = sealedChunk.Length - TagBytes;
        _aead.Decrypt(_nonce, sealedChunk[..length], sealedChunk[length..], plain[..length]);
    }

    public void Dispose() => _aead.Dispose();

    private void SealChunk(long index, ReadOnlySpan<byte> plain, Span<byte> sealedChunk)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_nonce.AsSpan(4), index);
        _aead.Encrypt(_nonce, plain, sealedChunk[..plain.Length], sealedChunk.Slice(plain.Length, TagBytes));
    }
}
