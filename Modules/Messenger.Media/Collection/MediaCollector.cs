using Messenger.Kernel.Storage;
using Messenger.Media.Attachments;
using Messenger.Media.Storage;
using Messenger.Media.Thumbnails;
using Messenger.Media.Uploads;
using Messenger.Kernel.Background;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Collection;

/// <summary>
/// Deletes what nothing needs any more: blobs whose count has been zero for the grace period (with their thumbnails) and
/// that no unexpired completed upload remembers, uploads untouched for the expiry, completed uploads' records past it, and, once at start-up, blob and thumbnail files without a row (a crash between
/// storing a file and recording it, or between deleting a row and its files) and half-written thumbnails.
/// Counted blobs are never touched: a row with references always keeps its file.
/// </summary>
internal sealed class MediaCollector(
    SqliteDatabase database, StorageWriter writer, BlobStore blobs, ThumbnailStore thumbnails, UploadStore uploads, MediaAttachments attachments,
    IOptions<MediaOptions> options, TimeProvider clock, ILogger<MediaCollector> logger, StartupSweepPause? pause = null) : TimedBackgroundService
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private bool _startupSweepDone;

    protected override PeriodicTimer CreateTimer() => new(TimeSpan.FromMinutes(options.Value.CollectionIntervalMinutes), clock);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                await CollectAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Media collection failed");
            }
        }
        while (await Timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass (passes never overlap: a caller waits for the running one); returns the number of blobs and uploads deleted.</summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return await CollectOnceAsync(cancellationToken);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<int> CollectOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var deleted = 0;
        if (!_startupSweepDone)
        {
            _startupSweepDone = true;
            deleted += await DeleteUncountedBlobsAsync();
        }

        var expiry = now.AddHours(-options.Value.UploadExpiryHours);
        deleted += uploads.Expire(expiry);
        await attachments.ExpireCompletedAsync(expiry, cancellationToken);

        var cutoff = now.AddMinutes(-options.Value.GracePeriodMinutes).ToUnixTimeSeconds();
        foreach (var hash in UnreferencedBefore(cutoff))
        {
            if (blobs.IsHeld(hash))
            {
                continue;
            }

            // The thumbnails under the same lock as the blob: an upload of the same content stores its file under it, and
            // only then makes its thumbnail, so none made since can be taken with the old blob's.
            if (await writer.WriteAsync(scope => MediaSql.DeleteUnreferencedBlob(scope, hash, cutoff), cancellationToken)
                && blobs.UnlessHeld(hash, () => DeleteBlobAndThumbnails(hash)))
            {
                deleted++;
            }
        }

        if (deleted > 0)
        {
            logger.LogInformation("Media collection deleted {Count} blobs and uploads", deleted);
        }

        return deleted;
    }

    /// <summary>
    /// Blob and thumbnail files that no row counts. The rows are listed first and the store walked after, while the
    /// server already takes calls: a send can record a blob, store its file and commit its message (letting go of its
    /// hold) in between, and the walk then finds a file the list does not name. So a file is deleted only when, under the
    /// store's lock with its hash not held, it still has no row (<see cref="DeleteIfUnrecorded"/>). That cannot race
    /// with an attach: it commits the row before it takes the same lock to store the file
    /// (<see cref="MediaAttachments.PrepareAsync"/>), so a file stored before the check has a row the check sees; an
    /// attach whose row commits after the check waits for the lock, finds the file gone and stores its own copy; and its
    /// thumbnails are made only after that store. Rows themselves are deleted only by the collection, never at the same
    /// time as this sweep.
    /// </summary>
    private async Task<int> DeleteUncountedBlobsAsync()
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT hash FROM media_blobs";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                known.Add(reader.GetString(0));
            }
        }

        if (pause is not null)
        {
            await pause.WaitAsync();
        }

        var deleted = 0;
        foreach (var hash in blobs.AllHashes().ToList())
        {
            if (!known.Contains(hash) && DeleteIfUnrecorded(hash, () => File.Delete(blobs.PathOf(hash))))
            {
                logger.LogWarning("Deleted blob {Hash} that no row counts (left by a crash)", hash);
                deleted++;
            }
        }

        thumbnails.ClearTemporaryFiles();
        var files = thumbnails.AllFiles();
        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hash in files.Select(f => f.Hash).Distinct(StringComparer.Ordinal))
        {
            if (!known.Contains(hash) && DeleteIfUnrecorded(hash, () => thumbnails.Delete(hash)))
            {
                gone.Add(hash);
            }
        }

        deleted += DeleteUnusedClientThumbs(files.Where(f => f.Key is not null && !gone.Contains(f.Hash)));
        return deleted;
    }

    private bool DeleteBlobAndThumbnails(string hash)
    {
        File.Delete(blobs.PathOf(hash));
        thumbnails.Delete(hash);
        return true;
    }

    /// <summary>Runs <paramref name="delete"/> when the blob is neither held nor recorded, both asked under the store's
    /// lock and the deletion done under it too (<see cref="BlobStore.UnlessHeld"/>).</summary>
    private bool DeleteIfUnrecorded(string hash, Action delete) =>
        blobs.UnlessHeld(hash, () =>
        {
            if (HasRow(hash))
            {
                return false;
            }

            delete();
            return true;
        });

    /// <summary>
    /// Thumbnails made of a client's image for a send that never committed (refused after the thumbnail was stored, or
    /// a crash) or whose media row has gone: no <c>media_files.thumb_key</c> names them. Left alone while the upload
    /// they were made for may still be sent again (<c>UploadExpiryHours</c>), then deleted.
    /// </summary>
    private int DeleteUnusedClientThumbs(IEnumerable<ThumbnailFile> clientThumbs)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var cutoff = clock.GetUtcNow().UtcDateTime.AddHours(-options.Value.UploadExpiryHours);
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            // A completed upload not yet expired may still be sent again with the thumbnail made of its thumb.
            command.CommandText = "SELECT thumb_key FROM media_files WHERE thumb_key IS NOT NULL " +
                "UNION SELECT client_thumb_key FROM media_completed_uploads WHERE client_thumb_key IS NOT NULL AND completed_at >= @cutoff";
            command.Parameters.AddWithValue("@cutoff", new DateTimeOffset(cutoff).ToUnixTimeSeconds());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                used.Add(reader.GetString(0));
            }
        }

        var deleted = 0;
        foreach (var file in clientThumbs)
        {
            if (!used.Contains(file.Key!) && file.WrittenUtc < cutoff)
            {
                File.Delete(file.Path);
                deleted++;
            }
        }

        return deleted;
    }

    private bool HasRow(string hash)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM media_blobs WHERE hash = @hash";
        command.Parameters.AddWithValue("@hash", hash);
        return command.ExecuteScalar() is not null;
    }

    private List<string> UnreferencedBefore(long cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash FROM media_blobs WHERE zero_since IS NOT NULL AND zero_since < @cutoff AND ref_count <= 0 " +
            "AND NOT EXISTS (SELECT 1 FROM media_completed_uploads c WHERE c.hash = media_blobs.hash)";
        command.Parameters.AddWithValue("@cutoff", cutoff);
        using var reader = command.ExecuteReader();
        var hashes = new List<string>();
        while (reader.Read())
        {
            hashes.Add(reader.GetString(0));
        }

        return hashes;
    }
}

/// <summary>A test's hold on the start-up sweep: awaited between listing the recorded hashes and walking the store, the
/// window in which a send can store a blob the list does not name. Registered by tests only.</summary>
internal sealed class StartupSweepPause(Func<Task> wait)
{
    public Task WaitAsync() => wait();
}
