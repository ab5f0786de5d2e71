using System.Threading.Channels;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A hand-driven protocol client for failure tests: it speaks the hub methods directly and lets a test send
/// any bytes, any handshake message and any envelope, valid or not.
/// </summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private readonly Channel<Envelope> _inbound = Channel.CreateUnbounded<Envelope>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MsgIdClock _msgIds = new(TimeProvider.System);
    private int _framesReceived;

    private RawConnection(HubConnection hub)
    {
        Hub = hub;
        hub.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
        hub.On<byte[]>(ProtocolConstants.ReceiveMethod, frame =>
        {
            Interlocked.Increment(ref _framesReceived);
            if (Receive is null)
            {
                return; // a replayer without the keys: it can only count what comes
            }

            var parsed = WireSerializer.Deserialize<Frame>(FrameCodec.Open(Receive!, frame));
            foreach (var envelope in Flatten(parsed.Envelope))
            {
                _inbound.Writer.TryWrite(envelope);
            }
        });
    }

    public HubConnection Hub { get; }

    public NoiseKeyPair DeviceKey { get; private set; } = NoiseKeyPair.Generate();

    public CipherState? Send { get; set; }

    public CipherState? Receive { get; set; }

    public long SessionId { get; set; } = Random.Shared.NextInt64(1, long.MaxValue);

    public Task Closed => _closed.Task;

    /// <summary>Frames the server sent this connection, whether or not it could open them.</summary>
    public int FramesReceived => Volatile.Read(ref _framesReceived);

    public static async Task<RawConnection> OpenAsync(TestHost host)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(host.BaseAddress, ProtocolConstants.HubPath))
            .AddMessagePackProtocol()
            .Build();
        var connection = new RawConnection(hub);
        await hub.StartAsync();
        return connection;
    }

    public static async Task<RawConnection> OpenHandshakenAsync(TestHost host, NoiseKeyPair? deviceKey = null)
    {
        var connection = await OpenAsync(host);
        await connection.HandshakeAsync(host.ServerPublicKey, deviceKey);
        return connection;
    }

    public HandshakeState NewHandshake(byte[] serverKey, NoiseKeyPair? deviceKey = null, byte[]? prologue = null)
    {
        DeviceKey = deviceKey ?? DeviceKey;
        return new HandshakeState(HandshakePattern.IK, true, prologue ?? ProtocolConstants.PrologueBytes.ToArray(), DeviceKey, serverKey);
    }

    /// <summary>Completes the handshake as a client would; returns message 1 as anyone on the path saw it (a replay
    /// test sends it again on another connection).</summary>
    public async Task<byte[]> HandshakeAsync(byte[] serverKey, NoiseKeyPair? deviceKey = null)
    {
        var handshake = NewHandshake(serverKey, deviceKey);
        var message1 = handshake.WriteMessage([]);
        handshake.ReadMessage(await SendHandshakeAsync(message1));
        (Send, Receive) = handshake.Split();
        return message1;
    }

    public Task<byte[]> SendHandshakeAsync(byte[] message1) => Hub.InvokeAsync<byte[]>(ProtocolConstants.HandshakeMethod, message1);

    public Task SendRawAsync(byte[] frame) => Hub.SendAsync(ProtocolConstants.SendMethod, frame);

    public Task SendPlaintextAsync(byte[] plaintext) => SendRawAsync(FrameCodec.Seal(Send!, plaintext));

    public Task SendEnvelopeAsync(Envelope envelope) =>
        SendPlaintextAsync(WireSerializer.Serialize(new Frame(SessionId, envelope)));

    public long NextMsgId() => _msgIds.Next();

    public Envelope Call(string method, byte[] args, long? msgId = null) => new(msgId ?? NextMsgId(), 1, new CallBody(method, args));

    public Envelope Ping(long id) => Call("help.ping", WireSerializer.Serialize(new Messenger.Contracts.Help.PingCall(id)));

    /// <summary>The next envelope of the given kind (skipping others such as new_session), or throws after 15 s.</summary>
    public async Task<T> ReceiveAsync<T>() where T : EnvelopeBody
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var envelope = await _inbound.Reader.ReadAsync(timeout.Token);
            if (envelope.Body is T body)
            {
                return body;
            }
        }
    }

    /// <summary>Completes when the server has closed this connection (throws after 15 s).</summary>
    public Task WaitClosedAsync() => Closed.WaitAsync(TimeSpan.FromSeconds(15));

    private static IEnumerable<Envelope> Flatten(Envelope envelope) =>
        envelope.Body is ContainerBody container ? container.Envelopes.SelectMany(Flatten) : [envelope];

    public async ValueTask DisposeAsync() => await Hub.DisposeAsync();
}
