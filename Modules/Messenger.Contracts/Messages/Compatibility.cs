using System.ComponentModel;
using Messenger.Contracts.Media;

namespace Messenger.Contracts.Messages;

// An app compiled against an earlier SDK binds to the exact constructor and Deconstruct it was built with; a positional
// parameter added to a record replaces both, so the earlier shapes stay here, hidden. They take no default values, so a
// call written today binds to the current constructor unless it gives every argument of an earlier shape, and then
// means the same. MessagePack builds these records with their longest constructor (the current one).

/// <summary>Earlier shapes of <see cref="Message"/>'s constructor and deconstruction.</summary>
public sealed partial record Message
{
    /// <summary>The constructor from before <see cref="TopicId"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Message(
        long id, long fromId, Peer toPeer, long date, string text, long? replyToId, long? editDate, ServiceAction? action, MessageMedia? media,
        long? fwdFromId, Poll? poll, int? ttlPeriod, WebPage? webPage, ReplyMarkup? replyMarkup, bool silent, ReplyQuote? replyQuote, MessageGeo? geo)
        : this(id, fromId, toPeer, date, text, replyToId, editDate, action, media, fwdFromId, poll, ttlPeriod, webPage, replyMarkup, silent, replyQuote, geo, TopicId: 0)
    {
    }

    /// <summary>The constructor from before <see cref="Geo"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Message(
        long id, long fromId, Peer toPeer, long date, string text, long? replyToId, long? editDate, ServiceAction? action, MessageMedia? media,
        long? fwdFromId, Poll? poll, int? ttlPeriod, WebPage? webPage, ReplyMarkup? replyMarkup, bool silent, ReplyQuote? replyQuote)
        : this(id, fromId, toPeer, date, text, replyToId, editDate, action, media, fwdFromId, poll, ttlPeriod, webPage, replyMarkup, silent, replyQuote, Geo: null)
    {
    }

    /// <summary>The constructor from before <see cref="ReplyQuote"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Message(
        long id, long fromId, Peer toPeer, long date, string text, long? replyToId, long? editDate, ServiceAction? action, MessageMedia? media,
        long? fwdFromId, Poll? poll, int? ttlPeriod, WebPage? webPage, ReplyMarkup? replyMarkup, bool silent)
        : this(id, fromId, toPeer, date, text, replyToId, editDate, action, media, fwdFromId, poll, ttlPeriod, webPage, replyMarkup, silent, ReplyQuote: null)
    {
    }

    /// <summary>The constructor from before <see cref="Silent"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Message(
        long id, long fromId, Peer toPeer, long date, string text, long? replyToId, long? editDate, ServiceAction? action, MessageMedia? media,
        long? fwdFromId, Poll? poll, int? ttlPeriod, WebPage? webPage, ReplyMarkup? replyMarkup)
        : this(id, fromId, toPeer, date, text, replyToId, editDate, action, media, fwdFromId, poll, ttlPeriod, webPage, replyMarkup, Silent: false)
    {
    }

    /// <summary>The deconstruction from before <see cref="TopicId"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out long fromId, out Peer toPeer, out long date, out string text, out long? replyToId, out long? editDate, out ServiceAction? action,
        out MessageMedia? media, out long? fwdFromId, out Poll? poll, out int? ttlPeriod, out WebPage? webPage, out ReplyMarkup? replyMarkup, out bool silent,
        out ReplyQuote? replyQuote, out MessageGeo? geo)
    {
        Deconstruct(out id, out fromId, out toPeer, out date, out text, out replyToId, out editDate, out action, out media, out fwdFromId, out poll,
            out ttlPeriod, out webPage, out replyMarkup, out silent, out replyQuote);
        geo = Geo;
    }

    /// <summary>The deconstruction from before <see cref="Geo"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out long fromId, out Peer toPeer, out long date, out string text, out long? replyToId, out long? editDate, out ServiceAction? action,
        out MessageMedia? media, out long? fwdFromId, out Poll? poll, out int? ttlPeriod, out WebPage? webPage, out ReplyMarkup? replyMarkup, out bool silent,
        out ReplyQuote? replyQuote)
    {
        Deconstruct(out id, out fromId, out toPeer, out date, out text, out replyToId, out editDate, out action, out media, out fwdFromId, out poll,
            out ttlPeriod, out webPage, out replyMarkup, out silent);
        replyQuote = ReplyQuote;
    }

    /// <summary>The deconstruction from before <see cref="ReplyQuote"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out long fromId, out Peer toPeer, out long date, out string text, out long? replyToId, out long? editDate, out ServiceAction? action,
        out MessageMedia? media, out long? fwdFromId, out Poll? poll, out int? ttlPeriod, out WebPage? webPage, out ReplyMarkup? replyMarkup, out bool silent)
    {
        Deconstruct(out id, out fromId, out toPeer, out date, out text, out replyToId, out editDate, out action, out media, out fwdFromId, out poll,
            out ttlPeriod, out webPage, out replyMarkup);
        silent = Silent;
    }

    /// <summary>The deconstruction from before <see cref="Silent"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out long fromId, out Peer toPeer, out long date, out string text, out long? replyToId, out long? editDate, out ServiceAction? action,
        out MessageMedia? media, out long? fwdFromId, out Poll? poll, out int? ttlPeriod, out WebPage? webPage, out ReplyMarkup? replyMarkup)
    {
        (id, fromId, toPeer, date, text, replyToId, editDate) = (Id, FromId, ToPeer, Date, Text, ReplyToId, EditDate);
        (action, media, fwdFromId, poll, ttlPeriod, webPage, replyMarkup) = (Action, Media, FwdFromId, Poll, TtlPeriod, WebPage, ReplyMarkup);
    }
}

