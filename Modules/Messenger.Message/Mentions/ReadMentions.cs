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
using Messenger.Message.Storage;

namespace Messenger.Message.Mentions;

internal sealed class ReadMentionsValidator : AbstractValidator<ReadMentionsCall>
{
    public ReadMentionsValidator() => RuleFor(c => c.Peer).ValidPeer();
}

/// <summary>
/// Every unread mention of the caller in a group goes without the chat being read: their other devices learn it from a
/// <c>read_inbox</c> that repeats the read position and unread count as they stand, with no mentions left.
/// </summary>
internal sealed class ReadMentionsHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock,
    ChatList.LargeGroupUnread largeGroupUnread)
    : IRequestHandler<ReadMentionsCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(ReadMentionsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.IsPrivate || target.ChatId == 0)
        {
            return new AffectedMessages(log.CurrentPts(me), 0);
        }

        return await writer.WriteAsync(bus, (scope, appends) =>
        {
            var marked = scope.Execute("DELETE FROM message_mentions WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", target.ChatId));
            if (marked == 0)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            var (readMaxId, unread) = target.HasOwnLog ? LargeGroupReadState(scope, me, target.ChatId) : DialogReadState(scope, me, target.ChatId);
            var mine = appends.Append(me, new ReadInboxUpdate(target.ToPeer, readMaxId, unread, 0), clock.GetUtcNow().ToUnixTimeSeconds());
            return new AffectedMessages(mine.Pts, mine.PtsCount);
        }, cancellationToken);
    }

    private static (long ReadMaxId, int Unread) DialogReadState(WriteScope scope, long me, long chatId) =>
        MessageStore.Dialog(scope, me, chatId) is { } dialog
            ? (dialog.ReadInboxMaxId, dialog.UnreadCount)
            : throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);

    private (long ReadMaxId, int Unread) LargeGroupReadState(WriteScope scope, long me, long chatId) =>
        largeGroupUnread.CountIn(scope, me, chatId) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
}
