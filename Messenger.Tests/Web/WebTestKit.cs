using System.Net;
using System.Net.Sockets;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Web;

/// <summary>Hosts that serve the built web client (wwwroot/ beside the test binaries, copied there by the host's build).</summary>
internal static class WebTestKit
{
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>The app's script, as the built index.html names it (older hashed files of earlier builds may lie beside it).</summary>
    public static string BuiltScript()
    {
        var index = File.ReadAllText(Path.Combine(WebRoot, "index.html"));
        var name = System.Text.RegularExpressions.Regex.Match(index, "src=\"/assets/([^\"]+\\.js)\"").Groups[1].Value;
        return Path.Combine(WebRoot, "assets", name);
    }

    public static string WebClientSources => Path.Combine(RepositoryPaths.Root, "Clients", "web");

    /// <summary>
    /// A free port below the kernel's ephemeral range, for a host a test stops and starts again at the same address (a
    /// page keeps its origin). A socket bound to port 0 — another test's host, any outgoing connection — is given a port
    /// from the ephemeral range only, so none of those can take this one in the gap (a socket bound to a port chosen
    /// the same way still could, one chance in thousands).
    /// </summary>
    public static int RestartablePort()
    {
        var ephemeralLow = 32_768;
        if (File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            && int.TryParse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var low))
        {
            ephemeralLow = low;
        }

        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Math.Min(10_000, ephemeralLow / 2), ephemeralLow);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException($"No free port below {ephemeralLow} after 200 tries.");
    }

    /// <param name="dataDirectory">Kept by the caller (a restart reuses it); a temporary one by default.</param>
    /// <param name="port">A fixed port (a restart reuses the first one's); any free port by default.</param>
    /// <param name="settings">More configuration keys (e.g. <c>Messenger:Backup:Directory</c>).</param>
    public static Task<TestHost> StartHostAsync(
        Action<IServiceCollection>? configureServices = null, string? dataDirectory = null, int port = 0,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        if (!File.Exists(Path.Combine(WebRoot, "index.html")))
        {
            throw new InvalidOperationException(
                $"The built web client is missing at {WebRoot}: build the tests without -p:SkipWebClient=true and with Node.js and npm on PATH.");
        }

        // Browsers register many accounts from 127.0.0.1; hashing is made cheap as in the other integration tests.
        var all = new Dictionary<string, string?>
        {
            ["Messenger:Urls"] = $"http://127.0.0.1:{port}",
            ["Messenger:Session:PasswordHash:Iterations"] = "3",
            ["Messenger:Session:PasswordHash:MemoryKiB"] = "1024",
            ["Messenger:Session:RegistrationsPerAddress"] = "10000",
            ["Messenger:Session:SignInFailuresPerAddress"] = "10000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return TestHost.StartAsync(dataDirectory, settings: all, configureServices: configureServices);
    }
}
