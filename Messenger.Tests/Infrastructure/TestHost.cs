using Messenger.Client;
using Messenger.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Data.Sqlite;

namespace Messenger.Tests.Infrastructure;

/// <summary>The real host on 127.0.0.1:0 with a temporary data directory.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly TempDirectory? _ownedDirectory;
    private int _disposed;

    private TestHost(WebApplication app, string dataDirectory, TempDirectory? ownedDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
        BaseAddress = new Uri(app.ListeningAddresses().First());
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The server's public key, as a client would pin it.</summary>
    public byte[] ServerPublicKey => Convert.FromHexString(File.ReadAllText(Path.Combine(DataDirectory, "server.pub")).Trim());

    public static async Task<TestHost> StartAsync(
        string? dataDirectory = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var directory = dataDirectory ?? owned!.Path;
        var app = MessengerApp.Build([], Settings(directory, settings), configureServices);
        try
        {
            await app.StartMessengerAsync();
        }
        catch
        {
            await app.DisposeAsync();
            owned?.Dispose();
            throw;
        }

        return new TestHost(app, directory, owned);
    }

    public static Dictionary<string, string?> Settings(string dataDirectory, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messenger:Urls"] = "http://127.0.0.1:0",
            ["Messenger:DataDirectory"] = dataDirectory,
            ["Messenger:Logging:MinimumLevel"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public Task<MessengerClient> ConnectAsync(IDeviceKeyStore? deviceKeys = null, long? sessionId = null, TimeProvider? clock = null, bool autoReceipt = true) =>
        MessengerClient.ConnectAsync(ClientOptions(deviceKeys, sessionId, clock, autoReceipt));

    public MessengerClientOptions ClientOptions(
        IDeviceKeyStore? deviceKeys = null, long? sessionId = null, TimeProvider? clock = null, bool autoReceipt = true,
        Action<HttpConnectionOptions>? transport = null, ISecretChatKeyStore? secretChats = null, bool autoAcceptSecretChats = true,
        SecretRekeyKnobs? secretRekey = null, Uri? serverUrl = null, Action<SocketsHttpHandler>? httpHandler = null) => new()
    {
        SecretChatKeys = secretChats,
        AutoAcceptSecretChats = autoAcceptSecretChats,
        SecretRekeyAfterMessages = secretRekey?.AfterMessages ?? 100,
        SecretRekeyAfter = secretRekey?.After ?? TimeSpan.FromDays(7),
        SecretRekeyRequestTimeout = secretRekey?.RequestTimeout ?? TimeSpan.FromDays(7),
        ConfigureTransport = transport,
        ConfigureHttpHandler = httpHandler,
        AutoReceipt = autoReceipt,
        ServerUrl = serverUrl ?? BaseAddress,
        ServerPublicKey = ServerPublicKey,
        DeviceKeys = deviceKeys ?? new InMemoryDeviceKeyStore(),
        SessionId = sessionId ?? Random.Shared.NextInt64(1, long.MaxValue),
        Clock = clock ?? TimeProvider.System,
        CallTimeout = TimeSpan.FromSeconds(20),
    };

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    /// <summary>Stops the host once: a test that stopped it for an outage and failed before starting another is disposed
    /// again by its class, and a second stop of a disposed host throws over the test's own failure.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await App.StopAsync();
        await App.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _ownedDirectory?.Dispose();
    }
}

/// <summary>A client's re-keying thresholds for a test (the SDK's defaults, 100 messages and 7 days, unless given).</summary>
public sealed record SecretRekeyKnobs(int AfterMessages = 100, TimeSpan? After = null, TimeSpan? RequestTimeout = null);
