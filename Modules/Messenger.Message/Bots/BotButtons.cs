using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Text;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Chats;
using Messenger.Message.Sending;
using Messenger.Message.Storage;

namespace Messenger.Message.Bots;

/// <summary>The rules of a bot's buttons (<see cref="ReplyMarkup"/>).</summary>
internal static class ReplyMarkups
{
    public const int MaxRows = 8;
    public const int MaxPerRow = 8;
    public const int MaxTextLength = 64;
    public const int MaxDataBytes = 64;
    public const int MaxUrlLength = 512;

    /// <summary>1–8 rows of 1–8 buttons, each with a label of 1–64 characters and exactly one of callback data (1–64
    /// bytes of UTF-8) or an http(s) URL (at most 512 characters). No markup is valid too.</summary>
    public static bool IsValid(ReplyMarkup? markup) =>
        markup is null
        || markup.InlineKeyboard is { Length: > 0 and <= MaxRows } rows
        && rows.All(row => row is { Length: > 0 and <= MaxPerRow } && row.All(IsValid));

    private static bool IsValid(InlineButton? button) =>
        button is { Text: { } text }
        && text.Trim().Length is > 0 and <= MaxTextLength && TextRules.IsName(text, MaxTextLength)
        && (button.CallbackData, button.Url) switch
        {
            ({ } data, null) => Encoding.UTF8.GetByteCount(data) is > 0 and <= MaxDataBytes,
            (null, { } url) => url.Length <= MaxUrlLength && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
            _ => false,
        };
}

/// <summary>
/// Presses waiting for their bot's answer, in memory: a press names itself by a random id, which the bot gives back
/// with its answer (<c>answerCallbackQuery</c>); one not answered in <see cref="Timeout"/> is forgotten. A bot answers
/// only its own presses.
/// </summary>
internal sealed class BotCallbacks
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<long, Pending> _pending = new();

    public (long Id, Task<BotCallbackAnswer> Answer) Begin(long botId)
    {
        var pending = new Pending(botId, new TaskCompletionSource<BotCallbackAnswer>(TaskCreationOptions.RunContinuationsAsynchronously));
        long id;
        do
        {
            id = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        }
        while (id == 0 || !_pending.TryAdd(id, pending));

        return (id, pending.Answer.Task);
    }

    /// <summary>False when the press is not this bot's, was answered already, or is forgotten.</summary>
    public bool Answer(long botId, long id, BotCallbackAnswer answer) =>
        _pending.TryGetValue(id, out var pending) && pending.BotId == botId
        && _pending.TryRemove(new KeyValuePair<long, Pending>(id, pending)) && pending.Answer.TrySetResult(answer);

    public void Forget(long id) => _pending.TryRemove(id, out _);

    private sealed record Pending(long BotId, TaskCompletionSource<BotCallbackAnswer> Answer);
}

internal sealed class GetBotCallbackAnswerValidator : AbstractValidator<GetBotCallbackAnswerCall>
{
    public GetBotCallbackAnswerValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.MessageId).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.Data).Must(d => d is not null && Encoding.UTF8.GetByteCount(d) is > 0 and <= ReplyMarkups.MaxDataBytes)
            .WithErrorCode(MessageErrorNames.DataInvalid);
    }
}

/// <summary>
/// A press of a bot's button: in one unit the message is checked (the caller sees it, a bot sent it, a button of it
/// carries the data) and a <c>callback_query</c> goes into the bot's own log (its <c>getUpdates</c>, woken at once);
/// then the caller waits up to 10 s for the bot's answer. Pressing is not posting: a channel's subscribers press too.
/// </summary>
internal sealed class GetBotCallbackAnswerHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IMediator bus, RpcContext caller, PostLimiter limiter, IBotAccounts bots,
    BotCallbacks callbacks, TimeProvider clock)
    : IRequestHandler<GetBotCallbackAnswerCall, BotCallbackAnswer>
{
    public async ValueTask<BotCallbackAnswer> Handle(GetBotCallbackAnswerCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        long? queryId = null;
        try
        {
            Task<BotCallbackAnswer>? answer = null;
            await writer.WriteAsync(bus, (scope, appends) =>
            {
                var now = clock.GetUtcNow().ToUnixTimeSeconds();
                var chat = Delivery.OpenForResponding(scope, me, target, now);
                if (MessageStore.FindVisible(scope, me, chat.ChatId, call.MessageId) is not { Action: null } message || !bots.IsBot(message.FromId))
                {
                    throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
                }

                if (message.ReplyMarkup?.InlineKeyboard.Any(row => row.Any(b => b.CallbackData == call.Data)) != true)
                {
                    throw MessengerError.BadRequest(MessageErrorNames.DataInvalid);
                }

                var bot = message.FromId;
                var (id, waiting) = callbacks.Begin(bot);
                (queryId, answer) = (id, waiting);
                var update = new BotCallbackQueryUpdate(id, me, message.PeerFor(bot), message.Id, call.Data);
                appends.Append(bot, update, now);
            }, cancellationToken);
            try
            {
                return await answer!.WaitAsync(BotCallbacks.Timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw MessengerError.BadRequest(MessageErrorNames.BotResponseTimeout);
            }
        }
        finally
        {
            if (queryId is { } id)
            {
                callbacks.Forget(id);
            }
        }
    }
}

internal sealed class EditReplyMarkupValidator : AbstractValidator<EditReplyMarkupCall>
{
    public EditReplyMarkupValidator()
    {
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.Id).GreaterThan(0).WithErrorCode(MessageErrorNames.MessageIdInvalid);
        RuleFor(c => c.ReplyMarkup).Must(ReplyMarkups.IsValid).WithErrorCode(MessageErrorNames.ReplyMarkupInvalid);
    }
}

/// <summary>A bot's new buttons for one of its messages (or none): stored with it and told to the chat as
/// <c>edit_message</c> with its <c>edit_date</c> unchanged.</summary>
internal sealed class EditReplyMarkupHandler(
    Chats.ChatResolver chats, LoggedWriter writer, IUpdateLog log, IMediator bus, RpcContext caller, PostLimiter limiter, IBotAccounts bots, TimeProvider clock)
    : IRequestHandler<EditReplyMarkupCall, SentMessage>
{
    public async ValueTask<SentMessage> Handle(EditReplyMarkupCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (!bots.IsBot(me))
        {
            throw MessengerError.Forbidden(MessageErrorNames.ReplyMarkupBotsOnly);
        }

        limiter.Take(me, 1);
        var target = await chats.ResolveAsync(me, call.Peer, bus, cancellationToken);
        if (target.ChatId == 0)
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        }

        var edited = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var message = MessageStore.FindOwn(scope, me, target.ChatId, call.Id);
            MessageStore.RequireNotBlockedBy(scope, me, target);
            Groups.ChatRightsRules.RequireEditor(scope, target, me);

            if (WireSerializer.Serialize(message.ReplyMarkup).AsSpan().SequenceEqual(WireSerializer.Serialize(call.ReplyMarkup)))
            {
                throw MessengerError.BadRequest(MessageErrorNames.MessageNotModified);
            }

            scope.Execute("UPDATE message_messages SET reply_markup = @markup WHERE id = @id",
                ("@markup", call.ReplyMarkup is null ? DBNull.Value : WireSerializer.Serialize(call.ReplyMarkup)), ("@id", call.Id));
            return Delivery.TellEdit(scope, log, target, me, message with { ReplyMarkup = call.ReplyMarkup }, clock.GetUtcNow().ToUnixTimeSeconds(), appends);
        }, cancellationToken);
        return edited;
    }
}
