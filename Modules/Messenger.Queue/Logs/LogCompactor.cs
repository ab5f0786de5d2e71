using Messenger.Kernel.Storage;
using Messenger.Kernel.Background;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Queue.Logs;

/// <summary>
/// Deletes log entries older than the retention, and entries so far behind their log's head that getDifference can
/// never serve them (more than <see cref="QueueOptions.TooLongAfterUpdates"/>: a client that far behind gets
/// <c>too_long</c> and refetches), except each log's newest entry (it carries the log's pts, so a log never restarts
/// from 0). A client whose pts falls before what is left gets <c>too_long</c>, as it would for any gap larger than the
/// bound. Deletes at most <see cref="RowsPerUnit"/> entries per writer unit, so a large backlog (one user's flood)
/// never holds the one writer for long: other writes run between its units. The logs to compact are found owner by owner
/// down the <c>(owner_id, pts)</c> key, two seeks each (<see cref="NextOwnerSql"/>, <see cref="HeadSql"/>), so a pass
/// costs in proportion to the logs, never to their entries.
/// </summary>
internal sealed class LogCompactor(
    SqliteDatabase database, StorageWriter writer, IOptions<QueueOptions> options, TimeProvider clock, ILogger<LogCompactor> logger)
    : TimedBackgroundService
{
    private const int OwnersPerUnit = 200;
    private const int OwnersPerPage = 1000;

    /// <summary>The next owner after <c>@after</c> and its log's oldest entry: one seek down the <c>(owner_id, pts)</c>
    /// key, however many entries each log has.</summary>
    internal const string NextOwnerSql = "SELECT owner_id, pts, date FROM queue_updates WHERE owner_id > @after ORDER BY owner_id, pts LIMIT 1";

    /// <summary>A log's head: one seek to the end of the owner's entries.</summary>
    internal const string HeadSql = "SELECT pts FROM queue_updates WHERE owner_id = @owner ORDER BY pts DESC LIMIT 1";

    /// <summary>
    /// A log's entries to delete, oldest first, at most <c>@limit</c>: those before its head (the newest entry always
    /// stays) older than the retention (<c>@cutoff</c>) or <c>@behind</c> or more behind the head (never served again).
    /// Entries' dates rise with their pts, so these are the log's first entries, up to the first one after
    /// <c>@head - @behind</c> within the retention: that one is found first (a walk from <c>@head - @behind</c> that stops
    /// at it, in practice its first row), and the entries below it are one range of the key. Decided: an entry dated
    /// before the retention above that point (the clock set back) stays until the log moves on, as a client may still
    /// be served it. The condition on each entry instead (<c>date &lt; @cutoff OR pts &lt;= @head - @behind</c>) walked the
    /// whole log whenever it had fewer entries to delete than <c>@limit</c>: 951 ms in the writer, every pass, for a
    /// log of 100,000 with one entry to drop (<c>bigdb</c>, docs/benchmarks.md).
    /// </summary>
    internal const string DeleteSql =
        "DELETE FROM queue_updates WHERE owner_id = @owner AND pts IN (" +
        "SELECT pts FROM queue_updates WHERE owner_id = @owner AND pts < coalesce((" +
        "SELECT kept.pts FROM queue_updates kept WHERE kept.owner_id = @owner AND kept.pts > @head - @behind AND kept.pts < @head " +
        "AND kept.date >= @cutoff ORDER BY kept.pts LIMIT 1), @head) " +
        "ORDER BY pts LIMIT @limit)";

    /// <summary>Entries deleted at most per writer unit; settable for tests.</summary>
    internal int RowsPerUnit { get; set; } = 10_000;

    protected override PeriodicTimer CreateTimer() => new(TimeSpan.FromMinutes(options.Value.CompactionIntervalMinutes), clock);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                var deleted = await CompactAsync(stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation(
                        "Compacted {Deleted} update log entries older than {Days} days or more than {Updates} behind their log's head",
                        deleted, options.Value.RetentionDays, options.Value.TooLongAfterUpdates);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Update log compaction failed");
            }
        }
        while (await Timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<long> CompactAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().AddDays(-options.Value.RetentionDays).ToUnixTimeSeconds();
        var behind = (long)options.Value.TooLongAfterUpdates;
        long deleted = 0;
        var after = long.MinValue;
        while (true)
        {
            var (owners, last) = OwnersToCompact(after, cutoff, behind);
            deleted += await DeleteAsync(owners, cutoff, behind, cancellationToken);
            if (last is not { } next)
            {
                return deleted;
            }

            after = next;
        }
    }

    private async Task<long> DeleteAsync(List<(long Owner, long Head)> owners, long cutoff, long behind, CancellationToken cancellationToken)
    {
        var rows = RowsPerUnit;
        long deleted = 0;
        var next = 0;
        while (next < owners.Count)
        {
            var first = next;
            (var total, next) = await writer.WriteAsync(scope =>
            {
                var budget = rows;
                var total = 0;
                var index = first;
                while (index < owners.Count && index - first < OwnersPerUnit && budget > 0)
                {
                    var delete = scope.Command(DeleteSql);
                    delete.Parameters.AddWithValue("@owner", owners[index].Owner);
                    delete.Parameters.AddWithValue("@head", owners[index].Head);
                    delete.Parameters.AddWithValue("@cutoff", cutoff);
                    delete.Parameters.AddWithValue("@behind", behind);
                    delete.Parameters.AddWithValue("@limit", budget);
                    var removed = delete.ExecuteNonQuery();
                    total += removed;
                    budget -= removed;
                    if (budget > 0)
                    {
                        // Fewer than asked for: this log is done. Otherwise the next unit goes on with it.
                        index++;
                    }
                }

                return (total, index);
            }, cancellationToken);
            deleted += total;
        }

        return deleted;
    }

    /// <summary>
    /// The next <see cref="OwnersPerPage"/> logs after <paramref name="after"/>, walked owner by owner down the primary
    /// key (two seeks each: the oldest entry and the head), and of them those with something to delete: the oldest entry
    /// older than the retention, or more than <paramref name="behind"/> behind the head. The cost grows with the owners,
    /// not the entries (a GROUP BY over the table read every entry of it at each interval). Entries' dates rise with their
    /// pts (each is the clock at its append), so the oldest entry is the one to compare. <c>Last</c> is where the next
    /// page starts, null when no owner is left.
    /// </summary>
    private (List<(long Owner, long Head)> Owners, long? Last) OwnersToCompact(long after, long cutoff, long behind)
    {
        using var connection = database.Open();
        using var next = connection.CreateCommand();
        next.CommandText = NextOwnerSql;
        var afterParameter = next.Parameters.AddWithValue("@after", after);
        using var head = connection.CreateCommand();
        head.CommandText = HeadSql;
        var ownerParameter = head.Parameters.AddWithValue("@owner", 0L);
        var owners = new List<(long, long)>();
        for (var walked = 0; walked < OwnersPerPage; walked++)
        {
            afterParameter.Value = after;
            long owner, oldest, date;
            using (var reader = next.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return (owners, null);
                }

                (owner, oldest, date) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }

            ownerParameter.Value = owner;
            var newest = (long)head.ExecuteScalar()!;
            if (oldest < newest && (date < cutoff || oldest <= newest - behind))
            {
                owners.Add((owner, newest));
            }

            after = owner;
        }

        return (owners, after);
    }
}
