using FluentValidation;
using Mediator;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Events;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;

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

/// <summary>Only for users who share a private chat with the caller: presence is not public.</summary>
internal sealed class GetStatusesHandler(PresenceTracker presence, ISender bus, RpcContext caller) : IRequestHandler<GetStatusesCall, UserStatuses>
{
    public async ValueTask<UserStatuses> Handle(GetStatusesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var peers = (await bus.Send(new GetPrivateChatPeersQuery(me), cancellationToken)).ToHashSet();
        return new UserStatuses([.. call.Ids.Distinct().Where(peers.Contains).Select(presence.Current)]);
    }
}
