using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;
using MessagePack;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messenger.Client;

/// <summary>
/// A connection to a Messenger server as an app uses it: Noise IK handshake against the pinned server key, the
/// encrypted message layer (msg_ids, acks, containers), RPC calls with timeouts, and an updates stream. When the
/// connection drops it reconnects with back-off, resumes the same session and resends every unanswered call with
/// its original msg_id, so the server runs each call once.
/// </summary>
public sealed class MessengerClient : IAsyncDisposable
{
    private const int MaxEnvelopesPerFrame = ContainerBody.MaxEnvelopes;
    private const int MaxArgsBytesPerFrame = 256 * 1024;

    // What an envelope adds to its call's method and args in a frame, generously: the frame's and envelope's array
    // headers, session id, msg_id, seq_no, kind and the two length headers (≈ 40 bytes).
    private const int EnvelopeOverheadBytes = 64;

    // How long disposing waits to report messages delivered that the app already got.
    private static readonly TimeSpan ReceiptFlushBound = TimeSpan.FromSeconds(2);

    private static readonly ConcurrentDictionary<Type, string> MethodNames = new();
    private static readonly IHubProtocol HubProtocol = new MessagePackHubProtocol();

    private readonly MessengerClientOptions _options;
    private readonly NoiseKeyPair _deviceKey;
    private readonly MsgIdClock _msgIds;
    private readonly long _sessionId;
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pings = new();
    private readonly GivenUpCalls _givenUp = new();
    private readonly Channel<Envelope> _outbound = Channel.CreateUnbounded<Envelope>(new() { SingleReader = true });
    private readonly ConcurrentQueue<long> _acks = new();
    private readonly Channel<UpdatesBody> _updates = Channel.CreateUnbounded<UpdatesBody>(new() { SingleWriter = true });
    private readonly CancellationTokenSource _disposed = new();
    private HttpClient? _http;
    private TaskCompletionSource<Link> _linkReady = NewLinkSignal();
    private readonly ReconnectBackoff _backoff;
    private MessengerConnectionException? _closed;
    private Link? _link;
    private Task _sendLoop = Task.CompletedTask;
    private int _seqNo;
    private int _ackFlushScheduled;

