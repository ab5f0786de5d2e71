using Mediator;
using Messenger.Kernel.Updates;

namespace Messenger.Session.Devices;

/// <summary>
/// The device keys with a live, signed-in connection on this node. A device that stays connected is in use even if it
/// makes no call for days (a tab left open), so the sign-out of unused devices spares it; when the connection closes,
/// that use is recorded as the device's last activity (<see cref="TrackConnectedDevices"/>).
/// </summary>
internal sealed class ConnectedDevices
{
    /// <summary>Connections whose close came before their sign-in was told (a connection dropping as it signs in),
    /// kept so that late sign-in counts nothing; bounded, since each such race leaves one until its sign-in comes (and
    /// one whose sign-in is never told stays): past the bound the oldest goes, never one that may still be waiting.</summary>
    internal const int MaxClosedEarly = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _deviceOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedListNode<string>> _closedEarly = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _closedEarlyOrder = new();

    public bool IsConnected(byte[] deviceKey)
    {
        var key = Convert.ToHexString(deviceKey);
        lock (_lock)
        {
            return _connections.ContainsKey(key);
        }
    }

    public void SignedIn(string connectionId, byte[] deviceKey)
    {
        var key = Convert.ToHexString(deviceKey);
        lock (_lock)
        {
            if (_closedEarly.Remove(connectionId, out var early))
            {
                _closedEarlyOrder.Remove(early);
                return;
            }

            if (_deviceOf.TryGetValue(connectionId, out var previous))
            {
                Release(previous);
            }

            _deviceOf[connectionId] = key;
            _connections[key] = _connections.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>The connection closed (or signed out): the device key it held, or null when its sign-in is still to be told.</summary>
    public byte[]? SignedOut(string connectionId)
    {
        lock (_lock)
        {
            if (_deviceOf.Remove(connectionId, out var key))
            {
                Release(key);
                return Convert.FromHexString(key);
            }

            if (_closedEarly.ContainsKey(connectionId))
            {
                return null;
            }

            if (_closedEarly.Count >= MaxClosedEarly && _closedEarlyOrder.First is { } oldest)
            {
                _closedEarly.Remove(oldest.Value);
                _closedEarlyOrder.RemoveFirst();
            }

            _closedEarly.Add(connectionId, _closedEarlyOrder.AddLast(connectionId));
            return null;
        }
    }

    private void Release(string key)
    {
        if (_connections[key] == 1)
        {
            _connections.Remove(key);
        }
        else
        {
            _connections[key]--;
        }
    }
}

internal sealed class TrackConnectedDevices(ConnectedDevices devices, AuthorizationCache authorizations, LastActiveTracker lastActive)
    : INotificationHandler<ConnectionSignedInEvent>, INotificationHandler<ConnectionSignedOutEvent>
{
    public ValueTask Handle(ConnectionSignedInEvent notification, CancellationToken cancellationToken)
    {
        devices.SignedIn(notification.ConnectionId, notification.DeviceKey);
        return ValueTask.CompletedTask;
    }

    public ValueTask Handle(ConnectionSignedOutEvent notification, CancellationToken cancellationToken)
    {
        // The device was in use while connected: until now, whatever calls it made.
        if (devices.SignedOut(notification.ConnectionId) is { } deviceKey && authorizations.Get(deviceKey) is { } authorization)
        {
            lastActive.Touch(authorization.AuthorizationId);
        }

        return ValueTask.CompletedTask;
    }
}
