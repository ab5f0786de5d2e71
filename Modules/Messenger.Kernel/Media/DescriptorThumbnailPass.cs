using System.Threading.Channels;
using Mediator;
using MessagePack;
using Messenger.Contracts.Media;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Media;

/// <summary>
/// Gives the photo descriptors a module keeps copies of (a message's <c>media</c>, a profile's or group's <c>photo</c>)
/// the thumbnail and inline preview made after they were copied: those stored before thumbnails existed, or sent while
/// the decoder was busy. Walks one table by id from a cursor kept in the module's own <see cref="CursorTable"/>, a few
/// hundred rows to a writer unit (the rewrites and the cursor together, so a restart resumes where the last unit ended
/// and other writes go on between units), asking the Media module for the thumbnails of the batch
/// (<see cref="StoredThumbnailsQuery"/>). A photo whose thumbnail is not tried yet stops the pass there (the cursor
/// stays before it) until the Media module's pass has run (<see cref="ThumbnailBackfillRanEvent"/> calls
/// <see cref="Request"/>); one that has none is passed over for good. Runs a minute after start (twice
/// <see cref="ThumbnailPassOptions.ThumbnailPassDelaySeconds"/>; never by itself when that is 0), then on request, and
/// after a failure again a minute later (doubling to <see cref="LastRetry"/>), since the request it would wait for may
/// never come. No update is sent: clients see the descriptors at their next fetch, as in Telegram; update logs keep
/// what they had.
/// </summary>
public abstract class DescriptorThumbnailPass(
    SqliteDatabase database, StorageWriter writer, IServiceScopeFactory scopes, IOptions<ThumbnailPassOptions> options, ILogger logger) : BackgroundService
{
    public const int DefaultBatchSize = 256;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _onePass = new(1, 1);
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The module's cursor table: <c>(name TEXT PRIMARY KEY, cursor INTEGER NOT NULL)</c>.</summary>
    protected abstract string CursorTable { get; }

    /// <summary>This pass's row in <see cref="CursorTable"/>.</summary>
    protected abstract string Name { get; }

    /// <summary>Selects <c>id, descriptor</c> of the rows with a descriptor and an id over <c>@after</c>, by id, at most <c>@limit</c>.</summary>
    protected abstract string RowsSql { get; }

    /// <summary>Sets row <c>@id</c>'s descriptor to <c>@new</c> if it is still <c>@old</c> (a change meanwhile wins).</summary>
    protected abstract string UpdateSql { get; }

    /// <summary>Asks for a pass after the one running, if any (several requests meanwhile make one pass).</summary>
    public void Request() => _requests.Writer.TryWrite(true);

    /// <summary>Whether a pass was asked for and has not started yet (tests).</summary>
    internal bool Requested => _requests.Reader.Count > 0;

    /// <summary>The last id the pass is done with (0 before the first unit).</summary>
    public long Cursor()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT cursor FROM {CursorTable} WHERE name = @name";
        command.Parameters.AddWithValue("@name", Name);
        return command.ExecuteScalar() is long cursor ? cursor : 0;
    }

    /// <summary>One pass from the cursor, at most <paramref name="maxBatches"/> units of <paramref name="batchSize"/> rows
    /// (tests stop it part-way); returns how many descriptors it rewrote.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken, int batchSize = DefaultBatchSize, int maxBatches = int.MaxValue)
    {
        await _onePass.WaitAsync(cancellationToken);
        try
        {
            var rewritten = 0;
            var cursor = Cursor();
            for (var batch = 0; batch < maxBatches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = Rows(cursor, batchSize);
                if (rows.Count == 0)
                {
                    break;
                }

                var (updates, reached, blocked) = await PlanAsync(rows, cursor, cancellationToken);
                if (updates.Count > 0 || reached != cursor)
                {
                    rewritten += await writer.WriteAsync(scope =>
                    {
                        var changed = 0;
                        foreach (var (id, old, updated) in updates)
                        {
                            changed += scope.Execute(UpdateSql, ("@id", id), ("@old", old), ("@new", updated));
                        }

                        scope.Execute(
                            $"INSERT INTO {CursorTable} (name, cursor) VALUES (@name, @cursor) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor",
                            ("@name", Name), ("@cursor", reached));
                        return changed;
                    }, cancellationToken);
                }

                cursor = reached;
                if (blocked || rows.Count < batchSize)
                {
                    break;
                }
            }

            if (rewritten > 0)
            {
                logger.LogInformation("Gave {Count} stored descriptors ({Pass}) their thumbnails", rewritten, Name);
            }

            return rewritten;
        }
        finally
        {
            _onePass.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Lets the start, and the Media module's first pass, go first.
        if (options.Value.Delay is not { } delay)
        {
            return;
        }

        try
        {
            await Task.Delay(delay * 2, stoppingToken);
            var retry = TimeSpan.Zero;
            while (true)
            {
                try
                {
                    await RunAsync(stoppingToken);
                    retry = TimeSpan.Zero;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The cursor stays where the last unit left it; tried again from there. Anything but the host's
                    // stopping (a timeout inside the query, say) is a failure like another: it must not stop the host.
                    retry = retry == TimeSpan.Zero ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
                    logger.LogError(e, "Giving stored descriptors ({Pass}) their thumbnails failed; trying again in {Retry}", Name, retry);
                }

                if (retry == TimeSpan.Zero)
                {
                    await _requests.Reader.ReadAsync(stoppingToken);
                }
                else
                {
                    await Task.Delay(retry, stoppingToken);
                    // The retry is the pass a request meanwhile asked for.
                    _requests.Reader.TryRead(out _);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The rewrites of <paramref name="rows"/>, the id the cursor may move to, and whether a photo not tried yet
    /// stopped it there.</summary>
    private async Task<(List<(long Id, byte[] Old, byte[] New)> Updates, long Reached, bool Blocked)> PlanAsync(
        List<(long Id, byte[] Descriptor)> rows, long cursor, CancellationToken cancellationToken)
    {
        var photos = new List<(long Id, byte[] Old, MessageMedia Media)>();
        foreach (var (id, bytes) in rows)
        {
            if (Photo(bytes) is { } media)
            {
                photos.Add((id, bytes, media));
            }
        }

        var thumbnails = photos.Count == 0 ? new Dictionary<long, StoredThumbnail>() : await QueryAsync(photos, cancellationToken);
        var updates = new List<(long, byte[], byte[])>();
        foreach (var (id, old, media) in photos)
        {
            var thumbnail = thumbnails.GetValueOrDefault(media.Id) ?? StoredThumbnail.None;
            if (thumbnail.State == StoredThumbnailState.NotTried)
            {
                return (updates, rows.Where(r => r.Id < id).Select(r => r.Id).DefaultIfEmpty(cursor).Max(), true);
            }

            if (thumbnail.State == StoredThumbnailState.Made)
            {
                updates.Add((id, old, WireSerializer.Serialize(thumbnail.AppliedTo(media))));
            }
        }

        return (updates, rows[^1].Id, false);
    }

    /// <summary>The bus is scoped (its handlers' dependencies may be): a scope for each question, as other background
    /// services do.</summary>
    private async Task<IReadOnlyDictionary<long, StoredThumbnail>> QueryAsync(
        List<(long Id, byte[] Old, MessageMedia Media)> photos, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>()
            .Send(new StoredThumbnailsQuery([.. photos.Select(p => p.Media.Id).Distinct()]), cancellationToken);
    }

    /// <summary>The descriptor when it is a photo's without a thumbnail (what this pass rewrites); else null.</summary>
    private static MessageMedia? Photo(byte[] bytes)
    {
        try
        {
            return WireSerializer.Deserialize<MessageMedia>(bytes) is { Kind: MediaKinds.Photo, Thumb: null } media ? media : null;
        }
        catch (MessagePackSerializationException)
        {
            return null;
        }
    }

    private List<(long Id, byte[] Descriptor)> Rows(long after, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = RowsSql;
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var rows = new List<(long, byte[])>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), (byte[])reader.GetValue(1)));
        }

        return rows;
    }
}
