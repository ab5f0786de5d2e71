using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Protocol.Dispatch;
using Messenger.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Messenger.Tests.Protocol;

public sealed class ProtocolTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Ping_OverTheEncryptedProtocol_EchoesTheId()
    {
        await using var client = await _host.ConnectAsync();

        var pong = await client.CallAsync(new PingCall(42));

        pong.Id.Should().Be(42);
        await client.PingAsync();
    }

    [Fact]
    public async Task Calls_AreTimedOnTheRpcMeterByMethod()
    {
        var measurements = new ConcurrentQueue<(double Milliseconds, object? Method)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RpcMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => measurements.Enqueue((value, tags[0].Value)));
        listener.Start();
        await using var client = await _host.ConnectAsync();

        await client.CallAsync(new GetConfigCall());
        var unknown = () => client.SendCallAsync("nope.nothing", [0x80]);
        await unknown.Should().ThrowAsync<RpcException>();

        // The answer is queued before the duration is recorded, so the client may see it first. An unknown method
        // name is not a tag value (a client could otherwise make up names without end).
        await WaitUntil(() => measurements.Any(m => (string?)m.Method == "help.getConfig" && m.Milliseconds > 0));
        await WaitUntil(() => measurements.Any(m => m.Method is null));
        measurements.Should().NotContain(m => (string?)m.Method == "nope.nothing");
    }

    [Fact]
    public async Task GetConfig_ReturnsTheFingerprintOfTheServedKeyAndTheLimits()
    {
        await using var client = await _host.ConnectAsync();
        using var http = _host.CreateHttpClient();

        var config = await client.CallAsync(new GetConfigCall());
        var served = await http.GetStringAsync(ProtocolConstants.ServerKeyPath);

        served.Should().MatchRegex("^[0-9a-f]{64}$");
        Convert.FromHexString(served).Should().Equal(_host.ServerPublicKey);
        config.ServerKeyFingerprint.Should().Be(ServerKeyFingerprint.Of(_host.ServerPublicKey));
        config.ServerKeyFingerprint.Should().MatchRegex("^([0-9a-f]{4} ){15}[0-9a-f]{4}$");
        config.MaxContainerSize.Should().Be(1024);
        config.HandshakeTimeoutSeconds.Should().Be(10);
        DateTimeOffset.FromUnixTimeMilliseconds(config.ServerTimeUnixMs).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ServerKey_IsPrivateToItsOwner()
    {
        var mode = File.GetUnixFileMode(Path.Combine(_host.DataDirectory, "server.key"));

        mode.Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Connect_WhenPinnedKeyIsNotTheServers_Fails()
    {
        var options = _host.ClientOptions();
        var wrongKey = new MessengerClientOptions
        {
            ServerUrl = options.ServerUrl,
            ServerPublicKey = NoiseKeyPair.Generate().PublicKey,
            AutoReconnect = false,
        };

        var connect = () => MessengerClient.ConnectAsync(wrongKey);

        (await connect.Should().ThrowAsync<MessengerConnectionException>()).Which.Message.Should()
            .Contain("closed the connection during the handshake: it does not hold the pinned key").And.NotContain("canceled");
        await using var honest = await _host.ConnectAsync();
        (await honest.CallAsync(new PingCall(1))).Id.Should().Be(1);
    }

    [Fact]
    public async Task Connect_WithTransportSettings_AppliesThem()
    {
        MessengerClientOptions Options(HttpTransportType transport) => new()
        {
            ServerUrl = _host.ClientOptions().ServerUrl,
            ServerPublicKey = _host.ServerPublicKey,
            AutoReconnect = false,
            ConfigureTransport = http =>
            {
                http.SkipNegotiation = true;
                http.Transports = transport;
            },
        };

        await using var webSocketOnly = await MessengerClient.ConnectAsync(Options(HttpTransportType.WebSockets));
        var longPollingWithoutNegotiation = () => MessengerClient.ConnectAsync(Options(HttpTransportType.LongPolling));

        (await webSocketOnly.CallAsync(new PingCall(7))).Id.Should().Be(7);
        // SignalR skips negotiation for WebSockets only, so this one is refused: the settings reached the connection.
        await longPollingWithoutNegotiation.Should().ThrowAsync<MessengerConnectionException>();
    }

    [Fact]
    public async Task Connect_ThroughAConnectionBuilder_AppliesIt()
    {
        var url = _host.ClientOptions().ServerUrl;
        MessengerClientOptions Options(bool skipNegotiation) => new()
        {
            ServerUrl = url,
            ServerPublicKey = _host.ServerPublicKey,
            AutoReconnect = false,
            ConfigureConnection = builder => builder.WithUrl(new Uri(url, ProtocolConstants.HubPath), http =>
            {
                http.SkipNegotiation = skipNegotiation;
                http.Transports = HttpTransportType.LongPolling;
            }),
        };

        await using var longPolling = await MessengerClient.ConnectAsync(Options(skipNegotiation: false));
        var withoutNegotiation = () => MessengerClient.ConnectAsync(Options(skipNegotiation: true));

        (await longPolling.CallAsync(new PingCall(8))).Id.Should().Be(8);
        (await longPolling.CallAsync(new GetConfigCall())).ServerKeyFingerprint.Should().Be(ServerKeyFingerprint.Of(_host.ServerPublicKey));
        await withoutNegotiation.Should().ThrowAsync<MessengerConnectionException>();
    }

    [Fact]
    public async Task Calls_WhenManyAreInFlightAtOnce_AllGetTheirOwnAnswer()
    {
        await using var client = await _host.ConnectAsync();

        var pongs = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => client.CallAsync(new PingCall(i))));

        pongs.Select(p => p.Id).Should().Equal(Enumerable.Range(0, 2000).Select(i => (long)i));
    }

    [Fact]
    public async Task UnknownMethod_Answers400MethodInvalid()
    {
        await using var client = await _host.ConnectAsync();

        var call = () => client.SendCallAsync("nope.nothing", [0x80]);

        (await call.Should().ThrowAsync<RpcException>()).Which.Should().Match<RpcException>(e => e.Name == "METHOD_INVALID" && e.Code == 400);
        (await client.CallAsync(new PingCall(5))).Id.Should().Be(5);
    }

    [Fact]
    public async Task BadArguments_Answer400ArgsInvalid()
    {
        await using var client = await _host.ConnectAsync();

        var call = () => client.SendCallAsync("help.ping", [0xc1, 0xff, 0x00]);

        (await call.Should().ThrowAsync<RpcException>()).Which.Name.Should().Be("ARGS_INVALID");
    }

    [Fact]
    public async Task NewSession_IsAnnouncedOnceForANewSessionNotOnResume()
    {
        await using var client = await _host.ConnectAsync();
        await client.CallAsync(new PingCall(1));
        await WaitUntil(() => client.NewSessionCount == 1);

        await client.DropConnectionAsync();
        await WaitUntil(() => client.ConnectionCount == 2);
        await client.CallAsync(new PingCall(2));

        client.NewSessionCount.Should().Be(1, "a reconnect with the same session id resumes the session");
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
