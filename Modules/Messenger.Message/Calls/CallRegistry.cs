using Messenger.Contracts.Calls;
using Messenger.Kernel.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Calls;

/// <summary>
/// The calls in progress, in memory (a call is live signalling between two connected apps: after a restart there is
/// nothing to resume). A user is in at most one call; a call is tied to the caller's device and, once answered, to the
/// answering device: when the connection of either closes, the call waits <see cref="CallOptions.ReconnectGraceSeconds"/>
/// for that device to connect again (a network change), then ends. A call that rings past the timeout is missed.
/// Every change returns the call as it is now; the caller of these methods announces it (<see cref="CallEvents"/>);
/// calls that end on their own (timers) are announced by <see cref="CallEvents.EndedOnItsOwn"/>.
/// </summary>
internal sealed class CallRegistry(IOptions<CallOptions> options, TimeProvider clock, IServiceProvider services)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, LiveCall> _calls = [];
    private readonly Dictionary<long, long> _callOfUser = [];

    public PhoneCall Start(long callerId, Side caller, long calleeId, string offer, bool video)
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

            var id = CallIds.New(_calls.ContainsKey);

            var call = new LiveCall(new PhoneCall(id, callerId, calleeId, CallState.Ringing, Now(), Video: video), caller) { Offer = offer };
            _calls[id] = call;
            _callOfUser[callerId] = id;
            _callOfUser[calleeId] = id;
            call.Ring = clock.CreateTimer(_ => RingOut(id), null, TimeSpan.FromSeconds(options.Value.RingTimeoutSeconds), Timeout.InfiniteTimeSpan);
            return call.State with { Sdp = offer };
        }
    }

    /// <summary>The callee answers from <paramref name="device"/>.</summary>
    public PhoneCall Accept(long callId, long me, Side device)
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
            call.Callee = device;
            call.State = call.State with { State = CallState.Active, StartedAt = Now() };
            return call.State;
        }
    }

    /// <summary>The call <paramref name="me"/> is in, if any; ringing for them, with the caller's offer.</summary>
    public PhoneCall? Of(long me)
    {
        lock (_gate)
        {
            if (!_callOfUser.TryGetValue(me, out var id) || !_calls.TryGetValue(id, out var call))
            {
                return null;
            }

            return call.State.State == CallState.Ringing && call.State.CalleeId == me ? call.State with { Sdp = call.Offer } : call.State;
        }
    }

    /// <summary>The other side of a call <paramref name="me"/> is in, and the connection its device in the call is on: the
    /// caller's from the start, the callee's once answered; null while the call rings for every device of the callee.</summary>
    public (long UserId, string? Connection) OtherSide(long callId, long me)
    {
        lock (_gate)
        {
            var call = Find(callId, me);
            return call.State.CallerId == me ? (call.State.CalleeId, call.Callee?.Connection) : (call.State.CallerId, call.Caller.Connection);
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

    /// <summary>A connection closed: the calls it carried wait for its device to come back; those that cannot wait
    /// (no grace configured) end now and are returned.</summary>
    public List<PhoneCall> Disconnected(string connectionId)
    {
        var ended = new List<PhoneCall>();
        lock (_gate)
        {
            foreach (var call in _calls.Values.Where(call => call.Caller.Connection == connectionId || call.Callee?.Connection == connectionId).ToList())
            {
                if (options.Value.ReconnectGraceSeconds == 0)
                {
                    ended.Add(End(call.State.Id, CallEndReasons.Disconnected)!);
                    continue;
                }

                var id = call.State.Id;
                call.Away?.Dispose();
                call.Away = clock.CreateTimer(
                    _ => EndOnItsOwn(id, CallEndReasons.Disconnected, live => live.Away is not null),
                    null, TimeSpan.FromSeconds(options.Value.ReconnectGraceSeconds), Timeout.InfiniteTimeSpan);
            }
        }

        return ended;
    }

    /// <summary>A device signed in on a new connection: a call waiting for it goes on, on that connection.</summary>
    public void Reconnected(byte[] deviceKey, string connectionId)
    {
        lock (_gate)
        {
            foreach (var call in _calls.Values)
            {
                if (call.Caller.IsDevice(deviceKey))
                {
                    call.Caller = call.Caller with { Connection = connectionId };
                }
                else if (call.Callee?.IsDevice(deviceKey) == true)
                {
                    call.Callee = call.Callee with { Connection = connectionId };
                }
                else
                {
                    continue;
                }

                call.Away?.Dispose();
                call.Away = null;
            }
        }
    }

    private void RingOut(long callId) => EndOnItsOwn(callId, CallEndReasons.Missed, live => live.State.State == CallState.Ringing);

    /// <summary>A timer fired: the call ends if it is still as the timer meant it (not answered, still away).</summary>
    private void EndOnItsOwn(long callId, string reason, Func<LiveCall, bool> stillDue)
    {
        PhoneCall? ended;
        lock (_gate)
        {
            ended = _calls.TryGetValue(callId, out var call) && stillDue(call) ? End(callId, reason) : null;
        }

        if (ended is not null)
        {
            AnnounceUnlessStopping(() => services.GetRequiredService<CallEvents>().EndedOnItsOwn(ended));
        }
    }

    /// <summary>A timer's announcement, unless the host has stopped meanwhile (its services are gone, and so is everyone
    /// to tell): an exception on a timer's thread would take the process down.</summary>
    internal static void AnnounceUnlessStopping(Action announce)
    {
        try
        {
            announce();
        }
        catch (ObjectDisposedException)
        {
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
        call.Away?.Dispose();
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

    /// <summary>A side's device in a call (its key, its identity) and the connection it is on now.</summary>
    internal sealed record Side(byte[] DeviceKey, string Connection)
    {
        public bool IsDevice(byte[] key) => DeviceKey.AsSpan().SequenceEqual(key);
    }

    private sealed class LiveCall(PhoneCall state, Side caller)
    {
        public PhoneCall State { get; set; } = state;

        public Side Caller { get; set; } = caller;

        public Side? Callee { get; set; }

        /// <summary>The caller's offer, for a device of the callee that asks while the call rings.</summary>
        public string? Offer { get; init; }

        public ITimer? Ring { get; set; }

        /// <summary>Running while a side's connection is gone, until it comes back or the grace ends.</summary>
        public ITimer? Away { get; set; }
    }
}

/// <summary>Ids of calls and voice chats.</summary>
internal static class CallIds
{
    private const long MaxSafeInteger = (1L << 53) - 1;

    /// <summary>A new id none <paramref name="taken"/>: random, so one user cannot guess another's call (every call checks
    /// the caller's part in it anyway), and below 2^53: a JavaScript client reads it as a number and must send it back
    /// exactly.</summary>
    public static long New(Func<long, bool> taken)
    {
        long id;
        do
        {
            id = Random.Shared.NextInt64(1, MaxSafeInteger);
        }
        while (taken(id));

        return id;
    }
}
