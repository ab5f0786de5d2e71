using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Sessions;

/// <summary>
/// All client sessions of this node, by device key and session id. Sessions without a connection are dropped
/// after an idle timeout, and a device keeps at most a bounded number, so a client cycling session ids cannot
/// grow server memory without bound.
/// </summary>
internal sealed class SessionRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, ClientSession>> _devices = new();
    private readonly ProtocolOptions _options;
    private readonly TimeProvider _clock;
    private readonly ITimer _sweeper;

    public SessionRegistry(IOptions<ProtocolOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        var period = TimeSpan.FromSeconds(Math.Clamp(_options.SessionIdleTimeoutSeconds / 4, 1, 60));
        _sweeper = clock.CreateTimer(_ => Sweep(), null, period, period);
    }

    public int Count => _devices.Values.Sum(sessions => sessions.Count);

    /// <summary>The session for this device and id, and whether it was created now (the client gets new_session).</summary>
    public (ClientSession Session, bool Created) GetOrCreate(string deviceKeyHex, long sessionId)
    {
        var sessions = _devices.GetOrAdd(deviceKeyHex, _ => new ConcurrentDictionary<long, ClientSession>());
        if (sessions.TryGetValue(sessionId, out var existing))
        {
            return (existing, false);
        }

        var created = new ClientSession(deviceKeyHex, sessionId, _options, _clock);
        var session = sessions.GetOrAdd(sessionId, created);
        if (session == created && sessions.Count > _options.MaxSessionsPerDevice)
        {
            var excess = sessions.Count - _options.MaxSessionsPerDevice;
            foreach (var stale in sessions.Values.Where(s => !s.IsAttached && s != created).OrderBy(s => s.LastActiveTicks).Take(excess))
            {
                sessions.TryRemove(new(stale.SessionId, stale));
            }
        }

        return (session, session == created);
    }

    /// <summary>Drops every session of a device (its authorization ended).</summary>
    public void RemoveDevice(string deviceKeyHex) => _devices.TryRemove(deviceKeyHex, out _);

    internal void Sweep()
    {
        var idle = TimeSpan.FromSeconds(_options.SessionIdleTimeoutSeconds);
        foreach (var (device, sessions) in _devices)
        {
            foreach (var (id, session) in sessions)
            {
                if (!session.IsAttached && _clock.GetElapsedTime(session.LastActiveTicks) > idle)
                {
                    sessions.TryRemove(new(id, session));
                }
            }

            if (sessions.IsEmpty)
            {
                _devices.TryRemove(new(device, sessions));
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();
}
