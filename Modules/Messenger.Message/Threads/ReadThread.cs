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
/// when it does not move: from then on the caller follows the thread. In a forum the thread may be a topic (its id; 0:
/// General), whose messages are then the thread (<see cref="Topics.TopicStore"/>).
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
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var affected = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var key = call.MessageId;
            long newest;
            if (IsTopic(scope, target, call.MessageId))
            {
                key = call.MessageId == 0 ? Topics.TopicStore.GeneralThreadKey(target.ChatId) : call.MessageId;
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
            var current = scope.Scalar(
                "SELECT read_max_id FROM message_thread_reads WHERE user_id = @user AND msg_id = @id",
                ("@user", me), ("@id", key)) as long?;
            if (current is { } read && position <= read)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            scope.Execute(
                "INSERT INTO message_thread_reads (user_id, msg_id, read_max_id) VALUES (@user, @id, @read) " +
                "ON CONFLICT (user_id, msg_id) DO UPDATE SET read_max_id = excluded.read_max_id",
                ("@user", me), ("@id", key), ("@read", position));
            var mine = log.Append(scope, me, new ReadThreadUpdate(call.Peer, call.MessageId, position), clock.GetUtcNow().ToUnixTimeSeconds());
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
