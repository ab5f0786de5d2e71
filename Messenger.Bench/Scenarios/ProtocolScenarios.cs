using System.Diagnostics;
using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;

namespace Messenger.Bench.Scenarios;

/// <summary>The protocol scenarios: handshakes per second, help.ping round trips against a bare SignalR echo, and
/// server memory per idle connection. The server is the real host in a child process (or <c>--url</c>).</summary>
internal static class ProtocolScenarios
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    public static async Task<BenchReport> HandshakeAsync(BenchOptions options)
    {
        var parallel = options.Int("connections", 64);
        var client = options.Get("client") ?? "lean";
        if (client is not ("lean" or "sdk"))
        {
            throw new ArgumentException($"--client is lean or sdk, not '{client}'");
        }

        var report = new BenchReport("handshake");
        report.Parameters["parallel"] = parallel;
        report.Labels["client"] = client;
        report.Parameters["duration_s"] = options.Duration.TotalSeconds;
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 30));
        report.Parameters["warmup_s"] = warmup.TotalSeconds;
        await using var server = await ServerProcess.StartAsync(options);

        // The same loop first for --warmup seconds, not counted: both processes start cold, and the connection path
        // (Kestrel, SignalR, WebSockets: hundreds of async state machines) goes on being recompiled at higher tiers
        // for tens of seconds. 10 to 15 s in, the JIT still took 13-14 % of each process's CPU (perf, 2026-12-02), and
        // the rate measured after 5 s of warm-up was 600/s against 1,072/s after 30 s.
        await ConnectLoopAsync(server, client, parallel, warmup);
        var serverCpuBefore = server.CpuTime();
        var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var handshakes = (await ConnectLoopAsync(server, client, parallel, options.Duration)).Sum();
        report.Figures["handshakes_per_sec"] = handshakes / clock.Elapsed.TotalSeconds;

        // CPU time per handshake of each process: what a connection costs, whatever else the machine was doing.
        if (server.CpuTime() - serverCpuBefore is { } serverCpu)
        {
            report.Figures["server_cpu_us_per_handshake"] = serverCpu.TotalMicroseconds / handshakes;
        }

        report.Figures["client_cpu_us_per_handshake"] = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalMicroseconds / handshakes;
        report.Figures["noise_responder_per_core_per_sec"] = NoiseResponderRate(TimeSpan.FromSeconds(3));
        report.Notes.Add(client == "lean"
            ? "client lean: each handshake a raw WebSocket (negotiation skipped), SignalR's messagepack handshake, Noise IK through the hub's Handshake, "
                + "the SDK's first frame (a ping on a new session) and the server's pong opened, then a clean close"
            : "client sdk: each handshake a MessengerClient.ConnectAsync (SignalR WebSocket, negotiation skipped, Noise IK), then disposed");
        report.Notes.Add("noise_responder_per_core_per_sec: the server's half of the IK handshake alone (4 DH + 1 key generation), one thread, no I/O");
        report.Notes.Add("cpu_us_per_handshake: utime+stime of the server (child) and of this process (the clients) over the window, per handshake");
        return report;
    }

    /// <summary>New connections (each with its handshake) of the SDK or of <see cref="LeanConnection"/>,
    /// <paramref name="parallel"/> at a time, for <paramref name="duration"/>; the count of each lane.</summary>
    private static async Task<long[]> ConnectLoopAsync(ServerProcess server, string client, int parallel, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        // A connection under way when the time is up completes and counts, as the SDK's do; one that hangs fails the run
        // after the SDK's ConnectTimeout.
        using var hung = new CancellationTokenSource(duration + ConnectTimeout);
        var token = stop.Token;
        var hub = LeanConnection.HubUri(server.Url);
        return await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            long done = 0;
            while (!token.IsCancellationRequested)
            {
                if (client == "lean")
                {
                    await LeanConnection.HandshakeAsync(hub, server.PublicKey, hung.Token);
                }
                else
                {
                    await using var connection = await MessengerClient.ConnectAsync(Options(server, autoReconnect: false));
                }

                done++;
            }

            return done;
        }));
    }

    /// <summary>The server side of the Noise IK handshake alone, on one thread: its ceiling per core.</summary>
    private static double NoiseResponderRate(TimeSpan duration)
    {
        var server = NoiseKeyPair.Generate();
        var messages = Enumerable.Range(0, 64).Select(_ =>
            new HandshakeState(HandshakePattern.IK, true, ProtocolConstants.PrologueBytes, NoiseKeyPair.Generate(), server.PublicKey).WriteMessage([])).ToArray();
        var clock = Stopwatch.StartNew();
        long done = 0;
        while (clock.Elapsed < duration)
        {
            var responder = new HandshakeState(HandshakePattern.IK, false, ProtocolConstants.PrologueBytes, server);
            responder.ReadMessage(messages[done % messages.Length]);
            responder.WriteMessage(new byte[16]);
            responder.Split();
            done++;
        }

        return done / clock.Elapsed.TotalSeconds;
    }

    public static async Task<BenchReport> RpcAsync(BenchOptions options)
    {
        var connections = options.Int("connections", 100);
        var window = options.Int("window", 32);
        var report = new BenchReport("rpc");
        report.Parameters["connections"] = connections;
        report.Parameters["window"] = window;
        report.Parameters["duration_s"] = options.Duration.TotalSeconds;
        report.Parameters["echo_payload_bytes"] = 200;

        // Both sides run their loop for --warmup seconds first, not counted: a profile 5 s into a cold run had the
        // server's JIT and runtime at half its samples (methods still at the instrumented tier), so a cold figure
        // measures the compiler. The echo gets the same warm-up. After 5 s the ratio was 0.57-0.66, after 15 s
        // 0.66-0.79 (2026-12-02).
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 15));
        report.Parameters["warmup_s"] = warmup.TotalSeconds;
        await using (var echo = await EchoServer.StartAsync())
        {
            report.Figures["echo_per_sec"] = await echo.MeasureAsync(connections, window, options.Duration, warmup);
        }

        await using var server = await ServerProcess.StartAsync(options);
        var clients = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => MessengerClient.ConnectAsync(Options(server, autoReconnect: false))));
        try
        {
            async Task<double> CallsPerSecondAsync(TimeSpan duration)
            {
                using var stop = new CancellationTokenSource(duration);
                var clock = Stopwatch.StartNew();
                var counts = await Task.WhenAll(clients.SelectMany(client => Enumerable.Range(0, window).Select(async slot =>
                {
                    long done = 0;
                    while (!stop.IsCancellationRequested)
                    {
                        await client.CallAsync(new PingCall(slot));
                        done++;
                    }

                    return done;
                })));
                return counts.Sum() / clock.Elapsed.TotalSeconds;
            }

            await Task.WhenAll(clients.Select(c => c.CallAsync(new PingCall(0))));
            if (warmup > TimeSpan.Zero)
            {
                await CallsPerSecondAsync(warmup);
            }

            report.Figures["calls_per_sec"] = await CallsPerSecondAsync(options.Duration);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }

        report.Figures["ratio"] = report.Figures["calls_per_sec"] / report.Figures["echo_per_sec"];
        report.Notes.Add("echo: a bare SignalR hub in this process returning each 200-byte MessagePack payload, same connections and window");
        return report;
    }

    public static async Task<BenchReport> IdleAsync(BenchOptions options)
    {
        var connections = options.Int("connections", 10_000);
        var report = new BenchReport("idle");
        report.Parameters["connections"] = connections;
        await using var server = await ServerProcess.StartAsync(options);
        if (!server.IsChild)
        {
            throw new InvalidOperationException("idle measures the server's RSS from /proc: run it without --url");
        }

        // A few connections first, so the baseline includes the JIT-ed protocol path and its pools.
        var warm = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => MessengerClient.ConnectAsync(Options(server, autoReconnect: false))));
        await Task.WhenAll(warm.Select(c => c.CallAsync(new PingCall(0))));
        await Task.Delay(2000);
        var before = server.RssKiB()!.Value;

        var clients = new List<MessengerClient>(connections);
        using var gate = new SemaphoreSlim(64);
        var clock = Stopwatch.StartNew();
        var created = await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                var client = await MessengerClient.ConnectAsync(Options(server, autoReconnect: false));
                await client.CallAsync(new PingCall(1));
                return client;
            }
            finally
            {
                gate.Release();
            }
        }));
        clients.AddRange(created);
        var connectSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(options.Double("settle", 10)));
        var after = server.RssKiB()!.Value;

        report.Figures["rss_kb_before"] = before;
        report.Figures["rss_kb_after"] = after;
        report.Figures["rss_kb_per_connection"] = (after - before) / (double)connections;
        report.Figures["connect_seconds"] = connectSeconds;
        report.Notes.Add("each connection: SignalR WebSocket, Noise handshake, one help.ping (session bound), then idle");
        await Task.WhenAll(clients.Concat(warm).Select(c => c.DisposeAsync().AsTask()));
        return report;
    }

    private static MessengerClientOptions Options(ServerProcess server, bool autoReconnect) => new()
    {
        ServerUrl = server.Url,
        ServerPublicKey = server.PublicKey,
        AutoReconnect = autoReconnect,
        ConnectTimeout = ConnectTimeout,
        CallTimeout = TimeSpan.FromSeconds(60),
        ConfigureTransport = ServerProcess.WebSocketsOnly,
    };
}
