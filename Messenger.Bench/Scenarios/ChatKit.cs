using Messenger.Client;

namespace Messenger.Bench.Scenarios;

/// <summary>What the message scenarios share: the child host's settings for signing up many users quickly, and signed-in
/// devices (one user each) created through the SDK.</summary>
internal static class ChatKit
{
    public const string Password = "bench password 1234";

    /// <summary>
    /// Settings the message scenarios give the child host. Argon2id is made cheap (3 iterations, 1 MiB: the login
    /// scenario measures the real cost) and the per-address limits on registrations and failed sign-ins are lifted,
    /// since every bench user comes from 127.0.0.1. The per-user post limit is raised out of reach too (not turned off,
    /// so every send still pays for its bucket): a bench user is a load generator posting tens of messages a second
    /// (the crash scenario's ≈ 45), not a person. Nothing else on the message path is changed.
    /// </summary>
    public static Dictionary<string, string> SignUpSettings() => new()
    {
        ["Messenger:Session:PasswordHash:Iterations"] = "3",
        ["Messenger:Session:PasswordHash:MemoryKiB"] = "1024",
        ["Messenger:Session:RegistrationsPerAddress"] = "1000000",
        ["Messenger:Session:SignInFailuresPerAddress"] = "100000",
        ["Messenger:Message:PostsPerSecond"] = "1000000",
        ["Messenger:Message:PostBurst"] = "10000000",
        ["Messenger:Protocol:WritesPerSecond"] = "0",
    };

    public static MessengerClientOptions ClientOptions(
        ServerProcess server, IDeviceKeyStore keys, bool autoReceipt, bool autoReconnect = true, TimeSpan? callTimeout = null) => new()
    {
        ServerUrl = server.Url,
        ServerPublicKey = server.PublicKey,
        DeviceKeys = keys,
        AutoReceipt = autoReceipt,
        AutoReconnect = autoReconnect,
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(60),
        CallTimeout = callTimeout ?? TimeSpan.FromSeconds(60),
        ConfigureTransport = ServerProcess.WebSocketsOnly,
    };

    /// <summary>Registers <paramref name="count"/> users named <c>{prefix}_00001</c>… and signs one device of each in,
    /// <paramref name="parallel"/> at a time. The devices' update streams are not started.</summary>
    public static async Task<Device[]> SignUpAsync(
        ServerProcess server, string prefix, int count, Func<IDeviceKeyStore, MessengerClientOptions> options, int parallel = 32)
    {
        using var gate = new SemaphoreSlim(parallel);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async index =>
        {
            await gate.WaitAsync();
            try
            {
                var keys = new InMemoryDeviceKeyStore();
                var client = await MessengerClient.ConnectAsync(options(keys));
                var username = $"{prefix}_{index:D5}";
                var user = await client.RegisterAsync(username, Password, $"Bench {index}");
                await client.SignInAsync(username, Password, $"Bench device {index}", "bench");
                return new Device(index, user.User.Id, keys, client);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Registers <paramref name="count"/> users named <c>{prefix}_00001</c>… without signing any device in,
    /// over <paramref name="parallel"/> shared connections (registration needs no session): their ids, in order.</summary>
    public static async Task<long[]> RegisterOnlyAsync(ServerProcess server, string prefix, int count, int parallel = 32)
    {
        var ids = new long[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(parallel, Math.Max(1, count))).Select(async _ =>
        {
            await using var client = await MessengerClient.ConnectAsync(ClientOptions(server, new InMemoryDeviceKeyStore(), autoReceipt: false));
            while (Interlocked.Increment(ref next) is var index && index < count)
            {
                ids[index] = (await client.RegisterAsync($"{prefix}_{index:D5}", Password, $"Bench {index}")).User.Id;
            }
        }));
        return ids;
    }

    /// <summary>Row counts of <paramref name="tables"/> in the child's database, read through a read-only connection
    /// (WAL: it sees the last committed state without blocking the writer).</summary>
    public static Dictionary<string, long> CountRows(ServerProcess server, params string[] tables)
    {
        var path = Path.Combine(server.DataDirectory ?? throw new InvalidOperationException("row counts need the child server (no --url)"), "messenger.db");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM {table}";
            counts[table] = (long)command.ExecuteScalar()!;
        }

        return counts;
    }

    public static async Task DisposeAllAsync(IEnumerable<Device> devices) =>
        await Task.WhenAll(devices.Select(d => d.Client.DisposeAsync().AsTask()));

    public static string Mb(long? kib) => kib is { } value ? $"{value / 1024.0:0.0}" : "n/a";
}

/// <summary>A signed-in device of one bench user; <see cref="Client"/> may be replaced after a reconnect by hand.</summary>
internal sealed class Device(int index, long userId, IDeviceKeyStore keys, MessengerClient client)
{
    public int Index { get; } = index;

    public long UserId { get; } = userId;

    public IDeviceKeyStore Keys { get; } = keys;

    public MessengerClient Client { get; set; } = client;
}
