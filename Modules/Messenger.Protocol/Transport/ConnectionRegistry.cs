using System.Collections.Concurrent;

namespace Messenger.Protocol.Transport;

/// <summary>The live connections of this node, by connection id and by device key, and how many come from each client
/// address block (per-node state only).</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ProtocolConnection> _byId = new();
    private readonly ConcurrentDictionary<string, DeviceConnections> _byDevice = new();
    private readonly ConcurrentDictionary<string, int> _perAddress = new();

    public int Count => _byId.Count;

    public int AddressCount => _perAddress.Count;

    /// <summary>Adds the connection, unless its address block already has <paramref name="maxPerAddress"/> (0: no cap).</summary>
    public bool TryAdd(ProtocolConnection connection, int maxPerAddress)
    {
        if (_perAddress.AddOrUpdate(connection.AddressBlock, 1, (_, count) => count + 1) > maxPerAddress && maxPerAddress > 0)
        {
            Release(connection.AddressBlock);
            return false;
        }

        _byId[connection.ConnectionId] = connection;
        return true;
    }

    public ProtocolConnection? Get(string connectionId) => _byId.GetValueOrDefault(connectionId);

    /// <summary>Test seam: runs in <see cref="BindDevice"/> between finding the device's set and adding to it (where a
    /// <see cref="Remove"/> of the device's last other connection could take the set away).</summary>
    internal Action? AfterDeviceLookup { get; set; }

    public void BindDevice(ProtocolConnection connection)
    {
        while (true)
        {
            var device = _byDevice.GetOrAdd(connection.DeviceKeyHex, _ => new DeviceConnections());
            AfterDeviceLookup?.Invoke();
            lock (device)
            {
                // Taken away by the removal of the device's last other connection meanwhile (a reconnect whose old
                // connection is closing): added to it, the connection would be out of ForDevice's reach, and so not
                // closed on sign-out nor pushed to. The device gets a new set.
                if (device.Removed)
                {
                    continue;
                }

                device.Connections[connection.ConnectionId] = connection;
                return;
            }
        }
    }

    public IReadOnlyCollection<ProtocolConnection> ForDevice(string deviceKeyHex)
    {
        if (!_byDevice.TryGetValue(deviceKeyHex, out var device))
        {
            return [];
        }

        lock (device)
        {
            return device.Connections.Values.ToList();
        }
    }

    public ProtocolConnection? Remove(string connectionId)
    {
        if (!_byId.TryRemove(connectionId, out var connection))
        {
            return null;
        }

        Release(connection.AddressBlock);

        if (connection.DeviceKeyHex.Length > 0 && _byDevice.TryGetValue(connection.DeviceKeyHex, out var device))
        {
            lock (device)
            {
                if (device.Connections.Remove(connectionId) && device.Connections.Count == 0)
                {
                    device.Removed = true;
                    _byDevice.TryRemove(new(connection.DeviceKeyHex, device));
                }
            }
        }

        return connection;
    }

    private void Release(string addressBlock)
    {
        // A block whose count reaches zero goes, unless a new connection from it came in meanwhile.
        if (_perAddress.AddOrUpdate(addressBlock, 0, (_, count) => count - 1) == 0)
        {
            _perAddress.TryRemove(new(addressBlock, 0));
        }
    }

    /// <summary>A device's connections, changed and read under its lock.</summary>
    private sealed class DeviceConnections
    {
        public Dictionary<string, ProtocolConnection> Connections { get; } = [];

        /// <summary>Taken out of the map: a binder that found it just before must look the device up again.</summary>
        public bool Removed { get; set; }
    }
}
