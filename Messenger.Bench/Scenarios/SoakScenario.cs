using System.Diagnostics;
using System.Globalization;
using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Whether the server's memory stays flat under steady use. For <c>--duration</c> (default 600 s): chat traffic at
/// <c>--rate</c> (default 500 msgs/s in total) between <c>--connections</c> (default 200) devices in pairs, with automatic
/// receipts; and <c>--churn</c> (default 8) lanes, each with a user of its own, that again and again connect a device
/// that signed in before (a new session each time, as an app starting), make the calls an app makes on start (ping,
/// getState, getDialogs, getHistory, setTyping, one message to the next lane's user) and disconnect; every
/// <c>--new-device-every</c> (default 10) rounds a lane signs a new device in and out instead. Every <c>--sample</c>
/// seconds (30) it reads the server's RSS, threads and open files from /proc, its managed heap after the last
/// collection (its Prometheus endpoint) and the size of its data files. After the <c>--warmup</c> (120 s, the first
/// sample counted) it reports the first, last and highest figures and the slope of RSS and heap (least squares, MB an
/// hour), and the chat's lost and duplicated messages.
/// </summary>
internal static class SoakScenario
{
    private const string MetricsPath = "/metrics";

    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var connections = options.Int("connections", 200);
        var rate = options.Double("rate", 500);
        var churnLanes = options.Int("churn", 8);
        var newDeviceEvery = options.Int("new-device-every", 10);
        var duration = TimeSpan.FromSeconds(options.Double("duration", 600));
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 120));
        var sampleEvery = TimeSpan.FromSeconds(options.Double("sample", 30));
        var report = new BenchReport("soak");
        report.Parameters["connections"] = connections;
        report.Parameters["rate"] = rate;
        report.Parameters["churn_lanes"] = churnLanes;
        report.Parameters["new_device_every"] = newDeviceEvery;
        report.Parameters["duration_s"] = duration.TotalSeconds;
        report.Parameters["warmup_s"] = warmup.TotalSeconds;

        var settings = ChatKit.SignUpSettings();
        settings["Messenger:Metrics:PrometheusPath"] = MetricsPath;
        await using var server = await ServerProcess.StartAsync(options, settings);
        if (server.Pid is null)
        {
            throw new InvalidOperationException("soak reads the server's /proc: it needs the child server (no --url)");
        }

        var devices = await ChatKit.SignUpAsync(server, "bench_soak", connections, keys => ChatKit.ClientOptions(server, keys, autoReceipt: true));
        var lanes = await ChatKit.SignUpAsync(server, "bench_churn", churnLanes, keys => ChatKit.ClientOptions(server, keys, autoReceipt: true));
        await ChatKit.DisposeAllAsync(lanes); // each lane connects again and again with its device's key
        var samples = new List<Sample>();
        var churn = new ChurnCounts();
        var traffic = new ChatTraffic(devices, retry: false);
        using var stop = new CancellationTokenSource();
        try
        {
            await traffic.StartReadersAsync();
            traffic.BeginWindow();
            var senders = traffic.StartSenders(window: 1, rate);
            var churning = Task.WhenAll(lanes.Select(lane => ChurnAsync(server, lane, lanes[(lane.Index + 1) % lanes.Length], newDeviceEvery, churn, stop.Token)));

            using var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                await Task.Delay(sampleEvery);
                samples.Add(await SampleAsync(server, http, clock.Elapsed));
                var last = samples[^1];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {last.At.TotalSeconds,6:0} s  rss {last.RssMb,7:0.0} MB  heap {last.HeapMb,7:0.0} MB  threads {last.Threads,3}  files {last.Files,5}  db {last.DatabaseMb,7:0.0} MB  wal {last.WalMb,6:0.0} MB  churn rounds {churn.Rounds}"));
            }

            stop.Cancel();
            traffic.Stop();
            traffic.EndWindow();
            await senders;
            await churning;
            await traffic.WaitForDeliveriesAsync(TimeSpan.FromSeconds(10));

            var counted = samples.Where(s => s.At >= warmup).ToList();
            if (counted.Count < 2)
            {
                throw new InvalidOperationException("fewer than two samples after the warm-up: make --duration longer than --warmup + 2 × --sample");
            }

            Figures(report, "rss_mb", counted.Select(s => (s.At, (double?)s.RssMb)).ToList());
            Figures(report, "heap_mb", counted.Select(s => (s.At, s.HeapMb)).ToList());
            report.Figures["threads_first"] = counted[0].Threads;
            report.Figures["threads_last"] = counted[^1].Threads;
            report.Figures["files_first"] = counted[0].Files;
            report.Figures["files_last"] = counted[^1].Files;
            report.Figures["database_mb_last"] = counted[^1].DatabaseMb;
            report.Figures["acknowledged"] = traffic.Acknowledged;
            report.Figures["errors"] = traffic.Errors;
            report.Figures["lost"] = traffic.Missing;
            report.Figures["duplicated"] = traffic.Duplicated;
            report.Figures["churn_rounds"] = churn.Rounds;
            report.Figures["churn_new_devices"] = churn.NewDevices;
            report.Figures["churn_errors"] = churn.Errors;
            if (churn.FirstError is { } first)
            {
                report.Notes.Add($"first churn error: {first}");
            }

            report.Parameters["samples"] = samples.Select(s => s.ToString()).ToArray();
            report.Notes.Add("rss: the server's VmRSS; heap: its managed heap after the last collection (dotnet.gc.last_collection.heap.size, all generations, from its Prometheus endpoint)");
            report.Notes.Add("*_slope_mb_per_hour: least squares over the samples after the warm-up; *_first is the first of them; *_floor_*: the lowest sample of the first and of the last third of them (what survives the collections)");
            report.Notes.Add("lost / duplicated: the chat traffic's acknowledged messages never or twice seen by the receiver (10 s grace)");
        }
        finally
        {
            // Also when a sample failed: the lanes and senders stop before the server does.
            stop.Cancel();
            traffic.Stop();
            await ChatKit.DisposeAllAsync(devices);
        }

        return report;
    }

    private static void Figures(BenchReport report, string name, List<(TimeSpan At, double? Value)> series)
    {
        var known = series.Where(s => s.Value is not null).Select(s => (X: s.At.TotalHours, Y: s.Value!.Value)).ToList();
        if (known.Count < 2)
        {
            report.Notes.Add($"{name}: not measured");
            return;
        }

        report.Figures[$"{name}_first"] = known[0].Y;
        report.Figures[$"{name}_last"] = known[^1].Y;
        report.Figures[$"{name}_max"] = known.Max(s => s.Y);

        // A collected heap is a sawtooth: what is left after the collections, the lowest samples, is what the server
        // keeps. The lowest of the first and of the last third of the samples tell a leak from where the teeth fell.
        var third = Math.Max(1, known.Count / 3);
        report.Figures[$"{name}_floor_first_third"] = known.Take(third).Min(s => s.Y);
        report.Figures[$"{name}_floor_last_third"] = known.TakeLast(third).Min(s => s.Y);
        var meanX = known.Average(s => s.X);
        var meanY = known.Average(s => s.Y);
        report.Figures[$"{name}_slope_mb_per_hour"] =
            known.Sum(s => (s.X - meanX) * (s.Y - meanY)) / known.Sum(s => (s.X - meanX) * (s.X - meanX));
    }

    /// <summary>One lane: its device connects, makes an app's start-up calls and goes, again and again.</summary>
    private static async Task ChurnAsync(ServerProcess server, Device lane, Device next, int newDeviceEvery, ChurnCounts counts, CancellationToken stop)
    {
        var peer = Peer.User(next.UserId);
        for (var round = 1; !stop.IsCancellationRequested; round++)
        {
            try
            {
                if (newDeviceEvery > 0 && round % newDeviceEvery == 0)
                {
                    // A new device of the lane's user signs in and out: an authorization made and ended.
                    await using var fresh = await MessengerClient.ConnectAsync(ChatKit.ClientOptions(server, new InMemoryDeviceKeyStore(), autoReceipt: false));
                    await fresh.SignInAsync($"bench_churn_{lane.Index:D5}", ChatKit.Password, $"Churn device {round}", "bench");
                    await fresh.GetStateAsync();
                    await fresh.SignOutAsync();
                    Interlocked.Increment(ref counts.NewDevices);
                }
                else
                {
                    await using var client = await MessengerClient.ConnectAsync(ChatKit.ClientOptions(server, lane.Keys, autoReceipt: true));
                    await client.CallAsync(new PingCall(round));
                    await client.Events.StartAsync(lane.UserId);
                    await client.GetDialogsAsync(limit: 20);
                    await client.GetHistoryAsync(peer, limit: 20);
                    await client.SetTypingAsync(peer);
                    await client.SendMessageAsync(peer, $"churn {lane.Index} {round}");
                }

                Interlocked.Increment(ref counts.Rounds);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref counts.FirstError, $"{e.GetType().Name}: {e.Message}", null);
                Interlocked.Increment(ref counts.Errors);
                await Task.Delay(100, CancellationToken.None);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    private static async Task<Sample> SampleAsync(ServerProcess server, HttpClient http, TimeSpan at)
    {
        var pid = server.Pid!.Value;
        var status = File.ReadAllLines($"/proc/{pid}/status");
        double Field(string name) =>
            double.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var directory = server.DataDirectory!;
        double Mb(string file) => File.Exists(Path.Combine(directory, file)) ? new FileInfo(Path.Combine(directory, file)).Length / 1048576.0 : 0;
        return new Sample(
            at, Field("VmRSS:") / 1024, await HeapMbAsync(http), (int)Field("Threads:"), Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count(),
            Mb("messenger.db"), Mb("messenger.db-wal"));
    }

    /// <summary>The managed heap after the last collection, all generations, in MiB; null if the endpoint did not say.</summary>
    private static async Task<double?> HeapMbAsync(HttpClient http)
    {
        try
        {
            var text = await http.GetStringAsync(MetricsPath);
            double? bytes = null;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes{", StringComparison.Ordinal))
                {
                    // name{labels} value [timestamp]
                    var value = line[(line.IndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    bytes = (bytes ?? 0) + double.Parse(value, CultureInfo.InvariantCulture);
                }
            }

            return bytes / 1048576.0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return null; // a scrape that failed or timed out is a sample without the heap, not the end of the run
        }
    }

    private sealed class ChurnCounts
    {
        public long Rounds;
        public long NewDevices;
        public long Errors;
        public string? FirstError;
    }

    private sealed record Sample(TimeSpan At, double RssMb, double? HeapMb, int Threads, int Files, double DatabaseMb, double WalMb)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{At.TotalSeconds:0} s: rss {RssMb:0.0} MB, heap {(HeapMb is { } heap ? heap.ToString("0.0", CultureInfo.InvariantCulture) : "n/a")} MB, threads {Threads}, files {Files}, db {DatabaseMb:0.0} MB, wal {WalMb:0.0} MB");
    }
}
