using System.Diagnostics;
using System.Globalization;
using Messenger.Client;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Crash safety under load: chat traffic between <c>--connections</c> devices in pairs (default 100, window 2) for
/// the duration (default 30 s) while the child host is killed with SIGKILL <c>--kills</c> times (default 3) at random
/// moments and restarted on the same data directory and port after <c>--down</c> ms (default 500). The SDK reconnects
/// by itself and resends unanswered calls; a send that still fails (timeout, connection) is retried with the same
/// random_id. At the end every acknowledged message must be in the recipient's history exactly once (getHistory
/// paging, with the id the send returned) and must have reached the recipient as an event (push or getDifference).
/// </summary>
internal static class CrashScenario
{
    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var connections = options.Int("connections", 100);
        var window = options.Int("window", 2);
        var duration = TimeSpan.FromSeconds(options.Double("duration", 30));
        var kills = options.Int("kills", 3);
        var down = TimeSpan.FromMilliseconds(options.Double("down", 500));
        var grace = TimeSpan.FromSeconds(options.Double("grace", 60));
        var seed = options.Int("seed", Environment.TickCount);
        var settle = TimeSpan.FromSeconds(options.Double("settle", 2));
        var callTimeout = TimeSpan.FromSeconds(options.Double("call-timeout", 3));
        var report = new BenchReport("crash");
        report.Parameters["connections"] = connections;
        report.Parameters["window"] = window;
        report.Parameters["duration_s"] = duration.TotalSeconds;
        report.Parameters["kills"] = kills;
        report.Parameters["down_ms"] = down.TotalMilliseconds;
        report.Parameters["call_timeout_s"] = callTimeout.TotalSeconds;
        report.Parameters["seed"] = seed;

        await using var server = await ServerProcess.StartAsync(options, ChatKit.SignUpSettings());
        if (!server.IsChild)
        {
            throw new InvalidOperationException("crash kills the server: run it without --url");
        }

        var devices = await ChatKit.SignUpAsync(
            server, "bench_crash", connections,
            keys => ChatKit.ClientOptions(server, keys, autoReceipt: false, autoReconnect: true, callTimeout: callTimeout));
        try
        {
            var traffic = new ChatTraffic(devices, retry: true);
            await traffic.StartReadersAsync();
            var senders = traffic.StartSenders(window, rate: null);

            // Kill moments: random, between 15% and 85% of the run, in order; each at least --settle seconds (default 2)
            // after the clients came back from the previous one, and the run goes on as long after the last.
            var random = new Random(seed);
            var moments = Enumerable.Range(0, kills)
                .Select(_ => TimeSpan.FromSeconds(duration.TotalSeconds * (0.15 + 0.7 * random.NextDouble())))
                .Order()
                .ToArray();
            var clock = Stopwatch.StartNew();
            var restartMs = new List<double>();
            var killedAt = new List<string>();
            var settled = TimeSpan.Zero;
            foreach (var moment in moments)
            {
                var at = moment > settled ? moment : settled;
                if (at > clock.Elapsed)
                {
                    await Task.Delay(at - clock.Elapsed);
                }

                var ackedBefore = traffic.Acknowledged;
                await server.KillAsync();
                killedAt.Add($"{clock.Elapsed.TotalSeconds:0.0}s ({ackedBefore:N0} acked)");
                await Task.Delay(down);
                var restart = Stopwatch.StartNew();
                await server.RestartAsync();
                restartMs.Add(restart.Elapsed.TotalMilliseconds);
                settled = await WaitForTrafficAsync(devices, traffic, clock) + settle;
            }

            var end = duration > settled ? duration : settled;
            if (end > clock.Elapsed)
            {
                await Task.Delay(end - clock.Elapsed);
            }

            report.Figures["run_s"] = clock.Elapsed.TotalSeconds;
            traffic.Stop();
            await senders; // every send gets its result (retries included) before the check
            await traffic.WaitForDeliveriesAsync(grace);
            var missingEvents = traffic.Missing;

            var (inHistory, missingInHistory, duplicatedInHistory, wrongIds) = await CheckHistoryAsync(devices, traffic);

            report.Figures["kills"] = kills;
            report.Figures["acknowledged"] = traffic.Acknowledged;
            report.Figures["lost"] = Math.Max(missingEvents, missingInHistory);
            report.Figures["duplicated"] = duplicatedInHistory + traffic.Duplicated;
            report.Figures["not_delivered_as_event"] = missingEvents;
            report.Figures["not_in_history"] = missingInHistory;
            report.Figures["duplicated_in_history"] = duplicatedInHistory;
            report.Figures["duplicated_events"] = traffic.Duplicated;
            report.Figures["history_id_mismatch"] = wrongIds;
            report.Figures["messages_in_history"] = inHistory;
            report.Figures["send_retries"] = traffic.Retries;
            report.Figures["resends_deduplicated"] = traffic.Deduplicated;
            report.Figures["send_errors"] = traffic.Errors;
            report.Figures["restart_ms_avg"] = restartMs.Count > 0 ? restartMs.Average() : 0;
            report.Figures["reconnects"] = devices.Sum(d => d.Client.ConnectionCount - 1);
            report.Labels["killed_at"] = string.Join(", ", killedAt);
            report.Notes.Add("SIGKILL (no shutdown); restart on the same data directory, port and server key; synchronous=FULL (default)");
            report.Notes.Add("lost: acknowledged but missing from the recipient's history or never seen as a MessageReceived event; duplicated: a message text stored (or seen) twice");
            report.Notes.Add($"send_retries: sends that failed (no answer within the {callTimeout.TotalSeconds:0} s call timeout, or a connection error) and were sent again with the same random_id; resends_deduplicated: retries the server answered with the message an earlier attempt had already stored (pts_count 0)");
        }
        finally
        {
            await ChatKit.DisposeAllAsync(devices);
        }

