using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Messenger.Client;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Messenger.Bench;

/// <summary>
/// The server under test: the real host started as a child process (Release build of Messenger.Host, temporary
/// data directory), or an existing server given with <c>--url</c> (then no RSS figures).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private Process? _process;
    private readonly string? _dataDirectory;
    private bool _keepData;

    private ServerProcess(Uri url, byte[] publicKey, Process? process, string? dataDirectory)
    {
        Url = url;
        PublicKey = publicKey;
        _process = process;
        _dataDirectory = dataDirectory;
    }

    public Uri Url { get; }

    public byte[] PublicKey { get; }

    public bool IsChild => _process is not null;

    /// <summary>The child's data directory (null for <c>--url</c>).</summary>
    public string? DataDirectory => _dataDirectory;

    /// <summary>The bench's clients go straight to a WebSocket: no negotiation round trip, no fallback transports.</summary>
    public static void WebSocketsOnly(HttpConnectionOptions http)
    {
        http.SkipNegotiation = true;
        http.Transports = HttpTransportType.WebSockets;
    }

    /// <summary>Starts the server (or attaches to <c>--url</c>); <paramref name="settings"/> are extra configuration
    /// keys (e.g. <c>Messenger:Queue:TooLongAfterUpdates</c>) given to the child as <c>--Key=value</c> arguments.</summary>
    public static async Task<ServerProcess> StartAsync(BenchOptions options, IReadOnlyDictionary<string, string>? settings = null)
    {
        using var http = new HttpClient();
        if (options.Get("url") is { } existing)
        {
            var url = new Uri(existing);
            var key = await ServerKeyPin.FetchAsync(url, http);
            return new ServerProcess(url, key, null, null);
        }

        var host = Path.Combine(RepositoryRoot(), "Messenger.Host", "bin", "Release", "net10.0", "Messenger.Host.dll");
        if (!File.Exists(host))
        {
            throw new InvalidOperationException($"{host} not found: run the bench with -c Release (it builds the host)");
        }

        var port = FreePort();
        // --data-dir: a data directory of the caller's (e.g. a seeded database), used as it is and kept afterwards.
        var dataDirectory = options.Get("data-dir") is { } given ? Path.GetFullPath(given) : Path.Combine(Path.GetTempPath(), $"messenger-bench-{Guid.NewGuid():N}");
        var arguments = new List<string>
        {
            host, $"--Messenger:Urls=http://127.0.0.1:{port}", $"--Messenger:DataDirectory={dataDirectory}",
            "--Messenger:Logging:MinimumLevel=Warning", $"--Messenger:Protocol:MaxCallsInFlight={options.Int("server-calls-in-flight", 4096)}",
            // Every bench connection comes from 127.0.0.1, up to 10,000 of them (idle).
            "--Messenger:Protocol:MaxConnectionsPerAddress=0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments.Add($"--{key}={value}");
        }

        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var started = Stopwatch.StartNew();
        var process = await LaunchAsync(arguments, baseUrl);
        var ready = started.Elapsed;
        var publicKey = Convert.FromHexString((await File.ReadAllTextAsync(Path.Combine(dataDirectory, "server.pub"))).Trim());
        return new ServerProcess(baseUrl, publicKey, process, dataDirectory)
        {
            _arguments = arguments, _keepData = options.Get("data-dir") is not null, StartupTime = ready,
        };
    }

    private List<string> _arguments = [];

    /// <summary>From launching the child to its first ready answer on <c>/health/ready</c> (zero for <c>--url</c>).</summary>
    public TimeSpan StartupTime { get; private init; }

    /// <summary>The child's process id (null for <c>--url</c>).</summary>
    public int? Pid => _process?.Id;

    /// <summary>Kills the child with SIGKILL (no shutdown, no flush): what a power cut or an OOM kill looks like.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("only a child server can be killed");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts the child again on the same data directory, port and key (after <see cref="KillAsync"/>).</summary>
    public async Task RestartAsync()
    {
        if (_process is null)
        {
            throw new InvalidOperationException("only a child server can be restarted");
        }

        _process.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                _process = await LaunchAsync(_arguments, Url);
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200); // e.g. the port not free yet
            }
        }
    }

    /// <summary>CPU time (user + system) the child has used so far, from /proc/&lt;pid&gt;/stat (child only).</summary>
    public TimeSpan? CpuTime()
    {
        if (_process is null)
        {
            return null;
        }

        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        // Fields after the command name (which is in parentheses and may hold spaces): state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    // USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
    private const int ClockTicksPerSecond = 100;

    private static async Task<Process> LaunchAsync(List<string> arguments, Uri baseUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[server] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(baseUrl, "/health/ready"))).IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline && !process.HasExited)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
                throw new InvalidOperationException("the server did not become ready");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The server's resident set size in KiB, from /proc (child process only).</summary>
    public long? RssKiB()
    {
        if (_process is null)
        {
            return null;
        }

        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Messenger.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Messenger.sln not found above the bench");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        if (_dataDirectory is not null && !_keepData && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
