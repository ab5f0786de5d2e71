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

namespace Messenger.Message.Pinning;

internal sealed class ToggleDialogPinValidator : AbstractValidator<ToggleDialogPinCall>
{
    public ToggleDialogPinValidator() => RuleFor(c => c.Peer).ValidPeer();
}

/// <summary>
/// The chats a user keeps at the top of their list (<c>message_dialog_pins</c>, at most <see cref="DialogPins.MaxPinned"/>,
/// ordered by when they were pinned, in milliseconds), told to the user's other devices through their own log
/// (<c>dialog_pinned</c>). A private chat without messages yet is created, as for a mute.
/// </summary>
internal sealed class ToggleDialogPinHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<ToggleDialogPinCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(ToggleDialogPinCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        var appends = new List<LogAppend>();
        var affected = await writer.WriteAsync(scope =>
        {
            var now = clock.GetUtcNow();
            var chatId = target.ChatId != 0 ? target.ChatId : MessageStore.PrivateChatId(scope, me, target.OtherUserId, now.ToUnixTimeSeconds());
            var isPinned = scope.Scalar("SELECT 1 FROM message_dialog_pins WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId)) is not null;
            if (isPinned == call.Pinned)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
            }

            if (call.Pinned)
            {
                if (Convert.ToInt64(scope.Scalar("SELECT count(*) FROM message_dialog_pins WHERE user_id = @user", ("@user", me))) >= DialogPins.MaxPinned)
                {
                    throw MessengerError.BadRequest(MessageErrorNames.PinnedDialogsTooMuch);
                }

                scope.Execute("INSERT INTO message_dialog_pins (user_id, chat_id, pinned_at) VALUES (@user, @chat, @at)",
                    ("@user", me), ("@chat", chatId), ("@at", now.ToUnixTimeMilliseconds()));
            }
            else
            {
                scope.Execute("DELETE FROM message_dialog_pins WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId));
            }

            var appended = log.Append(scope, me, new DialogPinnedUpdate(target.ToPeer, call.Pinned), now.ToUnixTimeSeconds());
            appends.Add(new LogAppend(me, appended));
            return new AffectedMessages(appended.Pts, appended.PtsCount);
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends, caller.ConnectionId), CancellationToken.None);
        }

        return affected;
    }
}
