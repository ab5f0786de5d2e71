using System.Diagnostics;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Durable appends per second through the group-commit writer with C concurrent producers, against the same
/// appends committed one transaction each (the writer with batch size 1). Rows look like update-log entries.
/// </summary>
internal static class WriterScenario
{
    private const string AppendSql = "INSERT INTO bench_log (user_id, pts, kind, payload) VALUES ($user, $pts, 1, $payload)";

    // "append": rows land at the end of one B-tree, the writer's own cost. "keyed": a (user_id, pts) primary key,
    // so every batch dirties pages all over the tree (one per producer) and WAL volume, not the writer, limits it.
    private const string AppendTableSql =
        "CREATE TABLE bench_log (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, pts INTEGER NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL)";

    private const string KeyedTableSql = """
        CREATE TABLE bench_log (
            user_id INTEGER NOT NULL, pts INTEGER NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL,
            PRIMARY KEY (user_id, pts)) WITHOUT ROWID
        """;

    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var producers = options.Int("producers", 256);
        var synchronous = options.Get("synchronous") ?? "Full";
        var batchSize = options.Int("batch", 1024);
        var table = options.Get("table") ?? "append";
        var checkpointMs = options.Int("checkpoint-ms", new StorageOptions().CheckpointIntervalMs);
        var report = new BenchReport("writer");
        report.Parameters["producers"] = producers;
        report.Parameters["duration_s"] = options.Duration.TotalSeconds;
        report.Parameters["batch_size"] = batchSize;
        report.Labels["synchronous"] = synchronous.ToUpperInvariant();
        report.Parameters["table"] = table;
        report.Parameters["checkpoint_interval_ms"] = checkpointMs;

        var directory = Path.Combine(Path.GetTempPath(), $"messenger-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var grouped = await MeasureAsync(directory, "grouped.db", table, synchronous, batchSize, checkpointMs, producers, options.Duration);
            var baseline = await MeasureAsync(directory, "baseline.db", table, synchronous, 1, checkpointMs, producers, options.Duration);
            report.Figures["appends_per_sec"] = grouped.PerSecond;
            report.Figures["commits_per_sec"] = grouped.CommitsPerSecond;
            report.Figures["baseline_per_sec"] = baseline.PerSecond;
            report.Figures["ratio"] = grouped.PerSecond / baseline.PerSecond;
            report.Figures["p50_latency_ms"] = grouped.P50Ms;
            report.Figures["p99_latency_ms"] = grouped.P99Ms;
            report.Figures["p999_latency_ms"] = grouped.P999Ms;
            report.Figures["max_latency_ms"] = grouped.MaxMs;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return report;
    }

    private static async Task<Measurement> MeasureAsync(
        string directory, string file, string table, string synchronous, int batchSize, int checkpointMs, int producers, TimeSpan duration)
    {
        var storage = new StorageOptions
        {
            Synchronous = synchronous, WriterBatchSize = batchSize, WriterQueueCapacity = 16384, CheckpointIntervalMs = checkpointMs,
        };
        var database = new SqliteDatabase(Path.Combine(directory, file), storage);
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = table == "keyed" ? KeyedTableSql : AppendTableSql;
            command.ExecuteNonQuery();
        }

        await using var writer = new StorageWriter(database, Options.Create(storage), NullLogger<StorageWriter>.Instance);
        writer.Start();
        var payload = new byte[64];
        Random.Shared.NextBytes(payload);

        using var stop = new CancellationTokenSource(duration);
        var latencies = new List<double>[producers];
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, producers).Select(async producer =>
        {
            var own = latencies[producer] = new List<double>(4096);
            long pts = 0;
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var next = ++pts;
                await writer.WriteAsync(scope =>
                {
                    var command = scope.Command(AppendSql);
                    command.Parameters.AddWithValue("$user", producer);
                    command.Parameters.AddWithValue("$pts", next);
                    command.Parameters.AddWithValue("$payload", payload);
                    command.ExecuteNonQuery();
                });
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return pts;
        }).ToArray();
        var appends = (await Task.WhenAll(tasks)).Sum();
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        return new Measurement(appends / seconds, writer.Commits / seconds, Percentile(sorted, 0.50), Percentile(sorted, 0.99),
            Percentile(sorted, 0.999), sorted.Length == 0 ? 0 : sorted[^1]);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];

    private sealed record Measurement(double PerSecond, double CommitsPerSecond, double P50Ms, double P99Ms, double P999Ms, double MaxMs);
}
