using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Threads;

internal sealed class ReadThreadValidator : AbstractValidator<ReadThreadCall>
{
    public ReadThreadValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MessageId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.MaxId).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.MaxIdInvalid);
    }
}

/// <summary>
/// Moves the caller's read position in a message's thread forward (never past its newest answer, so a client cannot
/// mark answers read before they exist) and tells their other devices. The first read of a thread stores a position even
/// when it does not move: from then on the caller follows the thread. In a forum the call may read a topic instead (its
/// id; 0: General), whose messages are then the thread (<see cref="Topics.TopicStore"/>): its position is kept apart
/// (<c>message_topic_reads</c>), so reading the answers to a topic's first message never reads the topic, nor the other
/// way round. A call without the <c>topic</c> flag (an older client) is read as a topic when the id is one.
/// </summary>
internal sealed class ReadThreadHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<ReadThreadCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(ReadThreadCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw call.Topic is true
                ? MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid)
                : MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var topic = call.Topic ?? IsTopic(scope, target, call.MessageId);
            if (topic && call.Topic is true && !IsTopic(scope, target, call.MessageId))
            {
                throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
            }

            long newest;
            if (topic)
            {
                newest = Topics.TopicStore.Newest(scope, target.ChatId, call.MessageId);
            }
            else
            {
                if (call.MessageId == 0 || !MessageStore.Sees(scope, me, target.ChatId, call.MessageId))
                {
                    throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
                }

                newest = scope.Scalar(
                    "SELECT max(id) FROM message_messages WHERE reply_to_id = @id AND chat_id = @chat AND deleted = 0 AND action IS NULL",
                    ("@id", call.MessageId), ("@chat", target.ChatId)) as long? ?? 0;
            }

            var position = Math.Min(call.MaxId, newest);
            var current = topic
                ? scope.Scalar(
                    "SELECT read_max_id FROM message_topic_reads WHERE user_id = @user AND chat_id = @chat AND topic_id = @id",
                    ("@user", me), ("@chat", target.ChatId), ("@id", call.MessageId)) as long?
                : scope.Scalar(
                    "SELECT read_max_id FROM message_thread_reads WHERE user_id = @user AND msg_id = @id",
                    ("@user", me), ("@id", call.MessageId)) as long?;
            if (current is { } read && position <= read)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            if (topic)
            {
                scope.Execute(
                    "INSERT INTO message_topic_reads (user_id, chat_id, topic_id, read_max_id) VALUES (@user, @chat, @id, @read) " +
                    "ON CONFLICT (user_id, chat_id, topic_id) DO UPDATE SET read_max_id = excluded.read_max_id",
                    ("@user", me), ("@chat", target.ChatId), ("@id", call.MessageId), ("@read", position));
            }
            else
            {
                scope.Execute(
                    "INSERT INTO message_thread_reads (user_id, msg_id, read_max_id) VALUES (@user, @id, @read) " +
                    "ON CONFLICT (user_id, msg_id) DO UPDATE SET read_max_id = excluded.read_max_id",
                    ("@user", me), ("@id", call.MessageId), ("@read", position));
            }

            var update = new ReadThreadUpdate(call.Peer, call.MessageId, position, topic);
            var mine = log.Append(scope, me, update, clock.GetUtcNow().ToUnixTimeSeconds());
            appends.Add(new LogAppend(me, mine));
            return new AffectedMessages(mine.Pts, mine.PtsCount);
        }, cancellationToken);

        return affected;
    }

    /// <summary>A forum's topic (or General, 0) rather than a message's answers.</summary>
    private static bool IsTopic(WriteScope scope, ChatTarget target, long id) =>
        !target.IsPrivate
        && scope.Scalar("SELECT forum FROM message_chats WHERE id = @chat", ("@chat", target.ChatId)) is 1L
        && (id == 0 || Topics.TopicStore.Find(scope, target.ChatId, id) is not null);
}
