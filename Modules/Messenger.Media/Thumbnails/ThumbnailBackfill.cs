using Mediator;
using Messenger.Contracts.Media;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Media.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Media.Thumbnails;

/// <summary>
/// Makes the thumbnails of images stored before thumbnails existed, whose send found the decoder busy, or whose
/// thumbnail a crash interrupted: <see cref="ThumbnailPassOptions.ThumbnailPassDelaySeconds"/> after start-up (never by itself when it is 0) and then every <see cref="Interval"/>, one image at a time, a few blobs per read, walking the untried referenced blobs that some media calls a photo
/// in hash order. Each is recorded as made or none, so a file that fails is tried once, not at every start.
/// Descriptors already copied into messages and profiles gain the thumbnail and preview from the passes of the modules
/// that keep them, which each pass asks for (<see cref="ThumbnailBackfillRanEvent"/>).
/// </summary>
internal sealed class ThumbnailBackfill(
    SqliteDatabase database, BlobStore blobs, ThumbnailStore thumbnails, IServiceScopeFactory scopes, IOptions<ThumbnailPassOptions> options,
    ILogger<ThumbnailBackfill> logger) : BackgroundService
{
    private const int BatchSize = 16;

    /// <summary>How often a pass may run after the first: when a send left an image untried meanwhile (the pass walks
    /// every blob's row by hash).</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _onePass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Lets the server's start (migrations, clients reconnecting) go first.
        if (options.Value.Delay is not { } delay)
        {
            return;
        }

        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, stoppingToken);
                // After the first pass, only when a send left an image untried: a pass reads every blob's row.
                if (first || thumbnails.TakeLeftUntried())
                {
                    await RunAsync(stoppingToken);
                }

                first = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The disk full for the record, say: tried again at the next tick, and the copies' passes, which wait
                // for the event this pass did not publish, are asked then.
                logger.LogError(e, "Thumbnail backfill failed");
                thumbnails.MarkLeftUntried();
            }

            delay = Interval;
        }
    }

    /// <summary>One pass over every untried image blob; returns how many were tried.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!thumbnails.Enabled)
        {
            return 0;
        }

        await _onePass.WaitAsync(cancellationToken);
        try
        {
            var tried = 0;
            // Again from the start while a send left an image untried meanwhile, before the event: a new image whose
            // hash sorts before where the walk was would otherwise wait for the next tick, while a known one's copies
            // gain theirs at once — the wait would tell whether the server had the content (the README's privacy of
            // dedup). A walk that tried images and settled none (a full disk) stops it; the next tick tries again.
            for (var walk = true; walk;)
            {
                var (walked, settled) = (0, 0);
                var after = "";
                while (Untried(after) is { Count: > 0 } batch)
                {
                    foreach (var (hash, size) in batch)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        after = hash;
                        // Held while it is read: the collector leaves it alone, or it is already gone.
                        using var held = new Held(blobs.Hold(hash));
                        if (!held.Holds)
                        {
                            continue;
                        }

                        // One image per turn of the store's gate, which sends share: a send waits for one decode at most.
                        await thumbnails.EnsureAsync(hash, size, Timeout.InfiniteTimeSpan, cancellationToken);
                        walked++;
                        settled += thumbnails.Read(hash) is null ? 0 : 1;
                    }
                }

                walk = thumbnails.TakeLeftUntried();
                tried += walked;
                if (walk && walked > 0 && settled == 0)
                {
                    thumbnails.MarkLeftUntried();
                    walk = false;
                }
            }

            if (tried > 0)
            {
                logger.LogInformation("Thumbnail backfill tried {Count} stored images", tried);
            }

            // Even when it tried none: a send may have made the thumbnail that an earlier, busy send of the content could not.
            // The bus is scoped (its handlers' dependencies may be): a scope of its own, as other background services do.
            await using (var scope = scopes.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(new ThumbnailBackfillRanEvent(), cancellationToken);
            }

            return tried;
        }
        finally
        {
            _onePass.Release();
        }
    }

    private List<(string Hash, long Size)> Untried(string after)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT b.hash, b.size FROM media_blobs b WHERE b.hash > @after AND b.thumb_state IS NULL AND b.ref_count > 0 " +
            "AND EXISTS (SELECT 1 FROM media_files f WHERE f.hash = b.hash AND f.kind = @photo) ORDER BY b.hash LIMIT @limit";
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@photo", MediaKinds.Photo);
        command.Parameters.AddWithValue("@limit", BatchSize);
        using var reader = command.ExecuteReader();
        var batch = new List<(string, long)>();
        while (reader.Read())
        {
            batch.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return batch;
    }

    private readonly struct Held(Action? release) : IDisposable
    {
        public bool Holds => release is not null;

        public void Dispose() => release?.Invoke();
    }
}
