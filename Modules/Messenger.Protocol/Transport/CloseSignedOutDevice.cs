using Mediator;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Events;
using Messenger.Protocol.Sessions;

namespace Messenger.Protocol.Transport;

/// <summary>A device whose authorization ended loses its live connections and its sessions at once.</summary>
internal sealed class CloseSignedOutDevice(ConnectionRegistry connections, SessionRegistry sessions)
    : INotificationHandler<DeviceSignedOutEvent>
{
    public ValueTask Handle(DeviceSignedOutEvent notification, CancellationToken cancellationToken)
    {
        var deviceKeyHex = ProtocolConstants.Hex(notification.DeviceKey);
        sessions.RemoveDevice(deviceKeyHex);
        foreach (var connection in connections.ForDevice(deviceKeyHex))
        {
            connection.Close($"device signed out: {notification.Reason}");
        }

        return ValueTask.CompletedTask;
    }
}
