using Messenger.Contracts.Wire;
using Messenger.Kernel.Updates;

namespace Messenger.Protocol.Transport;

internal sealed class ConnectionPush(ConnectionRegistry connections) : IConnectionPush
{
    public bool Push(string connectionId, string kind, byte[] payload) =>
        connections.Get(connectionId) is { State: ConnectionState.Established } connection
        && connection.Enqueue(new UpdatesBody(kind, payload), isAnswer: false);

    public bool IsOpen(string connectionId) => connections.Get(connectionId) is { State: ConnectionState.Established };
}
