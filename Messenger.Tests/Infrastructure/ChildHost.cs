using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Messenger.Client;

namespace Messenger.Tests.Infrastructure;

/// <summary>The built host run as a server in a child process on a data directory, so it can be killed with SIGKILL
/// (no shutdown, no drain: a power cut) and started again on the same directory and port.</summary>
internal sealed class ChildHost : IAsyncDisposable
{
    private readonly List<string> _arguments;
    private Process? _process;

    private ChildHost(string dataDirectory, Uri url, List<string> arguments)
    {
        DataDirectory = dataDirectory;
        Url = url;
        _arguments = arguments;
    }

    public string DataDirectory { get; }

    public Uri Url { get; }

    public static async Task<ChildHost> StartAsync(string dataDirectory)
    {
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        var host = new ChildHost(dataDirectory, url,
        [
            Path.Combine(AppContext.BaseDirectory, "Messenger.Host.dll"), $"--Messenger:Urls={url}", $"--Messenger:DataDirectory={dataDirectory}",
            "--Messenger:Logging:MinimumLevel=Warning", "--Messenger:Session:PasswordHash:Iterations=3", "--Messenger:Session:PasswordHash:MemoryKiB=1024",
            "--Messenger:Protocol:MaxConnectionsPerAddress=0",
            // Every test client comes from 127.0.0.1: the default 10 accounts an hour from one address would refuse a
            // test that makes more (FLOOD_WAIT).
            "--Messenger:Session:RegistrationsPerAddress=1000",
        ]);
        await host.StartAgainAsync();
        return host;
    }

    public MessengerClientOptions ClientOptions(IDeviceKeyStore keys) => new()
    {
        ServerUrl = Url,
        ServerPublicKey = Convert.FromHexString(File.ReadAllText(Path.Combine(DataDirectory, "server.pub")).Trim()),
        DeviceKeys = keys,
        SessionId = Random.Shared.NextInt64(1, long.MaxValue),
        CallTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>SIGKILL, and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the server (again) and waits until it is ready.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(new Uri(Url, "/health/ready"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await KillAsync();
                throw new InvalidOperationException($"the host on {DataDirectory} did not become ready");
            }

            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => new(KillAsync());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
