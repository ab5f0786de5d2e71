using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Bots;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Mentions;
using Messenger.Message.Storage;
using Messenger.Kernel.Text;

namespace Messenger.Message.Sending;

internal sealed class SendMessageValidator : AbstractValidator<SendMessageCall>
{
    public const int MaxTextLength = 4096;
    public const int MaxCaptionLength = 1024;

    /// <summary>How much markup may carry a text of at most <c>limit</c> visible characters: the limits count what the
    /// reader sees (as Telegram counts text, not entities), and the markup around it may be this many times as long.</summary>
    public const int MarkupFactor = 4;

    /// <summary>Whether <paramref name="text"/> fits <paramref name="limit"/>: at most that many visible characters once
    /// trimmed and its markup read (<see cref="MessageMarkup.Parse"/>), at most <see cref="MarkupFactor"/> times that as
    /// markup. Reading markup only takes characters away, so a text within the limit as typed is not parsed.</summary>
    public static bool Fits(string? text, int limit) =>
        text is null || text.Length <= limit
        || (text.Length <= limit * MarkupFactor && MessageMarkup.Parse(text.Trim()).Text.Trim().Length <= limit);

    public SendMessageValidator()
    {
        RuleFor(c => c.Text).Must(t => !string.IsNullOrWhiteSpace(t)).When(c => c.Media is null && c.Geo is null).WithErrorCode(MessageErrorNames.MessageEmpty);
        RuleFor(c => c.Text).Must(t => Fits(t, MaxTextLength)).When(c => c.Media is null).WithErrorCode(MessageErrorNames.MessageTooLong);
        RuleFor(c => c.Text).Must(t => Fits(t, MaxCaptionLength)).When(c => c.Media is not null)
            .WithErrorCode(MediaErrorNames.MediaCaptionTooLong);
        RuleFor(c => c.Text).Must(TextRules.IsCleanText).WithErrorCode(MessageErrorNames.MessageTextInvalid);
        RuleFor(c => c.RandomId).NotEqual(0).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Peer).ValidPeer();
        RuleFor(c => c.ReplyToId).Must(r => r is null or > 0).WithErrorCode(MessageErrorNames.ReplyToInvalid);
        RuleFor(c => c.Quote).Must((c, q) => ReplyQuotes.TextIsValid(q, c.ReplyToId)).WithErrorCode(MessageErrorNames.QuoteTextInvalid);
        RuleFor(c => c.Quote).Must(ReplyQuotes.OffsetIsValid).WithErrorCode(MessageErrorNames.QuoteOffsetInvalid);
        RuleFor(c => c.ReplyMarkup).Must(ReplyMarkups.IsValid).WithErrorCode(MessageErrorNames.ReplyMarkupInvalid);
        When(c => c.Geo is not null, () =>
        {
            // As Telegram's: a location has no caption, and it is the message's one attachment.
            RuleFor(c => c).Must(c => string.IsNullOrWhiteSpace(c.Text) && c.Media is null).WithErrorCode(GeoErrorNames.GeoAloneRequired);
            RuleFor(c => c.Geo!).SetValidator(new InputGeoValidator());
        });
    }
}

/// <summary>A location's ranges (<see cref="GeoLimits"/>), for <c>messages.send</c> and <c>messages.editLiveLocation</c>.</summary>
internal sealed class InputGeoValidator : AbstractValidator<InputGeo>
{
    /// <param name="live">The point moves a live location (an edit): a heading needs no <c>live_period</c> beside it.</param>
    public InputGeoValidator(bool live = false)
    {
        RuleFor(g => g).Must(GeoLimits.PointIsValid).WithErrorCode(GeoErrorNames.GeoPointInvalid);
        RuleFor(g => g.AccuracyRadius).Must(GeoLimits.AccuracyIsValid).WithErrorCode(GeoErrorNames.GeoAccuracyInvalid);
        RuleFor(g => g.LivePeriod).Must(GeoLimits.LivePeriodIsValid).WithErrorCode(GeoErrorNames.GeoLivePeriodInvalid);
        RuleFor(g => g).Must(g => GeoLimits.HeadingIsValid(g.Heading, live || g.LivePeriod is not null)).WithErrorCode(GeoErrorNames.GeoHeadingInvalid);
    }

    /// <summary>The place a new location message holds: a live one runs <c>live_period</c> seconds from
    /// <paramref name="now"/>, or with no end until it is stopped.</summary>
    public static MessageGeo Place(InputGeo geo, long now) =>
        new(geo.Lat, geo.Long, geo.AccuracyRadius, geo.LivePeriod, geo.Heading,
            geo.LivePeriod is { } period and not GeoLimits.LiveUntilStopped ? now + period : null);
}

