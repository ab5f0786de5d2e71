using System.Diagnostics;
using Messenger.Client;
using Messenger.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Sign-ins per second and their latency at the configured Argon2id cost: the real host in this process, C clients
/// (default 100) that each connect as a new device and sign in, over and over, for the duration. Also one sign-in
/// at a time (the cost a user feels on an idle server) and the process's peak memory.
/// </summary>
internal static class LoginScenario
{
    private const string Password = "bench password 1234";

    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var concurrency = options.Int("concurrency", 100);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .Build();
        var hash = configuration.GetSection("Messenger:Session:PasswordHash");
        var iterations = options.Get("iterations") ?? hash["Iterations"] ?? "3";
        var memoryKiB = options.Get("memory-kib") ?? hash["MemoryKiB"] ?? "65536";
        var maxConcurrent = options.Get("max-concurrent") ?? hash["MaxConcurrent"] ?? "2";
        var report = new BenchReport("login");
        report.Parameters["concurrency"] = concurrency;
        report.Parameters["duration_s"] = options.Duration.TotalSeconds;
        report.Parameters["argon2id_iterations"] = int.Parse(iterations);
        report.Parameters["argon2id_memory_kib"] = int.Parse(memoryKiB);
        report.Parameters["max_concurrent_hashes"] = int.Parse(maxConcurrent);

        var directory = Path.Combine(Path.GetTempPath(), $"messenger-bench-{Guid.NewGuid():N}");
        var app = MessengerApp.Build([], new Dictionary<string, string?>
        {
            ["Messenger:Urls"] = "http://127.0.0.1:0",
            ["Messenger:DataDirectory"] = directory,
            ["Messenger:Logging:MinimumLevel"] = "Warning",
            ["Messenger:Session:PasswordHash:Iterations"] = iterations,
            ["Messenger:Session:PasswordHash:MemoryKiB"] = memoryKiB,
            ["Messenger:Session:PasswordHash:MaxConcurrent"] = maxConcurrent,
            ["Messenger:Session:RegistrationsPerAddress"] = "1000000",
            ["Messenger:Session:SignInFailuresPerAddress"] = "100000",
        });
        try
        {
            await app.StartMessengerAsync();
            var server = new Server(
                new Uri(app.ListeningAddresses().First()),
                Convert.FromHexString(File.ReadAllText(Path.Combine(directory, "server.pub")).Trim()));
            await using (var registrar = await server.ConnectAsync())
            {
                await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => registrar.RegisterAsync(Username(i), Password, $"Bench {i}")));
            }

            var single = await MeasureAsync(server, workers: 1, TimeSpan.FromSeconds(Math.Min(5, options.Duration.TotalSeconds)));
            var crowd = await MeasureAsync(server, concurrency, options.Duration);
            report.Figures["signins_per_sec"] = crowd.PerSecond;
            report.Figures["p50_ms"] = crowd.P50Ms;
            report.Figures["p99_ms"] = crowd.P99Ms;
            report.Figures["single_signin_p50_ms"] = single.P50Ms;
            report.Figures["single_signin_p99_ms"] = single.P99Ms;
            report.Figures["peak_rss_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            report.Notes.Add("server and clients share this process: peak_rss_mb is both; the clients' share is small (one SignalR connection each)");
            report.Notes.Add($"latency is the auth.signIn call alone; at {concurrency} at once it is mostly the wait for a hashing slot");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return report;
    }

    private static string Username(int i) => $"bench_user_{i:D5}";

    private static async Task<Result> MeasureAsync(Server server, int workers, TimeSpan duration)
    {
        var latencies = new List<double>[workers];
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (stopwatch.Elapsed < duration)
            {
                await using var device = await server.ConnectAsync();
                var started = Stopwatch.GetTimestamp();
                await device.SignInAsync(Username(worker), Password, $"Bench device {worker}", "bench");
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed record Result(double PerSecond, double P50Ms, double P99Ms);

    private sealed record Server(Uri Url, byte[] PublicKey)
    {
        public Task<MessengerClient> ConnectAsync() => MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = Url,
            ServerPublicKey = PublicKey,
            DeviceKeys = new InMemoryDeviceKeyStore(),
            CallTimeout = TimeSpan.FromMinutes(2),
        });
    }
}
