using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Messages;

namespace Messenger.Message.SecretChats;

/// <summary>
/// For a notification of a secret message (Web Push): the recipient's device bound to the chat, and whether the
/// recipient muted their private chat with the sender — a secret chat has no mute of its own, so it follows the
/// ordinary chat with the same person, as its pushes otherwise follow an ordinary private message's rules. Nothing for a
/// chat that is not Ready, nor between two users of whom one blocks the other (a block that came after the send). One
/// read, as an ordinary message's notice makes.
/// </summary>
internal sealed class SecretNoticeContexts(SecretChatStore secrets, TimeProvider clock)
    : IRequestHandler<GetSecretNoticeContextQuery, SecretNoticeContext?>
{
    public ValueTask<SecretNoticeContext?> Handle(GetSecretNoticeContextQuery query, CancellationToken cancellationToken)
    {
        var context = secrets.NoticeOf(query.Message.ChatId, query.UserId, query.Message.FromId) is { Blocked: false } notice
            ? new SecretNoticeContext(notice.Device, NotifySettings.IsMuted(notice.MuteUntil, clock.GetUtcNow().ToUnixTimeSeconds()))
            : null;
        return ValueTask.FromResult(context);
    }
}
