using Messenger.Kernel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Queue.Logs;

/// <summary>
/// Deletes log entries older than the retention, except each log's newest entry (it carries the log's pts, so a log
/// never restarts from 0). A client whose pts falls before what is left gets <c>too_long</c>, as it would for any gap
/// larger than the bound.
/// </summary>
internal sealed class LogCompactor(
    SqliteDatabase database, StorageWriter writer, IOptions<QueueOptions> options, TimeProvider clock, ILogger<LogCompactor> logger)
    : BackgroundService
{
    private const int OwnersPerUnit = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.CompactionIntervalMinutes), clock);
        do
        {
            try
            {
                var deleted = await CompactAsync(stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("Compacted {Deleted} update log entries older than {Days} days", deleted, options.Value.RetentionDays);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Update log compaction failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<long> CompactAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().AddDays(-options.Value.RetentionDays).ToUnixTimeSeconds();
        var owners = OwnersWithOldEntries(cutoff);
        long deleted = 0;
        foreach (var chunk in owners.Chunk(OwnersPerUnit))
        {
            deleted += await writer.WriteAsync(scope =>
            {
                var total = 0;
                foreach (var owner in chunk)
                {
                    var delete = scope.Command(
                        "DELETE FROM queue_updates WHERE owner_id = @owner AND date < @cutoff " +
                        "AND pts < (SELECT max(pts) FROM queue_updates WHERE owner_id = @owner)");
                    delete.Parameters.AddWithValue("@owner", owner);
                    delete.Parameters.AddWithValue("@cutoff", cutoff);
                    total += delete.ExecuteNonQuery();
                }

                return total;
            }, cancellationToken);
        }

        return deleted;
    }

    private List<long> OwnersWithOldEntries(long cutoff)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT owner_id FROM queue_updates WHERE date < @cutoff";
        command.Parameters.AddWithValue("@cutoff", cutoff);
        return command.ReadInt64Column();
    }
}
