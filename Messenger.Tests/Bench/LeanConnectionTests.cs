using System.Net.WebSockets;
using Messenger.Bench;
using Messenger.Bench.Scenarios;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Protocol.Sessions;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Bench;

/// <summary>The handshake scenario's lean client does the whole protocol the server checks: a session on the server
/// exists only once a frame sealed with the handshake's keys has arrived, and a client pinning another key gets nowhere.</summary>
public sealed class LeanConnectionTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    private int ServerSessions => _host.Services.GetRequiredService<SessionRegistry>().Count;

    [Fact]
    public async Task Handshake_WhenTheServerKeyIsPinned_CompletesNoise_TheServerTakesTheProof_AndClosesCleanly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var outcome = await LeanConnection.HandshakeAsync(LeanConnection.HubUri(_host.BaseAddress), _host.ServerPublicKey, timeout.Token);

        outcome.Info.Protocol.Should().Be(ProtocolConstants.Prologue, "message 2's payload opened with the handshake's keys");
        outcome.NewSession.Should().BeTrue("the server announced the session the first frame made");
        ServerSessions.Should().Be(1, "the server attaches a session only to a connection whose frame decrypted");
        outcome.CloseStatus.Should().Be(WebSocketCloseStatus.NormalClosure, "the server answered the close");
    }

    [Fact]
    public async Task Handshake_WhenThePinnedKeyIsNotTheServers_IsRefused_AndTheServerMakesNoSession()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var connect = () => LeanConnection.HandshakeAsync(LeanConnection.HubUri(_host.BaseAddress), NoiseKeyPair.Generate().PublicKey, timeout.Token);

        await connect.Should().ThrowAsync<LeanHandshakeException>();
        ServerSessions.Should().Be(0);
    }

    [Fact]
    public async Task HandshakeScenario_WithTheDefaultClient_CountsLeanConnections_AndSaysWhichClient()
    {
        var options = BenchOptions.Parse(["handshake", "--url", _host.BaseAddress.ToString(), "--connections", "2", "--duration", "1", "--warmup", "0"]);

        var report = await ProtocolScenarios.HandshakeAsync(options);

        report.Labels["client"].Should().Be("lean");
        report.Figures["handshakes_per_sec"].Should().BePositive();
        ServerSessions.Should().BePositive("each counted connection made its session");
    }

    [Fact]
    public async Task HandshakeScenario_WhenTheClientIsUnknown_FailsBeforeConnecting()
    {
        var options = BenchOptions.Parse(["handshake", "--url", _host.BaseAddress.ToString(), "--client", "fast"]);

        var run = () => ProtocolScenarios.HandshakeAsync(options);

        (await run.Should().ThrowAsync<ArgumentException>()).WithMessage("*lean or sdk*");
        ServerSessions.Should().Be(0);
    }
}
