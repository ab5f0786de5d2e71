using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Contracts.Groups;
using Messenger.Message.Chats;
using Messenger.Message.Mentions;
using Messenger.Message.Storage;

namespace Messenger.Message.Receipts;

internal sealed class ReceivedMessagesValidator : AbstractValidator<ReceivedMessagesCall>
{
    public ReceivedMessagesValidator() =>
        RuleFor(c => c.MaxId).GreaterThan(0).WithErrorCode(MessageErrorNames.MaxIdInvalid);
}

/// <summary>
/// A device of the caller has every incoming message up to max_id. Only the caller's dialogs with unconfirmed incoming
/// messages are looked at (a short scan of their own dialogs, whatever the traffic elsewhere); each sender gets one
/// <c>delivered</c> update per chat, and a repeated or older receipt changes nothing. Within a blocked pair the sender
/// is told nothing and their delivered position stays.
/// </summary>
internal sealed class ReceivedMessagesHandler(LoggedWriter writer, IPublisher bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<ReceivedMessagesCall, Done>
{
    public async ValueTask<Done> Handle(ReceivedMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            foreach (var dialog in MessageStore.DialogsAwaitingReceipt(scope, me))
            {
                var received = dialog.IncomingMaxId <= call.MaxId
                    ? dialog.IncomingMaxId
                    : scope.Statement("SELECT max(id) FROM message_messages WHERE chat_id = @chat AND id <= @max AND from_id <> @user")
                        .Bind("@chat", dialog.ChatId).Bind("@max", call.MaxId).Bind("@user", me).Int64() ?? 0;
                if (received <= dialog.ReceivedMaxId)
                {
                    continue;
                }

                scope.Statement("UPDATE message_dialogs SET received_max_id = @max WHERE user_id = @user AND chat_id = @chat")
                    .Bind("@max", received).Bind("@user", me).Bind("@chat", dialog.ChatId).Execute();
                if (dialog.Peer.Kind == PeerKind.User && dialog.Peer.Id != me && MessageStore.BlockBetween(scope, me, dialog.Peer.Id) == Block.None)
                {
                    scope.Statement("UPDATE message_dialogs SET delivered_max_id = max(delivered_max_id, @max) WHERE user_id = @sender AND chat_id = @chat")
                        .Bind("@max", received).Bind("@sender", dialog.Peer.Id).Bind("@chat", dialog.ChatId).Execute();
                    appends.Append(dialog.Peer.Id, new DeliveredUpdate(Peer.User(me), received), now);
                }
            }
        }, cancellationToken);

        return new Done();
    }
}

internal sealed class ReadHistoryValidator : AbstractValidator<ReadHistoryCall>
{
    public ReadHistoryValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MaxId).GreaterThan(0).WithErrorCode(MessageErrorNames.MaxIdInvalid);
    }
}

/// <summary>
/// The caller read the chat up to max_id (capped at its newest message): their other devices get <c>read_inbox</c>
/// with what is still unread; in a private chat the other side gets <c>read_outbox</c>, in a small group every author
/// of a message just read does. A large group only moves the member's read position (no per-reader fan-out). Reading
/// implies receiving. Within a blocked pair (either way) the other side of a private chat gets nothing and its
/// read_outbox position stays.
/// </summary>
internal sealed class ReadHistoryHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock,
    ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<ReadHistoryCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(ReadHistoryCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            return new AffectedMessages(log.CurrentPts(me), 0);
        }

        return await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var read = target.HasOwnLog ? ReadLargeGroup(scope, me, target.ChatId, call.MaxId) : ReadDialog(scope, me, target, call.MaxId, now, appends);
            if (read is not var (maxId, unread))
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            var mentions = target.IsPrivate ? 0 : UnreadMentions.ReadUpTo(scope, me, target.ChatId, maxId);
            var mine = appends.Append(me, new ReadInboxUpdate(target.ToPeer, maxId, unread, mentions), now);
            return new AffectedMessages(mine.Pts, mine.PtsCount);
        }, cancellationToken);
    }

    private static (long MaxId, int Unread)? ReadDialog(WriteScope scope, long me, ChatTarget target, long maxId, long now, LogAppends appends)
    {
        var dialog = MessageStore.Dialog(scope, me, target.ChatId);
        var read = Math.Min(maxId, dialog?.TopMessageId ?? 0);
        if (dialog is null || read <= dialog.ReadInboxMaxId)
        {
            return null;
        }

        // Within a blocked pair the other user learns nothing of the reading: when it happens would tell them when the
        // blocker is active.
        var authors = target.IsPrivate
            ? (target.OtherUserId == me || MessageStore.BlockBetween(scope, me, target.OtherUserId) != Block.None ? [] : [target.OtherUserId])
            : MessageStore.Authors(scope, target.ChatId, dialog.ReadInboxMaxId, read, me)
                .Where(author => GroupStore.RoleOf(scope, target.ChatId, author) is not null).ToList();
        scope.Execute("UPDATE message_dialogs SET read_inbox_max_id = @read, received_max_id = max(received_max_id, min(@read, incoming_max_id)) " +
            "WHERE user_id = @user AND chat_id = @chat",
            ("@read", read), ("@user", me), ("@chat", target.ChatId));
        MessageStore.Recount(scope, me, target.ChatId);
        var unread = Convert.ToInt32(scope.Scalar("SELECT unread_count FROM message_dialogs WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", target.ChatId)));

        foreach (var author in authors)
        {
            scope.Execute("UPDATE message_dialogs SET read_outbox_max_id = max(read_outbox_max_id, @read), delivered_max_id = max(delivered_max_id, @read) " +
                "WHERE user_id = @author AND chat_id = @chat",
                ("@read", read), ("@author", author), ("@chat", target.ChatId));
            var peer = target.IsPrivate ? Peer.User(me) : target.ToPeer;
            appends.Append(author, new ReadOutboxUpdate(peer, read), now);
        }

        return (read, unread);
    }

    private (long MaxId, int Unread)? ReadLargeGroup(WriteScope scope, long me, long chatId, long maxId)
    {
        var top = Convert.ToInt64(scope.Scalar("SELECT top_message_id FROM message_chats WHERE id = @chat", ("@chat", chatId)));
        var current = scope.Scalar("SELECT read_inbox_max_id FROM message_members WHERE chat_id = @chat AND user_id = @user",
            ("@chat", chatId), ("@user", me)) as long? ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        var read = Math.Min(maxId, top);
        if (read <= current)
        {
            return null;
        }

        scope.Execute("UPDATE message_members SET read_inbox_max_id = @read WHERE chat_id = @chat AND user_id = @user",
            ("@read", read), ("@chat", chatId), ("@user", me));
        return (read, largeGroupUnread.CountIn(scope, me, chatId)!.Value.Unread);
    }
}
