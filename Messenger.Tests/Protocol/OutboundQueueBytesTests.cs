using Messenger.Contracts.Noise;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Rpc;
using Messenger.Protocol.Transport;
using Messenger.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

/// <summary>
/// The outbound queue is bounded by bytes, not only by envelopes: a client that asks for large answers and never reads
/// them cannot make the server hold them (<c>Messenger:Protocol:OutboundQueueBytes</c>). Measured through the
/// connection's own counter of queued bytes; the write loop's test seam holds its sends where a test must see the queue
/// fill deterministically.
/// </summary>
public sealed class OutboundQueueBytesTests
{
    private const string BigMethod = "test.big";
    private const int Bound = 1 << 22; // 4 MiB

    [Fact]
    public async Task Calls_FromAClientThatNeverReads_CloseItsConnection_AtTwiceTheBound_WhileAnotherConnectionGoesOn()
    {
        // All 64 calls are admitted (running) before any answers: their answers then pile up at once. (Answered at once,
        // the calls after the first four would be refused, as the next test shows.)
        var executions = 0;
        var answers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await StartAsync(Bound, answerBytes: 1 << 20, onCall: () =>
        {
            if (Interlocked.Increment(ref executions) == 64)
            {
                answers.SetResult();
            }
        }, beforeAnswer: () => answers.Task);
        var registry = host.Services.GetRequiredService<ConnectionRegistry>();
        await using var bystander = await RawConnection.OpenHandshakenAsync(host);

        // A client that stops reading: SignalR runs its handlers in order, and this one never returns.
        var blocked = new TaskCompletionSource();
        var hub = new HubConnectionBuilder().WithUrl(new Uri(host.BaseAddress, ProtocolConstants.HubPath)).AddMessagePackProtocol().Build();
        hub.On<byte[]>(ProtocolConstants.ReceiveMethod, async _ => await blocked.Task);
        await hub.StartAsync();
        try
        {
            var handshake = new HandshakeState(HandshakePattern.IK, true, ProtocolConstants.PrologueBytes.ToArray(), NoiseKeyPair.Generate(), host.ServerPublicKey);
            handshake.ReadMessage(await hub.InvokeAsync<byte[]>(ProtocolConstants.HandshakeMethod, handshake.WriteMessage([])));
            var (send, _) = handshake.Split();
            var connection = registry.Get(hub.ConnectionId!)!;
            var msgIds = new MsgIdClock(TimeProvider.System);

            // 64 answers of 1 MiB asked for at once: 64 MiB if they were all queued.
            var calls = Enumerable.Range(0, 64).Select(_ => new Envelope(msgIds.Next(), 1, new CallBody(BigMethod, new byte[] { 0x90 }))).ToArray();
            var frame = new Frame(Random.Shared.NextInt64(1, long.MaxValue), new Envelope(msgIds.Next(), 0, new ContainerBody(calls)));
            await hub.SendAsync(ProtocolConstants.SendMethod, FrameCodec.Seal(send, WireSerializer.Serialize(frame)));

            // Seen from the server: the client's own receive loop is stuck in its handler.
            await ProtocolTests.WaitUntil(() => connection.State == ConnectionState.Closed);
            connection.PeakQueuedBytes.Should().BeGreaterThan(Bound).And.BeLessThanOrEqualTo(2L * Bound, "the queue never holds more than twice OutboundQueueBytes");
            await ProtocolTests.WaitUntil(() => registry.Get(connection.ConnectionId) is null);
        }
        finally
        {
            blocked.TrySetResult();
            await hub.DisposeAsync();
        }

        await bystander.SendEnvelopeAsync(bystander.Ping(5));
        (await bystander.ReceiveAsync<ResultBody>()).Should().NotBeNull("another connection is undisturbed");
    }

