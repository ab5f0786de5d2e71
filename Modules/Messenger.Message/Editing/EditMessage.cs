using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Messenger.Kernel.Text;

namespace Messenger.Message.Editing;

internal sealed class EditMessageValidator : AbstractValidator<EditMessageCall>
{
    public EditMessageValidator()
    {
        // Whether an empty text is allowed (a media's caption may be removed) depends on the message: checked in the unit.
        RuleFor(c => c.Text).Must(t => SendMessageValidator.Fits(t, SendMessageValidator.MaxTextLength)).WithErrorCode(MessageErrorNames.MessageTooLong);
        RuleFor(c => c.Text).Must(TextRules.IsCleanText).WithErrorCode(MessageErrorNames.MessageTextInvalid);
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
    }
}

/// <summary>Only the author edits, and in a group only while they may still write there (as a send checks): a text
/// message's text (1–4096 characters), or a media message's caption (0–1024, so it may be removed). The chat's audience
/// gets <c>edit_message</c> with the message as it is now.</summary>
internal sealed class EditMessageHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, TimeProvider clock)
    : IRequestHandler<EditMessageCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(EditMessageCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var text = call.Text?.Trim() ?? "";
        var edited = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var message = MessageStore.FindOwn(scope, me, target.ChatId, call.Id);
            MessageStore.RequireNotBlockedBy(scope, me, target);
            Groups.ChatRightsRules.RequireEditor(scope, target, me);

            // A forward is stored as the forwarder's, but its text (or caption) is the original author's words.
            if (message.FwdFromId is not null)
            {
                throw MessengerError.BadRequest(MessageErrorNames.ForwardNotEditable);
            }

            if (message.Poll is not null)
            {
                throw MessengerError.BadRequest(PollErrorNames.PollNotEditable);
            }

            if (message.Geo is not null)
            {
                throw MessengerError.BadRequest(GeoErrorNames.GeoAloneRequired);
            }

            if (message.Media is null && text.Length == 0)
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageEmpty);
            }

            if (message.Media is not null && !SendMessageValidator.Fits(text, SendMessageValidator.MaxCaptionLength))
            {
                throw MessengerError.BadRequest(MediaErrorNames.MediaCaptionTooLong);
            }

            if (message.Text == text)
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageNotModified);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            // A new text drops the old text's link preview (the new one's first link is fetched again).
            scope.Execute("UPDATE message_messages SET text = @text, edit_date = @now, web_page = NULL, shared_kind = @shared WHERE id = @id",
                ("@text", text), ("@now", now), ("@shared", (object?)MessageStore.SharedKindOf(message.Media, text) ?? DBNull.Value), ("@id", call.Id));
            SearchIndex.Remove(scope, call.Id);
            SearchIndex.Add(scope, call.Id, target.ChatId, text);
            return Delivery.TellEdit(scope, log, target, me, message with { Text = text, EditDate = now, WebPage = null }, now, appends);
        }, cancellationToken);
        return edited;
    }
}
