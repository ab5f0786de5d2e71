using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Message.Chats;

namespace Messenger.Message.ChatList;

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
        settings.ToggleAsync(call.Peer, "message_dialog_archive", call.Archived, peer => new DialogArchivedUpdate(peer, call.Archived), cancellationToken);
}

internal sealed class MarkDialogUnreadValidator : AbstractValidator<MarkDialogUnreadCall>
{
    public MarkDialogUnreadValidator() => RuleFor(c => c.Peer).ValidPeer();
}

/// <summary>
/// The chats a user marked unread to come back to (<c>message_unread_marks</c>), told to the user's other devices as
/// <c>dialog_unread_mark</c>. Decided: reading does not take the mark off on the server (a marked chat may have nothing
/// unread to read); clients take it off when the user opens the chat.
/// </summary>
internal sealed class MarkDialogUnreadHandler(OwnChatSettings settings) : IRequestHandler<MarkDialogUnreadCall, AffectedMessages>
{
    public ValueTask<AffectedMessages> Handle(MarkDialogUnreadCall call, CancellationToken cancellationToken) =>
        settings.ToggleAsync(call.Peer, "message_unread_marks", call.Unread, peer => new DialogUnreadMarkUpdate(peer, call.Unread), cancellationToken);
}
