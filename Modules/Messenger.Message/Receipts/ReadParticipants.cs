using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Receipts;

internal sealed class GetReadParticipantsValidator : AbstractValidator<GetReadParticipantsCall>
{
    public GetReadParticipantsValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
    }
}

/// <summary>
/// "Seen by" for the caller's own messages, from the read positions private chats and small groups already keep per
/// user (<c>message_dialogs.read_inbox_max_id</c>): nothing is stored for it. A large group keeps one position per
/// member too, but answering would read every member of a chat of any size, so it is refused.
/// </summary>
internal sealed class GetReadParticipantsHandler(Chats.ChatResolver chats, MessageStore store, IMediator bus, RpcContext caller)
    : IRequestHandler<GetReadParticipantsCall, ReadParticipants>
{
    public async ValueTask<ReadParticipants> Handle(GetReadParticipantsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.HasOwnLog)
        {
            throw MessengerError.BadRequest(MessageErrorNames.ChatTooBig);
        }

        var (author, readers) = target.ChatId == 0 ? (null, []) : store.ReadParticipants(me, target.ChatId, call.Id);
        if (author is null)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        if (author != me)
        {
            throw MessengerError.Forbidden(MessageErrorNames.MessageAuthorRequired);
        }

        return new ReadParticipants(readers);
    }
}
