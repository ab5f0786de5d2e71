using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

internal sealed class GetBannedValidator : AbstractValidator<GetBannedCall>
{
    public GetBannedValidator()
    {
        RuleFor(c => c.Offset).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 1000).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

/// <summary>
/// The users an admin removed (<c>message_bans</c>, written by <c>groups.removeMember</c>): admins list them and let them
/// back. A ban keeps a removed user from rejoining by an invite link, and from being added by a plain member.
/// </summary>
internal sealed class BansHandler(GroupStore store, GroupChanges changes, Chats.ChatDirectory directory, StorageWriter writer, RpcContext caller)
    : IRequestHandler<GetBannedCall, ChatBans>, IRequestHandler<UnbanCall, Done>
{
    public ValueTask<ChatBans> Handle(GetBannedCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        GroupChanges.RequireAdmin(directory.Get(call.ChatId)?.RoleOf(me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound));
        return ValueTask.FromResult(store.Banned(call.ChatId, call.Offset, call.Limit));
    }

    public async ValueTask<Done> Handle(UnbanCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await writer.WriteAsync(scope =>
        {
            GroupChanges.RequireAdmin(changes.RequireMember(scope, call.ChatId, me).Role);
            if (!GroupStore.Unban(scope, call.ChatId, call.UserId))
            {
                throw MessengerError.BadRequest(GroupErrorNames.ChatNotModified);
            }
        }, cancellationToken);
        return new Done();
    }
}
