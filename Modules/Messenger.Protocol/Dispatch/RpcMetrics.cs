using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Messenger.Protocol.Dispatch;

/// <summary>
/// Call instruments on the meter <c>Messenger.Rpc</c> (<c>dotnet-counters monitor -n Messenger.Host --counters
/// Messenger.Rpc</c>): how long calls take on the server, from the frame being read to the answer being queued.
/// </summary>
internal static class RpcMetrics
{
    public const string MeterName = "Messenger.Rpc";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Tagged with the method name (registered methods only; an unknown name is not a tag value).</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "messenger.rpc.duration", "ms", "Server time of a call, from its frame being read to its answer being queued");

    public static void RecordSince(long started, string? method) =>
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("method", method));
}
