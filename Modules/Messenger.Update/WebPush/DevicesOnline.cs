namespace Messenger.Update.WebPush;

/// <summary>The devices of this node with a live signed-in connection, by their key: a device that has one gets its
/// messages live and no push.</summary>
internal sealed class DevicesOnline
{
    private readonly Dictionary<string, string> _deviceOf = [];
    private readonly Dictionary<string, int> _connections = [];

    public void Add(string connectionId, byte[] deviceKey)
    {
        var device = Convert.ToHexString(deviceKey);
        lock (_deviceOf)
        {
            if (_deviceOf.TryAdd(connectionId, device))
            {
                _connections[device] = _connections.GetValueOrDefault(device) + 1;
            }
        }
    }

    public void Remove(string connectionId)
    {
        lock (_deviceOf)
        {
            if (_deviceOf.Remove(connectionId, out var device) && --_connections[device] == 0)
            {
                _connections.Remove(device);
            }
        }
    }

    public bool IsOnline(string device)
    {
        lock (_deviceOf)
        {
            return _connections.ContainsKey(device);
        }
    }
}