    [Fact]
    public async Task Call_WhileTheQueueHoldsTheBound_IsRefused420_NotRun()
    {
        var executions = 0;
        await using var host = await StartAsync(1 << 20, answerBytes: 600 * 1024, onCall: () => Interlocked.Increment(ref executions));
        await using var raw = await RawConnection.OpenHandshakenAsync(host);
        var connection = host.Services.GetRequiredService<ConnectionRegistry>().Get(raw.Hub.ConnectionId!)!;
        var sends = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.BeforeSend = () => sends.Task; // the client reads, but nothing leaves the server until released

        await raw.SendEnvelopeAsync(raw.Call(BigMethod, [0x90]));
        await ProtocolTests.WaitUntil(() => connection.QueuedBytes > 600 * 1024);
        await raw.SendEnvelopeAsync(raw.Call(BigMethod, [0x90]));
        await ProtocolTests.WaitUntil(() => connection.QueuedBytes > 1200 * 1024);
        var refused = raw.Call(BigMethod, [0x90]);
        await raw.SendEnvelopeAsync(refused);
        await ProtocolTests.WaitUntil(() => connection.QueuedBytes >= (2 * 600 * 1024) + (4 * 64)); // new_session, 2 answers, the refusal
        sends.SetResult();

        (await raw.ReceiveAsync<ResultBody>()).Value.Length.Should().Be(600 * 1024);
        (await raw.ReceiveAsync<ResultBody>()).Value.Length.Should().Be(600 * 1024);
        var error = await raw.ReceiveAsync<ErrorBody>();
        error.ReqMsgId.Should().Be(refused.MsgId);
        error.Name.Should().Be(ErrorNames.TooManyCallsInFlight);
        error.Code.Should().Be(420);
        error.RetryAfterSeconds.Should().Be(1);
        executions.Should().Be(2, "the third call was not run");
        await ProtocolTests.WaitUntil(() => connection.QueuedBytes == 0);

        await raw.SendEnvelopeAsync(raw.Call(BigMethod, [0x90]));
        (await raw.ReceiveAsync<ResultBody>()).Value.Length.Should().Be(600 * 1024, "once the queue drained, calls run again");
        executions.Should().Be(3);
    }

    [Fact]
    public async Task Answers_QueuedTogether_LeaveInFramesOfAboutOneMiB_NotOneFrame()
    {
        await using var host = await StartAsync(16 << 20, answerBytes: 600 * 1024);
        await using var raw = await RawConnection.OpenHandshakenAsync(host);
        var connection = host.Services.GetRequiredService<ConnectionRegistry>().Get(raw.Hub.ConnectionId!)!;
        var sends = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.BeforeSend = () => sends.Task;
        await raw.SendEnvelopeAsync(raw.Ping(1)); // its frame (new_session and the pong) waits in the write loop
        await ProtocolTests.WaitUntil(() => connection.QueuedBytes > 0);

        var calls = Enumerable.Range(0, 3).Select(_ => raw.Call(BigMethod, [0x90])).ToArray();
        await raw.SendEnvelopeAsync(new Envelope(raw.NextMsgId(), 0, new ContainerBody(calls)));
        await ProtocolTests.WaitUntil(() => connection.QueuedBytes > 3 * 600 * 1024);
        sends.SetResult();
        for (var i = 0; i < 4; i++)
        {
            await raw.ReceiveAsync<ResultBody>();
        }

        raw.FramesReceived.Should().Be(3, "the pong's frame, then two answers of 600 KiB (1.2 MiB), then the third");
    }

    private static Task<TestHost> StartAsync(int queueBytes, int answerBytes, Action? onCall = null, Func<Task>? beforeAnswer = null)
    {
        var answer = new byte[answerBytes];
        return TestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Messenger:Protocol:OutboundQueueBytes"] = queueBytes.ToString() },
            configureServices: services => services.AddSingleton(new RpcMethod(
                BigMethod, typeof(object), RpcCost.Read, allowAnonymous: true, allowBeforePasswordChange: false, _ => new object(), async (_, _, _) =>
                {
                    onCall?.Invoke();
                    if (beforeAnswer is not null)
                    {
                        await beforeAnswer();
                    }

                    return answer;
                })));
    }
}
