using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Editing;
using Messenger.Message.Groups;
using Messenger.Message.Storage;

namespace Messenger.Message.Topics;

internal sealed class DeleteTopicValidator : AbstractValidator<DeleteTopicCall>
{
    public DeleteTopicValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.TopicId).GreaterThan(0).WithErrorCode(TopicErrorNames.TopicIdInvalid);
    }
}

/// <summary>
/// Deletes a topic and everything in it for everyone (admins). The first unit checks the right and marks the topic
/// deleting (<see cref="TopicStore.MarkDeleting"/>: from then on nobody lists, opens or posts into it) and revokes its
/// oldest <see cref="TopicStore.DeleteBatchSize"/> messages; each next unit the next ones, and the unit that finds fewer
/// left removes the row: every message goes by <see cref="MessageDeletion.Revoke"/>, as a delete for everyone takes it
/// (its text, files, quotes of it, pins, thread reads, search entries, log entries), and the writer is never held for a
/// whole topic. A delete cut short between units (a shutdown, a crash, a full disk) leaves the topic marked, never a
/// message whose topic is gone: the same call again resumes it (a marked topic still answers to it), and so does the
/// next start (<see cref="TopicDeletionResumer"/>). The answer's <c>pts</c> is the last unit's, its <c>pts_count</c>
/// the sum over the units this call ran.
/// </summary>
internal sealed class DeleteTopicHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock,
    ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<DeleteTopicCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(DeleteTopicCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.IsPrivate)
        {
            throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
        }

        return await RunAsync(writer, log, media, largeGroupUnread, bus, clock, target, me, call.TopicId, scope =>
        {
            var role = GroupStore.RoleOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(Contracts.Groups.GroupErrorNames.ChatNotFound);
            if (scope.Scalar("SELECT forum FROM message_chats WHERE id = @chat", ("@chat", target.ChatId)) is not 1L)
            {
                throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
            }

            GroupChanges.RequireAdmin(role);
            _ = TopicStore.Find(scope, target.ChatId, call.TopicId, deleting: true) ?? throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
        }, cancellationToken);
    }

    /// <summary>The delete's units: the first runs <paramref name="check"/> and marks the topic; the last removes it.</summary>
    internal static async Task<AffectedMessages> RunAsync(
        LoggedWriter writer, IUpdateLog log, IMediaAttachments media, ChatList.LargeGroupUnread largeGroupUnread, IPublisher bus, TimeProvider clock, ChatTarget target,
        long me, long topicId,
        Action<WriteScope> check, CancellationToken cancellationToken)
    {
        var answerLog = target.AnswerLog(me);
        var first = true;
        var count = 0;
        while (true)
        {
            var (pts, done, answered) = await writer.WriteAsync(bus, (scope, appends) =>
            {
                if (first)
                {
                    check(scope);
                    TopicStore.MarkDeleting(scope, topicId);
                }

                var ids = TopicStore.LiveMessageIds(scope, target.ChatId, topicId, TopicStore.DeleteBatchSize);
                if (ids.Length > 0)
                {
                    appends.AddRange(MessageDeletion.Revoke(scope, log, media, largeGroupUnread, target, me, ids, clock.GetUtcNow().ToUnixTimeSeconds()));
                }

                var last = ids.Length < TopicStore.DeleteBatchSize;
                if (last)
                {
                    TopicStore.Delete(scope, target.ChatId, topicId);
                }

                return (log.CurrentPts(scope, target.AnswerLog(me)), last, appends.Where(a => a.OwnerId == answerLog).Sum(a => a.Update.PtsCount));
            }, cancellationToken);

            first = false;
            count += answered;

            if (done)
            {
                return new AffectedMessages(pts, count, target.HasOwnLog);
            }
        }
    }
}
