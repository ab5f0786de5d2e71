using System.Diagnostics;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Users;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Media: <c>upload</c> sends a generated file (default 2048 MiB, <c>--size MB</c>) through the SDK on loopback and
/// attaches it to a message (MB/s including the server's hash and store, and the server's peak RSS growth), then the
/// same file again (bytes the store gained: dedup makes it 0). <c>download</c> fetches the whole file back. Both use
/// media streams unless <c>--transport rpc</c> (parts and 1 MiB ranges as calls, <c>--parallel</c> in flight).
/// The server is the real host in a child process; the file lives in the temp directory and is deleted afterwards.
/// </summary>
internal static class MediaScenarios
{
    private const double MiB = 1024 * 1024;

    public static async Task<BenchReport> UploadAsync(BenchOptions options)
    {
        var report = new BenchReport("upload");
        await using var session = await Session.StartAsync(options, report);
        var size = session.File.Length;

        // A file of other content first, not counted: the server starts cold, and its first upload would otherwise also
        // measure the JIT (as the other scenarios warm up). After 128 MiB, the server's tiered-compilation thread still
        // took ≈ 1.6 CPU-s during the 2 GiB upload, and the server used 3.4-3.5 CPU-s per GiB against 2.4-2.5 after
        // 1,024 MiB (2026-12-02).
        var warmupMb = options.Int("warmup-mb", 1024);
        report.Parameters["warmup_mb"] = warmupMb;
        var beforeWarmup = session.Server.RssKiB() ?? 0;
        if (warmupMb > 0)
        {
            await session.UploadOtherFileAsync(warmupMb);
        }

        var baseline = session.Server.RssKiB() ?? 0;
        using var sampler = new RssSampler(session.Server);
        var cpu = CpuMeter.Start(session.Server);
        var clock = Stopwatch.StartNew();
        var input = await session.UploadAsync(session.File, "bench.bin");
        var uploaded = clock.Elapsed;
        await session.Alice.SendMediaAsync(session.BobPeer, input);
        var total = clock.Elapsed;
        var peak = await sampler.StopAsync();
        cpu.Report(report, size);

        var storeBefore = DirectoryBytes(session.Server.DataDirectory!, "media");
        session.File.Position = 0;
        await session.UploadAndSendAsync(session.File, "bench-again.bin");
        var storeAfter = DirectoryBytes(session.Server.DataDirectory!, "media");

        report.Figures["mb_per_sec"] = size / MiB / total.TotalSeconds;
        report.Figures["parts_only_mb_per_sec"] = size / MiB / uploaded.TotalSeconds;
        report.Figures["complete_ms"] = (total - uploaded).TotalMilliseconds;
        report.Figures["rss_growth_mb"] = Math.Max(0, peak - baseline) / 1024.0;
        report.Figures["rss_growth_incl_warmup_mb"] = Math.Max(0, peak - beforeWarmup) / 1024.0;
        report.Figures["reupload_bytes_added"] = storeAfter - storeBefore;
        report.Notes.Add("mb_per_sec: all parts sent and the message with the media stored (the server hashes the file and renames it into the store)");
        report.Notes.Add("rss_growth_mb: the server's peak resident set during the upload minus its RSS just before (sampled every 50 ms); _incl_warmup: minus its RSS before the warm-up upload (--warmup-mb, other content, not counted)");
        report.Notes.Add("reupload_bytes_added: growth of media/ after uploading and sending the same content again (dedup: 0)");
        return report;
    }

    public static async Task<BenchReport> DownloadAsync(BenchOptions options)
    {
        var report = new BenchReport("download");
        await using var session = await Session.StartAsync(options, report);
        var media = (await session.UploadAndSendAsync(session.File, "bench.bin")).Message.Media!;

        var baseline = session.Server.RssKiB() ?? 0;
        using var sampler = new RssSampler(session.Server);
        var cpu = CpuMeter.Start(session.Server);
        var clock = Stopwatch.StartNew();
        await session.Bob.DownloadFileAsync(media, Stream.Null, parallelism: session.Parallel, transport: session.Transport);
        var elapsed = clock.Elapsed;
        var peak = await sampler.StopAsync();
        cpu.Report(report, media.Size);

        report.Figures["mb_per_sec"] = media.Size / MiB / elapsed.TotalSeconds;
        report.Figures["rss_growth_mb"] = Math.Max(0, peak - baseline) / 1024.0;
        report.Notes.Add(session.Transport == MediaTransport.Rpc
            ? "the recipient downloads the whole file by 1 MiB upload.getFile ranges, written in order to a null stream"
            : "the recipient downloads the whole file as one media stream, written to a null stream");
        return report;
    }

    /// <summary>
    /// CPU seconds per GiB of the server and of the bench (the SDK client) during the measured part: a figure that does
    /// not depend on how busy the machine is, unlike MB/s on shared cores.
    /// </summary>
    private sealed class CpuMeter(ServerProcess server, TimeSpan serverStart, TimeSpan clientStart)
    {
        public static CpuMeter Start(ServerProcess server) =>
            new(server, server.CpuTime() ?? TimeSpan.Zero, Process.GetCurrentProcess().TotalProcessorTime);

