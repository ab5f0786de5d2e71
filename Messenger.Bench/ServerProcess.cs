using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Messenger.Bench;

/// <summary>
/// The server under test: the real host started as a child process (Release build of Messenger.Host, temporary
/// data directory), or an existing server given with <c>--url</c> (then no RSS figures).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _dataDirectory;

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

    public static async Task<ServerProcess> StartAsync(BenchOptions options)
    {
        using var http = new HttpClient();
        if (options.Get("url") is { } existing)
        {
            var url = new Uri(existing);
            var key = Convert.FromHexString((await http.GetStringAsync(new Uri(url, "/.well-known/messenger/server-key"))).Trim());
            return new ServerProcess(url, key, null, null);
        }

        var host = Path.Combine(RepositoryRoot(), "Messenger.Host", "bin", "Release", "net10.0", "Messenger.Host.dll");
        if (!File.Exists(host))
        {
            throw new InvalidOperationException($"{host} not found: run the bench with -c Release (it builds the host)");
        }

        var port = FreePort();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"messenger-bench-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                host, $"--Messenger:Urls=http://127.0.0.1:{port}", $"--Messenger:DataDirectory={dataDirectory}",
                "--Messenger:Logging:MinimumLevel=Warning", $"--Messenger:Protocol:MaxCallsInFlight={options.Int("server-calls-in-flight", 4096)}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(baseUrl, "/health/ready"))).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the server did not become ready");
            }

            await Task.Delay(100);
        }

        var publicKey = Convert.FromHexString((await File.ReadAllTextAsync(Path.Combine(dataDirectory, "server.pub"))).Trim());
        return new ServerProcess(baseUrl, publicKey, process, dataDirectory);
    }

    /// <summary>CPU time the child server has used so far (user + system); null for <c>--url</c>.</summary>
    public TimeSpan? CpuTime()
    {
        if (_process is null)
        {
            return null;
        }

        _process.Refresh();
        return _process.TotalProcessorTime;
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

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
