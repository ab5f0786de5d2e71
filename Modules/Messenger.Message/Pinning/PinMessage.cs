using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Storage;

namespace Messenger.Message.Pinning;

internal sealed class PinMessageValidator : AbstractValidator<PinMessageCall>
{
    public PinMessageValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).When(c => !c.Unpin).WithErrorCode(MessageErrorNames.MessageIdInvalid);
    }
}

/// <summary>
/// One pinned message per chat (<c>message_chats.pinned_message_id</c>), for everyone in it. A pin or unpin appends
/// <c>pinned_message</c> to the chat's audience (carrying the message, so a revoke redacts it like any copy of the
/// text); a pin also posts the service message <c>pin_message</c> unless silent. Posting rights apply (blocks, a deleted
/// peer, channel posting), and in a large group or channel only admins pin. A revoke of the pinned message unpins it
/// (<see cref="Editing.DeleteMessagesHandler"/>).
/// </summary>
internal sealed class PinMessageHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<PinMessageCall, PinResult>
{
    public async ValueTask<PinResult> Handle(PinMessageCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            // A private chat without messages has nothing to pin, and nothing pinned.
            return call.Unpin ? new PinResult(null, null, log.CurrentPts(me), 0) : throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var appends = new List<LogAppend>();
        var affected = await writer.WriteAsync(scope =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (!target.IsPrivate)
            {
                var role = GroupStore.RoleOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
                GroupChanges.RequireRight(scope, target.ChatId, role, ChatRights.PinMessages);
            }

            var chat = Delivery.OpenForPosting(scope, me, target, now, ChatRights.None);
            var pinned = call.Unpin ? null : MessageStore.FindVisible(scope, me, chat.ChatId, call.Id) is { Action: null } found
                ? found
                : throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
            var current = scope.Scalar("SELECT pinned_message_id FROM message_chats WHERE id = @chat", ("@chat", chat.ChatId)) as long? ?? 0;
            if (current == (pinned?.Id ?? 0))
            {
                var position = log.CurrentPts(scope, chat.AnswerLog(me));
                return new PinResult(pinned, null, position, 0, chat.HasOwnLog);
            }

            scope.Execute("UPDATE message_chats SET pinned_message_id = @id WHERE id = @chat", ("@id", pinned?.Id ?? 0), ("@chat", chat.ChatId));
            Posted? posted = null;
            if (pinned is not null && !call.Silent)
            {
                posted = Delivery.Post(scope, log, chat, me, Delivery.ServiceRandomId(), "", pinned.Id, new ServiceAction(ServiceActions.PinMessage, []), now);
                appends.AddRange(posted.Appends);
            }

            foreach (var (owner, peer) in chat.Audience(scope, me))
            {
                appends.Add(new LogAppend(owner, log.Append(scope, owner, new PinnedMessageUpdate(peer, pinned), now, pinned?.Id)));
            }

            // The caller's answer covers every entry this change put in the log it follows.
            var answerOwner = chat.AnswerLog(me);
            var mine = appends.Where(a => a.OwnerId == answerOwner).Select(a => a.Update).ToList();
            return new PinResult(pinned, posted?.Message, mine[^1].Pts, mine.Sum(u => u.PtsCount), chat.HasOwnLog);
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends, caller.ConnectionId), CancellationToken.None);
        }

        return affected;
    }
}
