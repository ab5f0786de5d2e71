using System.Collections.Concurrent;

namespace Messenger.Protocol.Transport;

/// <summary>The live connections of this node, by connection id and by device key, and how many come from each client
/// address block (per-node state only).</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ProtocolConnection> _byId = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ProtocolConnection>> _byDevice = new();
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

    public void BindDevice(ProtocolConnection connection) =>
        _byDevice.GetOrAdd(connection.DeviceKeyHex, _ => new())[connection.ConnectionId] = connection;

    public IReadOnlyCollection<ProtocolConnection> ForDevice(string deviceKeyHex) =>
        _byDevice.TryGetValue(deviceKeyHex, out var connections) ? connections.Values.ToList() : [];

    public ProtocolConnection? Remove(string connectionId)
    {
        if (!_byId.TryRemove(connectionId, out var connection))
        {
            return null;
        }

        Release(connection.AddressBlock);

        if (connection.DeviceKeyHex.Length > 0 && _byDevice.TryGetValue(connection.DeviceKeyHex, out var connections))
        {
            connections.TryRemove(connectionId, out _);
            if (connections.IsEmpty)
            {
                _byDevice.TryRemove(new(connection.DeviceKeyHex, connections));
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
}
