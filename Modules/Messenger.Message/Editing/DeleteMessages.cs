using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.Editing;

internal sealed class DeleteMessagesValidator : AbstractValidator<DeleteMessagesCall>
{
    public const int MaxIds = 100;

    public DeleteMessagesValidator()
    {
        RuleFor(c => c.Peer).Must(p => p is { Id: > 0 } && Enum.IsDefined(p.Kind)).WithErrorCode(MessageErrorNames.PeerIdInvalid);
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= MaxIds } && ids.All(id => id > 0)).WithErrorCode(MessageErrorNames.MessageIdsInvalid);
    }
}

/// <summary>
/// For me: the messages are hidden from the caller only. Revoke: the caller's own messages are erased for both sides
/// — the text from the message row (which keeps its random_id so a late resend is answered, not stored again) and
/// from every log entry that carried it; revoking someone else's message is refused as a whole, so nothing is half-done.
/// Media: a revoked message, or one that every participant has deleted for themselves, releases its media reference in
/// the same unit.
/// </summary>
internal sealed class DeleteMessagesHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<DeleteMessagesCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(DeleteMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var peerId = await chats.RequireUserPeerAsync(call.Peer, bus, cancellationToken);
        if (chats.FindPrivateChat(me, peerId) is not { } chatId)
        {
            return new AffectedMessages(log.CurrentPts(me), 0);
        }

        var appends = new List<LogAppend>(2);
        var affected = await writer.WriteAsync(scope =>
        {
            var messages = MessageStore.VisibleMessages(scope, me, chatId, [.. call.Ids.Distinct()]);
            if (messages.Count == 0)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            if (call.Revoke && messages.Any(m => m.FromId != me))
            {
                throw MessengerError.Forbidden(MessageErrorNames.MessageDeleteForbidden);
            }

            var ids = messages.Select(m => m.Id).Order().ToArray();
            foreach (var id in ids)
            {
                if (call.Revoke)
                {
                    MessageStore.Execute(scope, "UPDATE message_messages SET deleted = 1, text = '', media = NULL WHERE id = @id", ("@id", id));
                    log.Redact(scope, id, owner => new DeleteMessagesUpdate(Peer.User(owner == me ? peerId : me), [id]));
                    media.Release(scope, id);
                }
                else
                {
                    MessageStore.Execute(scope, "INSERT OR IGNORE INTO message_hidden (user_id, message_id) VALUES (@user, @id)", ("@user", me), ("@id", id));
                    if (MessageStore.HiddenFromEveryone(scope, id))
                    {
                        media.Release(scope, id);
                    }
                }
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            MessageStore.Recount(scope, me, chatId);
            var mine = log.Append(scope, me, new DeleteMessagesUpdate(Peer.User(peerId), ids), now);
            appends.Add(new LogAppend(me, mine));
            if (call.Revoke && peerId != me)
            {
                MessageStore.Recount(scope, peerId, chatId);
                appends.Add(new LogAppend(peerId, log.Append(scope, peerId, new DeleteMessagesUpdate(Peer.User(me), ids), now)));
            }

            return new AffectedMessages(mine.Pts, mine.PtsCount);
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends, caller.ConnectionId), CancellationToken.None);
        }

        return affected;
    }
}
