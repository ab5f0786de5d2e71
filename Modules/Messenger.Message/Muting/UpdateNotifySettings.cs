using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Message.Chats;
using Messenger.Message.Topics;

namespace Messenger.Message.Muting;

internal sealed class UpdateNotifySettingsValidator : AbstractValidator<UpdateNotifySettingsCall>
{
    public UpdateNotifySettingsValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MuteUntil).GreaterThanOrEqualTo(0).WithErrorCode(MessageErrorNames.MuteUntilInvalid);
        RuleFor(c => c.TopicId).Must(t => t is null or >= 0).WithErrorCode(TopicErrorNames.TopicIdInvalid);
    }
}

/// <summary>
/// A user's mute of one chat (<c>message_notify</c>), or of one topic of a forum (<c>message_topic_notify</c>, General
/// under 0); a time already past is stored as no row. Told to the user's other devices as <c>notify_settings</c>
/// (<see cref="OwnChatSettings"/>), with the topic when it is one. Nobody else learns of it.
/// </summary>
internal sealed class UpdateNotifySettingsHandler(OwnChatSettings settings) : IRequestHandler<UpdateNotifySettingsCall, AffectedMessages>
{
    public ValueTask<AffectedMessages> Handle(UpdateNotifySettingsCall call, CancellationToken cancellationToken)
    {
        if (call.TopicId is not null && call.Peer.Kind == PeerKind.User)
        {
            // A private chat has no topics: refused before a chat would be made for it.
            throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
        }

        return settings.ChangeAsync(call.Peer, (scope, me, chatId, peer, now) =>
        {
            var muteUntil = NotifySettings.IsMuted(call.MuteUntil, now.ToUnixTimeSeconds()) ? call.MuteUntil : 0;
            return call.TopicId is { } topicId ? MuteTopic(scope, me, chatId, peer, topicId, muteUntil) : MuteChat(scope, me, chatId, peer, muteUntil);
        }, cancellationToken);
    }

    private static NotifySettingsUpdate? MuteChat(WriteScope scope, long me, long chatId, Peer peer, long muteUntil)
    {
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
    }

    /// <summary>A topic of a forum the caller is in (as <c>messages.getHistory</c> takes one: 0 is General, a topic
    /// being deleted is none).</summary>
    private static NotifySettingsUpdate? MuteTopic(WriteScope scope, long me, long chatId, Peer peer, long topicId, long muteUntil)
    {
        if (scope.Scalar("SELECT forum FROM message_chats WHERE id = @chat", ("@chat", chatId)) is not 1L
            || (topicId != 0 && TopicStore.Find(scope, chatId, topicId) is null))
        {
            throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
        }

        var current = scope.Scalar("SELECT mute_until FROM message_topic_notify WHERE user_id = @user AND chat_id = @chat AND topic_id = @topic",
            ("@user", me), ("@chat", chatId), ("@topic", topicId)) as long? ?? 0;
        if (current == muteUntil)
        {
            return null;
        }

        if (muteUntil == 0)
        {
            scope.Execute("DELETE FROM message_topic_notify WHERE user_id = @user AND chat_id = @chat AND topic_id = @topic",
                ("@user", me), ("@chat", chatId), ("@topic", topicId));
        }
        else
        {
            scope.Execute("INSERT INTO message_topic_notify (user_id, chat_id, topic_id, mute_until) VALUES (@user, @chat, @topic, @until) " +
                "ON CONFLICT (user_id, chat_id, topic_id) DO UPDATE SET mute_until = excluded.mute_until",
                ("@user", me), ("@chat", chatId), ("@topic", topicId), ("@until", muteUntil));
        }

        return new NotifySettingsUpdate(peer, muteUntil, topicId);
    }
}
