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

namespace Messenger.Message.Sending;

internal sealed class SendMessageValidator : AbstractValidator<SendMessageCall>
{
    public const int MaxTextLength = 4096;
    public const int MaxCaptionLength = 1024;

    public SendMessageValidator()
    {
        RuleFor(c => c.Text).Must(t => !string.IsNullOrWhiteSpace(t)).When(c => c.Media is null).WithErrorCode(MessageErrorNames.MessageEmpty);
        RuleFor(c => c.Text).Must(t => t is null || t.Trim().Length <= MaxTextLength).When(c => c.Media is null).WithErrorCode(MessageErrorNames.MessageTooLong);
        RuleFor(c => c.Text).Must(t => t is null || t.Trim().Length <= MaxCaptionLength).When(c => c.Media is not null)
            .WithErrorCode(MediaErrorNames.MediaCaptionTooLong);
        RuleFor(c => c.RandomId).NotEqual(0).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Peer).Must(p => p is { Id: > 0 } && Enum.IsDefined(p.Kind)).WithErrorCode(MessageErrorNames.PeerIdInvalid);
        RuleFor(c => c.ReplyToId).Must(r => r is null or > 0).WithErrorCode(MessageErrorNames.ReplyToInvalid);
    }
}

/// <summary>
/// Stores the message, moves both dialogs and appends <c>new_message</c> to both users' logs in one writer unit: the
/// result (sent only after COMMIT) means the message is durable and in both logs. A resend with the same random_id
/// finds the first message inside the same serialized unit, so two racing resends still store one message.
/// </summary>
internal sealed class SendMessageHandler(
    Chats.Chats chats, StorageWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<SendMessageCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(SendMessageCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var peerId = await chats.RequireUserPeerAsync(call.Peer, bus, cancellationToken);
        var text = call.Text?.Trim() ?? "";
        // Media: the upload is completed (hashed, stored) before the unit; the unit only records the reference.
        using var prepared = call.Media is null ? null : await media.PrepareAsync(me, call.Media, cancellationToken);
        var appends = new List<LogAppend>(2);
        var sent = await writer.WriteAsync(scope =>
        {
            if (MessageStore.FindByRandomId(scope, me, call.RandomId) is { } first)
            {
                return new SentMessage(first, log.CurrentPts(scope, me), 0);
            }

            if (MessageStore.IsBlocked(scope, peerId, me))
            {
                throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
            }

            if (MessageStore.IsBlocked(scope, me, peerId))
            {
                throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chatId = MessageStore.PrivateChatId(scope, me, peerId, now);
            if (call.ReplyToId is { } replyTo && MessageStore.FindVisible(scope, me, chatId, replyTo) is null)
            {
                throw MessengerError.BadRequest(MessageErrorNames.ReplyToInvalid);
            }

            var to = Peer.User(peerId);
            var id = MessageStore.InsertMessage(scope, chatId, me, call.RandomId, to, now, text, call.ReplyToId);
            var attached = prepared is null ? null : media.Attach(scope, prepared, id, me);
            if (attached is not null)
            {
                MessageStore.SetMedia(scope, id, attached);
            }

            var message = new ChatMessage(id, me, to, now, text, call.ReplyToId, null, attached);
            MessageStore.TouchDialog(scope, me, chatId, to, id, now, incoming: false);
            var update = new NewMessageUpdate(message);
            var mine = log.Append(scope, me, update, now, id);
            appends.Add(new LogAppend(me, mine));
            if (peerId != me)
            {
                MessageStore.TouchDialog(scope, peerId, chatId, Peer.User(me), id, now, incoming: true);
                appends.Add(new LogAppend(peerId, log.Append(scope, peerId, update, now, id)));
            }

            return new SentMessage(message, mine.Pts, mine.PtsCount);
        }, cancellationToken);

        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends, caller.ConnectionId), CancellationToken.None); // delivered even if the caller left
        }

        return sent;
    }
}
