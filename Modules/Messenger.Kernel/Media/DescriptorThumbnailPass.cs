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
/// and other writes go on between units; batches with nothing to rewrite move the cursor only every few), asking the Media module for the thumbnails of the batch
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

    /// <summary>Batches without a rewrite between two units that only move the cursor.</summary>
    private const int CursorEvery = 16;

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

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

    /// <summary>Whether rows change their descriptor in place (a profile's or group's photo set again), not only when
    /// they are inserted: the pass then checks in its unit that the rows it passes over are still as it read them.</summary>
    protected virtual bool UpdatedInPlace => false;

    /// <summary>Whether <paramref name="media"/> is a descriptor this pass would give a thumbnail later: a photo's
    /// without one.</summary>
    public static bool LacksThumbnail(MessageMedia? media) => media is { Kind: MediaKinds.Photo, Thumb: null };

    /// <summary>For a writer of row <paramref name="id"/>'s descriptor in place, in the same unit, when it wrote one
    /// that <see cref="LacksThumbnail"/>: moves the pass's cursor back before the row (a pass already past it would
    /// never come back), then the writer asks for a pass (<see cref="Request"/>) once the unit committed. A pass
    /// running meanwhile sees its cursor moved and does not move it on (<see cref="RunAsync"/>).</summary>
    protected static void Rewind(WriteScope scope, string cursorTable, string name, long id) =>
        scope.Execute($"UPDATE {cursorTable} SET cursor = MIN(cursor, @id - 1) WHERE name = @name", ("@name", name), ("@id", id));

    /// <summary>One pass from the cursor, at most <paramref name="maxBatches"/> units of <paramref name="batchSize"/> rows
    /// (tests stop it part-way); returns how many descriptors it rewrote.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken, int batchSize = DefaultBatchSize, int maxBatches = int.MaxValue)
    {
        await _onePass.WaitAsync(cancellationToken);
        try
        {
            var rewritten = 0;
            // What the cursor's row holds (as this pass read or last wrote it), and where the pass is.
            var stored = Cursor();
            var cursor = stored;
            for (var batch = 0; batch < maxBatches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rows = Rows(cursor, batchSize);
                if (rows.Count == 0)
                {
                    break;
                }

                var (updates, reached, blocked) = await PlanAsync(rows, cursor, cancellationToken);
                var last = blocked || rows.Count < batchSize || batch == maxBatches - 1;
                // A unit for the cursor alone only every few batches (a first walk over years of messages rewrites few),
                // but always for rows set in place, whose rewinds the pass can only see in the cursor it wrote.
                if (updates.Count > 0 || (reached != stored && (last || UpdatedInPlace || batch % CursorEvery == CursorEvery - 1)))
                {
                    if (batch > 0)
                    {
                        // Live traffic first: the writer's queue empties between two units of a pass.
                        await Task.Delay(Pause, cancellationToken);
                    }

                    var from = cursor;
                    var expected = stored;
                    var (changed, until, moved) = await writer.WriteAsync(scope => Apply(scope, rows, updates, from, reached, expected), cancellationToken);
                    rewritten += changed;
                    if (!moved)
                    {
                        // Moved back by a photo set without its thumbnail: go on from there.
                        stored = cursor = Cursor();
                        continue;
                    }

                    stored = until;
                    if (until != reached)
                    {
                        // A row changed after it was read: read again from before it.
                        cursor = until;
                        continue;
                    }
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

    /// <summary>The unit of a batch: the rewrites, then the cursor moved to <paramref name="reached"/> — or less far, to
    /// before the first row that changed since it was read (its rewrite found it changed; with
    /// <see cref="UpdatedInPlace"/>, any row passed over), so it is read again — and only if the cursor's row still
    /// holds <paramref name="expected"/>: a rewind meanwhile wins. Returns the rewrites, where the cursor went, and
    /// whether it was moved.</summary>
    private (int Changed, long Until, bool Moved) Apply(
        WriteScope scope, List<(long Id, byte[] Descriptor)> rows, List<(long Id, byte[] Old, byte[] New)> updates, long from, long reached, long expected)
    {
        var changed = 0;
        var until = reached;
        var now = rows.ToDictionary(r => r.Id, r => r.Descriptor);
        foreach (var (id, old, updated) in updates)
        {
            if (scope.Execute(UpdateSql, ("@id", id), ("@old", old), ("@new", updated)) == 0)
            {
                until = id - 1;
                break;
            }

            now[id] = updated;
            changed++;
        }

        if (UpdatedInPlace)
        {
            until = Math.Min(until, FirstChanged(scope, rows, now, from, until));
        }

        if (until == expected)
        {
            return (changed, until, true);
        }

        var moved = scope.Execute(
            $"INSERT INTO {CursorTable} (name, cursor) VALUES (@name, @cursor) " +
            "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor WHERE cursor = @expected",
            ("@name", Name), ("@cursor", until), ("@expected", expected)) == 1;
        return (changed, until, moved);
    }

    /// <summary>The id before the first row up to <paramref name="until"/> whose descriptor is no longer what the pass
    /// read (or rewrote it to), or that gained or lost one; <paramref name="until"/> when none.</summary>
    private long FirstChanged(WriteScope scope, List<(long Id, byte[] Descriptor)> rows, Dictionary<long, byte[]> expected, long from, long until)
    {
        var command = scope.Command(RowsSql);
        command.Parameters.AddWithValue("@after", from);
        command.Parameters.AddWithValue("@limit", rows.Count);
        var read = 0;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (id > until)
                {
                    break;
                }

                if (read >= rows.Count || rows[read].Id != id)
                {
                    // A row that gained a descriptor, or (the read row's id being lower) one that lost it.
                    return Math.Min(id, read < rows.Count ? rows[read].Id : id) - 1;
                }

                if (!((byte[])reader.GetValue(1)).AsSpan().SequenceEqual(expected[id]))
                {
                    return id - 1;
                }

                read++;
            }
        }

        // A read row up to until that is not there any more.
        return read < rows.Count && rows[read].Id <= until ? rows[read].Id - 1 : until;
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
            return WireSerializer.Deserialize<MessageMedia>(bytes) is var media && LacksThumbnail(media) ? media : null;
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
