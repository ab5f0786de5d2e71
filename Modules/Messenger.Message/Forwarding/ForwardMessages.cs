using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Forwarding;

internal sealed class ForwardMessagesValidator : AbstractValidator<ForwardMessagesCall>
{
    public const int MaxIds = 100;

    public ForwardMessagesValidator()
    {
        RuleFor(c => c.FromPeer).Must(p => p is { Id: > 0 } && Enum.IsDefined(p.Kind)).WithErrorCode(MessageErrorNames.PeerIdInvalid);
        RuleFor(c => c.ToPeer).Must(p => p is { Id: > 0 } && Enum.IsDefined(p.Kind)).WithErrorCode(MessageErrorNames.PeerIdInvalid);
        RuleFor(c => c.Ids).Must(ids => ids is { Length: > 0 and <= MaxIds } && ids.All(id => id > 0) && ids.Distinct().Count() == ids.Length)
            .WithErrorCode(MessageErrorNames.MessageIdsInvalid);
        RuleFor(c => c.RandomIds).Must((c, r) => r is not null && r.Length == c.Ids?.Length && r.All(id => id != 0) && r.Distinct().Count() == r.Length)
            .WithErrorCode(MessageErrorNames.RandomIdInvalid);
    }
}

/// <summary>
/// Copies messages the caller can see into another chat, in one writer unit: new messages by the caller with the same
/// text and media (one more reference to the media, never a copy of its bytes), dialogs moved and logs appended as for
/// <c>messages.send</c>. Each random_id makes its copy idempotent; a copy that already exists is returned again.
/// </summary>
internal sealed class ForwardMessagesHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<ForwardMessagesCall, ForwardedMessages>
{
    public async ValueTask<ForwardedMessages> Handle(ForwardMessagesCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var fromPeerId = await chats.RequireUserPeerAsync(call.FromPeer, bus, cancellationToken);
        var toPeerId = await chats.RequireUserPeerAsync(call.ToPeer, bus, cancellationToken);
        var fromChatId = chats.FindPrivateChat(me, fromPeerId) ?? throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        var appends = new List<LogAppend>();
        var forwarded = await writer.WriteAsync(scope =>
        {
            if (MessageStore.IsBlocked(scope, toPeerId, me))
            {
                throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
            }

            if (MessageStore.IsBlocked(scope, me, toPeerId))
            {
                throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chatId = MessageStore.PrivateChatId(scope, me, toPeerId, now);
            var to = Peer.User(toPeerId);
            var messages = new ChatMessage[call.Ids.Length];
            var pts = log.CurrentPts(scope, me);
            var ptsCount = 0;
            for (var i = 0; i < call.Ids.Length; i++)
            {
                if (MessageStore.FindByRandomId(scope, me, call.RandomIds[i]) is { } first)
                {
                    messages[i] = first;
                    continue;
                }

                var source = MessageStore.FindVisible(scope, me, fromChatId, call.Ids[i])
                    ?? throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
                var id = MessageStore.InsertMessage(scope, chatId, me, call.RandomIds[i], to, now, source.Text, null);
                if (source.Media is { } attached)
                {
                    media.AddReference(scope, attached.Id, id);
                    MessageStore.SetMedia(scope, id, attached);
                }

                var message = messages[i] = new ChatMessage(id, me, to, now, source.Text, null, null, source.Media);
                var update = new NewMessageUpdate(message);
                MessageStore.TouchDialog(scope, me, chatId, to, id, now, incoming: false);
                var mine = log.Append(scope, me, update, now, id);
                appends.Add(new LogAppend(me, mine));
                (pts, ptsCount) = (mine.Pts, ptsCount + mine.PtsCount);
                if (toPeerId != me)
                {
                    MessageStore.TouchDialog(scope, toPeerId, chatId, Peer.User(me), id, now, incoming: true);
                    appends.Add(new LogAppend(toPeerId, log.Append(scope, toPeerId, update, now, id)));
                }
            }

            return new ForwardedMessages(messages, pts, ptsCount);
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends, caller.ConnectionId), CancellationToken.None);
        }

        return forwarded;
    }
}
