using Messenger.Contracts.Wire;
using Messenger.Protocol.Transport;

namespace Messenger.Protocol.Sessions;

/// <summary>What a client session id means to the server: it outlives connections.</summary>
internal enum CallAdmission
{
    /// <summary>Never seen: execute it.</summary>
    New,

    /// <summary>Seen and still running: its answer will come; do nothing.</summary>
    Running,

    /// <summary>Seen and answered: the answer was resent; do nothing else.</summary>
    Answered,

    /// <summary>Below what the session still remembers: refuse (the client restamps and resends).</summary>
    TooLow,

    /// <summary>Seen and answered, but the answer was let go before the client acked it (the session's bounds on
    /// unacked answers): not run again; the resend is told so (500 <c>RESULT_DROPPED</c>).</summary>
    AnswerDropped,
}

/// <summary>
/// One client session (device key + session id, chosen by the client per app instance). Remembers the client's
/// recent msg_ids so a call resent after a reconnect runs once, and keeps answers until the client acks them so
/// they can be resent on the next connection. Both are bounded by count and age, the answers also by their bytes: a
/// client that reads its answers but never acks them (1 MiB file ranges, say) holds at most that much of the server's
/// memory, and once its connection is gone only <c>UnackedResultBytesPerIdleSession</c>. What it holds is counted in
/// <paramref name="counter"/>, which the registry keeps under server-wide caps.
/// </summary>
internal sealed class ClientSession(string deviceKeyHex, long sessionId, ProtocolOptions options, TimeProvider clock, UnackedBytes? counter = null)
{
    // Stands in for an answer the client has acked: the msg_id is still remembered (a resend is not run again) but the
    // answer itself is let go, so large answers (1 MiB file ranges) do not stay in memory for the msg_id window.
    private static readonly Envelope AckedAnswer = new(0, 0, new AckBody([]));

    // Stands in for an answer let go before the client acked it: the msg_id is still remembered (a resend is not run
    // again), and a resend learns that the answer is gone.
    private static readonly Envelope DroppedAnswer = new(0, 0, new AckBody([]));
    private readonly object _gate = new();
    private readonly Dictionary<long, Envelope?> _calls = [];
    private readonly Queue<(long MsgId, long SeenAt)> _callOrder = new();
    private readonly Dictionary<long, (Envelope Envelope, long ReqMsgId, long StoredAt)> _unacked = [];
    private readonly Queue<long> _unackedOrder = new();
    private readonly UnackedBytes _counter = counter ?? new UnackedBytes(long.MaxValue, long.MaxValue);
    private long _unackedBytes;
    private long _floor;
    private ProtocolConnection? _connection;

    // Taken out of the registry: its bytes are no longer counted (nothing holds it once its connection is gone).
    private bool _discarded;

    public string DeviceKeyHex { get; } = deviceKeyHex;

    public long SessionId { get; } = sessionId;

    public long LastActiveTicks { get; private set; } = clock.GetTimestamp();

    /// <summary>Whether a connection of this session was ever signed in to an account. One that never was is shrunk
    /// when it goes idle (<see cref="ShrinkIfAnonymous"/>): anyone can make such sessions with fresh keys.</summary>
    public bool SignedIn { get; private set; }

    public void MarkSignedIn()
    {
        lock (_gate)
        {
            SignedIn = true;
        }
    }

    /// <summary>
    /// For a session that never signed in and has no connection: remembers only the newest <paramref name="keep"/>
    /// msg_ids (older ones raise the floor: refused, never run twice) and unacked answers. A signed-in session is left
    /// exactly as it is.
    /// </summary>
    public void ShrinkIfAnonymous(int keep)
    {
        lock (_gate)
        {
            if (SignedIn || _connection is not null)
            {
                return;
            }

            ForgetOldCalls(keep, clock.GetTimestamp());
            while (_unacked.Count > keep && _unackedOrder.TryDequeue(out var oldest))
            {
                Drop(oldest);
            }

            _calls.TrimExcess();
            _unacked.TrimExcess();
            _callOrder.TrimExcess();
            _unackedOrder.TrimExcess();
        }
    }

    public bool IsAttached
    {
        get
        {
            lock (_gate)
            {
                return _connection is not null;
            }
        }
    }

    /// <summary>Binds the session to a connection; returns the connection it replaces (to be closed) and the
    /// answers still unacked (to be resent on the new connection).</summary>
    public (ProtocolConnection? Previous, List<Envelope> Unacked) Attach(ProtocolConnection connection)
    {
        lock (_gate)
        {
            var previous = _connection == connection ? null : _connection;
            if (_connection is null && !_discarded)
            {
                _counter.MoveToIdle(_unackedBytes, toIdle: false);
            }

            _connection = connection;
            LastActiveTicks = clock.GetTimestamp();
            ExpireUnacked(LastActiveTicks);
            return (previous, _unackedOrder.Where(_unacked.ContainsKey).Select(id => _unacked[id].Envelope).ToList());
        }
    }