/// <summary>
/// Stores the message and appends <c>new_message</c> to the audience's logs (both users of a private chat, every member
/// of a small group, or the large group's own log) in one writer unit: the result, sent only after COMMIT, means the
/// message is durable and in every log. A resend with the same random_id finds the first message inside the same
/// serialized unit, so two racing resends still store one message. Membership and blocks are re-read in the unit.
/// </summary>
internal sealed class SendMessageHandler(
    Chats.ChatResolver chats, MessageStore messages, LoggedWriter writer, IUpdateLog log, IMediaAttachments media, IMediator bus, RpcContext caller,
    PostLimiter limiter, IBotAccounts bots, TimeProvider clock)
    : IRequestHandler<SendMessageCall, SentMessage>, IRequestHandler<SendScheduledNow, SentMessage>
{
    public async ValueTask<SentMessage> Handle(SendMessageCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (call.ReplyMarkup is not null && !bots.IsBot(me))
        {
            throw MessengerError.Forbidden(MessageErrorNames.ReplyMarkupBotsOnly);
        }

        limiter.Take(me, 1);
        var target = await chats.ResolveForPostingAsync(me, call.Peer, bus, cancellationToken);
        // A resend of a stored send with a file (its answer lost to a dropped connection or a restart) is answered as the
        // unit answers a resend, before the upload is looked at: the first send used it up.
        if (call.Media is not null && messages.ReadByRandomId(me, call.RandomId) is { } first)
        {
            return Delivery.Resent(first, target, me, log, scope: null);
        }

        // Media: the upload is completed (hashed, stored) before the unit; the unit only records the reference.
        using var prepared = call.Media is null ? null : await media.PrepareAsync(me, call.Media, cancellationToken);
        return await SendAsync(me, target, call.RandomId, call.Text, call.ReplyToId,
            prepared is null ? null : (scope, id) => media.Attach(scope, prepared, id, me), cancellationToken, call.ReplyMarkup, call.Silent, call.Quote,
            geo: call.Geo, topicId: call.TopicId);
    }

    /// <summary>A scheduled message's file is stored already: the message takes one more reference to it. Its topic
    /// closed to its author, deleted, or the forum turned off since: it goes into General rather than being dropped. Its
    /// author blocked by a server admin meanwhile: 403 <c>USER_BLOCKED</c>, and it is dropped.</summary>
    public async ValueTask<SentMessage> Handle(SendScheduledNow call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        if (await bus.Send(new IsUserBlockedQuery(me), cancellationToken))
        {
            throw MessengerError.Forbidden(SessionErrorNames.UserBlocked);
        }

        limiter.Take(me, 1);
        var message = call.Message;
        var target = await chats.ResolveForPostingAsync(me, message.Peer, bus, cancellationToken);
        return await SendAsync(me, target, message.RandomId, message.Text, message.ReplyToId,
            message.Media is not { } held ? null : (scope, id) =>
            {
                media.AddReference(scope, held.Id, id);
                return held;
            },
            cancellationToken, silent: message.Silent, quote: message.Quote, quoteChecked: true, topicId: message.TopicId, orGeneral: true);
    }

    private async ValueTask<SentMessage> SendAsync(
        long me, ChatTarget target, long randomId, string? text, long? replyToId, Func<WriteScope, long, MessageMedia>? attach,
        CancellationToken cancellationToken, ReplyMarkup? replyMarkup = null, bool silent = false, ReplyQuote? quote = null, bool quoteChecked = false,
        InputGeo? geo = null, long? topicId = null, bool orGeneral = false)
    {
        var trimmed = text?.Trim() ?? "";
        var named = await UnreadMentions.ResolveAsync(target, trimmed, bus, cancellationToken);
        return await writer.WriteAsync(bus,
            (scope, appends) => Delivery.PostOnce(scope, log, me, target, randomId, replyToId, clock.GetUtcNow().ToUnixTimeSeconds(), appends,
                attach is null ? ChatRights.Text : ChatRights.Media,
                (chat, now, kept) =>
                {
                    var posted = Delivery.Post(scope, log, chat, me, randomId, trimmed, replyToId, action: null, now,
                        attachMedia: attach is null ? null : id => attach(scope, id), replyMarkup: replyMarkup, silent: silent, quote: kept,
                        geo: geo is null ? null : InputGeoValidator.Place(geo, now));
                    UnreadMentions.Record(scope, chat, me, posted.Message.Id, replyToId, named);
                    return posted;
                },
                quote, quoteChecked, topicId, orGeneral),
            cancellationToken, caller.ConnectionId);
    }
}

/// <summary>A scheduled message going out (<c>ScheduledSender</c>): <c>messages.send</c> as its author, in a scope of its
/// own, with its random_id and the file its schedule holds.</summary>
internal sealed record SendScheduledNow(ScheduledMessage Message) : IRequest<SentMessage>;
