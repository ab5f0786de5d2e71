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
using Messenger.Contracts.Groups;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Editing;

internal sealed class DeleteMessagesValidator : AbstractValidator<DeleteMessagesCall>
{
    public const int MaxIds = 100;

    public DeleteMessagesValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= MaxIds } && ids.All(id => id > 0)).WithErrorCode(MessageErrorNames.MessageIdsInvalid);
    }
}

/// <summary>
/// For me: the messages are hidden from the caller only; revoke: erased for everyone (<see cref="MessageDeletion"/>).
/// Only the author revokes, or an admin of a group, and never a forum topic's <c>topic_create</c> message (that is
/// <c>messages.deleteTopic</c>); a refused revoke deletes nothing.
/// </summary>
internal sealed class DeleteMessagesHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock,
    ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<DeleteMessagesCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(DeleteMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            return new AffectedMessages(log.CurrentPts(me), 0);
        }

        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var messages = MessageStore.VisibleMessages(scope, me, target.ChatId, [.. call.Ids.Distinct()]);
            if (messages.Count == 0)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            var mayRevokeOthers = !target.IsPrivate && GroupStore.RoleOf(scope, target.ChatId, me) is MemberRole.Admin or MemberRole.Creator;
            if (call.Revoke && !mayRevokeOthers && messages.Any(m => m.FromId != me))
            {
                throw MessengerError.Forbidden(MessageErrorNames.MessageDeleteForbidden);
            }

            var ids = messages.Select(m => m.Id).Order().ToArray();
            if (call.Revoke && !target.IsPrivate && Topics.TopicStore.TopicsAmong(scope, target.ChatId, ids).Count > 0)
            {
                // A topic's first message stands for the topic (Telegram's cannot be deleted alone): messages.deleteTopic
                // takes it with the topic.
                throw MessengerError.Forbidden(MessageErrorNames.MessageDeleteForbidden);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (!call.Revoke)
            {
                var mine = MessageDeletion.HideForMe(scope, log, media, largeGroupUnread, target, me, ids, now);
                appends.Add(mine);
                return new AffectedMessages(mine.Update.Pts, mine.Update.PtsCount);
            }

            appends.AddRange(MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, me, ids, now));
            // The answer's log may take more than one entry (the delete, and a revoked pin's new newest pin).
            var answers = appends.Where(a => a.OwnerId == target.AnswerLog(me)).Select(a => a.Update).ToList();
            return new AffectedMessages(answers[^1].Pts, answers.Sum(u => u.PtsCount), target.HasOwnLog);
        }, cancellationToken);

        return affected;
    }
}
