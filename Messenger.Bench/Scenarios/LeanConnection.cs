using System.Buffers;
using System.Net.WebSockets;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// One connection of the <c>handshake</c> scenario without the SDK (<c>--client lean</c>): the same protocol, with
/// only the work it needs. A <see cref="ClientWebSocket"/> straight to the hub (no negotiation, as the SDK connects
/// in the bench), SignalR's handshake for <c>messagepack</c> v1, the Noise IK handshake through the hub's
/// <c>Handshake</c> method with a new device key, then the first frame the SDK sends after it (a ping, sealed with the
/// handshake's keys, on a new session), which the server needs before it takes the connection as the device's; it
/// counts once the server's pong to it, sealed with the server's keys, has been read and opened. Then a clean close.
/// The SignalR frames are written and parsed by SignalR's own <see cref="MessagePackHubProtocol"/>.
/// </summary>
internal sealed class LeanConnection : IDisposable
{
    private const string HandshakeInvocationId = "1";

    private static readonly IHubProtocol HubProtocol = new MessagePackHubProtocol();
    private static readonly IInvocationBinder Binder = new HubMethods();

    // One handler for every connection, as SignalR's client shares one: each upgraded connection leaves its pool.
    private static readonly HttpMessageInvoker Http = new(new SocketsHttpHandler());

    private readonly ClientWebSocket _socket = new();
    private readonly ArrayBufferWriter<byte> _outbound = new(512);
    private byte[] _inbound = ArrayPool<byte>.Shared.Rent(4096);
    private int _start;
    private int _end;

    private LeanConnection()
    {
    }

