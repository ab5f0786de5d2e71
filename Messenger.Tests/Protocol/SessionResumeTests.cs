using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Protocol;

public sealed class SessionResumeTests : IAsyncLifetime
{
    private readonly BlockingProbe _probe = new();
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(configureServices: _probe.Register);

    public async Task DisposeAsync()
    {
        _probe.Release();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Call_WhenConnectionDropsWhileItRuns_IsAnsweredOnTheNewConnectionAndRunsOnce()
    {
        await using var client = await _host.ConnectAsync();
        var call = client.SendCallAsync(BlockingProbe.Method, [0x90]);
        await ProtocolTests.WaitUntil(() => _probe.Executions == 1);

        await client.DropConnectionAsync();
        await ProtocolTests.WaitUntil(() => client.ConnectionCount == 2 && client.IsConnected);
        _probe.Release();

        (await call).Should().Equal(0xc0);
        _probe.Executions.Should().Be(1, "the resent call has the same msg_id and the server runs it once");
    }

    [Fact]
    public async Task Call_WhenItsAnswerIsLostWithTheConnection_GetsTheStoredAnswerAfterReconnectAndRunsOnce()
    {
        _probe.Release();
        await using var client = await _host.ConnectAsync();
        var dropped = 0;
        client.InboundFilter = envelope =>
        {
            // Lose the first answer on the wire, then lose the connection with it.
            if (envelope.Body is ResultBody && Interlocked.Exchange(ref dropped, 1) == 0)
            {
                _ = client.DropConnectionAsync();
                return false;
            }

            return true;
        };

        var answer = await client.SendCallAsync(BlockingProbe.Method, [0x90]);

        answer.Should().Equal(0xc0);
        dropped.Should().Be(1);
        client.ConnectionCount.Should().BeGreaterThanOrEqualTo(2);
        _probe.Executions.Should().Be(1);
    }

    [Fact]
    public async Task Call_WhoseLostAnswerTheSessionLetGo_IsToldSoAfterReconnect_AndRunsOnce()
    {
        // Unacked answers are kept up to a size: here only the newest, so the second call's answer pushes out the
        // first's, which the client never got.
        await using var host = await TestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Messenger:Protocol:UnackedResultBytesPerSession"] = "1" },
            configureServices: _probe.Register);
        _probe.Release();
        await using var client = await host.ConnectAsync();
        var dropped = 0;
        client.InboundFilter = envelope => !(envelope.Body is ResultBody && Interlocked.Exchange(ref dropped, 1) == 0);

        var lost = client.SendCallAsync(BlockingProbe.Method, [0x90]);
        await ProtocolTests.WaitUntil(() => Volatile.Read(ref dropped) == 1);
        (await client.CallAsync(new PingCall(5))).Id.Should().Be(5);
        await client.DropConnectionAsync();

        var refused = await FluentActions.Awaiting(() => lost).Should().ThrowAsync<RpcException>();
        refused.Which.Name.Should().Be(ErrorNames.ResultDropped);
        refused.Which.Code.Should().Be(500);
        _probe.Executions.Should().Be(1, "the resent call has the same msg_id and is not run again");
        client.ConnectionCount.Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Call_WhoseAnswerWasLostWithTheConnection_PastTheIdleBudget_IsToldResultDropped_AndRunsOnce()
    {
        // Once its connection is gone the session keeps only UnackedResultBytesPerIdleSession of unacked answers:
        // here none, so the answer lost on the wire is let go when the connection goes (the client comes back only
        // after that), and the resend gets RESULT_DROPPED rather than a second run.
        await using var host = await TestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Messenger:Protocol:UnackedResultBytesPerIdleSession"] = "1" },
            configureServices: _probe.Register);
        _probe.Release();
        var gate = new ReconnectGate();
        var device = new InMemoryDeviceKeyStore();
        await using var client = await MessengerClient.ConnectAsync(host.ClientOptions(device, sessionId: 4242, transport: gate.Apply));
        (await client.CallAsync(new PingCall(1))).Id.Should().Be(1);
        var session = host.Services.GetRequiredService<SessionRegistry>().GetOrCreate(ProtocolConstants.Hex(device.GetOrCreate().PublicKey), 4242);
        session.Created.Should().BeFalse();
        var dropped = 0;
        client.InboundFilter = envelope =>
        {
            if (envelope.Body is ResultBody && Interlocked.Exchange(ref dropped, 1) == 0)
            {
                gate.HoldUntil(() => !session.Session.IsAttached);
                _ = client.DropConnectionAsync();
                return false;
            }

            return true;
        };

        var refused = await FluentActions.Awaiting(() => client.SendCallAsync(BlockingProbe.Method, [0x90])).Should().ThrowAsync<RpcException>();

        refused.Which.Name.Should().Be(ErrorNames.ResultDropped);
        refused.Which.Code.Should().Be(500);
        _probe.Executions.Should().Be(1, "the resent call has the same msg_id and is not run again");
        client.ConnectionCount.Should().BeGreaterThanOrEqualTo(2);
        (await client.CallAsync(new PingCall(2))).Id.Should().Be(2, "the client goes on");
    }

    [Fact]
    public async Task Call_WhenClientClockRunsAhead_IsCorrectedAndSucceeds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = await _host.ConnectAsync(clock: clock);

        clock.Advance(TimeSpan.FromMinutes(10));
        var pong = await client.CallAsync(new PingCall(3));

        pong.Id.Should().Be(3);
        client.ClockOffset.Should().BeCloseTo(TimeSpan.FromMinutes(-10), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Session_WhenTheSameDeviceResumesItOnAnotherConnection_TheOlderConnectionIsClosed()
    {
        var device = new InMemoryDeviceKeyStore();
        await using var first = await _host.ConnectAsync(device, sessionId: 77);
        await first.CallAsync(new PingCall(1));

        await using var second = await _host.ConnectAsync(device, sessionId: 77);
        await second.CallAsync(new PingCall(2));

        await ProtocolTests.WaitUntil(() => first.ConnectionCount >= 2);
    }
}
