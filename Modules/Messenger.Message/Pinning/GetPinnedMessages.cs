using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Message.Chats;
using Messenger.Kernel.Rpc;
using Messenger.Message.Storage;

namespace Messenger.Message.Pinning;

internal sealed class GetPinnedMessagesValidator : AbstractValidator<GetPinnedMessagesCall>
{
    public GetPinnedMessagesValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, PinnedMessages.MaxPinned).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

/// <summary>The chat's pinned messages as the caller sees them (not those they deleted for themselves), newest first.</summary>
internal sealed class GetPinnedMessagesHandler(Chats.ChatResolver chats, MessageStore store, ISender bus, RpcContext caller)
    : IRequestHandler<GetPinnedMessagesCall, MessageList>
{
    public async ValueTask<MessageList> Handle(GetPinnedMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        return target.ChatId == 0 ? new MessageList([]) : store.Pinned(me, target.ChatId, call.OffsetId, call.Limit);
    }
}
