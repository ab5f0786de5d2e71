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
/// For me: the messages are hidden from the caller only (their log says so). Revoke: erased for everyone — the text
/// from the message row (which keeps its random_id so a late resend is answered, not stored again), from the search
/// index, and from every log entry that carried it — and the chat's audience gets <c>delete_messages</c>. Only the
/// author revokes, or an admin of a group; a refused revoke deletes nothing.
/// Media: a revoked message, or one that every participant of a private chat has deleted for themselves, releases its
/// media reference in the same unit.
/// </summary>
internal sealed class DeleteMessagesHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock)
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

        var appends = new List<LogAppend>();
        var affected = await writer.WriteAsync(scope =>
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
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (!call.Revoke)
            {
                foreach (var id in ids)
                {
                    scope.Execute("INSERT OR IGNORE INTO message_hidden (user_id, message_id) VALUES (@user, @id)", ("@user", me), ("@id", id));
                    if (MessageStore.HiddenFromEveryone(scope, id))
                    {
                        media.Release(scope, id);
                    }
                }

                if (!target.HasOwnLog)
                {
                    MessageStore.Recount(scope, me, target.ChatId);
                }

                var mine = log.Append(scope, me, new DeleteMessagesUpdate(target.ToPeer, ids), now);
                appends.Add(new LogAppend(me, mine));
                return new AffectedMessages(mine.Pts, mine.PtsCount);
            }

            foreach (var id in ids)
            {
                scope.Execute("UPDATE message_messages SET deleted = 1, text = '', media = NULL WHERE id = @id", ("@id", id));
                SearchIndex.Remove(scope, id);
                ReactionStore.Forget(scope, id);
                media.Release(scope, id);
                log.Redact(scope, id, owner => new DeleteMessagesUpdate(PeerFor(target, owner, me), [id]));
            }

            // A revoked pinned message is unpinned (its pinned_message entries were just redacted like any copy).
            scope.Execute($"UPDATE message_chats SET pinned_message_id = 0 WHERE id = @chat AND pinned_message_id IN ({string.Join(", ", ids)})",
                ("@chat", target.ChatId));
            if (target.HasOwnLog)
            {
                // A large group's dialog shows the chat's newest message: it must stay a visible one.
                scope.Execute("UPDATE message_chats SET top_message_id = coalesce((SELECT max(id) FROM message_messages WHERE chat_id = @chat AND deleted = 0), 0) " +
                    "WHERE id = @chat",
                    ("@chat", target.ChatId));
            }

            foreach (var (owner, peer) in target.Audience(scope, me))
            {
                if (!LogOwners.IsChat(owner))
                {
                    MessageStore.Recount(scope, owner, target.ChatId);
                }

                appends.Add(new LogAppend(owner, log.Append(scope, owner, new DeleteMessagesUpdate(peer, ids), now)));
            }

            var answer = appends.Find(a => a.OwnerId == target.AnswerLog(me)).Update;
            return new AffectedMessages(answer.Pts, answer.PtsCount, target.HasOwnLog);
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends), CancellationToken.None);
        }

        return affected;
    }

    /// <summary>How the owner of a log addresses the chat: the other user of a private chat, else the group.</summary>
    private static Peer PeerFor(ChatTarget target, long owner, long me) =>
        target.IsPrivate ? Peer.User(owner == me ? target.OtherUserId : me) : target.ToPeer;
}
