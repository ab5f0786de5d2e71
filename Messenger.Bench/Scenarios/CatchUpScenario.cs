using System.Diagnostics;
using Messenger.Client;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Offline catch-up: one device goes offline while <c>--updates</c> (default 100,000) messages to its user pile up
/// in its update log (sent by <c>--senders</c> users, default 4, each with <c>--window</c> sends in flight, default
/// 64). Then it reconnects with the same device key and calls <c>updates.getDifference</c> (limit 1000) slice after
/// slice until it is caught up: updates served per second from the first call to the last slice. The same backlog is
/// then replayed once more through the SDK's update stream (events per second as an app sees them).
/// </summary>
internal static class CatchUpScenario
{
    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var updates = options.Int("updates", 100_000);
        var senders = options.Int("senders", 4);
        var window = options.Int("window", 64);
        var limit = options.Int("limit", 1000);
        var report = new BenchReport("catchup");
        report.Parameters["updates"] = updates;
        report.Parameters["senders"] = senders;
        report.Parameters["window_per_sender"] = window;
        report.Parameters["difference_limit"] = limit;

        var settings = ChatKit.SignUpSettings();
        settings["Messenger:Queue:TooLongAfterUpdates"] = Math.Max(100_000, updates * 2).ToString();
        await using var server = await ServerProcess.StartAsync(options, settings);
        var devices = await ChatKit.SignUpAsync(
            server, "bench_catchup", senders + 1, keys => ChatKit.ClientOptions(server, keys, autoReceipt: false));
        var reader = devices[0];
        var writers = devices[1..];
        try
        {
            var startPts = (await reader.Client.GetStateAsync()).Pts;
            await reader.Client.DisposeAsync(); // offline: the log grows without it

            var peer = Peer.User(reader.UserId);
            long next = 0;
            long failed = 0;
            var fill = Stopwatch.StartNew();
            await Task.WhenAll(writers.SelectMany(w => Enumerable.Range(0, window).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) is var seq && seq <= updates)
                {
                    try
                    {
                        await w.Client.SendMessageAsync(peer, $"catch-up message {seq}");
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }))));
            var fillSeconds = fill.Elapsed.TotalSeconds;

            // Back online: the same device key signs it in at the handshake.
            reader.Client = await MessengerClient.ConnectAsync(ChatKit.ClientOptions(server, reader.Keys, autoReceipt: false));
            var endPts = (await reader.Client.GetStateAsync()).Pts;
            await reader.Client.GetDifferenceAsync(startPts, 1); // warms the call path (JIT), reads one update
            var pts = startPts;
            long served = 0;
            var calls = 0;
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var difference = await reader.Client.GetDifferenceAsync(pts, limit);
                calls++;
                if (difference.TooLong)
                {
                    throw new InvalidOperationException($"getDifference answered too_long at pts {pts} (raise Messenger:Queue:TooLongAfterUpdates)");
                }

                served += difference.Updates.Length;
                pts = difference.State.Pts;
                if (!difference.Slice)
                {
                    break;
                }
            }

            var catchUp = clock.Elapsed;

            // The same backlog through the SDK: the update stream replays it from the persisted pts as events.
            long events = 0;
            var sdkClock = Stopwatch.StartNew();
            await reader.Client.Events.StartAsync(reader.UserId, startPts);
            while (Volatile.Read(ref events) < served && await reader.Client.Events.Reader.WaitToReadAsync())
            {
                while (reader.Client.Events.Reader.TryRead(out var e))
                {
                    if (e is MessageReceived)
                    {
                        events++;
                    }
                }
            }

            var sdkSeconds = sdkClock.Elapsed.TotalSeconds;

            report.Figures["updates_per_sec"] = served / catchUp.TotalSeconds;
            report.Figures["time_to_caught_up_ms"] = catchUp.TotalMilliseconds;
            report.Figures["updates_served"] = served;
            report.Figures["log_growth"] = endPts - startPts;
            report.Figures["get_difference_calls"] = calls;
            report.Figures["sdk_events_per_sec"] = events / sdkSeconds;
            report.Figures["fill_sends_per_sec"] = (updates - failed) / fillSeconds;
            report.Figures["fill_errors"] = failed;
            if (server.RssKiB() is { } kib)
            {
                report.Figures["server_rss_mb"] = kib / 1024.0;
            }

            report.Notes.Add("updates_per_sec: updates.getDifference slices (raw calls, one at a time) from the first call until slice=false (after one limit-1 call to warm the path)");
            report.Notes.Add("sdk_events_per_sec: the same backlog again through UpdateStream (getDifference + ordering + MessageReceived events)");
            report.Notes.Add("fill: how fast the senders filled the offline user's log (messages.send, both logs appended per message)");
            report.Notes.Add($"server setting changed: Messenger:Queue:TooLongAfterUpdates={settings["Messenger:Queue:TooLongAfterUpdates"]}");
        }
        finally
        {
            await ChatKit.DisposeAllAsync(devices);
        }

        return report;
    }
}
