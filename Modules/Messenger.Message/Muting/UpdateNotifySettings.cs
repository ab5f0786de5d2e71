using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Message.Chats;

namespace Messenger.Message.Muting;

internal sealed class UpdateNotifySettingsValidator : AbstractValidator<UpdateNotifySettingsCall>
{
    public UpdateNotifySettingsValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MuteUntil).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.MuteUntilInvalid);
    }
}

/// <summary>
/// A user's mute of one chat (<c>message_notify</c>; a time already past is stored as no row), told to the user's
/// other devices as <c>notify_settings</c> (<see cref="OwnChatSettings"/>). Nobody else learns of it.
/// </summary>
internal sealed class UpdateNotifySettingsHandler(OwnChatSettings settings) : IRequestHandler<UpdateNotifySettingsCall, AffectedMessages>
{
    public ValueTask<AffectedMessages> Handle(UpdateNotifySettingsCall call, CancellationToken cancellationToken) =>
        settings.ChangeAsync(call.Peer, (scope, me, chatId, peer, now) =>
        {
            var muteUntil = NotifySettings.IsMuted(call.MuteUntil, now.ToUnixTimeSeconds()) ? call.MuteUntil : 0;
            var current = scope.Scalar("SELECT mute_until FROM message_notify WHERE user_id = @user AND chat_id = @chat",
                ("@user", me), ("@chat", chatId)) as long? ?? 0;
            if (current == muteUntil)
            {
                return null;
            }

            if (muteUntil == 0)
            {
                scope.Execute("DELETE FROM message_notify WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId));
            }
            else
            {
                scope.Execute("INSERT INTO message_notify (user_id, chat_id, mute_until) VALUES (@user, @chat, @until) " +
                    "ON CONFLICT (user_id, chat_id) DO UPDATE SET mute_until = excluded.mute_until",
                    ("@user", me), ("@chat", chatId), ("@until", muteUntil));
            }

            return new NotifySettingsUpdate(peer, muteUntil);
        }, cancellationToken);
}
