using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Messenger.Host;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Messenger.Tests.Host;

/// <summary>What stops a start after the configuration's values passed, said in one line for the operator (Program prints
/// it as a <c>Configuration error:</c> and exits 2) instead of an unhandled exception.</summary>
public sealed class StartupFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_WhenTheListenPortIsTaken_SaysSo()
    {
        using var directory = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var data = Path.Combine(directory.Path, "data");

        var error = await StartFailureAsync(data, new() { ["Messenger:Urls"] = url });

        error.Should().Be($"Messenger:Urls: cannot listen on {url}: address already in use");
        Directory.Exists(data).Should().BeFalse("a taken port stops the start before the data directory, the database or the server key is made");
    }

    [Fact]
    public async Task Start_WhenTheListenAddressIsNotThisMachines_SaysSo()
    {
        using var directory = new TempDirectory();

        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has it.
        var error = await StartFailureAsync(directory.Path, new() { ["Messenger:Urls"] = "http://192.0.2.1:0" });

        error.Should().Be("Messenger:Urls: cannot listen on http://192.0.2.1:0: this machine has no such address");
    }

    [Fact]
    public async Task Start_WhenAListenUrlHasAPath_ReportsIt()
    {
        using var directory = new TempDirectory();

        var error = await StartFailureAsync(directory.Path, new() { ["Messenger:Urls"] = "http://127.0.0.1:0/chat" });

        error.Should().Be("Messenger:Urls: 'http://127.0.0.1:0/chat' has a path; a listen URL is a scheme, a host and a port (the server and its web client are served at the root of a host name, not under a path)");
    }

    [Fact]
    public async Task Start_OnAUnixSocketUrl_ServesThere()
    {
        // A reverse proxy's usual way in: the socket's URL is the one whose path is an address, not a path base.
        using var directory = new TempDirectory();
        var socket = Path.Combine(directory.Path, "messenger.sock");
        await using var host = await TestHost.StartAsync(directory.Path, new Dictionary<string, string?> { ["Messenger:Urls"] = $"http://unix:{socket}" });
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await client.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), cancellationToken);
                return new System.Net.Sockets.NetworkStream(client, ownsSocket: true);
            },
        });

        var live = await http.GetStringAsync("http://localhost/health/live");

        live.Should().Be("Healthy");
    }

    [Fact]
    public async Task Start_WithHttpsAndNoCertificate_SaysHowToGiveOne()
    {
        using var directory = new TempDirectory();

        var error = await StartFailureAsync(directory.Path, new() { ["Messenger:Urls"] = "https://127.0.0.1:0" });

        error.Should().Be("Messenger:Urls: 'https://127.0.0.1:0': https needs a certificate: set Kestrel:Certificates:Default:Path and :Password, or put a TLS proxy in front");
        File.Exists(Path.Combine(directory.Path, "messenger.db")).Should().BeFalse();
    }

    [Fact]
    public async Task Start_WhenTheCertificateFileIsMissing_NamesIt()
    {
        using var directory = new TempDirectory();
        var missing = Path.Combine(directory.Path, "missing.pfx");

        var error = await StartFailureAsync(directory.Path, new()
        {
            ["Messenger:Urls"] = "https://127.0.0.1:0",
            ["Kestrel:Certificates:Default:Path"] = missing,
        });

        error.Should().StartWith($"Kestrel:Certificates:Default:Path: '{missing}' cannot be loaded: ");
        File.Exists(Path.Combine(directory.Path, "messenger.db")).Should().BeFalse("the certificate is loaded before the database is touched");
    }

    [Fact]
    public async Task Start_WithHttpsAndKestrelsDefaultCertificate_ServesHttps()
    {
        using var directory = new TempDirectory();
        var certificate = Path.Combine(directory.Path, "server.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificate, selfSigned.Export(X509ContentType.Pfx, "pass"));
        }

        await using var host = await TestHost.StartAsync(Path.Combine(directory.Path, "data"), new Dictionary<string, string?>
        {
            ["Messenger:Urls"] = "https://127.0.0.1:0",
            ["Kestrel:Certificates:Default:Path"] = certificate,
            ["Kestrel:Certificates:Default:Password"] = "pass",
        });
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, served, _, _) => served?.Subject == "CN=localhost" };
        using var http = new HttpClient(handler) { BaseAddress = host.BaseAddress };

        host.BaseAddress.Scheme.Should().Be("https");
        (await http.GetStringAsync("/health/live")).Should().Be("Healthy");
    }

    [Fact]
    public async Task Start_WhenTheServerKeyFileHoldsNoKey_NamesIt_AndLeavesItUntouched()
    {
        using var directory = new TempDirectory();
        var keyFile = Path.Combine(directory.Path, "server.key");
        await File.WriteAllTextAsync(keyFile, "not a key\n");

        var error = await StartFailureAsync(directory.Path, []);

        error.Should().Be($"Messenger:DataDirectory: '{keyFile}' is not a server key (64 hex digits); it was left untouched");
        (await File.ReadAllTextAsync(keyFile)).Should().Be("not a key\n");
    }

    [Fact]
    public async Task Start_WhenADatabaseFileCannotBeOpenedForWriting_NamesIt()
    {
        using var directory = new TempDirectory();
        await (await TestHost.StartAsync(directory.Path)).DisposeAsync();
        // A directory where SQLite's WAL file goes cannot be opened for writing by anyone, root included.
        var wal = Path.Combine(directory.Path, "messenger.db-wal");
        File.Delete(wal);
        Directory.CreateDirectory(wal);

        var error = await StartFailureAsync(directory.Path, []);

        error.Should().StartWith($"Messenger:DataDirectory: '{wal}' cannot be written by this user (");
    }

    [Fact]
    public async Task Start_WhenTheDatabaseIsReadOnlyForTheServersUser_NamesIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TempDirectory();
        await (await TestHost.StartAsync(directory.Path)).DisposeAsync();
        var database = Path.Combine(directory.Path, "messenger.db");
        File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            if (CanOpenForWriting(database))
            {
                output.WriteLine("Assertion skipped: this user (root) writes a file of mode 0444 all the same, so the server may too; " +
                    "Start_WhenADatabaseFileCannotBeOpenedForWriting_NamesIt checks the same line for everyone.");
                return;
            }

            var error = await StartFailureAsync(directory.Path, []);

            error.Should().StartWith($"Messenger:DataDirectory: '{database}' cannot be written by this user (");
        }
        finally
        {
            File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static bool CanOpenForWriting(string path)
    {
        try
        {
            using (File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
            {
            }

            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The one line the start failed with.</summary>
    private static async Task<string> StartFailureAsync(string dataDirectory, Dictionary<string, string?> settings)
    {
        await using var app = MessengerApp.Build([], TestHost.Settings(dataDirectory, settings));

        var start = () => app.StartMessengerAsync();

        var message = (await start.Should().ThrowAsync<StartupException>()).Which.Message;
        message.Should().NotContain(Environment.NewLine);
        return message;
    }
}
