using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Message.Chats;

namespace Messenger.Message.Archiving;

internal sealed class ToggleDialogArchiveValidator : AbstractValidator<ToggleDialogArchiveCall>
{
    public ToggleDialogArchiveValidator() => RuleFor(c => c.Peer).ValidPeer();
}

/// <summary>
/// The chats a user moved out of their main list (<c>message_dialog_archive</c>), told to the user's other devices as
/// <c>dialog_archived</c> (<see cref="OwnChatSettings"/>). Decided: an archived chat stays archived when new messages
/// come (WhatsApp's default), so the send path does nothing for it; clients show its unread count inside the archive.
/// </summary>
internal sealed class ToggleDialogArchiveHandler(OwnChatSettings settings) : IRequestHandler<ToggleDialogArchiveCall, AffectedMessages>
{
    public ValueTask<AffectedMessages> Handle(ToggleDialogArchiveCall call, CancellationToken cancellationToken) =>
        settings.ChangeAsync(call.Peer, (scope, me, chatId, peer, now) =>
        {
            var changed = call.Archived
                ? scope.Execute("INSERT OR IGNORE INTO message_dialog_archive (user_id, chat_id, archived_at) VALUES (@user, @chat, @at)",
                    ("@user", me), ("@chat", chatId), ("@at", now.ToUnixTimeSeconds()))
                : scope.Execute("DELETE FROM message_dialog_archive WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId));
            return changed > 0 ? new DialogArchivedUpdate(peer, call.Archived) : null;
        }, cancellationToken);
}