    /// <summary>The hub's WebSocket address on the server at <paramref name="serverUrl"/>.</summary>
    public static Uri HubUri(Uri serverUrl) =>
        new UriBuilder(new Uri(serverUrl, ProtocolConstants.HubPath)) { Scheme = serverUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;

    /// <summary>Connects, completes both handshakes and the proof, and closes. Throws
    /// <see cref="LeanHandshakeException"/> when the server refuses or closes the connection on the way (a wrong
    /// <paramref name="serverPublicKey"/>), <see cref="NoiseException"/> when its answer does not open.</summary>
    public static async Task<LeanHandshake> HandshakeAsync(Uri hubUri, byte[] serverPublicKey, CancellationToken cancellationToken)
    {
        using var connection = new LeanConnection();
        await connection._socket.ConnectAsync(hubUri, Http, cancellationToken);
        await connection.HubHandshakeAsync(cancellationToken);
        var handshake = new HandshakeState(
            HandshakePattern.IK, initiator: true, ProtocolConstants.PrologueBytes, NoiseKeyPair.Generate(), serverPublicKey);
        var message2 = await connection.InvokeHandshakeAsync(handshake.WriteMessage([]), cancellationToken);
        var info = WireSerializer.Deserialize<HandshakeInfo>(handshake.ReadMessage(message2));
        var (send, receive) = handshake.Split();
        var newSession = await connection.ProveAsync(send, receive, info, cancellationToken);
        await connection._socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        return new LeanHandshake(info, newSession, connection._socket.CloseStatus);
    }

    private async Task HubHandshakeAsync(CancellationToken cancellationToken)
    {
        HandshakeProtocol.WriteRequestMessage(new HandshakeRequestMessage(HubProtocol.Name, HubProtocol.Version), _outbound);
        await FlushAsync(cancellationToken);
        while (true)
        {
            var buffered = Buffered();
            if (HandshakeProtocol.TryParseResponseMessage(ref buffered, out var response))
            {
                Consumed(buffered);
                if (response.Error is { } error)
                {
                    throw new LeanHandshakeException($"SignalR handshake refused: {error}");
                }

                return;
            }

            await ReceiveMoreAsync(cancellationToken);
        }
    }

    private async Task<byte[]> InvokeHandshakeAsync(byte[] message1, CancellationToken cancellationToken)
    {
        HubProtocol.WriteMessage(new InvocationMessage(HandshakeInvocationId, ProtocolConstants.HandshakeMethod, [message1]), _outbound);
        await FlushAsync(cancellationToken);
        while (true)
        {
            switch (await ReceiveAsync(cancellationToken))
            {
                case CompletionMessage { InvocationId: HandshakeInvocationId, Error: { } error }:
                    throw new LeanHandshakeException($"Noise handshake refused: {error}");
                case CompletionMessage { InvocationId: HandshakeInvocationId, Result: byte[] message2 }:
                    return message2;
                case CompletionMessage { InvocationId: HandshakeInvocationId }:
                    throw new LeanHandshakeException("Noise handshake answered without message 2");
            }
        }
    }

    /// <summary>Sends what the SDK sends first after the handshake (a ping on a new session, with the clock offset the
    /// handshake gave) and waits for the pong; true if the server announced the session as new.</summary>
    private async Task<bool> ProveAsync(CipherState send, CipherState receive, HandshakeInfo info, CancellationToken cancellationToken)
    {
        var msgIds = new MsgIdClock(TimeProvider.System)
        {
            Offset = DateTimeOffset.FromUnixTimeMilliseconds(info.ServerTimeUnixMs) - DateTimeOffset.UtcNow,
        };
        var ping = new Envelope(msgIds.Next(), 0, new PingBody(0));
        using (var frame = FrameCodec.Seal(send, new Frame(Random.Shared.NextInt64(1, long.MaxValue), ping)))
        {
            HubProtocol.WriteMessage(new InvocationMessage(ProtocolConstants.SendMethod, [frame.Segment]), _outbound);
        }

        await FlushAsync(cancellationToken);
        var newSession = false;
        while (true)
        {
            if (await ReceiveAsync(cancellationToken) is not InvocationMessage { Target: ProtocolConstants.ReceiveMethod, Arguments: [byte[] sealedFrame] })
            {
                continue;
            }

            using var opened = FrameCodec.OpenFrame(receive, sealedFrame);
            foreach (var envelope in Flatten(opened.Frame.Envelope))
            {
                switch (envelope.Body)
                {
                    case NewSessionBody:
                        newSession = true;
                        break;
                    case PongBody pong when pong.ReqMsgId == ping.MsgId:
                        return newSession;
                }
            }
        }
    }

    private static IEnumerable<Envelope> Flatten(Envelope envelope) =>
        envelope.Body is ContainerBody container ? container.Envelopes.SelectMany(Flatten) : [envelope];

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _socket.SendAsync(_outbound.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        _outbound.ResetWrittenCount();
    }

    /// <summary>The next hub message (server keep-alive pings skipped); a close from the server throws.</summary>
    private async Task<HubMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffered = Buffered();
            if (HubProtocol.TryParseMessage(ref buffered, Binder, out var message))
            {
                Consumed(buffered);
                switch (message)
                {
                    case PingMessage:
                        continue;
                    case CloseMessage close:
                        throw new LeanHandshakeException($"the server closed the connection: {close.Error ?? "no reason given"}");
                    default:
                        return message!;
                }
            }

            await ReceiveMoreAsync(cancellationToken);
        }
    }

    private ReadOnlySequence<byte> Buffered() => new(_inbound, _start, _end - _start);

    private void Consumed(ReadOnlySequence<byte> rest) => _start = _end - (int)rest.Length;

    private async Task ReceiveMoreAsync(CancellationToken cancellationToken)
    {
        if (_end == _inbound.Length)
        {
            var larger = _start == 0 ? ArrayPool<byte>.Shared.Rent(_inbound.Length * 2) : _inbound;
            Buffer.BlockCopy(_inbound, _start, larger, 0, _end - _start);
            if (larger != _inbound)
            {
                ArrayPool<byte>.Shared.Return(_inbound);
                _inbound = larger;
            }

            (_start, _end) = (0, _end - _start);
        }

        ValueWebSocketReceiveResult result;
        try
        {
            result = await _socket.ReceiveAsync(_inbound.AsMemory(_end), cancellationToken);
        }
        catch (WebSocketException e)
        {
            throw new LeanHandshakeException($"the server dropped the connection: {e.Message}", e);
        }

        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new LeanHandshakeException($"the server closed the connection: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
        }

        _end += result.Count;
    }

    public void Dispose()
    {
        _socket.Dispose();
        ArrayPool<byte>.Shared.Return(_inbound);
    }

    /// <summary>What the client needs to know of the hub's methods to parse the server's messages: the handshake's
    /// result and <c>Receive</c>'s argument are byte arrays.</summary>
    private sealed class HubMethods : IInvocationBinder
    {
        private static readonly Type[] ReceiveParameters = [typeof(byte[])];

        public Type GetReturnType(string invocationId) => typeof(byte[]);

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => methodName == ProtocolConstants.ReceiveMethod
            ? ReceiveParameters
            : throw new InvalidOperationException($"the server called {methodName}, which no client has");

        public Type GetStreamItemType(string streamId) => throw new InvalidOperationException("the hub streams nothing");
    }
}

/// <summary>A lean connection's outcome: the server's handshake payload, whether it announced the session as new, and
/// the status of the server's answer to the close.</summary>
internal sealed record LeanHandshake(HandshakeInfo Info, bool NewSession, WebSocketCloseStatus? CloseStatus);

/// <summary>The server refused or dropped a lean connection before it was complete.</summary>
internal sealed class LeanHandshakeException(string message, Exception? inner = null) : Exception(message, inner);
