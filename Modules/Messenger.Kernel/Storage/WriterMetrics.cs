using System.Diagnostics.Metrics;

namespace Messenger.Kernel.Storage;

/// <summary>
/// The group-commit writer's instruments, on the meter <c>Messenger.Storage</c> (read them live with
/// <c>dotnet-counters monitor -n Messenger.Host --counters Messenger.Storage</c>): where a durable write's time goes.
/// </summary>
internal static class WriterMetrics
{
    public const string MeterName = "Messenger.Storage";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>From a unit being queued to its batch starting.</summary>
    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>(
        "messenger.writer.queue_wait", "ms", "Time a unit of work waits in the writer's queue before its batch starts");

    /// <summary>From BEGIN to the end of COMMIT (the units, then the WAL sync).</summary>
    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "messenger.writer.batch_duration", "ms", "Time from a batch's BEGIN to the end of its COMMIT");

    /// <summary>The COMMIT alone (mostly the WAL sync with synchronous=FULL).</summary>
    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "messenger.writer.commit_duration", "ms", "Time of a batch's COMMIT");

    /// <summary>The writer's own part of a WAL checkpoint, between two batches (<see cref="WalCheckpointer.FinishIfDue"/>).</summary>
    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>(
        "messenger.writer.checkpoint_duration", "ms", "Time the writer spends finishing a WAL checkpoint between two batches");

    /// <summary>Transactions committed (their rate is the writer's commits per second).</summary>
    public static readonly Counter<long> Commits = Meter.CreateCounter<long>(
        "messenger.writer.commits", "{commit}", "Transactions the writer committed");

    /// <summary>Times the writer did its part of a WAL checkpoint (each one holds every write back for its duration).</summary>
    public static readonly Counter<long> Checkpoints = Meter.CreateCounter<long>(
        "messenger.writer.checkpoints", "{checkpoint}", "WAL checkpoints the writer finished between two batches");

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "messenger.writer.batch_size", "{unit}", "Units of work committed together");
}
