using Messenger.Contracts.Help;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Protocol.Dispatch;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

/// <summary>Every bad input closes only its own connection (or is refused with a notice) and disturbs no one.</summary>
public sealed class ProtocolFailureTests : IAsyncLifetime
{
    private readonly BlockingProbe _probe = new();
    private TestHost _host = null!;
    private RawConnection _bystander = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Messenger:Protocol:MaxFrameBytes"] = "65536", ["Messenger:Protocol:MaxCallsInFlight"] = "3" },
            configureServices: _probe.Register);
        _bystander = await RawConnection.OpenHandshakenAsync(_host);
    }

    public async Task DisposeAsync()
    {
        _probe.Release();
        await _bystander.DisposeAsync();
        await _host.DisposeAsync();
    }

    private long Executed => _host.Services.GetRequiredService<RpcDispatcher>().CallsExecuted;

    /// <summary>The connection that was not misbehaving still answers.</summary>
    private async Task BystanderStillWorks()
    {
        var id = Random.Shared.NextInt64();
        await _bystander.SendEnvelopeAsync(_bystander.Ping(id));
        var result = await _bystander.ReceiveAsync<ResultBody>();
        WireSerializer.Deserialize<Pong>(result.Value).Id.Should().Be(id);
    }

    private async Task ShouldBeClosed(RawConnection connection)
    {
        await connection.WaitClosedAsync();
        await BystanderStillWorks();
    }

    [Fact]
    public async Task Handshake_WhenMessage1HasAFlippedByte_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host);
        var message1 = raw.NewHandshake(_host.ServerPublicKey).WriteMessage([]);
        message1[^3] ^= 0x04;

        var handshake = () => raw.SendHandshakeAsync(message1);

        await handshake.Should().ThrowAsync<Exception>("the server refuses and closes the connection");
        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Handshake_WhenPrologueDiffers_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host);
        var message1 = raw.NewHandshake(_host.ServerPublicKey, prologue: "messenger/0"u8.ToArray()).WriteMessage([]);

        await FluentActions.Awaiting(() => raw.SendHandshakeAsync(message1)).Should().ThrowAsync<Exception>("the server refuses and closes the connection");
        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Handshake_WhenEphemeralIsALowOrderPoint_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host);
        var message1 = raw.NewHandshake(_host.ServerPublicKey).WriteMessage([]);
        Convert.FromHexString("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800").CopyTo(message1, 0);

        await FluentActions.Awaiting(() => raw.SendHandshakeAsync(message1)).Should().ThrowAsync<Exception>("the server refuses and closes the connection");
        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Handshake_WhenMessage1HasAPayload_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host);
        var message1 = raw.NewHandshake(_host.ServerPublicKey).WriteMessage("replayable"u8);

        await FluentActions.Awaiting(() => raw.SendHandshakeAsync(message1)).Should().ThrowAsync<Exception>("the server refuses and closes the connection");
        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Handshake_WhenMessage1IsReplayed_GivesTheReplayerNothingUsable()
    {
        await using var victim = await RawConnection.OpenAsync(_host);
        var message1 = await victim.HandshakeAsync(_host.ServerPublicKey);
        var capturedFrame = FrameCodec.Seal(victim.Send!, WireSerializer.Serialize(new Frame(victim.SessionId, victim.Ping(1))));
        await victim.SendRawAsync(capturedFrame);
        await victim.ReceiveAsync<ResultBody>();

        // An eavesdropper replays both captured messages on its own connection: the server answers message 1 with
        // fresh ephemeral keys, so the captured frame no longer decrypts and the connection is closed.
        await using var replayer = await RawConnection.OpenAsync(_host);
        var replayedAnswer = await replayer.SendHandshakeAsync(message1);
        await replayer.SendRawAsync(capturedFrame);

        replayedAnswer.Should().NotBeEmpty();
        await replayer.WaitClosedAsync();
        Executed.Should().Be(1);
        await victim.SendEnvelopeAsync(victim.Ping(2));
        WireSerializer.Deserialize<Pong>((await victim.ReceiveAsync<ResultBody>()).Value).Id.Should().Be(2);
    }

    [Fact]
    public async Task Handshake_WhenRepeatedOnAnEstablishedConnection_ClosesIt()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);

        var again = () => raw.SendHandshakeAsync(raw.NewHandshake(_host.ServerPublicKey).WriteMessage([]));

        await again.Should().ThrowAsync<Exception>("the server refuses and closes the connection");
        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Frame_BeforeTheHandshake_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenAsync(_host);

        await raw.SendRawAsync([0, 20, .. new byte[20]]);

        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Frame_WithAFlippedByte_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var frame = FrameCodec.Seal(raw.Send!, WireSerializer.Serialize(new Frame(raw.SessionId, raw.Ping(1))));
        frame[frame.Length / 2] ^= 0x10;

        await raw.SendRawAsync(frame);

        await ShouldBeClosed(raw);
        Executed.Should().Be(1, "only the bystander's ping ran");
    }

    [Fact]
    public async Task Frame_WhenTruncated_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var frame = FrameCodec.Seal(raw.Send!, WireSerializer.Serialize(new Frame(raw.SessionId, raw.Ping(1))));

        await raw.SendRawAsync(frame[..^5]);

        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Frame_WhenLargerThanTheLimit_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var oversized = raw.Call("help.ping", new byte[70_000]);

        await raw.SendEnvelopeAsync(oversized);

        await ShouldBeClosed(raw);
        Executed.Should().Be(1);
    }

    [Fact]
    public async Task Frame_WhenPlaintextIsNotMessagePack_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var garbage = new byte[300];
        new Random(11).NextBytes(garbage);
        garbage[0] = 0xc1; // never used in MessagePack

        await raw.SendPlaintextAsync(garbage);

        await ShouldBeClosed(raw);
    }

    [Theory]
    [InlineData(-301, BadMsgCodes.MsgIdTooLow)]
    [InlineData(31, BadMsgCodes.MsgIdTooHigh)]
    public async Task MsgId_WhenOutsideTheTimeWindow_IsRefusedWithTheServerTime(int secondsOff, int expectedCode)
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        // Whole seconds, rounded away from now: truncated, an id 31 s ahead is only 30.0x s ahead by the time the server
        // reads its clock, inside its window (a flake seen once in a full run).
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + secondsOff + (secondsOff > 0 ? 1 : 0);
        var msgId = (seconds << 32) & ~3L;

        await raw.SendEnvelopeAsync(raw.Ping(7) with { MsgId = msgId });

        var notice = await raw.ReceiveAsync<BadMsgBody>();
        notice.BadMsgId.Should().Be(msgId);
        notice.ErrorCode.Should().Be(expectedCode);
        DateTimeOffset.FromUnixTimeMilliseconds(notice.ServerTimeUnixMs).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        Executed.Should().Be(0);
    }

    [Fact]
    public async Task MsgId_WhenNotDivisibleByFour_IsRefused()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var envelope = raw.Ping(7);

        await raw.SendEnvelopeAsync(envelope with { MsgId = envelope.MsgId | 1 });

        (await raw.ReceiveAsync<BadMsgBody>()).ErrorCode.Should().Be(BadMsgCodes.MsgIdWrongParity);
    }

    [Fact]
    public async Task MsgId_WhenRepeated_RunsTheCallOnceAndRepeatsTheAnswer()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var call = raw.Ping(99);

        await raw.SendEnvelopeAsync(call);
        var first = await raw.ReceiveAsync<ResultBody>();
        await raw.SendEnvelopeAsync(call);
        var second = await raw.ReceiveAsync<ResultBody>();

        second.Should().BeEquivalentTo(first);
        Executed.Should().Be(1);
    }

    [Fact]
    public async Task Container_WhenNested_IsRefusedAndNothingInItRuns()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var inner = new Envelope(raw.NextMsgId(), 0, new ContainerBody([raw.Ping(1)]));
        var outer = new Envelope(raw.NextMsgId(), 0, new ContainerBody([inner, raw.Ping(2)]));

        await raw.SendEnvelopeAsync(outer);

        (await raw.ReceiveAsync<BadMsgBody>()).Should().Match<BadMsgBody>(b => b.BadMsgId == inner.MsgId && b.ErrorCode == BadMsgCodes.InvalidContainer);
        WireSerializer.Deserialize<Pong>((await raw.ReceiveAsync<ResultBody>()).Value).Id.Should().Be(2, "the valid sibling still runs");
        Executed.Should().Be(1);
    }

    [Fact]
    public async Task Container_WhenItHoldsMoreThan1024Envelopes_IsRefused()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var container = new Envelope(raw.NextMsgId(), 0, new ContainerBody(Enumerable.Range(0, 1025).Select(i => raw.Ping(i)).ToArray()));

        await raw.SendEnvelopeAsync(container);

        (await raw.ReceiveAsync<BadMsgBody>()).ErrorCode.Should().Be(BadMsgCodes.InvalidContainer);
        Executed.Should().Be(0);
    }

    [Fact]
    public async Task Calls_WhenMoreAreInFlightThanAllowed_TheExtraOnesGet420()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        var calls = Enumerable.Range(0, 4).Select(_ => raw.Call(BlockingProbe.Method, [0x90])).ToArray();

        await raw.SendEnvelopeAsync(new Envelope(raw.NextMsgId(), 0, new ContainerBody(calls)));

        var error = await raw.ReceiveAsync<ErrorBody>();
        error.Should().Match<ErrorBody>(e => e.ReqMsgId == calls[3].MsgId && e.Code == 420 && e.Name == "CALLS_IN_FLIGHT_TOO_MANY" && e.RetryAfterSeconds == 1);
        _probe.Executions.Should().Be(3);
        _probe.Release();
        var answered = new[] { await raw.ReceiveAsync<ResultBody>(), await raw.ReceiveAsync<ResultBody>(), await raw.ReceiveAsync<ResultBody>() };
        answered.Select(a => a.ReqMsgId).Should().BeEquivalentTo(calls[..3].Select(c => c.MsgId));
    }

    [Fact]
    public async Task Envelope_WhenAClientSendsAServerOnlyBody_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);

        await raw.SendEnvelopeAsync(new Envelope(raw.NextMsgId(), 0, new ResultBody(1, [0xc0])));

        await ShouldBeClosed(raw);
    }

    [Fact]
    public async Task Session_WhenItsIdChangesOnAConnection_ClosesTheConnection()
    {
        await using var raw = await RawConnection.OpenHandshakenAsync(_host);
        await raw.SendEnvelopeAsync(raw.Ping(1));
        await raw.ReceiveAsync<ResultBody>();

        raw.SessionId++;
        await raw.SendEnvelopeAsync(raw.Ping(2));

        await ShouldBeClosed(raw);
    }
}
