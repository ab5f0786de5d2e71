using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Messages;
using Messenger.Message.Storage;

namespace Messenger.Message.SecretChats;

/// <summary>
/// For a notification of a secret message (Web Push): the recipient's device bound to the chat, and whether the
/// recipient muted their private chat with the sender — a secret chat has no mute of its own, so it follows the
/// ordinary chat with the same person, as its pushes otherwise follow an ordinary private message's rules. Nothing for a
/// chat that is not Ready, nor between two users of whom one blocks the other (a block that came after the send).
/// </summary>
internal sealed class SecretNoticeContexts(SecretChatStore secrets, MessageStore store, Chats.Chats chats, TimeProvider clock)
    : IRequestHandler<GetSecretNoticeContextQuery, SecretNoticeContext?>
{
    public ValueTask<SecretNoticeContext?> Handle(GetSecretNoticeContextQuery query, CancellationToken cancellationToken)
    {
        var (me, from) = (query.UserId, query.Message.FromId);
        if (secrets.Find(query.Message.ChatId) is not { Chat.State: SecretChatState.Ready } stored
            || !stored.IsMember(me) || stored.OtherThan(me) != from
            || stored.DeviceOf(me) is not { } device
            || store.BlockBetween(me, from) != Block.None)
        {
            return ValueTask.FromResult<SecretNoticeContext?>(null);
        }

        var muted = chats.FindPrivateChat(me, from) is { } chatId
            && NotifySettings.IsMuted(store.MuteUntil(me, chatId), clock.GetUtcNow().ToUnixTimeSeconds());
        return ValueTask.FromResult<SecretNoticeContext?>(new SecretNoticeContext(device, muted));
    }
}
