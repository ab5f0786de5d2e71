using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Media.Storage;
using Messenger.Media.Thumbnails;
using Messenger.Media.Uploads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Attachments;

/// <summary>
/// <see cref="IMediaAttachments"/>: completes uploads outside the writer (hash, store once) and keeps the reference
/// counts inside the message's unit. A completed upload is remembered for a while, so a send that failed after it
/// (the peer blocked the caller, …) can be retried with the same file_id without uploading again.
/// </summary>
internal sealed class MediaAttachments(
    UploadStore uploads, BlobStore blobs, ThumbnailStore thumbnails, StorageWriter writer, SqliteDatabase database,
    IOptions<MediaOptions> options, TimeProvider clock, ILogger<MediaAttachments> logger) : IMediaAttachments
{
    private const int MaxNameLength = 255;
    private const int HeadBytes = 256 * 1024;
    private const int HashBufferBytes = 1024 * 1024;
    private static readonly TimeSpan ThumbnailWait = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<(long User, long File), Completed> _completed = new();

    public async Task<PreparedMedia> PrepareAsync(long userId, InputMedia input, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim() ?? "";
        var mime = input.MimeType?.Trim().ToLowerInvariant() ?? "";
        if (name.Length is 0 or > MaxNameLength || mime.Length > 127 || mime.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
        {
            throw MessengerError.BadRequest(MediaErrorNames.MediaInputInvalid);
        }

        if (input.FileId == 0)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FileIdInvalid);
        }

        var key = (userId, input.FileId);
        if (_completed.TryGetValue(key, out var done) && done.TotalParts == input.TotalParts && blobs.Hold(done.Hash) is { } held)
        {
            return Prepared(done, name, mime, held);
        }

        // The file work is done to the end even if the caller goes away: a half-hashed upload helps no one.
        var (path, size, knownHash) = await uploads.CompleteAsync(userId, input.FileId, input.TotalParts, CancellationToken.None);
        string hash;
        (int Width, int Height)? dimensions;
        Action release;
        try
        {
            (hash, var head) = await HashAsync(path, knownHash);
            dimensions = ImageSize.Read(head);
            // The row comes first: a stored file without a row exists only after a crash, and start-up removes it.
            await writer.WriteAsync(scope => MediaSql.InsertUnreferencedBlob(scope, hash, size, clock.GetUtcNow().ToUnixTimeSeconds()), CancellationToken.None);
            release = blobs.Store(path, hash);
        }
        finally
        {
            // Stored or failed (I/O error, shutdown): either way the upload is over and its temp files go.
            uploads.Remove(userId, input.FileId);
        }

        // Made before the message's unit, while the blob is held.
        var thumbnail = MediaKinds.FromMimeType(mime) == MediaKinds.Photo ? await ThumbnailAsync(hash, size) : BlobThumbnail.None;
        var completed = new Completed(
            hash, size, input.TotalParts, thumbnail.Width ?? dimensions?.Width, thumbnail.Height ?? dimensions?.Height, clock.GetUtcNow(),
            thumbnail.Thumb, thumbnail.Preview);
        _completed[key] = completed;
        logger.LogInformation("Upload {FileId} of user {UserId} completed: {Size} bytes", input.FileId, userId, size);
        return Prepared(completed, name, mime, release);
    }

    public MessageMedia Attach(WriteScope scope, PreparedMedia prepared, long messageId, long uploaderId)
    {
        var quota = options.Value.UserQuotaBytes;
        if (quota > 0 && !MediaSql.OwnsBlob(scope, uploaderId, prepared.Hash) && MediaSql.StoredBytes(scope, uploaderId) + prepared.Size > quota)
        {
            throw MessengerError.BadRequest(MediaErrorNames.QuotaExceeded);
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var id = MediaSql.InsertMedia(scope, prepared, uploaderId, now);
        MediaSql.AddBlobReference(scope, prepared.Hash, prepared.Size);
        MediaSql.InsertReference(scope, messageId, id);
        return new MessageMedia(id, prepared.Kind, prepared.Name, prepared.MimeType, prepared.Size, prepared.Width, prepared.Height, prepared.Thumb, prepared.Preview);
    }

    public void AddReference(WriteScope scope, long mediaId, long messageId)
    {
        var hash = MediaSql.AddMediaReference(scope, mediaId) ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        MediaSql.AddBlobReference(scope, hash, size: null);
        MediaSql.InsertReference(scope, messageId, mediaId);
    }

    public void Release(WriteScope scope, long messageId) =>
        MediaSql.Release(scope, messageId, clock.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>The bytes a user has stored, each distinct blob once; read outside the writer (an upload's first part).</summary>
    public long StoredBytes(long userId)
    {
        using var connection = database.Open();
        return MediaSql.StoredBytes(connection, null, userId);
    }

    /// <summary>Forgets completed uploads older than <paramref name="cutoff"/>.</summary>
    public void ExpireCompleted(DateTimeOffset cutoff)
    {
        foreach (var (key, completed) in _completed)
        {
            if (completed.At < cutoff)
            {
                _completed.TryRemove(KeyValuePair.Create(key, completed));
            }
        }
    }

    /// <summary>The photo's thumbnail, or none: a thumbnail is never a reason for a send to fail (nor to keep its blob
    /// held).</summary>
    private async Task<BlobThumbnail> ThumbnailAsync(string hash, long size)
    {
        try
        {
            return await thumbnails.EnsureAsync(hash, size, ThumbnailWait, CancellationToken.None, decodeEvenIfKnown: true);
        }
        catch (Exception e)
        {
            logger.LogWarning("No thumbnail for blob {Hash}: {Error}", hash, e.GetType().Name);
            return BlobThumbnail.None;
        }
    }

    private static PreparedMedia Prepared(Completed completed, string name, string mime, Action release) =>
        new(completed.Hash, completed.Size, MediaKinds.FromMimeType(mime), name, mime,
            completed.Width, completed.Height, release, completed.Thumb, completed.Preview);

    /// <summary>The file's SHA-256 (unless already known) and its first bytes, once the file is on disk for good.</summary>
    private static async Task<(string Hash, byte[] Head)> HashAsync(string path, string? knownHash)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(HashBufferBytes);
        byte[]? head = null;
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, knownHash is null ? HashBufferBytes : HeadBytes))) > 0)
            {
                head ??= buffer.AsSpan(0, Math.Min(read, HeadBytes)).ToArray();
                if (knownHash is not null)
                {
                    break;
                }

                sha.AppendData(buffer, 0, read);
            }

            // Durable before any message can reference it.
            file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (knownHash ?? Convert.ToHexStringLower(sha.GetHashAndReset()), head ?? []);
    }

    private sealed record Completed(
        string Hash, long Size, int TotalParts, int? Width, int? Height, DateTimeOffset At, MediaThumb? Thumb, byte[]? Preview);
}
