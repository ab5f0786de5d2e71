using Messenger.Client;
using Messenger.Contracts.Messages;

namespace QuickStart;

public static class HelloApp
{
    /// <summary>Signs in as <paramref name="username"/> (registering it first if it is free), says hello to the user
    /// <paramref name="friendId"/> and returns the first message that arrives.</summary>
    public static async Task<MessageReceived> RunAsync(
        Uri serverUrl, string dataDirectory, string username, string password, long friendId, CancellationToken cancellationToken = default)
    {
        var options = new MessengerClientOptions
        {
            ServerUrl = serverUrl,
            // Trusted on first use, pinned in the file from then on (or set the key you know in advance).
            ServerPublicKey = await ServerKeyPin.LoadOrFetchAsync(serverUrl, Path.Combine(dataDirectory, "server.pub")),
            // The device's identity: keep the file, and the device stays signed in.
            DeviceKeys = new FileDeviceKeyStore(Path.Combine(dataDirectory, "device.key")),
        };
        await using var client = await MessengerClient.ConnectAsync(options, cancellationToken);

        try
        {
            await client.RegisterAsync(username, password, displayName: username, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.Name == "USERNAME_OCCUPIED")
        {
        }

        long userId;
        try
        {
            userId = (await client.SignInAsync(username, password, "Quick start", "dotnet", cancellationToken: cancellationToken)).User.Id;
        }
        catch (RpcException e) when (e.Name == "ALREADY_SIGNED_IN")
        {
            userId = (await client.GetSelfAsync(cancellationToken)).Id;
        }

        await client.Events.StartAsync(userId, cancellationToken: cancellationToken);
        await client.SendMessageAsync(Peer.User(friendId), "Hello!", cancellationToken: cancellationToken);

        await foreach (var update in client.Events.Reader.ReadAllAsync(cancellationToken))
        {
            if (update is MessageReceived { IsOutgoing: false } received)
            {
                return received;
            }
        }

        throw new InvalidOperationException("the event stream ended");
    }
}
