using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Message.Chats;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Messenger.Kernel.Text;

namespace Messenger.Message.Drafts;

internal sealed class SaveDraftValidator : AbstractValidator<SaveDraftCall>
{
    public SaveDraftValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Text).Must(t => SendMessageValidator.Fits(t, SendMessageValidator.MaxTextLength)).WithErrorCode(MessageErrorNames.MessageTooLong);
        RuleFor(c => c.Text).Must(TextRules.IsCleanText).WithErrorCode(MessageErrorNames.MessageTextInvalid);
        RuleFor(c => c.ReplyToId).Must(r => r is null or > 0).WithErrorCode(MessageErrorNames.ReplyToInvalid);
        RuleFor(c => c.Quote).Must((c, q) => ReplyQuotes.TextIsValid(q, c.ReplyToId)).WithErrorCode(MessageErrorNames.QuoteTextInvalid);
        RuleFor(c => c.Quote).Must(ReplyQuotes.OffsetIsValid).WithErrorCode(MessageErrorNames.QuoteOffsetInvalid);
    }
}

/// <summary>
/// A user's unsent text per chat (<c>message_drafts</c>, no row when empty), told to the user's other devices as
/// <c>draft_message</c> (<see cref="OwnChatSettings"/>). The text is kept as typed (not trimmed: it is still being
/// written); only a draft of nothing but spaces counts as empty.
/// </summary>
internal sealed class SaveDraftHandler(OwnChatSettings settings) : IRequestHandler<SaveDraftCall, AffectedMessages>
{
    public ValueTask<AffectedMessages> Handle(SaveDraftCall call, CancellationToken cancellationToken)
    {
        var text = string.IsNullOrWhiteSpace(call.Text) ? "" : call.Text;
        return settings.ChangeAsync(call.Peer, (scope, me, chatId, peer, now) =>
        {
            var replyTo = text.Length == 0 ? null : call.ReplyToId;
            var replied = replyTo is { } id
                ? MessageStore.FindVisible(scope, me, chatId, id) ?? throw MessengerError.BadRequest(MessageErrorNames.ReplyToInvalid)
                : null;
            var quote = call.Quote is null || replied is null ? null : ReplyQuotes.Resolve(call.Quote, replied);
            var current = Current(scope, me, chatId);
            if ((current?.Text ?? "") == text && current?.ReplyToId == replyTo && current?.Quote == quote)
            {
                return null;
            }

            var draft = text.Length == 0 ? null : new DraftMessage(text, replyTo, now.ToUnixTimeSeconds(), quote);
            if (draft is null)
            {
                scope.Execute("DELETE FROM message_drafts WHERE user_id = @user AND chat_id = @chat", ("@user", me), ("@chat", chatId));
            }
            else
            {
                scope.Execute("INSERT INTO message_drafts (user_id, chat_id, text, reply_to_id, date, quote_text, quote_offset) " +
                    "VALUES (@user, @chat, @text, @reply, @now, @quote, @offset) ON CONFLICT (user_id, chat_id) DO UPDATE SET text = excluded.text, " +
                    "reply_to_id = excluded.reply_to_id, date = excluded.date, quote_text = excluded.quote_text, quote_offset = excluded.quote_offset",
                    ("@user", me), ("@chat", chatId), ("@text", text), ("@reply", (object?)replyTo ?? DBNull.Value), ("@now", draft.Date),
                    ("@quote", (object?)quote?.Text ?? DBNull.Value), ("@offset", (object?)quote?.Offset ?? DBNull.Value));
            }

            return new DraftMessageUpdate(peer, draft);
        }, cancellationToken);
    }

    private static DraftMessage? Current(WriteScope scope, long userId, long chatId)
    {
        var command = scope.Command("SELECT text, reply_to_id, date, quote_text, quote_offset FROM message_drafts WHERE user_id = @user AND chat_id = @chat");
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@chat", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? MessageStore.ReadDraft(reader, 0) : null;
    }
}
