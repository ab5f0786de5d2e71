using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Messenger.Kernel.Storage;

/// <summary>
/// Copies the WAL back into the database file away from the group-commit writer. SQLite's automatic checkpoint runs
/// inside the COMMIT that takes the WAL past 1,000 pages, so under load the writer stopped every few hundred
/// milliseconds to write about 4 MiB into the database file and sync it, and every caller of that batch waited. Here a
/// task with its own connection checkpoints the WAL once per interval (PASSIVE: it never blocks the writer or a
/// reader). A WAL only starts over from its beginning when a write transaction begins with every page of it copied,
/// which a checkpoint running beside a busy writer seldom leaves behind; so once a pass has copied everything it saw,
/// the writer copies the few pages committed meanwhile itself, between two batches (<see cref="FinishIfDue"/>), and
/// its next transaction starts the WAL over. Measured (<c>writer --table keyed</c>, 2 cores, three alternating pairs):
/// 23,499–26,066 appends/s inline, 29,994–36,539 at a 250 ms interval. The pass first catches up with what was committed
/// while it copied, so the writer's part, which every waiting caller waits for, stays small: at 4,400 messages/s its
/// median went from 17 to 6 ms and the writer's queue wait p95 from 10–17 to 5–7 ms (2026-12-05).
/// </summary>
internal sealed class WalCheckpointer(SqliteDatabase database, TimeSpan interval, ILogger logger) : IAsyncDisposable
{
    // A catch-up checkpoint that found this few frames new (256 KiB of 4 KiB pages) leaves the writer a batch or two.
    private const int CatchUpFrames = 64;

    // Under a write load the copies cannot catch up with, the writer's part comes after this many more checkpoints
    // anyway, so the WAL still starts over.
    private const int MaxCatchUpCheckpoints = 4;

    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _finishDue;
    private int _disposed;

    /// <summary>Test seam: runs after each checkpoint of a background pass (where the writer's commits would land).</summary>
    internal Action? AfterPassCheckpoint { get; set; }

    public void Start() => _loop ??= Task.Run(RunAsync);

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(interval);
        SqliteConnection? connection = null;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    connection ??= database.Open();
                    Pass(connection);
                }
                catch (Exception e)
                {
                    // Disk trouble shows up in the writer's commits as well; the next tick tries again, on a connection
                    // of its own (a loop that ended would leave the WAL to grow for good: the writer's connection does
                    // not checkpoint by itself).
                    logger.LogWarning(e, "WAL checkpoint failed");
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>One background pass; once it has copied everything it saw, and tried to catch up with what was
    /// committed meanwhile (at most four more checkpoints), the writer's part is due.</summary>
    internal void Pass(SqliteConnection connection)
    {
        var (log, copied, generation) = Step(connection);
        if (log <= 0 || copied != log)
        {
            return;
        }

        for (var extra = 1; extra <= MaxCatchUpCheckpoints; extra++)
        {
            // What a checkpoint left behind is what the writer committed while it ran, and the writer would copy it all
            // (and sync both files) between two batches while every caller waits: 17 ms at the median under 4,400
            // messages/s after a 250 ms interval. Another checkpoint at once copies that in less time, so leaves less.
            // One that a reader held back, or that met another checkpoint (−1), stops here: the writer copies the rest.
            var (next, nextCopied, nextGeneration) = Step(connection);
            var added = nextGeneration != generation || next < log ? next : next - log;
            (log, copied, generation) = (next, nextCopied, nextGeneration);
            if (added <= CatchUpFrames || copied != log)
            {
                break;
            }
        }

        Volatile.Write(ref _finishDue, 1);
    }

    /// <summary>The WAL header's checkpoint sequence and first salt, which change each time the WAL starts over from its
    /// beginning (the writer's first transaction after a complete checkpoint does that); 0 without a WAL.</summary>
    private ulong WalGeneration()
    {
        try
        {
            using var wal = File.OpenHandle(database.Path + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> header = stackalloc byte[20];
            return RandomAccess.Read(wal, header, 0) == header.Length ? BinaryPrimitives.ReadUInt64BigEndian(header[12..]) : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the catch-up's guess: a 0 against a value read before or after counts the whole WAL as new.
            return 0;
        }
    }

    /// <summary>A checkpoint, with the WAL's generation read before it: a restart after it shows at the next step.</summary>
    private (int Log, int Copied, ulong Generation) Step(SqliteConnection connection)
    {
        var generation = WalGeneration();
        var (log, copied) = Checkpoint(connection);
        AfterPassCheckpoint?.Invoke();
        return (log, copied, generation);
    }

    /// <summary>The writer's part, on its own connection outside a transaction: after a complete background pass,
    /// copies what was committed since, so the WAL is whole in the database file when the next transaction begins.</summary>
    public void FinishIfDue(SqliteConnection writer)
    {
        if (Interlocked.Exchange(ref _finishDue, 0) == 0)
        {
            return;
        }

        var began = Stopwatch.GetTimestamp();
        try
        {
            Checkpoint(writer);
        }
        catch (SqliteException e)
        {
            // Only a WAL that stays longer; the batch after it must run either way.
            logger.LogWarning(e, "WAL checkpoint on the writer failed");
        }

        WriterMetrics.Checkpoints.Add(1);
        WriterMetrics.CheckpointDuration.Record(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
    }

    /// <summary>A PASSIVE checkpoint: the WAL's size and how much of it is now in the database file, in pages (both
    /// −1 while another connection is checkpointing).</summary>
    private static (int Log, int Copied) Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt32(1), reader.GetInt32(2)) : (-1, -1);
    }

    /// <summary>Stops the passes; the writer's drain calls it, and so may a dispose after it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }
}
