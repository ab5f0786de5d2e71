using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Events;
using Messenger.Kernel.Updates;
using Messenger.Update.Online;
using Microsoft.Extensions.Options;

namespace Messenger.Update.WebPush;

/// <summary>
/// Offers each new message to the outbox for the subscribed devices of its recipients that have no live connection
/// (those get it live): from the recipients' logs, and from a large group's or channel's own log for its members. Not
/// for the sender's own devices, nor for service messages. With no subscription on the server an append costs one
/// read of a counter, and a post to a channel walks its members or the subscribed users, whichever are fewer. Which
/// devices are connected is <see cref="OnlineDevices"/>' to say. Also drops the subscriptions of devices signed out and
/// accounts deleted.
/// </summary>
internal sealed class NotifyOfflineDevices(
    PushSubscriptions subscriptions, OnlineDevices online, PushOutbox outbox, ISender bus, IOptions<PushOptions> options)
    : INotificationHandler<UpdatesAppendedEvent>, INotificationHandler<DeviceSignedOutEvent>, INotificationHandler<AccountDeletedEvent>
{
    public async ValueTask Handle(UpdatesAppendedEvent notification, CancellationToken cancellationToken)
    {
        if (!subscriptions.Any || !options.Value.Enabled)
        {
            return;
        }

        foreach (var append in notification.Appends)
        {
            if (append.Update.Update is not NewMessageUpdate { Message: { Action: null } message })
            {
                continue;
            }

            if (!LogOwners.IsChat(append.OwnerId))
            {
                Offer(append.OwnerId, message);
                continue;
            }

            // A channel's members can be many and its subscribers few: whichever is smaller is walked.
            var chatId = LogOwners.ChatOf(append.OwnerId);
            var members = await bus.Send(new GetChatMembersQuery(chatId), cancellationToken);
            var subscribers = subscriptions.UserIds;
            if (members.Length <= subscribers.Length)
            {
                foreach (var member in members)
                {
                    Offer(member, message);
                }

                continue;
            }

            foreach (var subscriber in subscribers)
            {
                if (subscriber != message.FromId && await bus.Send(new CanReadChatLogQuery(subscriber, chatId), cancellationToken))
                {
                    Offer(subscriber, message);
                }
            }
        }
    }

    private void Offer(long userId, Contracts.Messages.Message message)
    {
        if (userId == message.FromId || subscriptions.Of(userId) is not { Length: > 0 } targets)
        {
            return;
        }

        var offline = Array.FindAll(targets, target => !online.IsOnline(userId, target.DeviceKey));
        if (offline.Length > 0)
        {
            outbox.Offer(new PushJob(userId, message, offline));
        }
    }

    public async ValueTask Handle(DeviceSignedOutEvent notification, CancellationToken cancellationToken) =>
        await subscriptions.RemoveDeviceAsync(notification.DeviceKey, cancellationToken);

    public async ValueTask Handle(AccountDeletedEvent notification, CancellationToken cancellationToken) =>
        await subscriptions.RemoveUserAsync(notification.UserId, cancellationToken);
}
