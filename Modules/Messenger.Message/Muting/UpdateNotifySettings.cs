using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

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
/// other devices through their own log (<c>notify_settings</c>). Nobody else learns of it. A private chat without
/// messages yet is created, so the mute holds from its first message.
/// </summary>
internal sealed class UpdateNotifySettingsHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<UpdateNotifySettingsCall, AffectedMessages>
{
    public async ValueTask<AffectedMessages> Handle(UpdateNotifySettingsCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        var appends = new List<LogAppend>();
        var affected = await writer.WriteAsync(scope =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chatId = target.ChatId != 0 ? target.ChatId : MessageStore.PrivateChatId(scope, me, target.OtherUserId, now);
            var muteUntil = NotifySettings.IsMuted(call.MuteUntil, now) ? call.MuteUntil : 0;
            var current = scope.Scalar("SELECT mute_until FROM message_notify WHERE user_id = @user AND chat_id = @chat",
                ("@user", me), ("@chat", chatId)) as long? ?? 0;
            if (current == muteUntil)
            {
                return new AffectedMessages(log.CurrentPts(scope, me), 0);
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

            var appended = log.Append(scope, me, new NotifySettingsUpdate(target.ToPeer, muteUntil), now);
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
