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
/// Deletes a topic and everything in it for everyone (admins). The first unit checks the right, removes the topic (no
/// post reaches it from then on) and revokes its oldest <see cref="TopicStore.DeleteBatchSize"/> messages; each next
/// unit the next ones, until none is left: every message goes by <see cref="MessageDeletion.Revoke"/>, as a delete for
/// everyone takes it (its text, files, quotes of it, pins, thread reads, search entries, log entries), and the writer is
/// never held for a whole topic. The answer covers every batch.
/// </summary>
internal sealed class DeleteTopicHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock)
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

        var answerLog = target.AnswerLog(me);
        var first = true;
        var count = 0;
        while (true)
        {
            var appends = new List<LogAppend>();
            var (pts, done) = await writer.WriteAsync(scope =>
            {
                if (first)
                {
                    var role = GroupStore.RoleOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(Contracts.Groups.GroupErrorNames.ChatNotFound);
                    if (scope.Scalar("SELECT forum FROM message_chats WHERE id = @chat", ("@chat", target.ChatId)) is not 1L)
                    {
                        throw MessengerError.BadRequest(TopicErrorNames.ChatNotForum);
                    }

                    GroupChanges.RequireAdmin(role);
                    _ = TopicStore.Find(scope, target.ChatId, call.TopicId) ?? throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
                    TopicStore.Delete(scope, call.TopicId);
                }

                var ids = TopicStore.LiveMessageIds(scope, target.ChatId, call.TopicId, TopicStore.DeleteBatchSize);
                if (ids.Length == 0)
                {
                    return (log.CurrentPts(scope, answerLog), true);
                }

                appends.AddRange(MessageDeletion.Revoke(scope, log, media, target, me, ids, clock.GetUtcNow().ToUnixTimeSeconds()));
                return (log.CurrentPts(scope, answerLog), ids.Length < TopicStore.DeleteBatchSize);
            }, cancellationToken);

            first = false;
            count += appends.Where(a => a.OwnerId == answerLog).Sum(a => a.Update.PtsCount);
            if (appends.Count > 0)
            {
                await bus.Publish(new UpdatesAppendedEvent(appends), CancellationToken.None);
            }

            if (done)
            {
                return new AffectedMessages(pts, count, target.HasOwnLog);
            }
        }
    }
}
