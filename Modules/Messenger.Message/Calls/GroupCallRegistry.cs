using Messenger.Contracts.Calls;
using Messenger.Kernel.Errors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Calls;

/// <summary>
/// The groups' voice chats going on, in memory (live signalling between connected apps: after a restart there is
/// nothing to resume). A group has at most one; a user is in at most one call of any kind; each participant is tied to
/// the connection that joined (signals go to it alone), and when it closes the participant has
/// <see cref="CallOptions.ReconnectGraceSeconds"/> to join again (from a new connection of any device) before being
/// taken out: an app that reconnects says it is still there, a page that was closed or reloaded does not. The last one
/// out ends the call. Every change returns the call as it
/// is now, for the caller to announce (<see cref="GroupCallEvents"/>); participants taken out by a timer are announced
/// by <see cref="GroupCallEvents.ChangedOnItsOwn"/>.
/// </summary>
internal sealed class GroupCallRegistry(IOptions<CallOptions> options, TimeProvider clock, IServiceProvider services)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, LiveGroupCall> _calls = [];
    private readonly Dictionary<long, long> _callOfChat = [];
    private readonly Dictionary<long, long> _callOfUser = [];

    /// <summary><paramref name="me"/> joins the chat's call from <paramref name="device"/>, starting it if there is none
    /// (<c>Started</c>). Joining the call one is in again (after a reconnect, or from another device) moves it to the new
    /// connection; <c>Replaced</c> is the connection that held it before, when another. A <paramref name="rejoin"/> only
    /// takes back the place <paramref name="device"/> still holds in the chat's call (400 <c>GROUP_CALL_JOIN_MISSING</c>).</summary>
    public (GroupCall Call, bool Started, string? Replaced) Join(long chatId, long me, CallRegistry.Side device, bool rejoin = false)
    {
        lock (_gate)
        {
            if (_callOfUser.TryGetValue(me, out var current))
            {
                var mine = _calls[current];
                if (mine.State.ChatId != chatId)
                {
                    throw rejoin ? MessengerError.BadRequest(CallErrorNames.GroupCallJoinMissing) : MessengerError.BadRequest(CallErrorNames.CallAlreadyActive);
                }

                if (rejoin && !mine.Devices[me].IsDevice(device.DeviceKey))
                {
                    throw MessengerError.BadRequest(CallErrorNames.GroupCallJoinMissing);
                }

                mine.Away.Remove(me, out var away);
                away?.Timer.Dispose();
                var before = mine.Devices[me].Connection;
                mine.Devices[me] = device;
                return (mine.State, false, before == device.Connection ? null : before);
            }

            if (rejoin)
            {
                throw MessengerError.BadRequest(CallErrorNames.GroupCallJoinMissing);
            }

            var started = false;
            if (!_callOfChat.TryGetValue(chatId, out var id))
            {
                id = CallIds.New(_calls.ContainsKey);
                _calls[id] = new LiveGroupCall(new GroupCall(id, chatId, me, Now(), []));
                _callOfChat[chatId] = id;
                started = true;
            }

            var call = _calls[id];
            if (call.State.Participants.Length >= options.Value.GroupCallMaxParticipants)
            {
                throw MessengerError.BadRequest(CallErrorNames.GroupCallFull);
            }

            call.State = call.State with { Participants = [.. call.State.Participants, me] };
            call.Devices[me] = device;
            _callOfUser[me] = id;
            return (call.State, started, null);
        }
    }

    /// <summary><paramref name="me"/> leaves; the call as it is now (ended when they were the last).</summary>
    public GroupCall Leave(long callId, long me)
    {
        lock (_gate)
        {
            Require(callId, me);
            return Remove(callId, me);
        }
    }

    /// <summary>The chat's call going on, if any.</summary>
    public GroupCall? OfChat(long chatId)
    {
        lock (_gate)
        {
            return _callOfChat.TryGetValue(chatId, out var id) ? _calls[id].State : null;
        }
    }

    /// <summary>Whether <paramref name="userId"/> is in a group's call.</summary>
    public bool IsIn(long userId)
    {
        lock (_gate)
        {
            return _callOfUser.ContainsKey(userId);
        }
    }

    /// <summary>The connection <paramref name="other"/> takes part from; 400 <c>CALL_ID_INVALID</c> unless
    /// <paramref name="me"/> is in the call, <c>CALL_PEER_INVALID</c> unless <paramref name="other"/> is too.</summary>
    public string ConnectionOf(long callId, long me, long other)
    {
        lock (_gate)
        {
            var call = Require(callId, me);
            if (other == me || !call.Devices.TryGetValue(other, out var side))
            {
                throw MessengerError.BadRequest(CallErrorNames.CallPeerInvalid);
            }

            return side.Connection;
        }
    }

    /// <summary><paramref name="userId"/> is no longer a member of the chat: out of its call, if in it (the call as it is now).</summary>
    public GroupCall? TakeOut(long chatId, long userId)
    {
        lock (_gate)
        {
            return _callOfUser.TryGetValue(userId, out var id) && _calls[id].State.ChatId == chatId ? Remove(id, userId) : null;
        }
    }

    /// <summary>A connection closed: its participants wait for their apps to join again, or (no grace) leave now; the
    /// calls they changed now are returned, each with who left.</summary>
    public List<(GroupCall Call, long Left)> Disconnected(string connectionId)
    {
        var changed = new List<(GroupCall, long)>();
        lock (_gate)
        {
            foreach (var call in _calls.Values.ToList())
            {
                foreach (var (user, _) in call.Devices.Where(d => d.Value.Connection == connectionId).ToList())
                {
                    if (options.Value.ReconnectGraceSeconds == 0)
                    {
                        changed.Add((Remove(call.State.Id, user), user));
                        continue;
                    }

                    var id = call.State.Id;
                    call.Away.Remove(user, out var old);
                    old?.Timer.Dispose();
                    var away = new AwayTimer();
                    away.Timer = clock.CreateTimer(
                        _ => LeaveOnItsOwn(id, user, away), null, TimeSpan.FromSeconds(options.Value.ReconnectGraceSeconds), Timeout.InfiniteTimeSpan);
                    call.Away[user] = away;
                }
            }
        }

        return changed;
    }

    /// <summary>The grace ran out: the participant goes if this is still the timer they wait under (a join since, or a
    /// later disconnect with a timer of its own, makes it stale).</summary>
    private void LeaveOnItsOwn(long callId, long userId, AwayTimer timer)
    {
        GroupCall? changed = null;
        lock (_gate)
        {
            if (_calls.TryGetValue(callId, out var call) && call.Away.TryGetValue(userId, out var current) && ReferenceEquals(current, timer))
            {
                changed = Remove(callId, userId);
            }
        }

        if (changed is not null)
        {
            CallRegistry.AnnounceUnlessStopping(() => services.GetRequiredService<GroupCallEvents>().ChangedOnItsOwn(changed, userId));
        }
    }

    /// <summary>Under the lock: the participant goes; the last one out ends the call.</summary>
    private GroupCall Remove(long callId, long userId)
    {
        var call = _calls[callId];
        call.Devices.Remove(userId);
        call.Away.Remove(userId, out var away);
        away?.Timer.Dispose();
        _callOfUser.Remove(userId);
        call.State = call.State with { Participants = [.. call.State.Participants.Where(p => p != userId)] };
        if (call.State.Participants.Length > 0)
        {
            return call.State;
        }

        _calls.Remove(callId);
        _callOfChat.Remove(call.State.ChatId);
        return call.State with { Ended = true, Duration = (int)(Now() - call.State.StartedAt) };
    }

    private LiveGroupCall Require(long callId, long me) =>
        _calls.TryGetValue(callId, out var call) && call.Devices.ContainsKey(me) ? call : throw MessengerError.BadRequest(CallErrorNames.CallIdInvalid);

    private long Now() => clock.GetUtcNow().ToUnixTimeSeconds();

    private sealed class LiveGroupCall(GroupCall state)
    {
        public GroupCall State { get; set; } = state;

        /// <summary>Each participant's device and connection.</summary>
        public Dictionary<long, CallRegistry.Side> Devices { get; } = [];

        /// <summary>Participants whose connection is gone, each with the timer that takes them out.</summary>
        public Dictionary<long, AwayTimer> Away { get; } = [];
    }

    private sealed class AwayTimer
    {
        public ITimer Timer { get; set; } = null!;
    }
}