        public void Report(BenchReport report, long bytes)
        {
            var gib = bytes / (1024.0 * MiB);
            report.Figures["server_cpu_s_per_gib"] = ((server.CpuTime() ?? TimeSpan.Zero) - serverStart).TotalSeconds / gib;
            report.Figures["client_cpu_s_per_gib"] = (Process.GetCurrentProcess().TotalProcessorTime - clientStart).TotalSeconds / gib;
            report.Figures["machine_load_1min"] = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static long DirectoryBytes(string root, string folder)
    {
        var directory = Path.Combine(root, folder);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
            : 0;
    }

    private sealed class Session : IAsyncDisposable
    {
        private readonly string _path;

        private Session(ServerProcess server, MessengerClient alice, MessengerClient bob, Peer bobPeer, FileStream file, string path, int parallel, MediaTransport transport)
        {
            Server = server;
            Alice = alice;
            Bob = bob;
            BobPeer = bobPeer;
            File = file;
            _path = path;
            Parallel = parallel;
            Transport = transport;
        }

        public ServerProcess Server { get; }

        public MessengerClient Alice { get; }

        public MessengerClient Bob { get; }

        public Peer BobPeer { get; }

        public FileStream File { get; }

        public int Parallel { get; }

        public MediaTransport Transport { get; }

        public static async Task<Session> StartAsync(BenchOptions options, BenchReport report)
        {
            var sizeMb = options.Int("size", 2048);
            var parallel = options.Int("parallel", 4);
            var transport = Enum.Parse<MediaTransport>(options.Get("transport") ?? nameof(MediaTransport.Stream), ignoreCase: true);
            report.Parameters["size_mb"] = sizeMb;
            report.Parameters["transport"] = transport.ToString().ToLowerInvariant();
            report.Parameters["parts_in_flight"] = transport == MediaTransport.Rpc ? parallel : 1;
            var path = TempFilePath();
            await Generate(path, sizeMb * 1024L * 1024L);
            var server = await ServerProcess.StartAsync(options);
            var alice = await SignedIn(server, "bench_alice");
            var bob = await SignedIn(server, "bench_bob");
            var bobId = (await alice.CallAsync(new SearchUsersCall("bench_bob"))).Users[0].Id;
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            return new Session(server, alice, bob, Peer.User(bobId), file, path, parallel, transport);
        }

        /// <summary>Uploads <paramref name="file"/> from where it stands, with the run's transport and parallelism.</summary>
        public Task<InputMedia> UploadAsync(Stream file, string name) =>
            Alice.UploadFileAsync(file, name, "application/octet-stream", parallelism: Parallel, transport: Transport);

        /// <summary>Uploads <paramref name="file"/> and sends it from Alice to Bob.</summary>
        public async Task<SentMessage> UploadAndSendAsync(Stream file, string name) =>
            await Alice.SendMediaAsync(BobPeer, await UploadAsync(file, name));

        private static string TempFilePath() => Path.Combine(Path.GetTempPath(), $"messenger-bench-{Guid.NewGuid():N}.bin");

        /// <summary>Uploads and sends a generated file of <paramref name="sizeMb"/> MiB whose content differs from
        /// <see cref="File"/>'s (so it neither dedups against it nor makes its re-upload look new).</summary>
        public async Task UploadOtherFileAsync(int sizeMb)
        {
            var path = TempFilePath();
            await Generate(path, sizeMb * 1024L * 1024L, seed: 7);
            try
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
                await UploadAndSendAsync(file, "warmup.bin");
            }
            finally
            {
                System.IO.File.Delete(path);
            }
        }

        // Pseudo-random content (incompressible, not sparse), written once per run.
        private static async Task Generate(string path, long size, int seed = 42)
        {
            var buffer = new byte[4 * 1024 * 1024];
            new Random(seed).NextBytes(buffer);
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            for (long written = 0, block = 0; written < size; block++)
            {
                BitConverter.TryWriteBytes(buffer, block);
                var count = (int)Math.Min(buffer.Length, size - written);
                await file.WriteAsync(buffer.AsMemory(0, count));
                written += count;
            }
        }

        private static async Task<MessengerClient> SignedIn(ServerProcess server, string username)
        {
            var client = await MessengerClient.ConnectAsync(new MessengerClientOptions
            {
                ServerUrl = server.Url,
                ServerPublicKey = server.PublicKey,
                ConnectTimeout = TimeSpan.FromSeconds(60),
                CallTimeout = TimeSpan.FromSeconds(120),
                ConfigureTransport = ServerProcess.WebSocketsOnly,
            });
            await client.RegisterAsync(username, "bench password 1234", username);
            await client.SignInAsync(username, "bench password 1234", "bench", "bench");
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await Alice.DisposeAsync();
            await Bob.DisposeAsync();
            await File.DisposeAsync();
            System.IO.File.Delete(_path);
            await Server.DisposeAsync();
        }
    }

    /// <summary>The server's peak RSS (KiB) while it runs.</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long> _loop;

        public RssSampler(ServerProcess server) => _loop = Task.Run(async () =>
        {
            long peak = 0;
            while (!_stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, server.RssKiB() ?? 0);
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return peak;
        });

        public async Task<long> StopAsync()
        {
            await _stop.CancelAsync();
            return await _loop;
        }

        public void Dispose() => _stop.Dispose();
    }
}