    /// <summary>Unbinds the session from its connection, and lets go of its unacked answers past their age and past
    /// <c>UnackedResultBytesPerIdleSession</c> (the oldest first: their resends get <c>RESULT_DROPPED</c>).</summary>
    public void Detach(ProtocolConnection connection)
    {
        lock (_gate)
        {
            if (_connection == connection)
            {
                _connection = null;
                LastActiveTicks = clock.GetTimestamp();
                if (!_discarded)
                {
                    _counter.MoveToIdle(_unackedBytes, toIdle: true);
                }

                ExpireUnacked(LastActiveTicks);
                TrimToIdleBudget();
            }
        }
    }

    /// <summary>Lets go of the unacked answers past their age (the registry's sweep: a session nobody comes back to
    /// stores no new answer, which is when they are aged otherwise).</summary>
    public void ExpireAnswers()
    {
        lock (_gate)
        {
            ExpireUnacked(clock.GetTimestamp());
        }
    }

    /// <summary>Lets go of every unacked answer (a server-wide cap was passed), if the session is still without a
    /// connection or <paramref name="onlyIfIdle"/> is false; the msg_ids stay, so a resend gets <c>RESULT_DROPPED</c>.</summary>
    public void DropAnswers(bool onlyIfIdle)
    {
        lock (_gate)
        {
            if (!onlyIfIdle || _connection is null)
            {
                DropAll();
            }
        }
    }

    /// <summary>Taken out of the registry: lets go of its answers and stops counting them (an attached one goes on
    /// answering its connection, uncounted, until that closes).</summary>
    public void Discard()
    {
        lock (_gate)
        {
            DropAll();
            _discarded = true;
        }
    }

    public CallAdmission Admit(long msgId)
    {
        lock (_gate)
        {
            // One clock read a call (the admission and its forgetting), and one an answer: each was two.
            var now = clock.GetTimestamp();
            ForgetOldCalls(options.RecentMsgIdsPerSession, now);
            if (_calls.TryGetValue(msgId, out var answer))
            {
                if (answer is null)
                {
                    return CallAdmission.Running;
                }

                if (ReferenceEquals(answer, DroppedAnswer))
                {
                    return CallAdmission.AnswerDropped;
                }

                if (!ReferenceEquals(answer, AckedAnswer))
                {
                    _connection?.TryEnqueue(answer);
                }

                return CallAdmission.Answered;
            }

            if (msgId <= _floor)
            {
                return CallAdmission.TooLow;
            }

            _calls.Add(msgId, null);
            _callOrder.Enqueue((msgId, now));
            return CallAdmission.New;
        }
    }

    /// <summary>Forgets a call that was refused before running (e.g. too many in flight), so a resend can run.</summary>
    public void Forget(long msgId)
    {
        lock (_gate)
        {
            _calls.Remove(msgId);
        }
    }

    /// <summary>Stores the answer to <paramref name="reqMsgId"/> until acked and sends it on the attached connection.</summary>
    public void Answer(long reqMsgId, Envelope answer)
    {
        lock (_gate)
        {
            StoreAnswer(reqMsgId, answer);
        }

        // Outside the lock: the registry takes its devices' locks and then the sessions'.
        if (_counter.IsOverCap)
        {
            _counter.OverCap?.Invoke();
        }
    }

    private void StoreAnswer(long reqMsgId, Envelope answer)
    {
        if (_calls.ContainsKey(reqMsgId))
        {
            _calls[reqMsgId] = answer;
        }

        if (_unacked.Remove(answer.MsgId, out var replaced))
        {
            CountBytes(-SizeOf(replaced.Envelope)); // answer msg_ids are unique; kept exact all the same
        }
        else
        {
            _unackedOrder.Enqueue(answer.MsgId);
        }

        var now = clock.GetTimestamp();
        _unacked[answer.MsgId] = (answer, reqMsgId, now);
        CountBytes(SizeOf(answer));
        ExpireUnacked(now);

        // The newest answer always stays here: it is on its way to the client.
        while (_unacked.Count > 1
            && (_unacked.Count > options.UnackedResultsPerSession || _unackedBytes > options.UnackedResultBytesPerSession)
            && _unackedOrder.TryDequeue(out var oldest))
        {
            Drop(oldest);
        }

        if (_connection is null)
        {
            // Answered after its connection went: held to the idle budget at once, the newest answer too.
            TrimToIdleBudget();
            return;
        }

        _connection.TryEnqueue(answer);
    }

