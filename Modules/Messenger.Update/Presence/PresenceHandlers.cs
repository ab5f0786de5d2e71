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
    public async ValueTask Handle(AccountDeletedEvent notification, CancellationToken cancellationToken) =>
        await presence.DeletedAsync(notification.UserId);
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

/// <summary>As each user's privacy lets the caller see it: by default only to the users whose private chat is in that
/// user's own chat list (presence is not public; a chat they deleted or cleared no longer counts); everyone's for a user
/// who allows everybody; for a user who allows their contacts, theirs if the caller is in that user's contact list; a
/// hidden status to those in the chat list of a user who allows nobody, or who allows contacts and has not added the
/// caller; nothing otherwise (nor for the caller themselves). Within a blocked pair, nothing, whatever the
/// settings.</summary>
internal sealed class GetStatusesHandler(PresenceTracker presence, ISender bus, RpcContext caller) : IRequestHandler<GetStatusesCall, UserStatuses>
{
    public async ValueTask<UserStatuses> Handle(GetStatusesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var ids = call.Ids.Distinct().ToList();
        var blocked = (await bus.Send(new GetBlockedAmongQuery(me, ids), cancellationToken)).ToHashSet();
        var visible = ids.Where(id => id != me && !blocked.Contains(id)).ToList();
        var chatting = visible.Count == 0 ? [] : (await bus.Send(new GetInChatListAmongQuery(me, visible), cancellationToken)).ToHashSet();
        var statuses = new List<UserStatusUpdate>();
        foreach (var id in visible)
        {
            var rule = (await bus.Send(new GetPrivacyQuery(id), cancellationToken)).LastSeen;
            var shown = rule switch
            {
                PrivacyRule.Everybody => true,
                PrivacyRule.Chats => chatting.Contains(id),
                PrivacyRule.Contacts => await bus.Send(new IsContactQuery(id, me), cancellationToken),
                _ => false,
            };
            if (shown)
            {
                statuses.Add(presence.Current(id));
            }
            else if (rule is PrivacyRule.Nobody or PrivacyRule.Contacts && chatting.Contains(id))
            {
                statuses.Add(PresenceTracker.Hidden(id));
            }
        }

        return new UserStatuses([.. statuses]);
    }
}
