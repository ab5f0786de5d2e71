using Messenger.Client;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Session;

/// <summary>Hosts and signed-in clients for the session tests. Hashing is made cheap (the cost is the benchmark's
/// business); everything else runs as configured.</summary>
internal static class SessionTestKit
{
    public const string Password = "correct horse battery";

    public static Task<TestHost> StartHostAsync(
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null, string? dataDirectory = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Messenger:Session:PasswordHash:Iterations"] = "3",
            ["Messenger:Session:PasswordHash:MemoryKiB"] = "1024",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return TestHost.StartAsync(dataDirectory, all, services =>
        {
            if (clock is not null)
            {
                services.AddSingleton(clock);
            }

            configureServices?.Invoke(services);
        });
    }

    /// <summary>A client that registered <paramref name="username"/> (unless told not to) and signed this device in.</summary>
    public static async Task<MessengerClient> SignedInClientAsync(
        this TestHost host, string username, bool register = true, string deviceName = "Test device", IDeviceKeyStore? keys = null)
    {
        var client = await host.ConnectAsync(keys);
        if (register)
        {
            await client.RegisterAsync(username, Password, username.ToUpperInvariant());
        }

        await client.SignInAsync(username, Password, deviceName, "tests");
        return client;
    }

    public static Task<MessengerClient> ConnectWithoutReconnectAsync(this TestHost host, IDeviceKeyStore? keys = null)
    {
        var options = host.ClientOptions(keys);
        return MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = options.ServerUrl,
            ServerPublicKey = options.ServerPublicKey,
            DeviceKeys = options.DeviceKeys,
            SessionId = options.SessionId,
            CallTimeout = options.CallTimeout,
            AutoReconnect = false,
        });
    }

    public static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public static async Task<RpcException> FailsWith(Func<Task> call, string name)
    {
        var error = (await call.Should().ThrowAsync<RpcException>()).Which;
        error.Name.Should().Be(name);
        return error;
    }

    /// <summary>RFC 4648 base32 (no padding) back to bytes: an authenticator app's reading of a two-step secret.</summary>
    public static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
