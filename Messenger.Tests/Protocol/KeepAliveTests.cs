using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Protocol;

/// <summary>
/// The server pings a connection that was sent nothing for <c>Messenger:Protocol:KeepAliveSeconds</c>, so the SDK's
/// <see cref="MessengerClientOptions.ServerTimeout"/> tells a quiet link from a dead one. Here the server pings after 1 s
/// and the client gives up after 5 s (5 s and 15 s by default). SignalR looks at its connections' keep-alive once a
/// second, so a quiet link's pings are 1 to 2 s apart: a 3 s timeout left a busy machine one second to spare.
/// </summary>
public sealed class KeepAliveTests : IAsyncLifetime
{
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(5);
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await TestHost.StartAsync(settings: new Dictionary<string, string?> { ["Messenger:Protocol:KeepAliveSeconds"] = "1" });

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task ServerTimeout_WhenTheLinkIsQuiet_DoesNotFire_OnTheServersPings()
    {
        await using var client = await MessengerClient.ConnectAsync(Options(_host.BaseAddress));

        await Task.Delay(ServerTimeout * 2.5);

        client.ConnectionCount.Should().Be(1, "a ping every second keeps a 5 s server timeout from firing on a link that carries nothing else");
        (await client.CallAsync(new PingCall(1))).Id.Should().Be(1);
    }

    [Fact]
    public async Task ServerTimeout_WhenTheLinkGoesSilent_ClosesIt_AndItsCallIsAnsweredOnTheNextLink()
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        await using var client = await MessengerClient.ConnectAsync(Options(relay.Address));
        (await client.CallAsync(new PingCall(1))).Id.Should().Be(1);

        relay.Silence().Should().Be(1);
        var call = client.CallAsync(new PingCall(2));

        // Nothing closes the silent connection but the client's timeout: without it the client would sit on the dead
        // link past this wait's 20 s (and its call's).
        await ProtocolTests.WaitUntil(() => !client.IsConnected);
        relay.Restore();
        await ProtocolTests.WaitUntil(() => client.ConnectionCount == 2 && client.IsConnected);
        (await call).Id.Should().Be(2, "the call left on the dead link is sent again on the new one");
    }

    private MessengerClientOptions Options(Uri serverUrl)
    {
        var defaults = _host.ClientOptions();
        return new MessengerClientOptions
        {
            ServerUrl = serverUrl,
            ServerPublicKey = defaults.ServerPublicKey,
            DeviceKeys = defaults.DeviceKeys,
            SessionId = defaults.SessionId,
            CallTimeout = defaults.CallTimeout,
            ServerTimeout = ServerTimeout,
        };
    }
}
