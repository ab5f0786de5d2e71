using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Web;

/// <summary>Hosts that serve the built web client (wwwroot/ beside the test binaries, copied there by the host's build).</summary>
internal static class WebTestKit
{
    public static string WebRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static string WebClientSources => Path.Combine(RepositoryPaths.Root, "Clients", "web");

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
