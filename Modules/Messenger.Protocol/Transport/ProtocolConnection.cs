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
/// and the ordered outbound writer. Outbound envelopes wait in a queue bounded by count and by bytes; one loop batches
/// them into frames of at most about 1 MiB, encrypts (the nonce is a counter, so one writer) and sends. An envelope
/// counts until its frame has been handed to the transport. While the queue holds more than
/// <c>Messenger:Protocol:OutboundQueueBytes</c>, new calls on the connection are refused (<see cref="IsBacklogged"/>);
/// a client that stops reading and lets it reach twice that, or stays over it for <see cref="StalledCloseSeconds"/>,
/// is disconnected instead of growing server memory. Pushes to a connection that was pushed to less than one
/// <see cref="PushPacer"/> period ago are held until the pacer's next tick and leave together, in one frame
/// (<c>Messenger:Protocol:PushCoalescingMs</c>); answers and acks never wait.
/// </summary>
internal sealed class ProtocolConnection
{
    private const int MaxEnvelopesPerFrame = 256;

    /// <summary>A frame stops taking envelopes once it holds this many bytes (one envelope always goes, whatever its size).</summary>
    internal const int MaxBatchBytes = 1 << 20;

    /// <summary>How long a connection's queue may stay over its bound before a call on it closes the connection.</summary>
    internal const int StalledCloseSeconds = 30;

    // What an envelope counts for in the queue's bytes: a result's value or a push's payload, plus a little for the rest.
    internal static long SizeOf(Envelope envelope) => envelope.Body switch
    {
        ResultBody result => (result.Value?.Length ?? 0) + 64,
        UpdatesBody updates => (updates.Payload?.Length ?? 0) + 64,
        _ => 64,
    };

    private readonly long _queueBytesBound;
    private long _queuedBytes;
    private long _peakQueuedBytes;
    private long _overSince;

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
        _queueBytesBound = options.OutboundQueueBytes;
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
        if (userId is not null)
        {
            Session?.MarkSignedIn();
        }

        var previous = Interlocked.Exchange(ref _userId, userId ?? -1);
        return previous < 0 ? null : previous;
    }

    /// <summary>Sets the account found by the lookup after the proof, unless a call on the connection has set it since
    /// (the call's is the newer: a sign-in or sign-out that committed after the lookup read).</summary>
    public bool TryResolveUserId(long? userId)
    {
        if (Interlocked.CompareExchange(ref _userId, userId ?? -1, Unresolved) != Unresolved)
        {
            return false;
        }

        if (userId is not null)
        {
            Session?.MarkSignedIn();
        }

        return true;
    }

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

    /// <summary>Bytes queued for this connection and not yet handed to the transport.</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>The most <see cref="QueuedBytes"/> ever held (tests).</summary>
    internal long PeakQueuedBytes => Interlocked.Read(ref _peakQueuedBytes);

    /// <summary>Test seam: awaited by the write loop before each frame it sends.</summary>
    internal Func<Task>? BeforeSend { get; set; }

    /// <summary>
    /// True while the queue holds at least <c>OutboundQueueBytes</c>: a new call is refused rather than run, so what the
    /// client does not read cannot pile up. A connection that stays so for <see cref="StalledCloseSeconds"/> is closed
    /// (then true as well).
    /// </summary>
    public bool IsBacklogged()
    {
        if (QueuedBytes < _queueBytesBound)
        {
            Interlocked.Exchange(ref _overSince, 0);
            return false;
        }

        var now = Environment.TickCount64;
        var since = Interlocked.CompareExchange(ref _overSince, now, 0);
        if (since != 0 && now - since > StalledCloseSeconds * 1000L)
        {
            Close($"outbound queue over {_queueBytesBound} bytes for {StalledCloseSeconds} s: the client is not reading");
        }

        return true;
    }

    /// <summary>Queues an envelope for this connection. A full queue (by count, or at twice <c>OutboundQueueBytes</c>
    /// unless it is empty: one envelope always fits) closes the connection. <paramref name="resend"/>: an unacked answer
    /// resent to a new connection, which the session's own bounds already limit.</summary>
    public bool TryEnqueue(Envelope envelope, bool resend = false)
    {
        var size = SizeOf(envelope);
        var queued = Interlocked.Add(ref _queuedBytes, size);
        if (!resend && queued > size && queued > 2 * _queueBytesBound)
        {
            Interlocked.Add(ref _queuedBytes, -size);
            if (Volatile.Read(ref _closed) == 0)
            {
                Close($"outbound queue over {2 * _queueBytesBound} bytes: the client is not reading");
            }

            return false;
        }

        for (var peak = PeakQueuedBytes; queued > peak; peak = PeakQueuedBytes)
        {
            Interlocked.CompareExchange(ref _peakQueuedBytes, queued, peak);
        }

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

        Interlocked.Add(ref _queuedBytes, -size);
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
                long batchBytes = 0;
                var onlyPushes = Drain(batch, ref batchBytes);
                if (onlyPushes && _pacer is not null && batch.Count < MaxEnvelopesPerFrame && batchBytes < MaxBatchBytes
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
                    onlyPushes &= Drain(batch, ref batchBytes);
                }

                if (onlyPushes)
                {
                    _lastPushFrameAt = Environment.TickCount64;
                }

                var outgoing = batch.Count == 1
                    ? batch[0]
                    : new Envelope(NextMsgId(isAnswer: false), NextSeqNo(false), new ContainerBody([.. batch]));
                batch.Clear();
                if (BeforeSend is { } beforeSend)
                {
                    await beforeSend();
                }

                using (var sealedFrame = FrameCodec.Seal(_send!, new Frame(SessionId, outgoing)))
                {
                    // Serialized into the connection's pipe before the send completes: the pooled buffer is free after it. A send
                    // that waits for a client that does not read ends when the connection is closed.
                    await _client.SendAsync(ProtocolConstants.ReceiveMethod, sealedFrame.Segment, _context.ConnectionAborted);
                }

                Interlocked.Add(ref _queuedBytes, -batchBytes);
            }
        }
        catch (Exception e)
        {
            Close($"send failed: {e.GetType().Name}");
        }
    }

    /// <summary>Moves queued envelopes into <paramref name="batch"/>; true if every one taken is a push.</summary>
    private bool Drain(List<Envelope> batch, ref long batchBytes)
    {
        var onlyPushes = true;
        while (batch.Count < MaxEnvelopesPerFrame && batchBytes < MaxBatchBytes && _outbound.Reader.TryRead(out var envelope))
        {
            batch.Add(envelope);
            batchBytes += SizeOf(envelope);
            onlyPushes &= envelope.Body is UpdatesBody;
        }

        return onlyPushes;
    }

    /// <summary>Closes the connection (once) with a logged reason.</summary>
    public void Close(string reason, LogLevel level = LogLevel.Information)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Volatile.Write(ref _state, (int)ConnectionState.Closed);
        _outbound.Writer.TryComplete();
        _logger.Log(level, "Closing connection {ConnectionId} ({ClientAddress}): {Reason}", ConnectionId, ClientAddress, reason);
        _context.Abort();
    }

    public void Released()
    {
        Interlocked.Exchange(ref _closed, 1);
        Volatile.Write(ref _state, (int)ConnectionState.Closed);
        _outbound.Writer.TryComplete();
    }
}
