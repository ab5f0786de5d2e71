using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Message.Chats;

namespace Messenger.Message.Pinning;

internal sealed class ToggleDialogPinValidator : AbstractValidator<ToggleDialogPinCall>
{
    public ToggleDialogPinValidator() => RuleFor(c => c.Peer).ValidPeer();
}

/// <summary>
/// The chats a user keeps at the top of their list (<c>message_dialog_pins</c>, at most <see cref="DialogPins.MaxPinned"/>,
/// ordered by when they were pinned, in milliseconds), told to the user's other devices as <c>dialog_pinned</c>
/// (<see cref="OwnChatSettings"/>).
/// </summary>
internal sealed class ToggleDialogPinHandler(OwnChatSettings settings) : IRequestHandler<ToggleDialogPinCall, AffectedMessages>
{
    public ValueTask<AffectedMessages> Handle(ToggleDialogPinCall call, CancellationToken cancellationToken) =>
        settings.ChangeAsync(call.Peer, (scope, me, chatId, peer, now) =>
        {
            var isPinned = scope.Scalar("SELECT 1 FROM message_dialog_pins WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId)) is not null;
            if (isPinned == call.Pinned)
            {
                return null;
            }

            if (!call.Pinned)
            {
                scope.Execute("DELETE FROM message_dialog_pins WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId));
                return new DialogPinnedUpdate(peer, Pinned: false);
            }

            if (Convert.ToInt64(scope.Scalar("SELECT count(*) FROM message_dialog_pins WHERE user_id = @user", ("@user", me))) >= DialogPins.MaxPinned)
            {
                throw MessengerError.BadRequest(MessageErrorNames.PinnedDialogsTooMuch);
            }

            scope.Execute("INSERT INTO message_dialog_pins (user_id, chat_id, pinned_at) VALUES (@user, @chat, @at)",
                ("@user", me), ("@chat", chatId), ("@at", now.ToUnixTimeMilliseconds()));
            return new DialogPinnedUpdate(peer, Pinned: true);
        }, cancellationToken);
}