        return report;
    }

    // Until every client is connected again and messages are acknowledged again; returns the run's clock then.
    private static async Task<TimeSpan> WaitForTrafficAsync(Device[] devices, ChatTraffic traffic, Stopwatch clock)
    {
        var acked = traffic.Acknowledged;
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(60);
        while (clock.Elapsed < deadline && (devices.Any(d => !d.Client.IsConnected) || traffic.Acknowledged < acked + devices.Length))
        {
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    // Each receiver pages its chat with its partner (newest first) and counts the partner's messages by sequence.
    private static async Task<(long InHistory, long Missing, long Duplicated, long WrongIds)> CheckHistoryAsync(Device[] devices, ChatTraffic traffic)
    {
        long inHistory = 0, missing = 0, duplicated = 0, wrongIds = 0;
        foreach (var receiver in devices)
        {
            var sender = devices[receiver.Index ^ 1];
            var seen = new Dictionary<long, List<long>>();
            long offset = 0;
            while (true)
            {
                var page = await receiver.Client.GetHistoryAsync(Peer.User(sender.UserId), offset, 100);
                foreach (var message in page.Where(m => m.FromId == sender.UserId))
                {
                    var parts = message.Text.Split(' ');
                    var seq = long.Parse(parts[2], CultureInfo.InvariantCulture);
                    (seen.TryGetValue(seq, out var ids) ? ids : seen[seq] = []).Add(message.Id);
                }

                if (page.Length < 100)
                {
                    break;
                }

                offset = page[^1].Id;
            }

            inHistory += seen.Sum(s => s.Value.Count);
            duplicated += seen.Values.Sum(ids => ids.Count - 1);
            foreach (var (seq, id) in traffic.AckedBy(sender))
            {
                if (!seen.TryGetValue(seq, out var ids))
                {
                    missing++;
                }
                else if (!ids.Contains(id))
                {
                    wrongIds++;
                }
            }
        }

        return (inHistory, missing, duplicated, wrongIds);
    }
}
