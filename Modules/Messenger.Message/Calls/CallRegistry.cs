using Messenger.Contracts.Calls;
using Messenger.Kernel.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Calls;

/// <summary>
/// The calls in progress, in memory (a call is live signalling between two connected apps: after a restart there is
/// nothing to resume). A user is in at most one call; a call is tied to the caller's connection and, once answered, to
/// the answering connection: when either closes, the call ends. A call that rings past the timeout is missed.
/// Every change returns the call as it is now; the caller of these methods announces it (<see cref="CallEvents"/>).
/// </summary>
internal sealed class CallRegistry(IOptions<CallOptions> options, TimeProvider clock, IServiceProvider services)
{
    private const long MaxSafeInteger = (1L << 53) - 1;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, LiveCall> _calls = [];
    private readonly Dictionary<long, long> _callOfUser = [];

    public PhoneCall Start(long callerId, string callerConnection, long calleeId, string offer, bool video)
    {
        lock (_gate)
        {
            if (_callOfUser.ContainsKey(callerId))
            {
                throw MessengerError.BadRequest(CallErrorNames.CallAlreadyActive);
            }

            if (_callOfUser.ContainsKey(calleeId))
            {
                throw new MessengerError(CallErrorNames.UserBusy, 420, retryAfterSeconds: 0);
            }

            long id;
            do
            {
                // Random, so one user cannot guess another's call id (every call checks the caller's part in it anyway),
                // and below 2^53: a JavaScript client reads it as a number and must send it back exactly.
                id = Random.Shared.NextInt64(1, MaxSafeInteger);
            }
            while (_calls.ContainsKey(id));

            var call = new LiveCall(new PhoneCall(id, callerId, calleeId, CallState.Ringing, Now(), Video: video), callerConnection);
            _calls[id] = call;
            _callOfUser[callerId] = id;
            _callOfUser[calleeId] = id;
            call.Ring = clock.CreateTimer(_ => RingOut(id), null, TimeSpan.FromSeconds(options.Value.RingTimeoutSeconds), Timeout.InfiniteTimeSpan);
            return call.State with { Sdp = offer };
        }
    }

    /// <summary>The callee answers from <paramref name="connection"/>.</summary>
    public PhoneCall Accept(long callId, long me, string connection)
    {
        lock (_gate)
        {
            var call = Find(callId, me);
            if (call.State.CalleeId != me)
            {
                throw MessengerError.BadRequest(CallErrorNames.CallIdInvalid);
            }

            if (call.State.State != CallState.Ringing)
            {
                throw MessengerError.BadRequest(CallErrorNames.CallAlreadyAccepted);
            }

            call.Ring?.Dispose();
            call.CalleeConnection = connection;
            call.State = call.State with { State = CallState.Active, StartedAt = Now() };
            return call.State;
        }
    }

    /// <summary>The other side of a call <paramref name="me"/> is in.</summary>
    public long OtherSide(long callId, long me)
    {
        lock (_gate)
        {
            var call = Find(callId, me).State;
            return call.CallerId == me ? call.CalleeId : call.CallerId;
        }
    }

    /// <summary>
    /// <paramref name="me"/> ends the call: the reason follows from who and when (a caller cancels a ringing call, a
    /// callee declines it, either hangs up an answered one).
    /// </summary>
    public PhoneCall Discard(long callId, long me)
    {
        lock (_gate)
        {
            var call = Find(callId, me).State;
            var reason = call.State == CallState.Active ? CallEndReasons.Hangup
                : call.CallerId == me ? CallEndReasons.Cancelled
                : CallEndReasons.Declined;
            return End(callId, reason)!;
        }
    }

    /// <summary>The calls tied to a connection that closed, ended.</summary>
    public List<PhoneCall> Disconnected(string connectionId)
    {
        lock (_gate)
        {
            return [.. _calls.Values
                .Where(call => call.CallerConnection == connectionId || call.CalleeConnection == connectionId)
                .Select(call => call.State.Id)
                .ToList()
                .Select(id => End(id, CallEndReasons.Disconnected)!)];
        }
    }

    private void RingOut(long callId)
    {
        PhoneCall? ended;
        lock (_gate)
        {
            ended = _calls.TryGetValue(callId, out var call) && call.State.State == CallState.Ringing ? End(callId, CallEndReasons.Missed) : null;
        }

        if (ended is not null)
        {
            services.GetRequiredService<CallEvents>().RangOut(ended);
        }
    }

    /// <summary>Under the lock: the call ends and its users are free again.</summary>
    private PhoneCall? End(long callId, string reason)
    {
        if (!_calls.Remove(callId, out var call))
        {
            return null;
        }

        call.Ring?.Dispose();
        _callOfUser.Remove(call.State.CallerId);
        _callOfUser.Remove(call.State.CalleeId);
        var now = Now();
        var duration = call.State.StartedAt > 0 ? (int)(now - call.State.StartedAt) : 0;
        return call.State with { State = CallState.Ended, Reason = reason, Duration = duration, Sdp = null };
    }

    /// <summary>Under the lock: a live call <paramref name="me"/> is a side of, else 400 <c>CALL_ID_INVALID</c>.</summary>
    private LiveCall Find(long callId, long me) =>
        _calls.TryGetValue(callId, out var call) && (call.State.CallerId == me || call.State.CalleeId == me)
            ? call
            : throw MessengerError.BadRequest(CallErrorNames.CallIdInvalid);

    private long Now() => clock.GetUtcNow().ToUnixTimeSeconds();

    private sealed class LiveCall(PhoneCall state, string callerConnection)
    {
        public PhoneCall State { get; set; } = state;

        public string CallerConnection { get; } = callerConnection;

        public string? CalleeConnection { get; set; }

        public ITimer? Ring { get; set; }
    }
}
