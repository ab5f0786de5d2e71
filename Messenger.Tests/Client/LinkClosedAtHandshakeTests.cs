using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messenger.Tests.Client;

/// <summary>
/// A link that dies where the client would not notice still gets it to reconnect. First: a connection that closes in
/// the gap between its handshake's answer and the client taking it as its link (a reset right behind the answer) still
/// makes the client reconnect. The client's test hook holds it in that gap until the connection's Closed handlers ran (the client's own
/// runs first: it was added before the connection started), so the close lands there every time. Waits are bounded;
/// they measure nothing. Second (what network chaos seed 1010 hit): a link that stops taking the
/// client's bytes while its socket stays open (<see cref="TcpRelay.Jam"/>). Third (the rest of seed 1010): a link on long
/// polling whose send's POST gets no answer, open or still connecting.
/// </summary>
public sealed class LinkClosedAtHandshakeTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ALinkClosedRightAfterItsHandshake_IsReplaced_AndCallsGoThrough(int closedHandshake)
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        var handshakes = 0;
        var options = ThroughRelay(relay, serverTimeout: TimeSpan.FromSeconds(60), afterHandshake: async hub =>
        {
            if (Interlocked.Increment(ref handshakes) != closedHandshake)
            {
                return;
            }

            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hub.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            relay.Cut();
            relay.Restore();
            await closed.Task.WaitAsync(Bound);
        });

        await using var client = await MessengerClient.ConnectAsync(options);
        if (closedHandshake == 2)
        {
            await client.DropConnectionAsync();
        }

        (await Waits.Eventually(() => client.IsConnected && client.ConnectionCount == closedHandshake + 1, Bound)).Should()
            .BeTrue("the link closed before the client took it is replaced by a new one");
        (await client.CallAsync(new PingCall(7)).WaitAsync(Bound)).Id.Should().Be(7);
    }

    // The stuck state of network chaos seed 1010: a link that stops taking the client's bytes but stays open. The sends
    // fill the socket's buffers and the next one waits for room while SignalR holds its connection lock; the server's
    // silence then ends the link's receive loop, whose close waits for that lock, so Closed is never raised.
    [Fact]
    public async Task ALinkThatStopsTakingWhatTheClientSends_IsReplaced_AndCallsGoThrough()
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        await using var client = await MessengerClient.ConnectAsync(ThroughRelay(relay, serverTimeout: TimeSpan.FromSeconds(2)));

        relay.Jam();
        // Far more than the socket buffers and SignalR's pipe hold (each call under the frame limit); their answers (the
        // server refuses the arguments) do not matter.
        var junk = new byte[400 * 1024];
        var calls = Enumerable.Range(0, 60).Select(_ => client.SendCallAsync("help.ping", junk)).ToList();

        (await Waits.Eventually(() => client.IsConnected && client.ConnectionCount == 2, Bound)).Should()
            .BeTrue("the jammed link is given up and replaced by a new one");
        (await client.CallAsync(new PingCall(8)).WaitAsync(Bound)).Id.Should().Be(8);
        _ = Task.WhenAll(calls).ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    // What network chaos seed 1010 hit: a connect that fell back to long polling (the relay broke its WebSocket) sent
    // SignalR's handshake in a POST the network swallowed. Long polling's close waits for its send in flight, and SignalR
    // bounds that POST by nothing but its HttpClient's 120 s: the failed StartAsync's own cleanup kept the reconnect
    // waiting past ConnectTimeout, and an open link's close (here) kept its Closed from being raised. Long polling has
    // no keep-alive pings of SignalR's, so the call's send is what meets the dead link.
    [Fact]
    public async Task ALongPollingLinkWhoseSendGoesUnanswered_IsReplaced_AndCallsGoThrough()
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        await using var client = await MessengerClient.ConnectAsync(ThroughRelay(
            relay, serverTimeout: TimeSpan.FromSeconds(2), transport: http => http.Transports = HttpTransportType.LongPolling));
        (await client.CallAsync(new PingCall(1)).WaitAsync(Bound)).Id.Should().Be(1);

        relay.Jam(httpToo: true);
        var call = client.CallAsync(new PingCall(9));

        (await Waits.Eventually(() => client.IsConnected && client.ConnectionCount == 2, Bound)).Should()
            .BeTrue("the long-polling link whose send got no answer is closed and replaced by a new one");
        (await call.WaitAsync(Bound)).Id.Should().Be(9);
    }

    // The connect of seed 1010's stuck device: its handshake went in a long-polling POST that got no answer, and the failed
    // StartAsync waited for that POST in its own cleanup. ServerTimeout is far off, so only ConnectTimeout can end it.
    [Fact]
    public async Task ALongPollingConnectWhoseHandshakeGoesUnanswered_FailsWithinConnectTimeout()
    {
        var defaults = _host.ClientOptions();
        var connect = MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = defaults.ServerUrl,
            ServerPublicKey = defaults.ServerPublicKey,
            DeviceKeys = defaults.DeviceKeys,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ServerTimeout = TimeSpan.FromSeconds(60),
            ConfigureTransport = http =>
            {
                http.Transports = HttpTransportType.LongPolling;
                http.HttpMessageHandlerFactory = inner => new SwallowedSends(inner);
            },
        });

        (await connect.Invoking(c => c.WaitAsync(Bound)).Should().ThrowAsync<MessengerConnectionException>())
            .Which.Message.Should().Contain("ConnectTimeout");
    }

    // Through the relay, with the call timeout past every wait here.
    private MessengerClientOptions ThroughRelay(
        TcpRelay relay, TimeSpan serverTimeout, Action<HttpConnectionOptions>? transport = null, Func<HubConnection, Task>? afterHandshake = null)
    {
        var defaults = _host.ClientOptions();
        return new MessengerClientOptions
        {
            ServerUrl = relay.Address,
            ServerPublicKey = defaults.ServerPublicKey,
            DeviceKeys = defaults.DeviceKeys,
            CallTimeout = TimeSpan.FromSeconds(60),
            ServerTimeout = serverTimeout,
            ConfigureTransport = transport,
            AfterHandshake = afterHandshake,
        };
    }

    // A network that takes a long-polling send (a POST other than the negotiation) and never answers it.
    private sealed class SwallowedSends(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && !request.RequestUri!.AbsolutePath.EndsWith("/negotiate", StringComparison.Ordinal))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
