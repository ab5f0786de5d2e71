using Messenger.Client;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Groups;

/// <summary>A signed-in user of the group tests: their client and id.</summary>
internal sealed record Member(MessengerClient Client, long Id) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

/// <summary>Hosts (small groups of at most 3 members, so conversion is cheap to reach), users and event helpers for
/// the group tests.</summary>
internal static class GroupTestKit
{
    public const int SmallGroupLimit = 3;
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    public static Task<TestHost> StartHostAsync(
        TimeProvider? clock = null, string? dataDirectory = null, Action<IServiceCollection>? configureServices = null) =>
        SessionTestKit.StartHostAsync(
            new Dictionary<string, string?>
            {
                ["Messenger:Message:SmallGroupLimit"] = SmallGroupLimit.ToString(),
                ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            },
            clock,
            dataDirectory,
            configureServices);

    /// <summary>Registers and signs in <paramref name="username"/>; with <paramref name="listen"/> its update stream is
    /// started (events from now on).</summary>
    public static async Task<Member> MemberAsync(this TestHost host, string username, bool listen = false)
    {
        var client = await host.SignedInClientAsync(username);
        var id = (await client.SearchUsersAsync(username)).Single(u => u.Username == username).Id;
        if (listen)
        {
            await client.Events.StartAsync(id);
        }

        return new Member(client, id);
    }

    /// <summary>Another signed-in device of an existing user.</summary>
    public static async Task<Member> DeviceAsync(this TestHost host, string username, long id, bool listen = true)
    {
        var client = await host.SignedInClientAsync(username, register: false, deviceName: "Second device");
        if (listen)
        {
            await client.Events.StartAsync(id);
        }

        return new Member(client, id);
    }

    /// <summary>Registers <paramref name="count"/> users (not signed in) and returns their ids.</summary>
    public static async Task<long[]> RegisterUsersAsync(this TestHost host, string prefix, int count)
    {
        await using var client = await host.ConnectAsync();
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (await client.RegisterAsync($"{prefix}{i:d3}", SessionTestKit.Password, $"User {i}")).User.Id;
        }

        return ids;
    }

    /// <summary>The next event of type <typeparamref name="T"/> (matching <paramref name="match"/>), skipping others.</summary>
    public static async Task<T> NextAsync<T>(this Member member, Func<T, bool>? match = null)
        where T : MessengerEvent
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        while (true)
        {
            if (await member.Client.Events.Reader.ReadAsync(timeout.Token) is T found && (match is null || match(found)))
            {
                return found;
            }
        }
    }

    /// <summary>Every event up to and including the first <typeparamref name="T"/> matching <paramref name="match"/>.</summary>
    public static async Task<List<MessengerEvent>> EventsUntilAsync<T>(this Member member, Func<T, bool> match)
        where T : MessengerEvent
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        var events = new List<MessengerEvent>();
        while (true)
        {
            var next = await member.Client.Events.Reader.ReadAsync(timeout.Token);
            events.Add(next);
            if (next is T found && match(found))
            {
                return events;
            }
        }
    }

    /// <summary>The events read so far without waiting.</summary>
    public static List<MessengerEvent> Pending(this Member member)
    {
        var events = new List<MessengerEvent>();
        while (member.Client.Events.Reader.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    public static long CountRows(this TestHost host, string table)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var count = connection.CreateCommand();
        count.CommandText = $"SELECT count(*) FROM {table}";
        return (long)count.ExecuteScalar()!;
    }
}
