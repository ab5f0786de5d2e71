using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>A signed-in device of a user: its client and the user's id.</summary>
internal sealed record Device(MessengerClient Client, long UserId, IDeviceKeyStore Keys) : IAsyncDisposable
{
    public Peer Peer => Peer.User(UserId);

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

/// <summary>Users, devices and event waits for the private chat tests. Waits are generous: they bound a hang, they
/// measure nothing.</summary>
internal static class ChatTestKit
{
    public static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Registers <paramref name="username"/> (lower-case, digits, underscore, 5+ characters), signs a first device
    /// in and starts its event stream from the log's current position.</summary>
    public static async Task<Device> SignUpAsync(
        this TestHost host, string username, bool startEvents = true, bool autoReceipt = true, bool autoAcceptSecretChats = true)
    {
        var keys = new InMemoryDeviceKeyStore();
        var client = await MessengerClient.ConnectAsync(host.ClientOptions(keys, autoReceipt: autoReceipt, autoAcceptSecretChats: autoAcceptSecretChats));
        await client.RegisterAsync(username, SessionTestKit.Password, username.ToUpperInvariant());
        var signedIn = await client.SignInAsync(username, SessionTestKit.Password, "First device", "tests");
        var device = new Device(client, signedIn.User.Id, keys);
        if (startEvents)
        {
            await client.Events.StartAsync(device.UserId);
        }

        return device;
    }

    /// <summary>Another device of an existing user: its own device key, signed in with the same password.</summary>
    public static async Task<Device> SignInAnotherDeviceAsync(this TestHost host, string username, bool startEvents = true, bool autoAcceptSecretChats = true)
    {
        var keys = new InMemoryDeviceKeyStore();
        var client = await MessengerClient.ConnectAsync(host.ClientOptions(keys, autoAcceptSecretChats: autoAcceptSecretChats));
        var signedIn = await client.SignInAsync(username, SessionTestKit.Password, "Another device", "tests");
        var device = new Device(client, signedIn.User.Id, keys);
        if (startEvents)
        {
            await client.Events.StartAsync(device.UserId);
        }

        return device;
    }

    /// <summary>The same device again (same key: signed in by its handshake) on a new client, its events starting at
    /// <paramref name="pts"/> when given.</summary>
    public static async Task<Device> ReconnectAsync(this TestHost host, Device device, long? pts = null)
    {
        var client = await host.ConnectAsync(device.Keys);
        await client.Events.StartAsync(device.UserId, pts);
        return device with { Client = client };
    }

    /// <summary>Reads events until one of type <typeparamref name="T"/> matches; the others are skipped.</summary>
    public static async Task<T> NextAsync<T>(this Device device, Func<T, bool>? match = null)
        where T : MessengerEvent
    {
        var events = await device.ReadUntilAsync(e => e is T t && (match is null || match(t)));
        return (T)events[^1];
    }

    /// <summary>Reads events up to and including the first that matches, and returns them all.</summary>
    public static async Task<List<MessengerEvent>> ReadUntilAsync(this Device device, Func<MessengerEvent, bool> match)
    {
        using var timeout = new CancellationTokenSource(EventTimeout);
        var events = new List<MessengerEvent>();
        while (true)
        {
            MessengerEvent next;
            try
            {
                next = await device.Client.Events.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching event within {EventTimeout}; read so far: {string.Join(", ", events)}");
            }

            events.Add(next);
            if (match(next))
            {
                return events;
            }
        }
    }

    /// <summary>The incoming or outgoing messages this device reports until (and with) the one with text
    /// <paramref name="lastText"/>.</summary>
    public static async Task<List<MessageReceived>> ReceiveUntilAsync(this Device device, string lastText) =>
        [.. (await device.ReadUntilAsync(e => e is MessageReceived r && r.Message.Text == lastText)).OfType<MessageReceived>()];

    public static Task<SentMessage> SendAsync(this Device from, Device to, string text, long? randomId = null) =>
        from.Client.SendMessageAsync(to.Peer, text, randomId: randomId);

    public static async Task<RpcException> FailsWith(Func<Task> call, string name, int code = 400)
    {
        var error = (await call.Should().ThrowAsync<RpcException>()).Which;
        error.Name.Should().Be(name);
        error.Code.Should().Be(code);
        return error;
    }
}
