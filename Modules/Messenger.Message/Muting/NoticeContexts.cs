using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Messages;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Muting;

/// <summary>Whether a user muted the chat of a message — or, in a forum, the message's topic — and the group's title, for a
/// notification of it (Web Push).</summary>
internal sealed class NoticeContexts(MessageStore store, Topics.TopicStore topics, Chats.ChatResolver chats, ChatDirectory directory, TimeProvider clock)
    : IRequestHandler<GetNoticeContextQuery, NoticeContext?>
{
    public ValueTask<NoticeContext?> Handle(GetNoticeContextQuery query, CancellationToken cancellationToken)
    {
        var message = query.Message;
        long? chatId;
        string? title = null;
        var forum = false;
        if (message.ToPeer.Kind == PeerKind.User)
        {
            chatId = chats.FindPrivateChat(message.FromId, message.ToPeer.Id);
        }
        else
        {
            var chat = directory.Get(message.ToPeer.Id);
            chatId = chat?.Id;
            title = chat?.Title;
            forum = chat?.Forum == true;
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var context = chatId is { } id
            ? new NoticeContext(
                NotifySettings.IsMuted(store.MuteUntil(query.UserId, id), now)
                || (forum && NotifySettings.IsMuted(topics.MuteUntil(query.UserId, id, message.TopicId), now)),
                title)
            : null;
        return ValueTask.FromResult(context);
    }
}
