using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Sessions;

/// <summary>
/// All client sessions of this node, by device key and session id. Sessions without a connection are dropped
/// after an idle timeout, and a device keeps at most a bounded number, so a client cycling session ids cannot
/// grow server memory without bound. A session that never signed in keeps only a small memory once idle, and the
/// server keeps at most <c>MaxIdleSessions</c> idle sessions (least recently used go first, anonymous before
/// signed-in), so fresh device keys, which cost nothing, cannot either. The bytes of unacked answers are held under
/// server-wide caps too (<see cref="EnforceByteCaps"/>): per session alone they would add up to the sessions' count times
/// the session's budget.
/// </summary>
internal sealed class SessionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, DeviceSessions> _devices = new();
    private readonly ProtocolOptions _options;
    private readonly TimeProvider _clock;
    private readonly ITimer _sweeper;
    private readonly object _evictionGate = new();
    private readonly object _bytesGate = new();
    private readonly UnackedBytes _bytes;
    private int _total;
    private long _lastEvictionScan;

    public SessionRegistry(IOptions<ProtocolOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _bytes = new UnackedBytes(_options.MaxUnackedResultBytes, _options.MaxIdleUnackedResultBytes) { OverCap = EnforceByteCaps };
        var period = TimeSpan.FromSeconds(Math.Clamp(_options.SessionIdleTimeoutSeconds / 4, 1, 60));
        _sweeper = clock.CreateTimer(_ => Sweep(), null, period, period);
    }

    public int Count => _devices.Values.Sum(device => device.Sessions.Count);

    /// <summary>The bytes of unacked answers the sessions hold, all and idle ones' (tests, and the caps).</summary>
    internal UnackedBytes UnackedBytes => _bytes;

    /// <summary>Test seam: runs in <see cref="GetOrCreate"/> between finding the device's sessions and adding to them
    /// (where a <see cref="Sweep"/> that found them empty could take them away).</summary>
    internal Action? AfterDeviceLookup { get; set; }

    /// <summary>The session for this device and id, and whether it was created now (the client gets new_session).</summary>
    public (ClientSession Session, bool Created) GetOrCreate(string deviceKeyHex, long sessionId)
    {
        while (true)
        {
            var device = _devices.GetOrAdd(deviceKeyHex, _ => new DeviceSessions());
            AfterDeviceLookup?.Invoke();
            lock (device)
            {
                // Taken away by a sweep (or the device's sign-out) meanwhile: a session added to them would be lost,
                // and with it its memory of the client's msg_ids (a resent call could run twice). Look again.
                if (device.Removed)
                {
                    continue;
                }

                return GetOrCreate(device.Sessions, deviceKeyHex, sessionId);
            }
        }
    }

    /// <summary>Drops every session of a device (its authorization ended).</summary>
    public void RemoveDevice(string deviceKeyHex)
    {
        if (_devices.TryRemove(deviceKeyHex, out var device))
        {
            lock (device)
            {
                device.Removed = true;
                Interlocked.Add(ref _total, -device.Sessions.Count);
                foreach (var session in device.Sessions.Values)
                {
                    session.Discard();
                }
            }
        }
    }

    /// <summary>After a session's connection went away: shrinks it if it never signed in, and keeps the server's idle
    /// sessions within <c>MaxIdleSessions</c> and their answers within <c>MaxIdleUnackedResultBytes</c>.</summary>
    public void Detached(ClientSession session)
    {
        session.ShrinkIfAnonymous(ProtocolOptions.AnonymousIdleMsgIds);
        EvictIdle();
        EnforceByteCaps();
    }

    /// <summary>
    /// Past <c>MaxIdleUnackedResultBytes</c> or <c>MaxUnackedResultBytes</c>: lets go of every unacked answer of the
    /// least recently used sessions without a connection, then (past the second only) of the connected sessions holding
    /// the most, down to 90 % of the cap passed, so the next pass waits for a tenth of it to come back. The sessions stay,
    /// with their msg_ids: a resend is not run again but told <c>RESULT_DROPPED</c>, and a connected client has its
    /// answers already (only a resend after a reconnect misses them).
    /// </summary>
    private void EnforceByteCaps()
    {
        if (!_bytes.IsOverCap)
        {
            return;
        }

        lock (_bytesGate)
        {
            var idleOver = _bytes.Idle > _options.MaxIdleUnackedResultBytes;
            var allOver = _bytes.All > _options.MaxUnackedResultBytes;
            if (!idleOver && !allOver)
            {
                return;
            }

            var idleTarget = _options.MaxIdleUnackedResultBytes / 10 * 9;
            var allTarget = _options.MaxUnackedResultBytes / 10 * 9;
            var holding = new List<(ClientSession Session, bool Attached, long Bytes)>();
            foreach (var device in _devices.Values)
            {
                lock (device)
                {
                    foreach (var session in device.Sessions.Values)
                    {
                        if (session.UnackedFootprint.Bytes is > 0 and var bytes)
                        {
                            holding.Add((session, session.IsAttached, bytes));
                        }
                    }
                }
            }

            foreach (var (session, _, _) in holding.Where(e => !e.Attached).OrderBy(e => e.Session.LastActiveTicks))
            {
                if (!(idleOver && _bytes.Idle > idleTarget) && !(allOver && _bytes.All > allTarget))
                {
                    break;
                }

                session.DropAnswers(onlyIfIdle: true);
            }

            foreach (var (session, _, _) in holding.Where(e => e.Attached).OrderByDescending(e => e.Bytes))
            {
                if (!allOver || _bytes.All <= allTarget)
                {
                    break;
                }

                session.DropAnswers(onlyIfIdle: false);
            }
        }
    }

    // Counted only when the sessions (attached ones too) outnumber the cap, then at most once a second (a server with more
    // connected sessions than the cap would otherwise scan them all at every disconnect), down to 90 % of it in one
    // pass: the idle ones may pass the cap by a second's disconnects in between.
    private void EvictIdle()
    {
        if (Volatile.Read(ref _total) <= _options.MaxIdleSessions)
        {
            return;
        }

        lock (_evictionGate)
        {
            var now = _clock.GetTimestamp();
            if (_lastEvictionScan != 0 && _clock.GetElapsedTime(_lastEvictionScan, now) < TimeSpan.FromSeconds(1))
            {
                return;
            }

            _lastEvictionScan = now;
            var idle = new List<(string DeviceKeyHex, DeviceSessions Device, ClientSession Session)>();
            foreach (var (deviceKeyHex, device) in _devices)
            {
                lock (device)
                {
                    idle.AddRange(device.Sessions.Values.Where(s => !s.IsAttached).Select(s => (deviceKeyHex, device, s)));
                }
            }

            if (idle.Count <= _options.MaxIdleSessions)
            {
                return;
            }

            var excess = idle.Count - _options.MaxIdleSessions * 9 / 10;
            foreach (var (deviceKeyHex, device, session) in idle.OrderBy(e => e.Session.SignedIn).ThenBy(e => e.Session.LastActiveTicks).Take(excess))
            {
                lock (device)
                {
                    if (!device.Removed && !session.IsAttached && device.Sessions.TryGetValue(session.SessionId, out var current) && current == session)
                    {
                        device.Sessions.Remove(session.SessionId);
                        Interlocked.Decrement(ref _total);
                        session.Discard();
                        if (device.Sessions.Count == 0)
                        {
                            device.Removed = true;
                            _devices.TryRemove(new(deviceKeyHex, device));
                        }
                    }
                }
            }
        }
    }

    /// <summary>Drops the sessions idle past <c>SessionIdleTimeoutSeconds</c>, and lets go of the unacked answers past
    /// <c>UnackedResultMaxAgeSeconds</c> of the others (a session nobody comes back to would keep them otherwise).</summary>
    internal void Sweep()
    {
        var idle = TimeSpan.FromSeconds(_options.SessionIdleTimeoutSeconds);
        foreach (var (deviceKeyHex, device) in _devices)
        {
            lock (device)
            {
                // Removing while enumerating is allowed for a Dictionary.
                foreach (var (id, session) in device.Sessions)
                {
                    if (!session.IsAttached && _clock.GetElapsedTime(session.LastActiveTicks) > idle)
                    {
                        device.Sessions.Remove(id);
                        Interlocked.Decrement(ref _total);
                        session.Discard();
                    }
                    else
                    {
                        session.ExpireAnswers();
                    }
                }

                if (device.Sessions.Count == 0)
                {
                    device.Removed = true;
                    _devices.TryRemove(new(deviceKeyHex, device));
                }
            }
        }

        EnforceByteCaps();
    }

    private (ClientSession Session, bool Created) GetOrCreate(Dictionary<long, ClientSession> sessions, string deviceKeyHex, long sessionId)
    {
        if (sessions.TryGetValue(sessionId, out var existing))
        {
            return (existing, false);
        }

        var created = new ClientSession(deviceKeyHex, sessionId, _options, _clock, _bytes);
        sessions.Add(sessionId, created);
        Interlocked.Increment(ref _total);
        if (sessions.Count > _options.MaxSessionsPerDevice)
        {
            var excess = sessions.Count - _options.MaxSessionsPerDevice;
            foreach (var stale in sessions.Values.Where(s => !s.IsAttached && s != created).OrderBy(s => s.LastActiveTicks).Take(excess).ToList())
            {
                sessions.Remove(stale.SessionId);
                Interlocked.Decrement(ref _total);
                stale.Discard();
            }
        }

        return (created, true);
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>A device's sessions, changed and read under its lock.</summary>
    private sealed class DeviceSessions
    {
        public Dictionary<long, ClientSession> Sessions { get; } = [];

        /// <summary>Taken out of the map: a caller that found it just before must look the device up again.</summary>
        public bool Removed { get; set; }
    }
}
