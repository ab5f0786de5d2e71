using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Events;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;

namespace Messenger.Update.Presence;

internal sealed class TrackConnections(PresenceTracker presence)
    : INotificationHandler<ConnectionSignedInEvent>, INotificationHandler<ConnectionSignedOutEvent>
{
    public ValueTask Handle(ConnectionSignedInEvent notification, CancellationToken cancellationToken)
    {
        presence.Connected(notification.UserId, notification.ConnectionId, notification.DeviceKey);
        return ValueTask.CompletedTask;
    }

    public ValueTask Handle(ConnectionSignedOutEvent notification, CancellationToken cancellationToken)
    {
        presence.Disconnected(notification.UserId, notification.ConnectionId);
        return ValueTask.CompletedTask;
    }
}

internal sealed class AnnouncePrivacyChanges(PresenceTracker presence) : INotificationHandler<PrivacyChangedEvent>
{
    public ValueTask Handle(PrivacyChangedEvent notification, CancellationToken cancellationToken)
    {
        presence.Announce(notification.UserId, notification.Settings);
        return ValueTask.CompletedTask;
    }
}

internal sealed class AnnounceContactChanges(PresenceTracker presence) : INotificationHandler<ContactChangedEvent>
{
    public ValueTask Handle(ContactChangedEvent notification, CancellationToken cancellationToken)
    {
        presence.ContactChanged(notification.OwnerId, notification.UserId, notification.IsContact);
        return ValueTask.CompletedTask;
    }
}

internal sealed class GoOfflineWhenDeleted(PresenceTracker presence) : INotificationHandler<AccountDeletedEvent>
{
    public ValueTask Handle(AccountDeletedEvent notification, CancellationToken cancellationToken)
    {
        presence.Deleted(notification.UserId);
        return ValueTask.CompletedTask;
    }
}

internal sealed class UpdateStatusHandler(PresenceTracker presence, RpcContext caller, TimeProvider clock) : IRequestHandler<UpdateStatusCall, Done>
{
    public ValueTask<Done> Handle(UpdateStatusCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (call.Offline)
        {
            presence.SetOffline(me, clock.GetUtcNow().ToUnixTimeSeconds());
        }
        else
        {
            presence.SetOnline(me);
        }

        return ValueTask.FromResult(new Done());
    }
}

internal sealed class GetStatusesValidator : AbstractValidator<GetStatusesCall>
{
    public const int MaxIds = 200;

    public GetStatusesValidator() =>
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= MaxIds }).WithErrorCode(UpdateErrorNames.UserIdsInvalid);
}

/// <summary>As each user's privacy lets the caller see it: by default only the users who share a private chat with
/// the caller (presence is not public); everyone's for a user who allows everybody; for a user who allows their
/// contacts, theirs if the caller is in that user's contact list; a hidden status to those who share a chat with a user
/// who allows nobody, or who allows contacts and has not added the caller; nothing otherwise (nor for the caller
/// themselves, unless they chat with themselves). Within a blocked pair, nothing, whatever the settings.</summary>
internal sealed class GetStatusesHandler(PresenceTracker presence, ISender bus, RpcContext caller) : IRequestHandler<GetStatusesCall, UserStatuses>
{
    public async ValueTask<UserStatuses> Handle(GetStatusesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var peers = (await bus.Send(new GetPrivateChatPeersQuery(me), cancellationToken)).ToHashSet();
        var ids = call.Ids.Distinct().ToList();
        var blocked = (await bus.Send(new GetBlockedAmongQuery(me, ids), cancellationToken)).ToHashSet();
        var statuses = new List<UserStatusUpdate>();
        foreach (var id in ids.Where(id => !blocked.Contains(id)))
        {
            var rule = (await bus.Send(new GetPrivacyQuery(id), cancellationToken)).LastSeen;
            var shown = rule switch
            {
                PrivacyRule.Everybody => id != me,
                PrivacyRule.Chats => peers.Contains(id),
                PrivacyRule.Contacts => await bus.Send(new IsContactQuery(id, me), cancellationToken),
                _ => false,
            };
            if (shown)
            {
                statuses.Add(presence.Current(id));
            }
            else if (rule is PrivacyRule.Nobody or PrivacyRule.Contacts && peers.Contains(id))
            {
                statuses.Add(PresenceTracker.Hidden(id));
            }
        }

        return new UserStatuses([.. statuses]);
    }
}
