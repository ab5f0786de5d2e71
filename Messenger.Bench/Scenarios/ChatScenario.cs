using System.Diagnostics;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Private chat end to end: N devices (<c>--connections</c>, default 1000) of N users in pairs, each sending to its
/// partner with W messages in flight (<c>--window</c>, default 4) or at a fixed total rate (<c>--rate</c>), for the
/// duration after a warm-up (<c>--warmup</c>, default 30 s: the host's tiered JIT still recompiles hot methods 10–20 s
/// after it starts, on ≈ 13 % of its CPU in a profile at 4,400 messages/s, which a 5 s warm-up left in the measured
/// window). Delivered messages per second, send→deliver latency
/// (HdrHistogram), errors, lost and duplicated messages, the server's CPU and RSS; and the bare SignalR echo at the
/// same N and W in the same run (<c>--echo 0</c> skips it) for <c>ratio</c>. Automatic receipts are off unless
/// <c>--receipts 1</c>.
/// </summary>
internal static class ChatScenario
{
    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var connections = options.Int("connections", 1000);
        var window = options.Int("window", 4);
        var rate = options.Get("rate") is not null ? options.Double("rate", 0) : (double?)null;
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 30));
        var grace = TimeSpan.FromSeconds(options.Double("grace", 10));
        var receipts = options.Int("receipts", 0) != 0;
        var report = new BenchReport("chat");
        report.Parameters["connections"] = connections;
        report.Parameters["mode"] = rate is { } r ? $"open loop, {r:0} msgs/s in total" : $"closed loop, window {window}";
        report.Parameters["duration_s"] = options.Duration.TotalSeconds;
        report.Parameters["warmup_s"] = warmup.TotalSeconds;
        report.Parameters["auto_receipts"] = receipts;

        double? echo = null;
        if (options.Int("echo", 1) != 0)
        {
            await using var echoServer = await EchoServer.StartAsync();
            echo = await echoServer.MeasureAsync(connections, window, options.Duration, warmup);
        }

        await using var server = await ServerProcess.StartAsync(options, ChatKit.SignUpSettings());
        var signUp = Stopwatch.StartNew();
        var devices = await ChatKit.SignUpAsync(
            server, "bench_chat", connections, keys => ChatKit.ClientOptions(server, keys, autoReceipt: receipts));
        var signUpSeconds = signUp.Elapsed.TotalSeconds;
        try
        {
            var traffic = new ChatTraffic(devices, retry: false);
            await traffic.StartReadersAsync();
            var senders = traffic.StartSenders(window, rate);
            await Task.Delay(warmup);

            var cpuBefore = server.CpuTime();
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            traffic.BeginWindow();
            var clock = Stopwatch.StartNew();
            await Task.Delay(options.Duration);
            traffic.EndWindow();
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuAfter = server.CpuTime();
            var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore;
            var rss = server.RssKiB();

            traffic.Stop();
            await senders;
            await traffic.WaitForDeliveriesAsync(grace);

            var latencies = traffic.Latencies();
            var delivered = traffic.DeliveredInWindow / seconds;
            report.Figures["delivered_per_sec"] = delivered;
            report.Figures["acked_per_sec"] = traffic.AckedInWindow / seconds;
            if (echo is { } echoRate)
            {
                report.Figures["echo_per_sec"] = echoRate;
                report.Figures["ratio"] = delivered / echoRate;
            }

            report.Figures["p50_ms"] = latencies.GetValueAtPercentile(50) / 1000.0;
            report.Figures["p99_ms"] = latencies.GetValueAtPercentile(99) / 1000.0;
            report.Figures["p999_ms"] = latencies.GetValueAtPercentile(99.9) / 1000.0;
            report.Figures["max_ms"] = latencies.GetValueAtPercentile(100) / 1000.0;
            var acks = traffic.AckLatencies();
            report.Figures["ack_p50_ms"] = acks.GetValueAtPercentile(50) / 1000.0;
            report.Figures["ack_p99_ms"] = acks.GetValueAtPercentile(99) / 1000.0;
            var lags = traffic.StartLags();
            report.Figures["start_lag_p99_ms"] = lags.GetValueAtPercentile(99) / 1000.0;
            report.Figures["start_lag_max_ms"] = lags.GetValueAtPercentile(100) / 1000.0;
            report.Figures["acknowledged"] = traffic.Acknowledged;
            report.Figures["errors"] = traffic.Errors;
            report.Figures["lost"] = traffic.Missing;
            report.Figures["duplicated"] = traffic.Duplicated;
            if (cpuBefore is { } before && cpuAfter is { } after)
            {
                report.Figures["server_cpu_pct"] = 100 * (after - before).TotalSeconds / seconds;
            }

            report.Figures["bench_cpu_pct"] = 100 * benchCpu.TotalSeconds / seconds;
            if (rss is { } kib)
            {
                report.Figures["server_rss_mb"] = kib / 1024.0;
            }

            report.Figures["sign_up_s"] = signUpSeconds;
            report.Labels["synchronous"] = "FULL (server default)";
            report.Notes.Add("delivered: distinct messages whose MessageReceived event reached the partner during the measured window; latency: send start (or scheduled time with --rate) → event");
            report.Notes.Add("ack: send start (or scheduled time) → the send's result; start_lag: scheduled time → the bench starting the send (its own timers and pauses)");
            report.Notes.Add($"lost: acknowledged messages never seen by the receiver within {grace.TotalSeconds:0} s after the senders stopped; duplicated: seen twice");
            if (echo is not null)
            {
                report.Notes.Add("echo: bare SignalR hub in this process echoing 200-byte MessagePack payloads, same connections and window");
            }

            report.Notes.Add("server_cpu_pct: the child's utime+stime over the window, in % of one core; bench_cpu_pct: the same for this process (the clients); both share the machine's cores");
        }
        finally
        {
            await ChatKit.DisposeAllAsync(devices);
        }

        return report;
    }
}
