using FluentValidation;
using Mediator;
using Messenger.Contracts.Calls;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Calls;

internal sealed class SendGroupCallSignalValidator : AbstractValidator<SendGroupCallSignalCall>
{
    public SendGroupCallSignalValidator() =>
        RuleFor(c => c.Data).Must(d => d is { Length: > 0 and <= CallLimits.MaxSdpLength }).WithErrorCode(CallErrorNames.CallSignalInvalid);
}

/// <summary>
/// What a voice chat's changes cause: <c>group_call</c> to its participants (and to those who just left), in a small
/// group to every member (a large group's members ask <c>phone.getGroupCall</c> when they open it: one join must not
/// push to thousands); its start and end as <c>group_call</c> service messages in the chat.
/// </summary>
internal sealed class GroupCallEvents(IServiceScopeFactory scopes, ChatDirectory directory, ILogger<GroupCallEvents> logger)
{
    /// <summary>A participant's grace ran out: announced (and an end recorded) from a scope of its own.</summary>
    public void ChangedOnItsOwn(GroupCall call, long left) => CallScope.Run(scopes, logger, bus => ChangedAsync(call, [left], bus));

    public async Task ChangedAsync(GroupCall call, IReadOnlyCollection<long> alsoTell, IMediator bus)
    {
        var audience = new HashSet<long>(call.Participants);
        audience.UnionWith(alsoTell);
        if (directory.Get(call.ChatId) is { Kind: ChatKind.Group } chat)
        {
            audience.UnionWith(chat.MemberIds);
        }

        await bus.Publish(new EphemeralUpdateEvent([.. audience], new GroupCallUpdate(call)), CancellationToken.None);
        if (call.Ended)
        {
            await RecordAsync(bus, call.ChatId, [.. alsoTell, call.StartedBy], call.Duration);
        }
    }

    /// <summary>Posts the chat's record of the voice chat as the first of <paramref name="posters"/> still a member (the
    /// last to leave may have left the group meanwhile; then who started it); none left, no record.</summary>
    public async Task RecordAsync(IMediator bus, long chatId, IReadOnlyList<long> posters, int? period)
    {
        foreach (var poster in posters.Distinct())
        {
            try
            {
                await bus.Send(new RecordGroupCall(chatId, poster, period), CancellationToken.None);
                return;
            }
            catch (MessengerError e)
            {
                logger.LogInformation("A voice chat of chat {ChatId} is not recorded as user {UserId}: {Error}", chatId, poster, e.Name);
            }
        }
    }
}

/// <summary>Posts a voice chat's <c>group_call</c> service message as <see cref="PosterId"/>: its start
/// (<see cref="Period"/> null) or end (the seconds it lasted).</summary>
internal sealed record RecordGroupCall(long ChatId, long PosterId, int? Period) : IRequest<Done>;

