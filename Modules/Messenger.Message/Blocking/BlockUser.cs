using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;

namespace Messenger.Message.Blocking;

internal sealed class BlockUserValidator : AbstractValidator<BlockUserCall>
{
    public BlockUserValidator() => RuleFor(c => c.UserId).GreaterThan(0).WithErrorCode(MessageErrorNames.UserIdInvalid);
}

internal sealed class UnblockUserValidator : AbstractValidator<UnblockUserCall>
{
    public UnblockUserValidator() => RuleFor(c => c.UserId).GreaterThan(0).WithErrorCode(MessageErrorNames.UserIdInvalid);
}

internal sealed class BlockUserHandler(Chats.ChatResolver chats, StorageWriter writer, IMediator bus, RpcContext caller)
    : IRequestHandler<BlockUserCall, Done>, IRequestHandler<UnblockUserCall, Done>
{
    /// <summary>Blocks the user; each of the two is then shown the other's presence as hidden ("last seen recently"), so
    /// neither keeps a status the block no longer updates.</summary>
    public async ValueTask<Done> Handle(BlockUserCall call, CancellationToken cancellationToken)
    {
        var me = await RequireOtherUserAsync(call.UserId, cancellationToken);
        var added = await writer.WriteAsync(scope => scope.Execute("INSERT OR IGNORE INTO message_blocks (user_id, blocked_id) VALUES (@user, @blocked)",
            ("@user", me), ("@blocked", call.UserId)), cancellationToken);
        if (added > 0)
        {
            await bus.Publish(new EphemeralUpdateEvent([call.UserId], new UserStatusUpdate(me, false, 0, Hidden: true)), CancellationToken.None);
            await bus.Publish(new EphemeralUpdateEvent([me], new UserStatusUpdate(call.UserId, false, 0, Hidden: true)), CancellationToken.None);
        }

        return new Done();
    }

    public async ValueTask<Done> Handle(UnblockUserCall call, CancellationToken cancellationToken)
    {
        var me = await RequireOtherUserAsync(call.UserId, cancellationToken);
        await writer.WriteAsync(scope => scope.Execute("DELETE FROM message_blocks WHERE user_id = @user AND blocked_id = @blocked", ("@user", me), ("@blocked", call.UserId)),
            cancellationToken);
        return new Done();
    }

    private async ValueTask<long> RequireOtherUserAsync(long userId, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (userId == me || !await chats.UserExistsAsync(userId, bus, cancellationToken))
        {
            throw MessengerError.BadRequest(MessageErrorNames.UserIdInvalid);
        }

        return me;
    }
}

internal sealed class GetBlockedHandler(MessageStore store, RpcContext caller) : IRequestHandler<GetBlockedCall, BlockedUsers>
{
    public ValueTask<BlockedUsers> Handle(GetBlockedCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new BlockedUsers(store.BlockedBy(caller.RequireUserId())));
}

/// <summary>Profile changes go to the users someone shares a private chat or a small group with.</summary>
internal sealed class GetProfileAudienceHandler(MessageStore store) : IRequestHandler<GetProfileAudienceQuery, long[]>
{
    public ValueTask<long[]> Handle(GetProfileAudienceQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.ProfileAudience(query.UserId));
}

internal sealed class GetBlockedAmongHandler(MessageStore store) : IRequestHandler<GetBlockedAmongQuery, long[]>
{
    public ValueTask<long[]> Handle(GetBlockedAmongQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(query.Ids.Count == 0 ? [] : store.BlockedAmong(query.UserId, query.Ids));
}

/// <summary>"My chats" of a last-seen rule, read from each target's side: the same test as calls and group invites.</summary>
internal sealed class GetInChatListAmongHandler(Chats.ChatResolver chats) : IRequestHandler<GetInChatListAmongQuery, long[]>
{
    public ValueTask<long[]> Handle(GetInChatListAmongQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(query.Ids.Where(id => chats.InChatList(id, query.UserId)).ToArray());
}

/// <summary>Presence goes only to the users someone shares a private chat with.</summary>
internal sealed class GetPrivateChatPeersHandler(MessageStore store) : IRequestHandler<GetPrivateChatPeersQuery, long[]>
{
    public ValueTask<long[]> Handle(GetPrivateChatPeersQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.PrivateChatPeers(query.UserId));
}
