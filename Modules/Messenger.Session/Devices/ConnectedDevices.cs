using Mediator;
using Messenger.Kernel.Updates;

namespace Messenger.Session.Devices;

/// <summary>
/// The device keys with a live, signed-in connection on this node. A device that stays connected is in use even if it
/// makes no call for days (a tab left open), so the sign-out of unused devices spares it.
/// </summary>
internal sealed class ConnectedDevices
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _deviceOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);

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
            if (_deviceOf.TryGetValue(connectionId, out var previous))
            {
                Release(previous);
            }

            _deviceOf[connectionId] = key;
            _connections[key] = _connections.GetValueOrDefault(key) + 1;
        }
    }

    public void SignedOut(string connectionId)
    {
        lock (_lock)
        {
            if (_deviceOf.Remove(connectionId, out var key))
            {
                Release(key);
            }
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

internal sealed class TrackConnectedDevices(ConnectedDevices devices)
    : INotificationHandler<ConnectionSignedInEvent>, INotificationHandler<ConnectionSignedOutEvent>
{
    public ValueTask Handle(ConnectionSignedInEvent notification, CancellationToken cancellationToken)
    {
        devices.SignedIn(notification.ConnectionId, notification.DeviceKey);
        return ValueTask.CompletedTask;
    }

    public ValueTask Handle(ConnectionSignedOutEvent notification, CancellationToken cancellationToken)
    {
        devices.SignedOut(notification.ConnectionId);
        return ValueTask.CompletedTask;
    }
}
