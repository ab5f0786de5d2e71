using System.Threading.Channels;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Rpc;
using Messenger.Protocol.Sessions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Messenger.Protocol.Transport;

internal enum ConnectionState
{
    AwaitingHandshake,

    /// <summary>The handshake is done but the client has not yet shown that it holds its keys: message 1 carries
    /// nothing fresh from the client, so anyone who saw it can replay it and get this far. Such a connection is no
    /// device's yet: only its first frame that decrypts makes it <see cref="Established"/>.</summary>
    AwaitingProof,

    Established,
    Closed,
}

/// <summary>
/// One SignalR connection's protocol state: the Noise ciphers after the handshake, the bound client session,
/// and the ordered outbound writer. Outbound envelopes wait in a bounded queue; one loop batches them into a
/// frame, encrypts (the nonce is a counter, so one writer) and sends. A client that stops reading fills the queue
/// and is disconnected instead of growing server memory. Pushes to a connection that was pushed to less than one
/// <see cref="PushPacer"/> period ago are held until the pacer's next tick and leave together, in one frame
/// (<c>Messenger:Protocol:PushCoalescingMs</c>); answers and acks never wait.
/// </summary>
internal sealed class ProtocolConnection
{
    private const int MaxEnvelopesPerFrame = 256;

    private readonly HubCallerContext _context;
    private readonly IClientProxy _client;
    private readonly MsgIdClock _msgIds;
    private readonly ILogger _logger;
    private readonly Channel<Envelope> _outbound;
    private CipherState? _send;
    private CipherState? _receive;
    private int _callsInFlight;
    private int _seqNo;
    private int _closed;
    private readonly PushPacer? _pacer;

    // When the last frame of pushes only went out (Environment.TickCount64), and what the write loop waits on while it
    // holds pushes back: anything else queued (an answer, an ack) is counted and ends the wait at once.
    private long _lastPushFrameAt = long.MinValue / 2;
    private int _urgentQueued;
    private TaskCompletionSource? _hurry;

