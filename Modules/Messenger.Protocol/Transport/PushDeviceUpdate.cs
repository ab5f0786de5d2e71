using Mediator;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Events;

namespace Messenger.Protocol.Transport;

/// <summary>An update addressed to one device goes to each of its live connections on this node.</summary>
internal sealed class PushDeviceUpdate(ConnectionRegistry connections) : INotificationHandler<DeviceUpdateEvent>
{
    public ValueTask Handle(DeviceUpdateEvent notification, CancellationToken cancellationToken)
    {
        foreach (var connection in connections.ForDevice(ProtocolConstants.Hex(notification.DeviceKey)))
        {
            connection.Enqueue(new UpdatesBody(notification.Kind, notification.Payload), isAnswer: false);
        }

        return ValueTask.CompletedTask;
    }
}
