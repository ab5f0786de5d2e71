using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Updates;
using Messenger.Update.Online;

namespace Messenger.Update.Push;

/// <summary>
/// New log entries go to every online device of their owner, serialized once per owner, in pts order: a unit's entries in
/// the order it appended them, and the units one after another in commit order (<see cref="LoggedWriter"/> publishes
/// from one loop and this handler queues its pushes before it returns). A device that misses one (offline, or its queue
/// overflowed and it was disconnected) finds it with getDifference.
/// </summary>
internal sealed class PushToOnlineDevices(OnlineDevices online, IConnectionPush push, ISender bus)
    : INotificationHandler<UpdatesAppendedEvent>, INotificationHandler<EphemeralUpdateEvent>
{
    public async ValueTask Handle(UpdatesAppendedEvent notification, CancellationToken cancellationToken)
    {
        foreach (var owner in notification.Appends.GroupBy(a => a.OwnerId))
        {
            if (LogOwners.IsChat(owner.Key))
            {
                await PushToMembersAsync(LogOwners.ChatOf(owner.Key), [.. owner], notification.OriginConnectionId, cancellationToken);
                continue;
            }

            var connections = online.ConnectionsOf(owner.Key);
            if (connections.Length == 0 || (connections.Length == 1 && connections[0] == notification.OriginConnectionId))
            {
                continue;
            }

            var payload = WireSerializer.Serialize(new LoggedUpdates([.. owner.Select(a => a.Update)]));
            foreach (var connection in connections)
            {
                if (connection != notification.OriginConnectionId)
                {
                    push.Push(connection, UpdateKinds.Logged, payload);
                }
            }
        }
    }

    /// <summary>
    /// A large group's entry goes to the online devices of its members, from memory: one payload for all of them, no
    /// per-member rows. Offline members read the chat's log when they come back. The only other payload is the
    /// sender's: their own messages with their random_id (<see cref="LogAppend.ForSender"/>), for their other devices.
    /// </summary>
    private async ValueTask PushToMembersAsync(long chatId, LogAppend[] appends, string? originConnectionId, CancellationToken cancellationToken)
    {
        var members = await bus.Send(new GetChatMembersQuery(chatId), cancellationToken);
        var senders = SendersOf(appends);
        byte[]? payload = null;
        foreach (var member in members)
        {
            if (senders is not null && senders.Contains(member))
            {
                PushToSender(chatId, member, appends, originConnectionId);
                continue;
            }

            foreach (var connection in online.ConnectionsOf(member))
            {
                if (connection != originConnectionId)
                {
                    push.Push(connection, UpdateKinds.Channel,
                        payload ??= WireSerializer.Serialize(new ChannelUpdates(chatId, [.. appends.Select(a => a.Update)])));
                }
            }
        }
    }

    private static HashSet<long>? SendersOf(LogAppend[] appends)
    {
        HashSet<long>? senders = null;
        foreach (var append in appends)
        {
            if (append.ForSender is { } copy)
            {
                (senders ??= []).Add(copy.UserId);
            }
        }

        return senders;
    }

    private void PushToSender(long chatId, long sender, LogAppend[] appends, string? originConnectionId)
    {
        byte[]? payload = null;
        foreach (var connection in online.ConnectionsOf(sender))
        {
            if (connection != originConnectionId)
            {
                push.Push(connection, UpdateKinds.Channel, payload ??= WireSerializer.Serialize(new ChannelUpdates(chatId,
                    [.. appends.Select(a => a.ForSender is { } copy && copy.UserId == sender ? copy.Update : a.Update)])));
            }
        }
    }

    public ValueTask Handle(EphemeralUpdateEvent notification, CancellationToken cancellationToken)
    {
        byte[]? payload = null;
        foreach (var userId in notification.UserIds)
        {
            foreach (var connection in online.ConnectionsOf(userId))
            {
                if (notification.OnlyConnection is null || connection == notification.OnlyConnection)
                {
                    push.Push(connection, UpdateKinds.Ephemeral, payload ??= WireSerializer.Serialize(notification.Update));
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
