using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Editing;

internal sealed class DeleteHistoryValidator : AbstractValidator<DeleteHistoryCall>
{
    public DeleteHistoryValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MaxId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.MaxIdInvalid);
    }
}

/// <summary>
/// Clears a chat for the caller, one batch of <see cref="HistoryDeletion.BatchSize"/> messages per call (one writer
/// unit), newest first; the answer's offset is where the next batch starts, so messages that arrive meanwhile (above
/// the first call's newest) are not touched. With revoke (private chats) the caller's own messages are erased for both
/// users and the other user's hidden for the caller; otherwise everything is hidden for the caller
/// (<see cref="MessageDeletion"/>). A private chat with nothing left to show drops out of the caller's dialogs
/// (<see cref="MessageStore.Dialogs"/>) until its next message.
/// </summary>
internal sealed class DeleteHistoryHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock,
    ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<DeleteHistoryCall, AffectedHistory>
{
    public async ValueTask<AffectedHistory> Handle(DeleteHistoryCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (call.Revoke && !target.IsPrivate)
        {
            throw MessengerError.BadRequest(MessageErrorNames.RevokePrivateOnly);
        }

        if (target.ChatId == 0)
        {
            return new AffectedHistory(log.CurrentPts(me), 0, 0);
        }

        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var found = MessageStore.VisibleUpTo(scope, me, target.ChatId, call.MaxId > 0 ? call.MaxId : long.MaxValue, HistoryDeletion.BatchSize + 1);
            var batch = found.Take(HistoryDeletion.BatchSize).ToList();
            if (batch.Count == 0)
            {
                return new AffectedHistory(log.CurrentPts(scope, me), 0, 0);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var revoked = batch.Where(m => call.Revoke && m.FromId == me).Select(m => m.Id).Order().ToArray();
            var hidden = batch.Select(m => m.Id).Except(revoked).Order().ToArray();
            if (revoked.Length > 0)
            {
                appends.AddRange(MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, me, revoked, now));
            }

            if (hidden.Length > 0)
            {
                appends.Add(MessageDeletion.HideForMe(scope, log, media, largeGroupUnread, target, me, hidden, now));
            }

            var mine = appends.Where(a => a.OwnerId == me).Select(a => a.Update).ToList();
            var offset = found.Count > HistoryDeletion.BatchSize ? found[HistoryDeletion.BatchSize].Id : 0;
            return new AffectedHistory(mine[^1].Pts, mine.Sum(u => u.PtsCount), offset);
        }, cancellationToken);

        return affected;
    }
}
