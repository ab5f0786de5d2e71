using Mediator;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Events;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Update.Online;
using Microsoft.Extensions.Options;

namespace Messenger.Update.WebPush;

/// <summary>
/// Offers each new message (and each new sign-in to an account, to that account's other devices, and each secret message
/// that is no service message, to its recipient's device bound to the chat) to the outbox for the subscribed devices of its recipients that have no live connection
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
            if (append.Update.Update is NewAuthorizationUpdate signIn && !LogOwners.IsChat(append.OwnerId))
            {
                await OfferSignInAsync(append.OwnerId, signIn, cancellationToken);
                continue;
            }

            if (append.Update.Update is NewEncryptedMessageUpdate secret && !LogOwners.IsChat(append.OwnerId))
            {
                OfferSecret(append.OwnerId, secret.Message, append.Device);
                continue;
            }

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
            outbox.Offer(new PushJob(userId, message, null, offline));
        }
    }

    /// <summary>A secret message is offered for the one device that can read it, the chat's bound device the append names,
    /// when that device is subscribed and has no connection: the user's other devices do not show the chat. Not a
    /// service message (a delete, a key exchange: nothing to announce).</summary>
    private void OfferSecret(long userId, EncryptedMessage message, byte[]? device)
    {
        if (message.Service || device is null || userId == message.FromId || subscriptions.Of(userId) is not { Length: > 0 } targets)
        {
            return;
        }

        if (Array.Find(targets, target => target.DeviceKey.AsSpan().SequenceEqual(device)) is { } bound && !online.IsOnline(userId, device))
        {
            outbox.Offer(new PushJob(userId, null, null, [bound], message));
        }
    }

    /// <summary>A new device's sign-in goes to the account's other subscribed devices without a connection: never to the
    /// new device itself, even if a subscription of its key outlived a sign-out the server did not finish.</summary>
    private async ValueTask OfferSignInAsync(long userId, NewAuthorizationUpdate signIn, CancellationToken cancellationToken)
    {
        if (subscriptions.Of(userId) is not { Length: > 0 } targets)
        {
            return;
        }

        var newDevice = await bus.Send(new DeviceKeyOfAuthorizationQuery(userId, signIn.AuthorizationId), cancellationToken);
        var others = Array.FindAll(targets, target =>
            (newDevice is null || !target.DeviceKey.AsSpan().SequenceEqual(newDevice)) && !online.IsOnline(userId, target.DeviceKey));
        if (others.Length > 0)
        {
            outbox.Offer(new PushJob(userId, null, signIn, others));
        }
    }

    public async ValueTask Handle(DeviceSignedOutEvent notification, CancellationToken cancellationToken) =>
        await subscriptions.RemoveDeviceAsync(notification.DeviceKey, cancellationToken);

    public async ValueTask Handle(AccountDeletedEvent notification, CancellationToken cancellationToken) =>
        await subscriptions.RemoveUserAsync(notification.UserId, cancellationToken);
}