    public void Acknowledge(long[] msgIds)
    {
        lock (_gate)
        {
            foreach (var msgId in msgIds)
            {
                if (_unacked.Remove(msgId, out var entry))
                {
                    CountBytes(-SizeOf(entry.Envelope));
                    if (_calls.ContainsKey(entry.ReqMsgId))
                    {
                        _calls[entry.ReqMsgId] = AckedAnswer;
                    }
                }
            }

            while (_unackedOrder.TryPeek(out var oldest) && !_unacked.ContainsKey(oldest))
            {
                _unackedOrder.Dequeue();
            }

            // Acks out of order leave acked ids behind an unacked one: the queue is rebuilt before they pile up.
            if (_unackedOrder.Count > 2 * _unacked.Count + 64)
            {
                var kept = _unackedOrder.Where(_unacked.ContainsKey).ToList();
                _unackedOrder.Clear();
                foreach (var msgId in kept)
                {
                    _unackedOrder.Enqueue(msgId);
                }
            }
        }
    }

    public int UnackedCount
    {
        get
        {
            lock (_gate)
            {
                return _unacked.Count;
            }
        }
    }

    /// <summary>Bytes of the answers kept until acked, and the length of their queue (tests).</summary>
    internal (long Bytes, int Queued) UnackedFootprint
    {
        get
        {
            lock (_gate)
            {
                return (_unackedBytes, _unackedOrder.Count);
            }
        }
    }

    // A result's value is all of its size that counts; anything else is small.
    private static long SizeOf(Envelope answer) => answer.Body is ResultBody result ? result.Value.Length + 64 : 64;

    private void ExpireUnacked(long now)
    {
        var maxAge = TimeSpan.FromSeconds(options.UnackedResultMaxAgeSeconds);
        while (_unackedOrder.TryPeek(out var oldest)
            && (!_unacked.TryGetValue(oldest, out var entry) || clock.GetElapsedTime(entry.StoredAt, now) > maxAge))
        {
            _unackedOrder.Dequeue();
            Drop(oldest);
        }
    }

    /// <summary>Lets an unacked answer go, and with it the call's reference to it (a resend is told it is gone).</summary>
    private void Drop(long answerMsgId)
    {
        if (!_unacked.Remove(answerMsgId, out var entry))
        {
            return;
        }

        CountBytes(-SizeOf(entry.Envelope));
        if (_calls.TryGetValue(entry.ReqMsgId, out var stored) && ReferenceEquals(stored, entry.Envelope))
        {
            _calls[entry.ReqMsgId] = DroppedAnswer;
        }
    }

    private void DropAll()
    {
        while (_unackedOrder.TryDequeue(out var oldest))
        {
            Drop(oldest);
        }
    }

    // Without a connection a session keeps only so many bytes of answers: the largest go first, the oldest of a size
    // first, and the newest is not spared. A large answer is a file range or a page of history, which clients read
    // again on RESULT_DROPPED; a small one may be the only news that a call which changed something (a message sent)
    // took effect, and only some such calls are repeated on RESULT_DROPPED (IRepeatableCall, carrying their own key,
    // repeated by the .NET SDK and the web client alike; an edit or a block has no key). Looked for one by one: this runs
    // when a connection goes or an answer comes without one, over at most UnackedResultsPerSession answers.
    private void TrimToIdleBudget()
    {
        while (_unackedBytes > options.UnackedResultBytesPerIdleSession && _unacked.Count > 0)
        {
            var (largest, size) = (long.MaxValue, -1L);
            foreach (var (msgId, entry) in _unacked)
            {
                // The server's msg_ids grow: the smaller, the older.
                var bytes = SizeOf(entry.Envelope);
                if (bytes > size || (bytes == size && msgId < largest))
                {
                    (largest, size) = (msgId, bytes);
                }
            }

            Drop(largest);
        }
    }

    private void CountBytes(long bytes)
    {
        _unackedBytes += bytes;
        if (!_discarded)
        {
            _counter.Add(bytes, idle: _connection is null);
        }
    }

    // Forgetting a msg_id raises the floor: anything at or below it is refused rather than possibly run twice. A call
    // still running is kept (its answer is not lost, a resend is not run again) and passed over, re-queued as seen now:
    // a slow call does not keep the calls after it from being forgotten. Each remembered call is looked at once a pass
    // at most, so a pass ends even when every one is still running. <paramref name="now"/>: the clock, read once.
    private void ForgetOldCalls(int limit, long now)
    {
        var maxAge = TimeSpan.FromSeconds(ProtocolConstants.MsgIdMaxAgeSeconds);
        for (var left = _callOrder.Count; left > 0 && _callOrder.TryPeek(out var oldest)
            && (_callOrder.Count > limit || clock.GetElapsedTime(oldest.SeenAt, now) > maxAge); left--)
        {
            _callOrder.Dequeue();
            if (_calls.TryGetValue(oldest.MsgId, out var answer) && answer is not null)
            {
                _calls.Remove(oldest.MsgId);
                _floor = Math.Max(_floor, oldest.MsgId);
            }
            else if (_calls.ContainsKey(oldest.MsgId))
            {
                _callOrder.Enqueue((oldest.MsgId, now));
            }
        }
    }

    /// <summary>How many msg_ids of calls the session remembers (tests).</summary>
    internal int RememberedCalls
    {
        get
        {
            lock (_gate)
            {
                return _calls.Count;
            }
        }
    }
}