internal sealed class GroupCallHandlers(
    GroupCallRegistry registry, CallRegistry calls, GroupCallEvents events, ChatDirectory directory, Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log,
    IMediator bus, RpcContext caller, TimeProvider clock, IConnectionPush connections)
    : IRequestHandler<JoinGroupCallCall, GroupCall>, IRequestHandler<LeaveGroupCallCall, GroupCall>, IRequestHandler<GetGroupCallCall, GroupCalls>,
        IRequestHandler<SendGroupCallSignalCall, Done>, IRequestHandler<RecordGroupCall, Done>
{
    public async ValueTask<GroupCall> Handle(JoinGroupCallCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var chat = RequireMember(call.ChatId, me);
        if (chat.Kind == ChatKind.Channel)
        {
            throw MessengerError.BadRequest(GroupErrorNames.ChatTypeInvalid, "channels have no voice chats");
        }

        if (calls.Of(me) is not null)
        {
            throw MessengerError.BadRequest(CallErrorNames.CallAlreadyActive);
        }

        var (joined, started, replaced) = registry.Join(call.ChatId, me, new CallRegistry.Side(caller.DeviceKey, caller.ConnectionId), call.Rejoin);
        // Checked again now that the caller is in: a removal or a one-to-one call that won the race undoes the join.
        var removed = directory.Get(call.ChatId)?.RoleOf(me) is null;
        if (removed || calls.Of(me) is not null)
        {
            if (registry.TakeOut(call.ChatId, me) is { } undone)
            {
                await events.ChangedAsync(undone, [me], bus);
            }

            throw removed ? MessengerError.NotFound(GroupErrorNames.ChatNotFound) : MessengerError.BadRequest(CallErrorNames.CallAlreadyActive);
        }

        if (started)
        {
            await events.RecordAsync(bus, call.ChatId, [me], null);
        }

        if (replaced is not null)
        {
            // The connection that held the caller's place lets it go: for it, the caller is no longer in the call.
            var elsewhere = joined with { Participants = [.. joined.Participants.Where(p => p != me)] };
            await bus.Publish(new EphemeralUpdateEvent([me], new GroupCallUpdate(elsewhere)) { OnlyConnection = replaced }, CancellationToken.None);
        }

        await events.ChangedAsync(joined, [], bus);

        // The connection may have closed while the join ran, its close followed before the caller was in: nothing would
        // then ever start the caller's grace, and they would stay in the call. Followed now, as if it closed now.
        if (!connections.IsOpen(caller.ConnectionId))
        {
            await FollowGroupCallConnections.ClosedAsync(registry, events, bus, caller.ConnectionId);
        }

        return joined;
    }

    public async ValueTask<GroupCall> Handle(LeaveGroupCallCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var left = registry.Leave(call.CallId, me);
        await events.ChangedAsync(left, [me], bus);
        return left;
    }

    public ValueTask<GroupCalls> Handle(GetGroupCallCall call, CancellationToken cancellationToken)
    {
        RequireMember(call.ChatId, caller.RequireUserId());
        return ValueTask.FromResult(new GroupCalls(registry.OfChat(call.ChatId) is { } current ? [current] : []));
    }

    public async ValueTask<Done> Handle(SendGroupCallSignalCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var connection = registry.ConnectionOf(call.CallId, me, call.UserId);
        await bus.Publish(
            new EphemeralUpdateEvent([call.UserId], new GroupCallSignalUpdate(call.CallId, me, call.Data)) { OnlyConnection = connection }, CancellationToken.None);
        return new Done();
    }

    public async ValueTask<Done> Handle(RecordGroupCall record, CancellationToken cancellationToken)
    {
        var target = await chats.ResolveAsync(record.PosterId, Peer.Chat(record.ChatId), bus, cancellationToken);
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chat = Delivery.OpenForResponding(scope, record.PosterId, target, now);
            var action = new ServiceAction(ServiceActions.GroupCall, [], Period: record.Period);
            appends.AddRange(Delivery.Post(scope, log, chat, record.PosterId, Delivery.ServiceRandomId(), "", null, action, now).Appends);
        }, cancellationToken);
        return new Done();
    }

    private ChatInfo RequireMember(long chatId, long me) =>
        directory.Get(chatId) is { } chat && chat.RoleOf(me) is not null ? chat : throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
}

/// <summary>A connection in a voice chat closed: its participant has the grace to join again (or, without one, leaves
/// now).</summary>
internal sealed class FollowGroupCallConnections(GroupCallRegistry registry, GroupCallEvents events, IMediator bus)
    : INotificationHandler<ConnectionSignedOutEvent>
{
    public async ValueTask Handle(ConnectionSignedOutEvent notification, CancellationToken cancellationToken) =>
        await ClosedAsync(registry, events, bus, notification.ConnectionId);

    /// <summary>Follows the close of <paramref name="connectionId"/>: its participants get their grace, or leave now.</summary>
    public static async ValueTask ClosedAsync(GroupCallRegistry registry, GroupCallEvents events, IMediator bus, string connectionId)
    {
        foreach (var (changed, left) in registry.Disconnected(connectionId))
        {
            await events.ChangedAsync(changed, [left], bus);
        }
    }
}

/// <summary>A member who leaves a group, or is removed, leaves its voice chat too: signals stop reaching them.</summary>
internal sealed class TakeOutWhoLeaves(GroupCallRegistry registry, GroupCallEvents events, IMediator bus) : INotificationHandler<MemberLeftEvent>
{
    public async ValueTask Handle(MemberLeftEvent left, CancellationToken cancellationToken)
    {
        if (registry.TakeOut(left.ChatId, left.UserId) is { } changed)
        {
            await events.ChangedAsync(changed, [left.UserId], bus);
        }
    }
}