    public ProtocolConnection(
        HubCallerContext context, IClientProxy client, MsgIdClock msgIds, ProtocolOptions options, PushPacer? pacer, ILogger logger)
    {
        _context = context;
        _pacer = pacer;
        _client = client;
        _msgIds = msgIds;
        _logger = logger;
        ClientAddress = context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString();
        AddressBlock = ClientAddressBlock.Of(ClientAddress ?? "unknown");
        _outbound = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string ConnectionId => _context.ConnectionId;

    public string? ClientAddress { get; }

    /// <summary>What the per-address connection cap counts by (<see cref="ClientAddressBlock"/>).</summary>
    public string AddressBlock { get; }

    // A ConnectionState, changed only by compare-and-swap where a transition races the handshake timeout.
    private int _state = (int)ConnectionState.AwaitingHandshake;

    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

    public byte[] DeviceKey { get; private set; } = [];

    public string DeviceKeyHex { get; private set; } = "";

    public ClientSession? Session { get; set; }

    public long SessionId { get; set; }

    // The account's id; -1 for none, Unresolved until the lookup after the proof or a call has said.
    private const long Unresolved = -2;
    private long _userId = Unresolved;

    /// <summary>Sets the account this connection is signed in as and returns the previous one.</summary>
    public long? SwapUserId(long? userId)
    {
        var previous = Interlocked.Exchange(ref _userId, userId ?? -1);
        return previous < 0 ? null : previous;
    }

    /// <summary>Sets the account found by the lookup after the proof, unless a call on the connection has set it since
    /// (the call's is the newer: a sign-in or sign-out that committed after the lookup read).</summary>
    public bool TryResolveUserId(long? userId) => Interlocked.CompareExchange(ref _userId, userId ?? -1, Unresolved) == Unresolved;

    /// <summary>Takes the handshake's keys; the connection then awaits the client's proof that it holds them
    /// (<see cref="TryProve"/>). False if it was closed meanwhile.</summary>
    public bool Establish(byte[] deviceKey, CipherState send, CipherState receive)
    {
        DeviceKey = deviceKey;
        DeviceKeyHex = ProtocolConstants.Hex(deviceKey);
        _send = send;
        _receive = receive;
        if (!TryMove(ConnectionState.AwaitingHandshake, ConnectionState.AwaitingProof))
        {
            return false;
        }

        _ = Task.Run(WriteLoopAsync);
        return true;
    }

    /// <summary>Marks the connection as the device's once a frame from the client decrypted with the handshake's keys;
    /// false if it was not awaiting that proof (closed meanwhile by the timeout).</summary>
    public bool TryProve() => TryMove(ConnectionState.AwaitingProof, ConnectionState.Established);

    /// <summary>Closes the connection if it is still in <paramref name="state"/>; a connection that moved on is left
    /// alone even when the move races this call.</summary>
    public bool CloseIfStill(ConnectionState state, string reason)
    {
        if (!TryMove(state, ConnectionState.Closed))
        {
            return false;
        }

        Close(reason);
        return true;
    }

    private bool TryMove(ConnectionState from, ConnectionState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    /// <summary>Decrypts and parses an inbound frame. Only the hub's invocation for this connection calls it (in order).</summary>
    public OpenedFrame Open(ReadOnlySpan<byte> frame) => FrameCodec.OpenFrame(_receive!, frame);

    public bool TryEnterCall(int limit)
    {
        if (Interlocked.Increment(ref _callsInFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _callsInFlight);
        return false;
    }

    public void ExitCall() => Interlocked.Decrement(ref _callsInFlight);

    public long NextMsgId(bool isAnswer) => _msgIds.Next(isAnswer ? 1 : 3);

    /// <summary>Queues an envelope for this connection; a full queue closes the connection.</summary>
    public bool TryEnqueue(Envelope envelope)
    {
        // Counted only where pushes can be held back: with coalescing off nothing waits to be ended.
        var urgent = _pacer is not null && envelope.Body is not UpdatesBody;
        if (urgent)
        {
            Interlocked.Increment(ref _urgentQueued);
        }

        if (_outbound.Writer.TryWrite(envelope))
        {
            if (urgent)
            {
                Volatile.Read(ref _hurry)?.TrySetResult();
            }

            return true;
        }

        if (Volatile.Read(ref _closed) == 0)
        {
            Close("outbound queue full: the client is not reading");
        }

        return false;
    }

    public bool Enqueue(EnvelopeBody body, bool isAnswer) =>
        TryEnqueue(new Envelope(NextMsgId(isAnswer), NextSeqNo(body.IsContent), body));

    private int NextSeqNo(bool content)
    {
        // MTProto's rule: content messages get odd numbers and advance the count; others reuse the even one.
        var count = content ? Interlocked.Increment(ref _seqNo) - 1 : Volatile.Read(ref _seqNo);
        return count * 2 + (content ? 1 : 0);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Envelope>(MaxEnvelopesPerFrame);
        try
        {
            while (await _outbound.Reader.WaitToReadAsync())
            {
                var urgent = Volatile.Read(ref _urgentQueued);
                var onlyPushes = Drain(batch);
                if (onlyPushes && _pacer is not null && batch.Count < MaxEnvelopesPerFrame
                    && Environment.TickCount64 - _lastPushFrameAt < (long)_pacer.Period.TotalMilliseconds)
                {
                    // This connection was pushed to a moment ago: the pushes wait for the pacer's next tick and go out
                    // together with those that arrive meanwhile, in one frame. Anything else queued ends the wait.
                    var hurry = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    // A full fence between publishing the wait and reading the count: an envelope queued after the
                    // read finds the wait published and ends it.
                    Interlocked.Exchange(ref _hurry, hurry);
                    if (Volatile.Read(ref _urgentQueued) == urgent)
                    {
                        await Task.WhenAny(_pacer.NextTick, hurry.Task);
                    }

                    Volatile.Write(ref _hurry, null);
                    onlyPushes &= Drain(batch);
                }

                if (onlyPushes)
                {
                    _lastPushFrameAt = Environment.TickCount64;
                }

                var outgoing = batch.Count == 1
                    ? batch[0]
                    : new Envelope(NextMsgId(isAnswer: false), NextSeqNo(false), new ContainerBody([.. batch]));
                batch.Clear();
                using var sealedFrame = FrameCodec.Seal(_send!, new Frame(SessionId, outgoing));
                // Serialized into the connection's pipe before the send completes: the pooled buffer is free after it.
                await _client.SendAsync(ProtocolConstants.ReceiveMethod, sealedFrame.Segment);
            }
        }
        catch (Exception e)
        {
            Close($"send failed: {e.GetType().Name}");
        }
    }

    /// <summary>Moves queued envelopes into <paramref name="batch"/>; true if every one taken is a push.</summary>
    private bool Drain(List<Envelope> batch)
    {
        var onlyPushes = true;
        while (batch.Count < MaxEnvelopesPerFrame && _outbound.Reader.TryRead(out var envelope))
        {
            batch.Add(envelope);
            onlyPushes &= envelope.Body is UpdatesBody;
        }

        return onlyPushes;
    }

    /// <summary>Closes the connection (once) with a logged reason.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _state, (int)ConnectionState.Closed);
        _outbound.Writer.TryComplete();
        _logger.LogInformation("Closing connection {ConnectionId} ({ClientAddress}): {Reason}", ConnectionId, ClientAddress, reason);
        _context.Abort();
    }

    public void Released()
    {
        Interlocked.Exchange(ref _closed, 1);
        Volatile.Write(ref _state, (int)ConnectionState.Closed);
        _outbound.Writer.TryComplete();
    }
}
