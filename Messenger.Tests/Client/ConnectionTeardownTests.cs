using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

/// <summary>
/// The SDK leaves no socket open behind what it gave up: a connect cancelled or timed out while the server holds the
/// handshake, a client disposed while it reconnects, a call waiting on a dead link when the client is disposed. A
/// <see cref="TcpRelay"/> holds the links and tells when the client closed its end; a held link swallows the server's own
/// close (its 10 s handshake timeout), so only the client's socket can end it. Waits are bounded (half that timeout where
/// the client must act on its own); they measure nothing.
/// </summary>
public sealed class ConnectionTeardownTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Theory]
    [InlineData(TcpRelay.HeldHandshake.SignalR)]
    [InlineData(TcpRelay.HeldHandshake.Noise)]
    public async Task Connect_WhenCancelledWhileTheHandshakeIsHeld_ThrowsCanceled_AndClosesItsSocket(TcpRelay.HeldHandshake held)
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        relay.HoldHandshakes(held);
        using var cancel = new CancellationTokenSource();
        var connect = MessengerClient.ConnectAsync(Options(relay.Address), cancel.Token);
        (await Waits.Eventually(() => relay.Held == 1, Bound)).Should().BeTrue("the connect's WebSocket opens and sends its handshake");

        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => connect.WaitAsync(Promptly)).Should().ThrowAsync<OperationCanceledException>();
        (await Waits.Eventually(() => relay.Open == 0, Promptly)).Should().BeTrue("the cancelled connect closes its socket");
    }

    [Fact]
    public async Task Connect_WhenItsConnectTimeoutPassesWhileTheHandshakeIsHeld_FailsNamingTheTimeout_AndClosesItsSocket()
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        relay.HoldHandshakes();
        var options = Options(relay.Address, connectTimeout: TimeSpan.FromSeconds(2));

        var connect = () => MessengerClient.ConnectAsync(options).WaitAsync(Bound);

        (await connect.Should().ThrowAsync<MessengerConnectionException>()).Which.Message.Should().Contain("ConnectTimeout");
        relay.Held.Should().Be(1);
        (await Waits.Eventually(() => relay.Open == 0, Promptly)).Should().BeTrue("the timed-out connect closes its socket");
    }

    [Theory]
    [InlineData(TcpRelay.HeldHandshake.SignalR)]
    [InlineData(TcpRelay.HeldHandshake.Noise)]
    public async Task Dispose_WhileAReconnectWaitsForTheHandshake_ClosesItsSocket(TcpRelay.HeldHandshake held)
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        var client = await MessengerClient.ConnectAsync(Options(relay.Address));
        relay.HoldHandshakes(held);

        await client.DropConnectionAsync();
        (await Waits.Eventually(() => relay.Held == 1, Bound)).Should().BeTrue("the client reconnects and sends its handshake");
        await client.DisposeAsync().AsTask().WaitAsync(Promptly);

        (await Waits.Eventually(() => relay.Open == 0, Promptly)).Should().BeTrue("the reconnect given up closes its socket");
    }

    [Fact]
    public async Task Dispose_WhileReconnectingInBackOff_LeavesNoSocket_AndDialsNoMore()
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        var options = Options(relay.Address, reconnectMaxDelay: TimeSpan.FromMilliseconds(200));
        var client = await MessengerClient.ConnectAsync(options);
        var connected = relay.Accepted;

        relay.Cut();
        (await Waits.Eventually(() => relay.Accepted >= connected + 2, Bound)).Should().BeTrue("the client tries again and again");
        await client.DisposeAsync().AsTask().WaitAsync(Promptly);
        (await Waits.Eventually(() => relay.Open == 0, Promptly)).Should().BeTrue();
        // Counted by when they were dialled, not accepted: an attempt dialled just before the dispose (its socket closed by
        // it) may still wait in the relay's backlog under load, and be accepted after this.
        var dialled = await relay.DialledSoFarAsync();

        // Attempts come at least every 200 ms (with jitter): five back-offs' time with none means the loop ended.
        (await Waits.Eventually(() => relay.Accepted > dialled, TimeSpan.FromSeconds(1))).Should().BeFalse("a disposed client dials no more");
    }

    [Fact]
    public async Task Call_OnASilentLink_WhenTheClientIsDisposed_FailsObjectDisposed_AndTheSocketCloses()
    {
        await using var relay = new TcpRelay(_host.BaseAddress);
        var client = await MessengerClient.ConnectAsync(Options(relay.Address));
        (await client.CallAsync(new PingCall(1))).Id.Should().Be(1);
        relay.Silence().Should().Be(1);
        var call = client.CallAsync(new PingCall(2));

        await client.DisposeAsync().AsTask().WaitAsync(Promptly);

        await FluentActions.Awaiting(() => call.WaitAsync(Bound)).Should().ThrowAsync<ObjectDisposedException>();
        (await Waits.Eventually(() => relay.Open == 0, Promptly)).Should().BeTrue("a disposed client closes its socket, dead link or not");
    }

    // The connect's own timeout and the reconnect's back-off as each test needs them; the call timeout and server timeout
    // well past every wait here, so neither closes a link in the tests' place.
    private MessengerClientOptions Options(Uri serverUrl, TimeSpan? connectTimeout = null, TimeSpan? reconnectMaxDelay = null)
    {
        var defaults = _host.ClientOptions();
        return new MessengerClientOptions
        {
            ServerUrl = serverUrl,
            ServerPublicKey = defaults.ServerPublicKey,
            DeviceKeys = defaults.DeviceKeys,
            CallTimeout = TimeSpan.FromSeconds(60),
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(60),
            ServerTimeout = TimeSpan.FromSeconds(60),
            ReconnectMaxDelay = reconnectMaxDelay ?? TimeSpan.FromSeconds(10),
        };
    }
}
