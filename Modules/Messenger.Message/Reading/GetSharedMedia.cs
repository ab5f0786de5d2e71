using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Rpc;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Reading;

internal sealed class GetSharedMediaValidator : AbstractValidator<GetSharedMediaCall>
{
    public GetSharedMediaValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Filter).Must(filter => SharedMedia.NumberOf(filter) > 0).WithErrorCode(MessageErrorNames.FilterInvalid);
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, GetHistoryValidator.MaxLimit).WithErrorCode(MessageErrorNames.LimitInvalid);
    }
}

/// <summary>A chat's shared media: its visible messages of one kind, from the partial index on <c>(chat_id, shared_kind, id)</c>.</summary>
internal sealed class GetSharedMediaHandler(Chats.ChatResolver chats, MessageStore store, ISender bus, RpcContext caller)
    : IRequestHandler<GetSharedMediaCall, MessageList>
{
    public async ValueTask<MessageList> Handle(GetSharedMediaCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        return target.ChatId == 0
            ? new MessageList([])
            : store.SharedMessages(me, target.ChatId, SharedMedia.NumberOf(call.Filter), call.OffsetId, call.Limit);
    }
}
