using System.Collections.Concurrent;

namespace Messenger.Protocol.Transport;

/// <summary>The live connections of this node, by connection id and by device key (per-node state only).</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ProtocolConnection> _byId = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ProtocolConnection>> _byDevice = new();

    public int Count => _byId.Count;

    public void Add(ProtocolConnection connection) => _byId[connection.ConnectionId] = connection;

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
}