/// <summary>The earlier shape of <see cref="ServiceAction"/>'s constructor and deconstruction.</summary>
public sealed partial record ServiceAction
{
    /// <summary>The constructor from before topics (<see cref="IconColor"/>, <see cref="Closed"/>); see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ServiceAction(string kind, long[] userIds, string? title, int? period, bool video)
        : this(kind, userIds, title, period, video, IconColor: null)
    {
    }

    /// <summary>The constructor from before pinned topics (<see cref="Pinned"/>); see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ServiceAction(string kind, long[] userIds, string? title, int? period, bool video, int? iconColor, bool? closed)
        : this(kind, userIds, title, period, video, iconColor, closed, Pinned: null)
    {
    }

    /// <summary>The deconstruction from before topics: <c>(Kind, UserIds, Title, Period, Video)</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out string kind, out long[] userIds, out string? title, out int? period, out bool video) =>
        (kind, userIds, title, period, video) = (Kind, UserIds, Title, Period, Video);

    /// <summary>The deconstruction from before pinned topics: <c>(Kind, UserIds, Title, Period, Video, IconColor, Closed)</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out string kind, out long[] userIds, out string? title, out int? period, out bool video, out int? iconColor, out bool? closed) =>
        (kind, userIds, title, period, video, iconColor, closed) = (Kind, UserIds, Title, Period, Video, IconColor, Closed);
}

/// <summary>The earlier shape of <see cref="ForumTopic"/>'s constructor and deconstruction.</summary>
public sealed partial record ForumTopic
{
    /// <summary>The constructor from before pinned and muted topics (<see cref="Pinned"/>, <see cref="MuteUntil"/>); see
    /// the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ForumTopic(long id, string title, int iconColor, bool closed, long creatorId, long date, long topMessage, int unreadCount, long readMaxId)
        : this(id, title, iconColor, closed, creatorId, date, topMessage, unreadCount, readMaxId, Pinned: false)
    {
    }

    /// <summary>The deconstruction from before pinned and muted topics.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out string title, out int iconColor, out bool closed, out long creatorId, out long date, out long topMessage, out int unreadCount,
        out long readMaxId) =>
        (id, title, iconColor, closed, creatorId, date, topMessage, unreadCount, readMaxId) =
        (Id, Title, IconColor, Closed, CreatorId, Date, TopMessage, UnreadCount, ReadMaxId);
}

/// <summary>The earlier shape of <see cref="DraftMessage"/>'s constructor and deconstruction.</summary>
public sealed partial record DraftMessage
{
    /// <summary>The constructor from before <see cref="Quote"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public DraftMessage(string text, long? replyToId, long date)
        : this(text, replyToId, date, Quote: null)
    {
    }

    /// <summary>The deconstruction from before <see cref="Quote"/>: <c>(Text, ReplyToId, Date)</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out string text, out long? replyToId, out long date) => (text, replyToId, date) = (Text, ReplyToId, Date);
}

/// <summary>Earlier shapes of <see cref="ScheduledMessage"/>'s constructor and deconstruction.</summary>
public sealed partial record ScheduledMessage
{
    /// <summary>The constructor from before <see cref="TopicId"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ScheduledMessage(long id, Peer peer, string text, long date, long randomId, long? replyToId, MessageMedia? media, bool silent, ReplyQuote? quote)
        : this(id, peer, text, date, randomId, replyToId, media, silent, quote, TopicId: 0)
    {
    }

    /// <summary>The deconstruction from before <see cref="TopicId"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out Peer peer, out string text, out long date, out long randomId, out long? replyToId, out MessageMedia? media, out bool silent,
        out ReplyQuote? quote)
    {
        Deconstruct(out id, out peer, out text, out date, out randomId, out replyToId, out media, out silent);
        quote = Quote;
    }

    /// <summary>The constructor from before <see cref="Quote"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ScheduledMessage(long id, Peer peer, string text, long date, long randomId, long? replyToId, MessageMedia? media, bool silent)
        : this(id, peer, text, date, randomId, replyToId, media, silent, Quote: null)
    {
    }

    /// <summary>The constructor from before <see cref="Silent"/>; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ScheduledMessage(long id, Peer peer, string text, long date, long randomId, long? replyToId, MessageMedia? media)
        : this(id, peer, text, date, randomId, replyToId, media, Silent: false)
    {
    }

    /// <summary>The deconstruction from before <see cref="Quote"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(
        out long id, out Peer peer, out string text, out long date, out long randomId, out long? replyToId, out MessageMedia? media, out bool silent)
    {
        Deconstruct(out id, out peer, out text, out date, out randomId, out replyToId, out media);
        silent = Silent;
    }

    /// <summary>The deconstruction from before <see cref="Silent"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out long id, out Peer peer, out string text, out long date, out long randomId, out long? replyToId, out MessageMedia? media) =>
        (id, peer, text, date, randomId, replyToId, media) = (Id, Peer, Text, Date, RandomId, ReplyToId, Media);
}
