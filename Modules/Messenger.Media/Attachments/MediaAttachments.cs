using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Text;
using Messenger.Media.Storage;
using Messenger.Media.Thumbnails;
using Messenger.Media.Uploads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Attachments;

/// <summary>
/// <see cref="IMediaAttachments"/>: completes uploads outside the writer (hash, store once) and keeps the reference
/// counts inside the message's unit. A completed upload is remembered for the upload expiry, so a call that failed after
/// it (the peer blocked the caller, the message's unit found no room, its answer was lost to a restart) can be retried
/// with the same file_id without uploading again: in <c>media_completed_uploads</c>, written in the unit that records the
/// blob's row (no unit of its own), with this map as its cache.
/// </summary>
internal sealed class MediaAttachments(
    UploadStore uploads, BlobStore blobs, ThumbnailStore thumbnails, StorageWriter writer, SqliteDatabase database,
    IOptions<MediaOptions> options, TimeProvider clock, ILogger<MediaAttachments> logger) : IMediaAttachments
{
    private const int MaxNameLength = 255;
    private const int MaxDuration = 86_400;
    private const int MaxSide = 10_000;
    private const int HeadBytes = 256 * 1024;
    private const int HashBufferBytes = 1024 * 1024;
    private static readonly TimeSpan ThumbnailWait = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<(long User, long File), Completed> _completed = new();

    public async Task<PreparedMedia> PrepareAsync(long userId, InputMedia input, CancellationToken cancellationToken)
    {
        var name = input.Name?.Trim() ?? "";
        var mime = MediaInputRules.MimeType(input.MimeType);
        if (!TextRules.IsName(name, MaxNameLength) || mime is null)
        {
            throw MessengerError.BadRequest(MediaErrorNames.MediaInputInvalid);
        }

        if (input.FileId == 0)
        {
            throw MessengerError.BadRequest(MediaErrorNames.FileIdInvalid);
        }

        var kind = MediaKinds.FromMimeType(mime);
        CheckDescription(input, kind);
        var key = (userId, input.FileId);
        if (Remembered(key) is { } done && done.TotalParts == input.TotalParts && blobs.Hold(done.Hash) is { } held)
        {
            return await WithClientThumbAsync(userId, key, done, input, kind, name, mime, held);
        }

        // The file work is done to the end even if the caller goes away: a half-hashed upload helps no one.
        var (path, size, knownHash) = await uploads.CompleteAsync(userId, input.FileId, input.TotalParts, CancellationToken.None);
        var completedAt = clock.GetUtcNow();
        string hash;
        (int Width, int Height)? dimensions;
        Action release;
        try
        {
            (hash, var head) = await HashAsync(path, knownHash);
            dimensions = ImageSize.Read(head);
            // The row comes first: a stored file without a row exists only after a crash, and start-up removes it. The
            // record of the completed upload goes with it: from now on the blob is kept for a retry until it expires.
            var now = completedAt.ToUnixTimeSeconds();
            await writer.WriteAsync(
                scope =>
                {
                    MediaSql.InsertUnreferencedBlob(scope, hash, size, now);
                    MediaSql.RememberCompletedUpload(scope, userId, input.FileId, input.TotalParts, hash, size, dimensions?.Width, dimensions?.Height, now);
                },
                CancellationToken.None);
            release = blobs.Store(path, hash);
        }
        catch
        {
            // Not stored (no room for the row, a shutdown, an I/O error): the upload stays whole, so the same send can be
            // retried with it once the cause has gone (STORAGE_FULL promises that), until it expires; unless its file is
            // gone (Reopen removes it then).
            uploads.Reopen(userId, input.FileId);
            throw;
        }

        // Stored under a recorded row: only now is the upload over and its temp files go.
        uploads.Remove(userId, input.FileId);

        // Made before the message's unit, while the blob is held.
        var thumbnail = kind == MediaKinds.Photo ? await ThumbnailAsync(userId, hash, size) : BlobThumbnail.None;
        var completed = new Completed(
            hash, size, input.TotalParts, thumbnail.Width ?? dimensions?.Width, thumbnail.Height ?? dimensions?.Height, completedAt,
            thumbnail.Thumb, thumbnail.Preview, null);
        _completed[key] = completed;
        // Debug: one line per media message would be the log's most frequent line at the default level.
        logger.LogDebug("Upload {FileId} of user {UserId} completed: {Size} bytes", input.FileId, userId, size);
        return await WithClientThumbAsync(userId, key, completed, input, kind, name, mime, release);
    }

    /// <summary>The prepared media with the thumbnail of the client's thumb, if it sent one. The file's upload is
    /// completed (and remembered) first: a refused thumb leaves the file to be sent again with a better one, and an
    /// incomplete file does not use up a good thumb.</summary>
    private async Task<PreparedMedia> WithClientThumbAsync(
        long userId, (long, long) key, Completed completed, InputMedia input, string kind, string name, string mime, Action release)
    {
        try
        {
            // A thumb handled before (made, or none: the decoder was busy) is not asked for again: its upload is used up,
            // and a resend of the same send must not turn into THUMB_INVALID.
            var clientThumb = input.Thumb is not { } thumbInput ? null
                : completed.ClientThumb is { } handledBefore && handledBefore.FileId == thumbInput.FileId ? handledBefore
                : completed.Thumb is not null ? UseUp(userId, thumbInput)
                : await ClientThumbAsync(userId, input.FileId, thumbInput);
            return Prepared(userId, await RememberAsync(key, completed, clientThumb), input, kind, name, mime, release);
        }
        catch
        {
            release();
            throw;
        }
    }

    /// <summary>Duration and size are the client's word (the server decodes no video): only their ranges are checked.</summary>
    private static void CheckDescription(InputMedia input, string kind)
    {
        if (input.Duration is { } duration && (duration is < 0 or > MaxDuration || kind is not (MediaKinds.Video or MediaKinds.Audio)))
        {
            throw MessengerError.BadRequest(MediaErrorNames.MediaDurationInvalid);
        }

        if ((input.Width, input.Height) is not (null, null)
            && (input.Width is not (>= 1 and <= MaxSide) || input.Height is not (>= 1 and <= MaxSide) || kind != MediaKinds.Video))
        {
            throw MessengerError.BadRequest(MediaErrorNames.MediaDimensionsInvalid);
        }

        if (input.Thumb is { } thumb && (thumb.FileId == 0 || thumb.FileId == input.FileId))
        {
            throw MessengerError.BadRequest(MediaErrorNames.ThumbInvalid);
        }
    }

    /// <summary>A photo the server made its own thumbnail of: the client's thumb is not decoded, only its upload used up.</summary>
    private ClientThumb UseUp(long userId, InputThumb input)
    {
        uploads.Remove(userId, input.FileId);
        return new ClientThumb(input.FileId);
    }

    /// <summary>The thumbnail made of the client's thumb upload, which is consumed whatever the outcome (unless it is
    /// incomplete: it can still be finished). Without a picture when the decoder was busy or thumbnails are off: then
    /// the media goes out without one, as a photo would.</summary>
    private async Task<ClientThumb?> ClientThumbAsync(long userId, long mediaFileId, InputThumb input)
    {
        string path;
        long size;
        try
        {
            (path, size, _) = await uploads.CompleteAsync(userId, input.FileId, input.TotalParts, CancellationToken.None);
        }
        catch (MessengerError)
        {
            // Unknown, incomplete, or of another part count: named for the thumb, not the file, so the client knows which.
            throw MessengerError.BadRequest(MediaErrorNames.ThumbInvalid);
        }

        try
        {
            var (made, reason, busy) = await thumbnails.MakeOfClientImageAsync(userId, path, size, ThumbnailWait);
            if (made is not null)
            {
                return new ClientThumb(input.FileId, Made: made);
            }

            logger.LogInformation("Thumb {ThumbId} of upload {FileId} of user {UserId} not used: {Reason}", input.FileId, mediaFileId, userId, reason);
            return busy ? new ClientThumb(input.FileId) : throw MessengerError.BadRequest(MediaErrorNames.ThumbInvalid);
        }
        finally
        {
            uploads.Remove(userId, input.FileId);
        }
    }

    /// <summary>Remembers the completed upload with the client's thumbnail stored beside the blob's (once: a retry with
    /// the same thumb finds it stored), in memory and, when the thumb is new to it, in its row.</summary>
    private async Task<Completed> RememberAsync((long User, long File) key, Completed completed, ClientThumb? clientThumb)
    {
        if (clientThumb is { Key: null, Made: { } made })
        {
            try
            {
                var (thumbKey, length) = thumbnails.StoreOfClientImage(completed.Hash, made.Thumb);
                clientThumb = new ClientThumb(clientThumb.FileId, thumbKey, new MediaThumb(made.ThumbWidth, made.ThumbHeight, length), made.Preview);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // As for a photo: no room for a thumbnail is no reason for the send to fail.
                logger.LogWarning("Client thumbnail for blob {Hash} not stored: {Error}", completed.Hash, e.Message);
                clientThumb = new ClientThumb(clientThumb.FileId);
            }
        }

        var handledNow = clientThumb is not null && clientThumb != completed.ClientThumb;
        completed = completed with { ClientThumb = clientThumb };
        _completed[key] = completed;
        if (handledNow)
        {
            await RecordClientThumbAsync(key, completed.Hash, clientThumb!);
        }

        return completed;
    }

    /// <summary>The thumb's part of the completed upload's row. Not a reason for the send to fail (the thumb upload is
    /// used up already, and this process remembers it): without it, a retry after a restart names the thumb invalid.</summary>
    private async Task RecordClientThumbAsync((long User, long File) key, string hash, ClientThumb clientThumb)
    {
        try
        {
            await writer.WriteAsync(
                scope => MediaSql.RememberClientThumb(
                    scope, key.User, key.File, clientThumb.FileId, clientThumb.Key, clientThumb.Thumb?.Width, clientThumb.Thumb?.Height, clientThumb.Preview),
                CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning("Client thumb of upload {FileId} of user {UserId} (blob {Hash}) not recorded: {Error}", key.File, key.User, hash, e.Message);
        }
    }

    /// <summary>The completed upload <paramref name="key"/> while its row lives (the row is the truth: it goes at expiry
    /// and, once a call attached it, with the blob's last reference, see <see cref="MediaSql.Release"/>), from this
    /// process's copy or, after a restart, from the row; null when there is none. One point read, only for sends with media.</summary>
    private Completed? Remembered((long User, long File) key)
    {
        using var connection = database.Open();
        if (_completed.TryGetValue(key, out var done))
        {
            if (MediaSql.RemembersCompletedUpload(connection, key.User, key.File, done.Hash))
            {
                return done;
            }

            _completed.TryRemove(KeyValuePair.Create(key, done));
        }

        if (MediaSql.ReadCompletedUpload(connection, key.User, key.File) is not { } row)
        {
            return null;
        }

        // The blob's own thumbnail is in its row (made since, perhaps, when the decoder was busy at completion).
        var thumbnail = thumbnails.Read(row.Hash) ?? BlobThumbnail.None;
        var clientThumb = row.ClientThumbFileId is not { } thumbFileId ? null
            : row is { ClientThumbKey: { } thumbKey, ClientThumbWidth: { } width, ClientThumbHeight: { } height }
                && thumbnails.LengthOf(row.Hash, thumbKey) is { } length
                ? new ClientThumb(thumbFileId, thumbKey, new MediaThumb(width, height, length), row.ClientThumbPreview)
                : new ClientThumb(thumbFileId);
        done = new Completed(
            row.Hash, row.Size, row.TotalParts, thumbnail.Width ?? row.Width, thumbnail.Height ?? row.Height,
            DateTimeOffset.FromUnixTimeSeconds(row.CompletedAt), thumbnail.Thumb, thumbnail.Preview, clientThumb);
        return _completed.GetOrAdd(key, done);
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
        MediaSql.MarkCompletedUploadAttached(scope, prepared.UploaderId, prepared.FileId, prepared.Hash);
        return new MessageMedia(
            id, prepared.Kind, prepared.Name, prepared.MimeType, prepared.Size, prepared.Width, prepared.Height, prepared.Thumb, prepared.Preview,
            prepared.Duration);
    }

    public void AddReference(WriteScope scope, long mediaId, long messageId)
    {
        var hash = MediaSql.AddMediaReference(scope, mediaId) ?? throw MessengerError.NotFound(MediaErrorNames.MediaInvalid);
        MediaSql.AddBlobReference(scope, hash, size: null);
        MediaSql.InsertReference(scope, messageId, mediaId);
    }

    public bool Carries(WriteScope scope, long holderId, PreparedMedia prepared)
    {
        if (!MediaSql.Carries(scope, holderId, prepared.Hash, prepared.Name, prepared.MimeType))
        {
            return false;
        }

        MediaSql.MarkCompletedUploadAttached(scope, prepared.UploaderId, prepared.FileId, prepared.Hash);
        return true;
    }

    public void Release(WriteScope scope, long messageId) =>
        MediaSql.Release(scope, messageId, clock.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>The bytes a user has stored, each distinct blob once; read outside the writer (an upload's first part).</summary>
    public long StoredBytes(long userId)
    {
        using var connection = database.Open();
        return MediaSql.StoredBytes(connection, null, userId);
    }

    /// <summary>Forgets completed uploads older than <paramref name="cutoff"/>, here and in their rows: their blobs are the
    /// collector's again.</summary>
    public async Task ExpireCompletedAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        foreach (var (key, completed) in _completed)
        {
            if (completed.At < cutoff)
            {
                _completed.TryRemove(KeyValuePair.Create(key, completed));
            }
        }

        await writer.WriteAsync(scope => MediaSql.ForgetCompletedUploads(scope, cutoff.ToUnixTimeSeconds()), cancellationToken);
    }

    /// <summary>The photo's thumbnail, or none: a thumbnail is never a reason for a send to fail (nor to keep its blob
    /// held).</summary>
    private async Task<BlobThumbnail> ThumbnailAsync(long userId, string hash, long size)
    {
        try
        {
            return await thumbnails.EnsureAsync(hash, size, ThumbnailWait, CancellationToken.None, userId, decodeEvenIfKnown: true);
        }
        catch (Exception e)
        {
            logger.LogWarning("No thumbnail for blob {Hash}: {Error}", hash, e.GetType().Name);
            return BlobThumbnail.None;
        }
    }

    /// <summary>The media as it will be attached: a photo's own thumbnail when the server made one, else the client's;
    /// a video's size as the client gave it.</summary>
    private static PreparedMedia Prepared(long userId, Completed completed, InputMedia input, string kind, string name, string mime, Action release)
    {
        var own = completed.Thumb is null ? completed.ClientThumb : null;
        var (width, height) = kind == MediaKinds.Video ? (input.Width, input.Height) : (completed.Width, completed.Height);
        return own is { Key: { } thumbKey, Thumb: { } thumb }
            ? new(userId, input.FileId, completed.Hash, completed.Size, kind, name, mime, width, height, release, thumb, own.Preview, input.Duration, thumbKey)
            : new(userId, input.FileId, completed.Hash, completed.Size, kind, name, mime, width, height, release, completed.Thumb, completed.Preview, input.Duration);
    }

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
        string Hash, long Size, int TotalParts, int? Width, int? Height, DateTimeOffset At, MediaThumb? Thumb, byte[]? Preview,
        ClientThumb? ClientThumb);

    /// <summary>A client's thumb upload <see cref="FileId"/>, handled: the thumbnail made of it (<see cref="Made"/>) until
    /// it is stored under <see cref="Key"/> (with its <see cref="Thumb"/> and <see cref="Preview"/>), or none (the decoder
    /// was busy, thumbnails are off, or the server made its own of a photo).</summary>
    private sealed record ClientThumb(long FileId, string? Key = null, MediaThumb? Thumb = null, byte[]? Preview = null, MadeThumbnail? Made = null);
}
