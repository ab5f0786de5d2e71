using MessagePack;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Protocol.Dispatch;
using Messenger.Protocol.Keys;
using Messenger.Protocol.Sessions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Transport;

/// <summary>
/// The protocol state machine behind the hub: handshake, frame decryption, session binding, msg_id checks and
/// the routing of each envelope. Any frame that fails to decrypt or parse closes its connection with a logged
/// reason (a null frame, or a null envelope in a container, too; any other failure to handle a frame closes it with
/// one warning line, never an error with a stack per frame); nothing a connection sends can disturb another. A
/// connection becomes its device's (session, device binding, sign-in) only with its first frame that decrypts; one
/// without such a frame is closed at the handshake timeout.
/// </summary>
internal sealed class ProtocolEngine(
    ConnectionRegistry connections,
    SessionRegistry sessions,
    ServerKeyStore keys,
    RpcDispatcher dispatcher,
    ConnectionAccounts accounts,
    IHubContext<RpcHub> hub,
    MsgIdClock msgIds,
    PushPacer.Shared pacer,
    IOptions<ProtocolOptions> options,
    TimeProvider clock,
    ILogger<ProtocolEngine> logger)
{
    private readonly ProtocolOptions _options = options.Value;

    public void Connected(HubCallerContext context)
    {
        var connection = new ProtocolConnection(context, hub.Clients.Client(context.ConnectionId), msgIds, _options, pacer.Pacer, logger);
        if (!connections.TryAdd(connection, _options.MaxConnectionsPerAddress))
        {
            connection.Close($"more than {_options.MaxConnectionsPerAddress} connections from {connection.AddressBlock}"
                + " (behind a reverse proxy, list it in Messenger:TrustedProxies)");
            return;
        }

        // One deadline for both steps: a connection that replays someone's message 1 gets through the handshake but can
        // never send a frame that decrypts, so it must not outlive the timeout either.
        var timer = clock.CreateTimer(_ =>
        {
            if (!connection.CloseIfStill(ConnectionState.AwaitingHandshake, "no handshake within the timeout"))
            {
                connection.CloseIfStill(ConnectionState.AwaitingProof, "no valid frame after the handshake within the timeout");
            }
        }, null, TimeSpan.FromSeconds(_options.HandshakeTimeoutSeconds), Timeout.InfiniteTimeSpan);
        context.ConnectionAborted.Register(() => timer.Dispose());
    }

    public void Disconnected(string connectionId)
    {
        if (connections.Remove(connectionId) is { } connection)
        {
            if (connection.Session is { } session)
            {
                session.Detach(connection);
                sessions.Detached(session);
            }

            connection.Released();
            _ = accounts.ClosedAsync(connection);
        }
    }

    public byte[] Handshake(string connectionId, byte[]? message1)
    {
        var connection = connections.Get(connectionId) ?? throw new HubException("unknown connection");
        if (connection.State != ConnectionState.AwaitingHandshake)
        {
            connection.Close("a second handshake on one connection");
            throw new HubException("handshake refused");
        }

        if (message1 is null)
        {
            connection.Close("handshake failed: message 1 is null");
            throw new HubException("handshake failed");
        }

        try
        {
            var handshake = new HandshakeState(HandshakePattern.IK, initiator: false, ProtocolConstants.PrologueBytes, keys.KeyPair);
            // Message 1 can be replayed by anyone who saw it, so it carries nothing.
            if (handshake.ReadMessage(message1).Length != 0)
            {
                throw new NoiseException("message 1 must have an empty payload");
            }

            var info = new HandshakeInfo(clock.GetUtcNow().ToUnixTimeMilliseconds(), ProtocolConstants.Prologue);
            var message2 = handshake.WriteMessage(WireSerializer.Serialize(info));
            var (send, receive) = handshake.Split();
            if (!connection.Establish(handshake.RemoteStaticPublicKey!, send, receive))
            {
                throw new HubException("handshake refused");
            }

            // Not the device's yet: see SignIn.
            return message2;
        }
        catch (NoiseException e)
        {
            connection.Close($"handshake failed: {e.Message}");
            throw new HubException("handshake failed");
        }
    }

    public void Receive(string connectionId, byte[]? frame)
    {
        if (connections.Get(connectionId) is not { } connection)
        {
            return;
        }

        try
        {
            Receive(connection, frame);
        }
        catch (Exception e)
        {
            // A backstop: no client input may log an error with a stack per frame (anyone could fill the log with them),
            // nor keep a connection whose frame could not be handled. One line, with what went wrong.
            connection.Close($"frame could not be handled: {e.GetType().Name}: {e.Message}", LogLevel.Warning);
        }
    }

    private void Receive(ProtocolConnection connection, byte[]? frame)
    {
        if (frame is null)
        {
            connection.Close("malformed frame: null");
            return;
        }

        if (connection.State is not (ConnectionState.AwaitingProof or ConnectionState.Established))
        {
            connection.Close(connection.State == ConnectionState.AwaitingHandshake ? "frame before the handshake" : "frame after close");
            return;
        }

        if (frame.Length > _options.MaxFrameBytes)
        {
            connection.Close($"frame of {frame.Length} bytes exceeds {_options.MaxFrameBytes}");
            return;
        }

        OpenedFrame opened;
        try
        {
            opened = connection.Open(frame);
        }
        catch (NoiseException e)
        {
            connection.Close($"undecryptable frame: {e.Message}");
            return;
        }
        catch (MessagePackSerializationException e)
        {
            connection.Close($"malformed frame: {e.Message}");
            return;
        }

        // Calls borrow the frame's buffer for their arguments and read them before Process returns.
        using (opened)
        {
            var parsed = opened.Frame;
            if (parsed?.Envelope?.Body is null)
            {
                connection.Close("malformed frame: frame without an envelope body");
                return;
            }

            if (connection.Session is null)
            {
                if (!connection.TryProve())
                {
                    return; // closed by the handshake timeout meanwhile
                }

                AttachSession(connection, parsed.SessionId, parsed.Envelope.MsgId);
                SignIn(connection);
            }
            else if (parsed.SessionId != connection.SessionId)
            {
                connection.Close("session id changed on a connection");
                return;
            }

            Process(connection, connection.Session!, parsed.Envelope, inContainer: false);
        }
    }

    /// <summary>
    /// Makes the connection its device's: other modules may find it by device key from now on, and its account (if the
    /// device signed in earlier) goes online with it. Done on the first frame that decrypts, not at the handshake:
    /// message 1 carries nothing fresh from the client, so anyone who saw it (a TLS-terminating proxy) could replay it
    /// and, with a silent connection, show the device online, stop its Web Push, keep it from expiring as unused and
    /// watch the timing and size of its pushes. Only whoever made message 1 (holding its ephemeral key and the device's
    /// static key) can read message 2 and seal a frame. The calls of that first frame need not wait for this: each
    /// resolves its caller itself.
    /// </summary>
    private void SignIn(ProtocolConnection connection)
    {
        connections.BindDevice(connection);
        _ = accounts.ResolveAfterProofAsync(connection);
    }

    private void AttachSession(ProtocolConnection connection, long sessionId, long firstMsgId)
    {
        var (session, created) = sessions.GetOrCreate(connection.DeviceKeyHex, sessionId);
        connection.SessionId = sessionId;
        connection.Session = session;
        var (previous, unacked) = session.Attach(connection);
        previous?.Close("session resumed on a newer connection");
        if (created)
        {
            connection.Enqueue(new NewSessionBody(firstMsgId, clock.GetUtcNow().ToUnixTimeMilliseconds()), isAnswer: false);
        }

        foreach (var answer in unacked)
        {
            connection.TryEnqueue(answer, resend: true);
        }
    }

    private void Process(ProtocolConnection connection, ClientSession session, Envelope envelope, bool inContainer)
    {
        if (envelope?.Body is null)
        {
            connection.Close("malformed frame: envelope without a body");
            return;
        }

        // Only calls are held to the time window: they are what runs and what the msg_id memory protects. A
        // container, ack or ping is never executed, and refusing a container for its clock would hide its calls.
        if (BadMsgId(envelope.MsgId, checkTime: envelope.Body is CallBody) is { } code)
        {
            RefuseEnvelope(connection, envelope.MsgId, code);
            return;
        }

        switch (envelope.Body)
        {
            case CallBody call:
                Call(connection, session, envelope.MsgId, call);
                break;
            case AckBody ack:
                session.Acknowledge(ack.MsgIds ?? []);
                break;
            case ContainerBody container:
                if (inContainer || container.Envelopes is null || container.Envelopes.Length > ContainerBody.MaxEnvelopes)
                {
                    RefuseEnvelope(connection, envelope.MsgId, BadMsgCodes.InvalidContainer);
                    return;
                }

                foreach (var inner in container.Envelopes)
                {
                    Process(connection, session, inner, inContainer: true);
                }

                break;
            case PingBody ping:
                connection.Enqueue(new PongBody(envelope.MsgId, ping.PingId), isAnswer: true);
                break;
            case PongBody:
                break;
            default:
                connection.Close($"a client may not send {envelope.Body.GetType().Name}");
                break;
        }
    }

    private void Call(ProtocolConnection connection, ClientSession session, long msgId, CallBody call)
    {
        switch (session.Admit(msgId))
        {
            case CallAdmission.Running or CallAdmission.Answered:
                return;
            case CallAdmission.TooLow:
                RefuseEnvelope(connection, msgId, BadMsgCodes.MsgIdTooLow);
                return;
            case CallAdmission.AnswerDropped:
                connection.Enqueue(new ErrorBody(msgId, ErrorNames.ResultDropped, 500, null), isAnswer: true);
                return;
        }

        // Also while the connection's queue holds more than OutboundQueueBytes: what a client does not read must not pile up.
        if (connection.IsBacklogged() || !connection.TryEnterCall(_options.MaxCallsInFlight))
        {
            session.Forget(msgId);
            connection.Enqueue(new ErrorBody(msgId, ErrorNames.TooManyCallsInFlight, 420, 1), isAnswer: true);
            return;
        }

        _ = dispatcher.DispatchAsync(connection, session, msgId, call);
    }

    private int? BadMsgId(long msgId, bool checkTime)
    {
        if ((msgId & 3) != 0)
        {
            return BadMsgCodes.MsgIdWrongParity;
        }

        if (!checkTime)
        {
            return null;
        }

        var age = clock.GetUtcNow() - MsgIdClock.TimeOf(msgId);
        if (age > TimeSpan.FromSeconds(ProtocolConstants.MsgIdMaxAgeSeconds))
        {
            return BadMsgCodes.MsgIdTooLow;
        }

        if (age < -TimeSpan.FromSeconds(ProtocolConstants.MsgIdMaxLeadSeconds))
        {
            return BadMsgCodes.MsgIdTooHigh;
        }

        return null;
    }

    private void RefuseEnvelope(ProtocolConnection connection, long msgId, int code) =>
        connection.Enqueue(new BadMsgBody(msgId, code, clock.GetUtcNow().ToUnixTimeMilliseconds()), isAnswer: true);
}