    private MessengerClient(MessengerClientOptions options)
    {
        _options = options;
        _deviceKey = options.DeviceKeys.GetOrCreate();
        _msgIds = new MsgIdClock(options.Clock);
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay);
        _sessionId = options.SessionId != 0 ? options.SessionId : Random.Shared.NextInt64(1, long.MaxValue);
        Events = new UpdateStream(new ClientUpdateServer(this), options);
        NewSession += _ => Events.RequestDifference();
        Reconnected += Events.RequestDifference;
        SecretChats = new SecretChatEngine(this, options);
        Events.Secret = SecretChats;
        VoiceChat = new VoiceChatPresence(this);
        Events.GroupCallSeen += VoiceChat.Seen;
        Reconnected += () => _ = VoiceChat.RejoinAsync();
    }

    /// <summary>The device's static public key: its identity to the server.</summary>
    public byte[] DevicePublicKey => _deviceKey.PublicKey;

    /// <summary>This client's session: <see cref="MessengerClientOptions.SessionId"/>, or one drawn for this client when
    /// that is 0.</summary>
    public long SessionId => _sessionId;

    /// <summary>Server time minus local time, learned at the handshake and from bad-msg notices.</summary>
    public TimeSpan ClockOffset => _msgIds.Offset;

    /// <summary>The group voice chat this client joined and has not left; rejoined by itself after a reconnect
    /// (<see cref="GroupCallRejoined"/>, or <see cref="GroupCallDropped"/> when it is gone).</summary>
    public Contracts.Calls.GroupCall? CurrentGroupCall => VoiceChat.Current;

    internal VoiceChatPresence VoiceChat { get; }

    internal SecretChatEngine SecretChats { get; }

    public bool IsConnected => Volatile.Read(ref _link) is { Hub.State: HubConnectionState.Connected };

    /// <summary>Raw pushes of the session layer (e.g. login token accepted), in order. Message and log updates go to
    /// <see cref="Events"/> instead.</summary>
    public ChannelReader<UpdatesBody> Updates => _updates.Reader;

    /// <summary>The signed-in user's updates as events, each once and in order; call
    /// <see cref="UpdateStream.StartAsync(long, long?, CancellationToken)"/> after signing in.</summary>
    public UpdateStream Events { get; }

    /// <summary>Raised when the server did not know this session (first connection, or state lost): resync.</summary>
    public event Action<NewSessionBody>? NewSession;

    /// <summary>Raised after a dropped connection is replaced and unanswered calls were resent.</summary>
    public event Action? Reconnected;

    /// <summary>How many times the server announced a new session (also counts those before a handler subscribed).</summary>
    public int NewSessionCount => Volatile.Read(ref _newSessions);

    private int _newSessions;

    /// <summary>Connections made so far (1 after connect; grows with each reconnect).</summary>
    public int ConnectionCount { get; private set; }

    /// <summary>Connects and completes the handshake. Fails with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled, with <see cref="MessengerConnectionException"/> when the server
    /// refuses, cannot be reached or gives no answer within <see cref="MessengerClientOptions.ConnectTimeout"/>; either way
    /// the socket it opened is closed.</summary>
    public static async Task<MessengerClient> ConnectAsync(MessengerClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new MessengerClient(options);
        try
        {
            await client.OpenLinkAsync(cancellationToken);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        client._sendLoop = Task.Run(client.SendLoopAsync);
        return client;
    }

    /// <summary>Calls a method; returns its result or throws <see cref="RpcException"/> with the server's error.
    /// A call whose token is cancelled before it went out is not sent; cancelling after it went out only stops the
    /// wait (the server may still run it: calls that must not run twice carry their own key, e.g. a send's
    /// <c>random_id</c>; when its answer still comes, <see cref="Events"/> asks the server what changed). A call too
    /// large for one frame (<see cref="MessengerClientOptions.MaxFrameBytes"/>) fails at
    /// once with <see cref="ArgumentException"/>; after the connection closed for good (<see
    /// cref="MessengerClientOptions.AutoReconnect"/> off) every call fails at once with
    /// <see cref="MessengerConnectionException"/>. A call whose answer the server let go before it reached this
    /// device (500 <c>RESULT_DROPPED</c>, after a reconnect) is sent again once, as a new call, if it is an
    /// <see cref="IRepeatableCall"/> (its own key, e.g. a send's <c>random_id</c>, makes the repeat answer the first
    /// run's result; or running it again changes nothing); any other call throws it.</summary>
    public Task<TResult> CallAsync<TResult>(IRpcCall<TResult> call, CancellationToken cancellationToken = default) =>
        CallWithLateAnswerAsync(call, null, cancellationToken);

    /// <summary>As <see cref="CallAsync{TResult}"/>; when the call is given up
    /// (cancelled, timed out) and its answer still comes, <paramref name="answeredLate"/> takes it (on the thread pool):
    /// what the call did that the SDK keeps for itself (a secret message's date, a voice chat's place), which no update
    /// tells this device.</summary>
    internal async Task<TResult> CallWithLateAnswerAsync<TResult>(IRpcCall<TResult> call, Action<TResult>? answeredLate, CancellationToken cancellationToken)
    {
        Action<byte[]>? late = answeredLate is null
            ? null
            : value => answeredLate(MessagePackSerializer.Deserialize<TResult>(value, WireSerializer.Options, CancellationToken.None));
        try
        {
            return await CallOnceAsync(call, late, cancellationToken);
        }
        catch (RpcException e) when (e.Name == ErrorNames.ResultDropped && call is IRepeatableCall)
        {
            return await CallOnceAsync(call, late, cancellationToken);
        }
    }

    private async Task<TResult> CallOnceAsync<TResult>(IRpcCall<TResult> call, Action<byte[]>? answeredLate, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        var type = call.GetType();
        var method = MethodNames.GetOrAdd(type, static t =>
            (t.GetCustomAttributes(typeof(RpcMethodAttribute), false).FirstOrDefault() as RpcMethodAttribute)?.Name
            ?? throw new InvalidOperationException($"{t.Name} has no [RpcMethod] attribute"));
        var args = MessagePackSerializer.Serialize(type, call, WireSerializer.Options, cancellationToken);
        var value = await SendCallAsync(method, args, answeredLate, cancellationToken);
        // The answer is in hand, and the call ran: a cancel that came after it (the call then was not remembered as given
        // up) must not throw it away — read with that token, an answer holding an array failed, and what it reported
        // (a forward's copies) was never told to this device.
        return MessagePackSerializer.Deserialize<TResult>(value, WireSerializer.Options, CancellationToken.None);
    }

    /// <summary>Calls <paramref name="method"/> with raw MessagePack arguments (for tools and tests); fails as
    /// <see cref="CallAsync{TResult}"/> does.</summary>
    public Task<byte[]> SendCallAsync(string method, byte[] args, CancellationToken cancellationToken = default) =>
        SendCallAsync(method, args, null, cancellationToken);

    private async Task<byte[]> SendCallAsync(string method, byte[] args, Action<byte[]>? answeredLate, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        var frameBytes = SealedFrameBytes(EnvelopeOverheadBytes + System.Text.Encoding.UTF8.GetByteCount(method) + args.Length);
        if (frameBytes > _options.MaxFrameBytes)
        {
            // Sent anyway, the server would close the connection, and every reconnect would resend it.
            throw new ArgumentException(
                $"{method} is {frameBytes} bytes as a frame, over the server's limit of {_options.MaxFrameBytes} bytes (max_frame_bytes)", nameof(args));
        }

        var pending = new PendingCall(method, new Envelope(_msgIds.Next(), NextSeqNo(content: true), new CallBody(method, args)))
        {
            AnsweredLate = answeredLate,
        };
        _pending[pending.MsgId] = pending;
        if (Volatile.Read(ref _closed) is { } closed && _pending.TryRemove(new(pending.MsgId, pending)))
        {
            throw Closed(closed);
        }

        _outbound.Writer.TryWrite(pending.Envelope);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(_options.CallTimeout);
        await using var registration = timeout.Token.Register(() =>
        {
            // Noted first: a call out of the pending calls right now for a new msg_id (OnBadMsg) is given up when it is
            // back.
            pending.GivenUp = _disposed.IsCancellationRequested
                ? new ObjectDisposedException(nameof(MessengerClient))
                : cancellationToken.IsCancellationRequested
                    ? new OperationCanceledException(cancellationToken)
                    : new CallTimeoutException(method, _options.CallTimeout);
            GiveUp(pending);
        });
        return await pending.Result.Task;
    }

    // Takes a call its caller gave up out of the pending calls and fails it. Remembered as given up before it leaves
    // them, so an answer read in between (on the receive thread) finds it in one or the other; the update stream's own
    // reads change nothing, and are not remembered.
    private void GiveUp(PendingCall pending)
    {
        var msgId = pending.MsgId;
        var remember = GivenUpCalls.Remembers(pending.Method);
        if (remember)
        {
            _givenUp.Add(msgId, pending.AnsweredLate);
        }

        if (_pending.TryRemove(new(msgId, pending)))
        {
            pending.Result.TrySetException(pending.GivenUp!);
        }
        else if (remember)
        {
            // Answered meanwhile (its caller has the answer), or out for a new msg_id (given up when it is back).
            _givenUp.Remove(msgId);
        }
    }

    /// <summary>A protocol-level ping (not an RPC): round trip through the message layer. Fails as
    /// <see cref="CallAsync{TResult}"/> does (<see cref="TimeoutException"/> after
    /// <see cref="MessengerClientOptions.CallTimeout"/>).</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        var envelope = new Envelope(_msgIds.Next(), NextSeqNo(content: false), new PingBody(Random.Shared.NextInt64()));
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[envelope.MsgId] = pong;
        if (Volatile.Read(ref _closed) is { } closed && _pings.TryRemove(envelope.MsgId, out _))
        {
            throw Closed(closed);
        }

        _outbound.Writer.TryWrite(envelope);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        try
        {
            await pong.Task.WaitAsync(_options.CallTimeout, stop.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(MessengerClient));
        }
        finally
        {
            _pings.TryRemove(envelope.MsgId, out _);
        }
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closed) is { } closed)
        {
            throw Closed(closed);
        }
    }

    // A fresh exception per caller: one instance rethrown on many threads would mix their stack traces.
    private static MessengerConnectionException Closed(MessengerConnectionException closed) => new(closed.Message, closed.InnerException);

    private static int SealedFrameBytes(int plaintextBytes) =>
        plaintextBytes + (2 + CipherState.TagLength) * Math.Max(1, (plaintextBytes + FrameCodec.MaxChunkPlaintext - 1) / FrameCodec.MaxChunkPlaintext);

    private static int FrameBytes(Envelope envelope) => envelope.Body is CallBody call
        ? EnvelopeOverheadBytes + call.Method.Length + call.Args.Length
        : EnvelopeOverheadBytes;

    private async Task OpenLinkAsync(CancellationToken cancellationToken)
    {
        var connections = new TrackedConnections();
        var hub = NewHubConnection(connections);
        var link = new Link(hub, connections, _options.Clock.GetUtcNow());
        hub.On<byte[]>(ProtocolConstants.ReceiveMethod, frame => OnFrame(link, frame));
        hub.Closed += error => OnLinkClosedAsync(link, error);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        // A connect given up ends the link's HTTP requests at once: long polling's close waits for them (LinkRequests).
        var giveUp = timeout.Token.Register(connections.GiveUp);
        try
        {
            await hub.StartAsync(timeout.Token);
            var handshake = new HandshakeState(
                HandshakePattern.IK, initiator: true, ProtocolConstants.PrologueBytes, _deviceKey, _options.ServerPublicKey);
            var message2 = await hub.InvokeAsync<byte[]>(ProtocolConstants.HandshakeMethod, handshake.WriteMessage([]), timeout.Token);
            var info = WireSerializer.Deserialize<HandshakeInfo>(handshake.ReadMessage(message2));
            _msgIds.Offset = DateTimeOffset.FromUnixTimeMilliseconds(info.ServerTimeUnixMs) - _options.Clock.GetUtcNow();
            (link.Send, link.Receive) = handshake.Split();
            await giveUp.DisposeAsync();
            if (_options.AfterHandshake is { } afterHandshake)
            {
                await afterHandshake(hub);
            }
        }
        catch (Exception e)
        {
            await giveUp.DisposeAsync();
            connections.GiveUp();
            // Closed whatever went wrong, the caller's cancellation too: else its socket stays open until the server's
            // handshake timeout.
            link.Abandoned = true;
            await hub.DisposeAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new MessengerConnectionException(e switch
            {
                OperationCanceledException when timeout.IsCancellationRequested =>
                    $"handshake with {_options.ServerUrl} got no answer within ConnectTimeout ({_options.ConnectTimeout.TotalSeconds:0.###} s)",
                // SignalR cancels the invocation when the server closes the connection, as it does on a handshake it
                // cannot read: most likely one sealed to a key the server does not hold.
                OperationCanceledException =>
                    $"the server at {_options.ServerUrl} closed the connection during the handshake: it does not hold the pinned key (another server, or its key was re-created?) or it refused the handshake (its log says why)",
                _ => $"handshake with {_options.ServerUrl} failed (server unreachable, or it does not hold the pinned key): {e.Message}",
            }, e);
        }

        ConnectionCount++;
        // A full fence, so the state read below comes after it: a close that lands from here on finds the link in
        // OnLinkClosedAsync.
        Interlocked.Exchange(ref _link, link);
        if (_disposed.IsCancellationRequested && Interlocked.CompareExchange(ref _link, null, link) == link)
        {
            // Disposed while this link was being made (a reconnect): nothing else will close it.
            link.Abandoned = true;
            await hub.DisposeAsync();
            throw new OperationCanceledException(_disposed.Token);
        }

        Volatile.Read(ref _linkReady).TrySetResult(link);

        // Resend what was never answered with the original msg_ids (the server runs each once), led by a ping
        // that binds the session at once so the server resends answers it still holds. The ping is also the proof
        // the server waits for (a replayed message 1 gets through the handshake too): without a frame the connection
        // is not the device's (not online, sent no updates) and is closed after the handshake timeout, so it goes
        // even when the app has nothing to call.
        _outbound.Writer.TryWrite(new Envelope(_msgIds.Next(), NextSeqNo(content: false), new PingBody(0)));
        foreach (var pending in _pending.Values.OrderBy(p => p.MsgId))
        {
            pending.Resent = true;
            _outbound.Writer.TryWrite(pending.Envelope);
        }

        // Closed between the handshake's answer and the link taken above (a reset right behind the answer): its Closed
        // handler found another link and let it be, and nothing else would notice, so the close is handled here. The
        // state turns Disconnected before Closed is raised, and OnLinkClosedAsync takes a link once: handled once.
        if (hub.State != HubConnectionState.Connected)
        {
            _ = OnLinkClosedAsync(link, null);
        }
    }

    // HubConnectionBuilder.Build makes a service provider per connection, which was ≈ 8 % of a connecting client's
    // CPU; HubConnection reads nothing but its options from the provider, so without ConfigureConnection the parts
    // are put together here and shared.
    private HubConnection NewHubConnection(TrackedConnections connections)
    {
        var url = new Uri(_options.ServerUrl, ProtocolConstants.HubPath);
        if (_options.ConfigureConnection is { } configure)
        {
            var builder = new HubConnectionBuilder().WithUrl(url).AddMessagePackProtocol().WithServerTimeout(_options.ServerTimeout);
            configure(builder);
            return builder.Build();
        }

        var transport = new HttpConnectionOptions { Url = url };
        _options.ConfigureTransport?.Invoke(transport);
        var appHandler = transport.HttpMessageHandlerFactory;
        transport.HttpMessageHandlerFactory = inner =>
            new LinkRequests(appHandler?.Invoke(inner) ?? inner, _options.ServerTimeout, connections.GivenUp);
        connections.Inner = new HttpConnectionFactory(Microsoft.Extensions.Options.Options.Create(transport), NullLoggerFactory.Instance);
        return new HubConnection(connections, HubProtocol, new UriEndPoint(url), NoServices.Instance, NullLoggerFactory.Instance)
        {
            ServerTimeout = _options.ServerTimeout,
        };
    }

    private async Task OnLinkClosedAsync(Link link, Exception? error)
    {
        // Taken at once, so of the two that may handle one close (Closed, and OpenLinkAsync for a close before the link
        // was taken) only one reconnects.
        if (link.Abandoned || _disposed.IsCancellationRequested || Interlocked.CompareExchange(ref _link, null, link) != link)
        {
            return;
        }

        Volatile.Write(ref _linkReady, NewLinkSignal());
        await link.Hub.DisposeAsync();
        if (!_options.AutoReconnect)
        {
            // Closed for good: whatever is called from now on fails at once, and the events reader ends with it.
            var closed = new MessengerConnectionException("connection closed (AutoReconnect is off)", error);
            Volatile.Write(ref _closed, closed);
            FailAllPending(closed);
            Events.Fail(closed);
            return;
        }

        var delay = _backoff.AfterClose(_options.Clock.GetUtcNow() - link.OpenedAt);
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_backoff.WithJitter(delay, Random.Shared), _options.Clock, _disposed.Token);
                await OpenLinkAsync(_disposed.Token);
                _backoff.Connected(delay);
                Raise(Reconnected, nameof(Reconnected));
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (MessengerConnectionException)
            {
                delay = _backoff.Grow(delay);
            }
        }
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<Envelope>(64);
        // The token a send is given up by (WatchSendAsync): one for every send, made anew only after one was given up.
        var sendBound = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        try
        {
            // Disposing completes the channel, which ends this loop; what is still queued then is not sent.
            while (await _outbound.Reader.WaitToReadAsync() && !_disposed.IsCancellationRequested)
            {
                var link = Volatile.Read(ref _link) ?? await Volatile.Read(ref _linkReady).Task.WaitAsync(_disposed.Token);
                // A container stays within MaxArgsBytesPerFrame; a larger envelope goes alone (it was checked
                // against the frame limit when it was called), so two legal calls never make an illegal frame.
                var frameBytes = 0;
                while (batch.Count < MaxEnvelopesPerFrame - 1 && _outbound.Reader.TryPeek(out var next)
                    && (batch.Count == 0 || frameBytes + FrameBytes(next) <= MaxArgsBytesPerFrame)
                    && _outbound.Reader.TryRead(out var envelope))
                {
                    if (envelope.Body is CallBody && !_pending.ContainsKey(envelope.MsgId))
                    {
                        // Cancelled (or timed out) before it went out: not sent at all.
                        continue;
                    }

                    batch.Add(envelope);
                    frameBytes += FrameBytes(envelope);
                }

                TakeAcks(batch);
                if (batch.Count == 0)
                {
                    continue;
                }

                var outgoing = batch.Count == 1
                    ? batch[0]
                    : new Envelope(_msgIds.Next(), NextSeqNo(content: false), new ContainerBody([.. batch]));
                batch.Clear();
                using var frame = FrameCodec.Seal(link.Send!, new Frame(_sessionId, outgoing));
                try
                {
                    // Written to the connection before the send completes: the pooled buffer is free after it.
                    var sending = link.Hub.SendAsync(ProtocolConstants.SendMethod, frame.Segment, sendBound.Token);
                    if (!sending.IsCompleted)
                    {
                        await WatchSendAsync(link, sending, sendBound);
                    }

                    await sending;
                }
                catch (OperationCanceledException) when (!_disposed.IsCancellationRequested)
                {
                    // Unanswered calls stay pending and are resent on the next link.
                    _ = link.AbortAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The link is gone: unanswered calls stay pending and are resent on the next link.
                }
                finally
                {
                    // Cancelled only when a send was given up: then made anew for the next link's.
                    if (sendBound.IsCancellationRequested)
                    {
                        sendBound.Dispose();
                        sendBound = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            sendBound.Dispose();
        }
    }

    /// <summary>
    /// Waits for a send that found no room on the socket at once, and gives it up (cancels
    /// <paramref name="sendBound"/>: the send then ends with <see cref="OperationCanceledException"/>, and the link is
    /// aborted) once it has waited <see cref="MessengerClientOptions.ServerTimeout"/> while the link brought nothing for
    /// as long.
    /// </summary>
    /// <remarks>
    /// HubConnection holds its connection lock while a send waits for room on the socket, and its close waits for that
    /// lock: a send stuck on a link that takes nothing (the peer stopped reading, the socket stays open) would keep its
    /// <c>Closed</c> from ever being raised, and the client from ever reconnecting. But a send also waits on a link that
    /// is only slow: SignalR's pipe holds 1 MiB, an RPC upload has four 512 KiB parts in flight, and on an uplink under
    /// ≈ 70 KB/s a frame takes longer than ServerTimeout to go out, while the server's pings keep arriving. Bounding the
    /// send alone aborted such a link again and again, and an upload whose parts took that long never finished. So the
    /// link counts the bytes it receives (<see cref="TrackedConnections"/>), and a waiting send is given up only when
    /// nothing came for ServerTimeout either: the hub's own test for a dead link, which its close, stuck behind the send,
    /// could not act on. With <c>ConfigureConnection</c> the transport is not reachable and the send alone is bounded.
    /// </remarks>
    private async Task WatchSendAsync(Link link, Task sending, CancellationTokenSource sendBound)
    {
        using var waits = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        while (!sending.IsCompleted && !_disposed.IsCancellationRequested)
        {
            if (await Task.WhenAny(sending, Task.Delay(_options.ServerTimeout, waits.Token)) == sending)
            {
                break;
            }

            if (!link.BroughtNothingFor(_options.ServerTimeout))
            {
                continue;
            }

            await sendBound.CancelAsync();
            break;
        }

        // Ends a wait still pending once the send completed.
        await waits.CancelAsync();
    }

    private void TakeAcks(List<Envelope> batch)
    {
        if (_acks.IsEmpty)
        {
            return;
        }

        var ids = new List<long>();
        while (ids.Count < 8192 && _acks.TryDequeue(out var id))
        {
            ids.Add(id);
        }

        batch.Add(new Envelope(_msgIds.Next(), NextSeqNo(content: false), new AckBody([.. ids])));
    }

    private void Acknowledge(long serverMsgId)
    {
        _acks.Enqueue(serverMsgId);
        if (Interlocked.Exchange(ref _ackFlushScheduled, 1) == 0)
        {
            _ = FlushAcksLaterAsync();
        }
    }

    // Acks ride along with the next outgoing frame; if nothing goes out for a moment, they go alone.
    private async Task FlushAcksLaterAsync()
    {
        try
        {
            await Task.Delay(_options.AckDelay, _options.Clock, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Volatile.Write(ref _ackFlushScheduled, 0);
        if (!_acks.IsEmpty)
        {
            var batch = new List<Envelope>(1);
            TakeAcks(batch);
            foreach (var envelope in batch)
            {
                _outbound.Writer.TryWrite(envelope);
            }
        }
    }

    private void OnFrame(Link link, byte[] frame)
    {
        OpenedFrame parsed;
        try
        {
            parsed = FrameCodec.OpenFrame(link.Receive!, frame);
        }
        catch (Exception e) when (e is NoiseException or MessagePackSerializationException)
        {
            // A frame we cannot read means the link is corrupt: drop it and resume on a fresh one.
            _ = link.Hub.StopAsync();
            return;
        }

        // A server frame carries no call arguments, the only borrowed field: nothing outlives the buffer.
        using (parsed)
        {
            Handle(parsed.Frame.Envelope);
        }
    }

    private void Handle(Envelope envelope)
    {
        if (InboundFilter?.Invoke(envelope) == false)
        {
            return;
        }

        switch (envelope.Body)
        {
            case ContainerBody container:
                foreach (var inner in container.Envelopes)
                {
                    Handle(inner);
                }

                break;
            case ResultBody result:
                Acknowledge(envelope.MsgId);
                if (_pending.TryRemove(result.ReqMsgId, out var answered))
                {
                    answered.Result.TrySetResult(result.Value);
                }
                else if (_givenUp.Remove(result.ReqMsgId, out var late))
                {
                    // The call ran after its caller stopped waiting (cancelled, timed out): what it changed is told to this
                    // device by nothing else — its answer is not observed, and the log's push skips the calling
                    // connection — so the update stream asks the server (getDifference, and the large groups it lists
                    // ahead), and what the SDK keeps of the call's outcome takes the answer.
                    Events.RequestDifference();
                    if (late is not null)
                    {
                        TakeLateAnswer(late, result.Value);
                    }
                }

                break;
            case ErrorBody error:
                Acknowledge(envelope.MsgId);
                _givenUp.Remove(error.ReqMsgId);
                if (_pending.TryRemove(error.ReqMsgId, out var failed))
                {
                    failed.Result.TrySetException(new RpcException(error.Name, error.Code, error.RetryAfterSeconds));
                }

                break;
            case BadMsgBody bad:
                OnBadMsg(bad);
                break;
            case NewSessionBody newSession:
                Acknowledge(envelope.MsgId);
                Interlocked.Increment(ref _newSessions);
                Raise(NewSession, newSession, nameof(NewSession));
                break;
            case UpdatesBody updates:
                // Not acked: the server never resends a push (a missed one comes back through getDifference), so an
                // ack would only cost a frame each way per push — in a large group, one per online member.
                if (!Events.TryAccept(updates))
                {
                    _updates.Writer.TryWrite(updates);
                }

                break;
            case PongBody pong:
                if (_pings.TryRemove(pong.ReqMsgId, out var ping))
                {
                    ping.TrySetResult();
                }

                break;
        }
    }

    // An app's handler that throws must not cost the client the rest of a frame (a result after the new_session in
    // one container would be lost, and its call time out) nor end a reconnect: each handler runs on its own, and what
    // one throws is logged.
    private void Raise<T>(Action<T>? handlers, T argument, string name) =>
        RaiseEach(handlers, name, handler => ((Action<T>)handler)(argument));

    private void Raise(Action? handlers, string name) => RaiseEach(handlers, name, handler => ((Action)handler)());

    private void RaiseEach(Delegate? handlers, string name, Action<Delegate> invoke)
    {
        foreach (var handler in handlers?.GetInvocationList() ?? [])
        {
            try
            {
                invoke(handler);
            }
            catch (Exception e)
            {
                LogHandlerFailure(e, name);
            }
        }
    }

    // Off the receive thread: taking it may write the secret chats' store or make a call.
    private void TakeLateAnswer(Action<byte[]> late, byte[] value) => ThreadPool.QueueUserWorkItem(_ =>
    {
        try
        {
            late(value);
        }
        catch (Exception e)
        {
            (_options.Logger ?? NullLogger.Instance).LogError(e, "The late answer to a call given up could not be taken");
        }
    });

    private void LogHandlerFailure(Exception e, string name) =>
        (_options.Logger ?? NullLogger.Instance).LogError(e, "A {Event} handler threw; the client went on without it", name);

    // The server refused a msg_id without running the call: fix the clock, give the call a new msg_id, resend.
    private void OnBadMsg(BadMsgBody bad)
    {
        if (!_pending.TryRemove(bad.BadMsgId, out var pending))
        {
            return;
        }

        if (bad.ErrorCode is BadMsgCodes.MsgIdTooLow or BadMsgCodes.MsgIdTooHigh)
        {
            _msgIds.Offset = DateTimeOffset.FromUnixTimeMilliseconds(bad.ServerTimeUnixMs) - _options.Clock.GetUtcNow();
            if (bad.ErrorCode == BadMsgCodes.MsgIdTooLow && pending.Resent)
            {
                // Resent after a reconnect and refused as too old: the session forgot its msg_id (300 s) and let its
                // answer go, so it may have run on the link before. Sent again under a new msg_id it would run twice (a
                // group created twice): it fails as an answer let go does (a repeatable call is tried again by CallAsync);
                // what it did, if it ran, comes with the reconnect's difference.
                pending.Result.TrySetException(new RpcException(ErrorNames.ResultDropped, 500, null));
                return;
            }

            pending.Restamp(_msgIds.Next());
            Restamping?.Invoke();
            _pending[pending.MsgId] = pending;
            if (pending.GivenUp is not null)
            {
                // Its caller gave up while it was out: not sent again.
                GiveUp(pending);
                return;
            }

            _outbound.Writer.TryWrite(pending.Envelope);
            return;
        }

        pending.Result.TrySetException(new RpcException($"BAD_MSG_{bad.ErrorCode}", 400, null));
    }

    private int NextSeqNo(bool content)
    {
        var count = content ? Interlocked.Increment(ref _seqNo) - 1 : Volatile.Read(ref _seqNo);
        return count * 2 + (content ? 1 : 0);
    }

    private void FailAllPending(Exception error)
    {
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out var pending))
            {
                pending.Result.TrySetException(error);
            }
        }

        foreach (var key in _pings.Keys)
        {
            if (_pings.TryRemove(key, out var ping))
            {
                ping.TrySetException(error);
            }
        }
    }

    private static TaskCompletionSource<Link> NewLinkSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Plain HTTP to the server, for media streams (their bodies are sealed under keys from the session).</summary>
    internal HttpClient Http => LazyInitializer.EnsureInitialized(ref _http, () =>
    {
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        _options.ConfigureHttpHandler?.Invoke(handler);
        return new HttpClient(handler) { BaseAddress = _options.ServerUrl, Timeout = Timeout.InfiniteTimeSpan };
    });

    /// <summary>The calls given up (cancelled, timed out) whose answer may still come.</summary>
    internal GivenUpCalls GivenUp => _givenUp;

    /// <summary>Test hook: runs as a call refused for its msg_id (bad_msg) is out of the pending calls, with its new
    /// msg_id, before it is put back.</summary>
    internal Action? Restamping { get; set; }

    /// <summary>Test hook: return false to drop an inbound envelope as if it never arrived.</summary>
    internal Func<Envelope, bool>? InboundFilter { get; set; }

    /// <summary>Test hook: drops the current connection the way a network failure would.</summary>
    internal Task DropConnectionAsync() => Volatile.Read(ref _link)?.Hub.StopAsync() ?? Task.CompletedTask;

    /// <summary>Test hook: sends raw bytes as a frame on the current connection (fuzzing, malformed input).</summary>
    internal Task SendRawFrameAsync(byte[] frame) =>
        (Volatile.Read(ref _link) ?? throw new InvalidOperationException("not connected")).Hub.SendAsync(ProtocolConstants.SendMethod, frame);

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        if (Volatile.Read(ref _closed) is null)
        {
            await Events.FlushReceiptsAsync(ReceiptFlushBound);
        }

        // Completed before the cancel, so an idle send loop ends without an exception.
        _outbound.Writer.TryComplete();
        await _disposed.CancelAsync();
        await Events.StopAsync();
        await SecretChats.DisposeAsync();
        _updates.Writer.TryComplete();
        FailAllPending(new ObjectDisposedException(nameof(MessengerClient)));
        if (Interlocked.Exchange(ref _link, null) is { } link)
        {
            link.Abandoned = true;
            await link.Hub.DisposeAsync();
        }

        await _sendLoop;
        _http?.Dispose();
    }

    // What HubConnection asks its provider for (its options) has defaults; it disposes a provider that is IDisposable,
    // so this one is not, and one instance serves every connection.
    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }

    private sealed class Link(HubConnection hub, TrackedConnections connections, DateTimeOffset openedAt)
    {
        public HubConnection Hub { get; } = hub;

        // SignalR's own keep-alive ping waits for room on the socket under the same lock, with no bound; closing the
        // transport underneath (its socket aborted, its pipes completed) ends every such wait, and the hub's close with it.
        // With ConfigureConnection the transport is not reachable: the hub is stopped instead.
        public async Task AbortAsync()
        {
            connections.GiveUp();
            try
            {
                if (connections.Current is { } connection)
                {
                    await connection.DisposeAsync();
                }
                else
                {
                    await Hub.StopAsync();
                }
            }
            catch (Exception)
            {
                // Closing a dead link: what it throws changes nothing.
            }
        }

        public DateTimeOffset OpenedAt { get; } = openedAt;

        /// <summary>True when the link received no byte for <paramref name="time"/> (always, when its transport is not
        /// ours to watch: <c>ConfigureConnection</c>). Never on long polling: the server sends nothing down while it has
        /// nothing to say (the poll is the keep-alive), so silence tells nothing there, and each of its sends is an HTTP
        /// request bounded by itself (<see cref="LinkRequests"/>), whose end ends a waiting send too.</summary>
        public bool BroughtNothingFor(TimeSpan time) => connections.Current switch
        {
            WatchedConnection { Polls: true } => false,
            WatchedConnection watched => Environment.TickCount64 - watched.LastReceived >= (long)time.TotalMilliseconds,
            _ => true,
        };

        public CipherState? Send { get; set; }

        public CipherState? Receive { get; set; }

        public bool Abandoned { get; set; }
    }

    // The connection factory of a hub built here, keeping the transport connection it made and ending its HTTP requests
    // when the link is given up.
    private sealed class TrackedConnections : IConnectionFactory
    {
        private readonly CancellationTokenSource _givenUp = new();

        public IConnectionFactory? Inner { get; set; }

        public CancellationToken GivenUp => _givenUp.Token;

        public void GiveUp()
        {
            try
            {
                _givenUp.Cancel();
            }
            catch (AggregateException)
            {
                // What a request's cancellation throws changes nothing: the link is being closed.
            }
        }

        public ConnectionContext? Current { get; private set; }

        public async ValueTask<ConnectionContext> ConnectAsync(System.Net.EndPoint endpoint, CancellationToken cancellationToken = default)
        {
            var connection = new WatchedConnection(await Inner!.ConnectAsync(endpoint, cancellationToken));
            Current = connection;
            return connection;
        }
    }

    // A transport connection whose input notes when bytes last came (SignalR's pings too, which the hub keeps to itself):
    // what tells a slow link from a dead one (WatchSendAsync). Everything else is the connection's own.
    private sealed class WatchedConnection : ConnectionContext
    {
        private readonly ConnectionContext _inner;
        private readonly WatchedInput _input;

        public WatchedConnection(ConnectionContext inner)
        {
            _inner = inner;
            _input = new WatchedInput(inner.Transport.Input);
            Transport = new WatchedPipe(_input, inner.Transport.Output);
        }

        /// <summary>When bytes last came (<see cref="Environment.TickCount64"/>), or the connection was made.</summary>
        public long LastReceived => _input.LastReceived;

        /// <summary>A transport with a keep-alive of its own (long polling), over which the server sends no pings.</summary>
        public bool Polls => _inner.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionInherentKeepAliveFeature>()?.HasInherentKeepAlive == true;

        public override IDuplexPipe Transport { get; set; }

        public override string ConnectionId { get => _inner.ConnectionId; set => _inner.ConnectionId = value; }

        public override IFeatureCollection Features => _inner.Features;

        public override IDictionary<object, object?> Items { get => _inner.Items; set => _inner.Items = value; }

        public override CancellationToken ConnectionClosed { get => _inner.ConnectionClosed; set => _inner.ConnectionClosed = value; }

        public override System.Net.EndPoint? LocalEndPoint { get => _inner.LocalEndPoint; set => _inner.LocalEndPoint = value; }

        public override System.Net.EndPoint? RemoteEndPoint { get => _inner.RemoteEndPoint; set => _inner.RemoteEndPoint = value; }

        public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);

        public override void Abort() => _inner.Abort();

        public override ValueTask DisposeAsync() => _inner.DisposeAsync();

        private sealed class WatchedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input { get; } = input;

            public PipeWriter Output { get; } = output;
        }

        private sealed class WatchedInput(PipeReader inner) : PipeReader
        {
            private long _lastReceived = Environment.TickCount64;

            public long LastReceived => Volatile.Read(ref _lastReceived);

            public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
            {
                var reading = inner.ReadAsync(cancellationToken);
                if (!reading.IsCompletedSuccessfully)
                {
                    return Noted(reading);
                }

                var result = reading.Result;
                Note(result);
                return new ValueTask<ReadResult>(result);
            }

            public override bool TryRead(out ReadResult result)
            {
                if (!inner.TryRead(out result))
                {
                    return false;
                }

                Note(result);
                return true;
            }

            public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

            public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

            public override void CancelPendingRead() => inner.CancelPendingRead();

            public override void Complete(Exception? exception = null) => inner.Complete(exception);

            public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

            // Most reads wait for bytes: the state machine is pooled rather than allocated per read.
            [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
            private async ValueTask<ReadResult> Noted(ValueTask<ReadResult> reading)
            {
                var result = await reading;
                Note(result);
                return result;
            }

            // A read returns when bytes came (the hub examines all it is given), or when cancelled or completed.
            private void Note(ReadResult result)
            {
                if (!result.IsCanceled && !result.Buffer.IsEmpty)
                {
                    Volatile.Write(ref _lastReceived, Environment.TickCount64);
                }
            }
        }
    }

    // Every HTTP request of one link: the negotiation, and under long polling its polls, its sends (a POST per batch of
    // frames) and the DELETE that closes it. SignalR gives a send and the DELETE no bound but its HttpClient's 120 s, and
    // long polling's close (the transport's StopAsync, which the hub awaits under its connection lock, from a failed
    // StartAsync too) waits for the send in flight: a POST swallowed by a dead network kept a connect for two minutes,
    // past ConnectTimeout, and an open link's Closed from being raised. So a request other than a poll (a GET, which the
    // server holds up to 90 s) gets ServerTimeout, as a send on the socket does, plus the time its body takes at
    // MinimumUplink (a POST of a 512 KiB upload part on a slow uplink is not a dead link), and every request ends at once
    // when the link is given up (its connect timed out or was cancelled, or a send found no room).
    private sealed class LinkRequests(HttpMessageHandler inner, TimeSpan bound, CancellationToken givenUp) : DelegatingHandler(inner)
    {
        /// <summary>The slowest uplink a request's body is given time for: 8 KiB/s (≈ 64 kbit/s).</summary>
        private const double MinimumUplink = 8 * 1024;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, givenUp);
            if (request.Method != HttpMethod.Get)
            {
                var body = request.Content?.Headers.ContentLength ?? 0;
                stop.CancelAfter(bound + TimeSpan.FromSeconds(body / MinimumUplink));
            }

            return await base.SendAsync(request, stop.Token);
        }
    }

    private sealed class PendingCall(string method, Envelope envelope)
    {
        private volatile Exception? _givenUp;

        public string Method { get; } = method;

        public Envelope Envelope { get; private set; } = envelope;

        /// <summary>What the call fails with, once its caller gave up (cancelled, timed out, disposed).</summary>
        public Exception? GivenUp
        {
            get => _givenUp;
            set => _givenUp = value;
        }

        public long MsgId => Envelope.MsgId;

        /// <summary>Takes the answer should it come once the call is given up.</summary>
        public Action<byte[]>? AnsweredLate { get; init; }

        /// <summary>Sent again on a new link: it may have run on the one before.</summary>
        public bool Resent { get; set; }

        public TaskCompletionSource<byte[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Restamp(long msgId) => Envelope = Envelope with { MsgId = msgId };
    }
}
