using System.ComponentModel;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;

namespace Messenger.Client;

// An app compiled against an older SDK calls methods by their exact signature: a parameter added to a public method
// (even an optional one, whose default the compiler writes into the caller) would make it throw MissingMethodException.
// So each older signature stays here, forwarding to the current method. They have no default values, so a new call
// binds to the current method unless it gives every argument, and they are hidden from IntelliSense. An event record
// that gained a property keeps its older constructor and Deconstruct (an app's positional pattern calls the latter).

public static partial class MessageMethods
{
    /// <summary>The signature before <c>silent</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendMessageAsync(
        this MessengerClient client, Peer peer, string text, long? replyToId, long? randomId, CancellationToken cancellationToken) =>
        SendMessageAsync(client, peer, text, replyToId, randomId, silent: false, cancellationToken);

    /// <summary>The signature before <c>silent</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ScheduledMessage> ScheduleMessageAsync(
        this MessengerClient client, Peer peer, string text, DateTimeOffset date, long? replyToId, long? randomId, InputMedia? media,
        CancellationToken cancellationToken) =>
        ScheduleMessageAsync(client, peer, text, date, replyToId, randomId, media, silent: false, cancellationToken);

    /// <summary>The signature before <c>silent</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendPollAsync(
        this MessengerClient client, Peer peer, string question, string[] options, bool multipleChoice, bool publicVoters, long? replyToId,
        long? randomId, CancellationToken cancellationToken) =>
        SendPollAsync(client, peer, question, options, multipleChoice, publicVoters, replyToId, randomId, silent: false, cancellationToken);

    /// <summary>The signature before <c>quote</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendMessageAsync(
        this MessengerClient client, Peer peer, string text, long? replyToId, long? randomId, bool silent, CancellationToken cancellationToken) =>
        SendMessageAsync(client, peer, text, replyToId, randomId, silent, quote: null, cancellationToken);

    /// <summary>The signature before <c>quote</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ScheduledMessage> ScheduleMessageAsync(
        this MessengerClient client, Peer peer, string text, DateTimeOffset date, long? replyToId, long? randomId, InputMedia? media, bool silent,
        CancellationToken cancellationToken) =>
        ScheduleMessageAsync(client, peer, text, date, replyToId, randomId, media, silent, quote: null, cancellationToken);

    /// <summary>The signature before <c>quote</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendPollAsync(
        this MessengerClient client, Peer peer, string question, string[] options, bool multipleChoice, bool publicVoters, long? replyToId,
        long? randomId, bool silent, CancellationToken cancellationToken) =>
        SendPollAsync(client, peer, question, options, multipleChoice, publicVoters, replyToId, randomId, silent, quote: null, cancellationToken);

    /// <summary>The signature before <c>quote</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<AffectedMessages> SaveDraftAsync(this MessengerClient client, Peer peer, string text, long? replyToId, CancellationToken cancellationToken) =>
        SaveDraftAsync(client, peer, text, replyToId, quote: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendMessageAsync(
        this MessengerClient client, Peer peer, string text, long? replyToId, long? randomId, bool silent, ReplyQuote? quote, CancellationToken cancellationToken) =>
        SendMessageAsync(client, peer, text, replyToId, randomId, silent, quote, topicId: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ScheduledMessage> ScheduleMessageAsync(
        this MessengerClient client, Peer peer, string text, DateTimeOffset date, long? replyToId, long? randomId, InputMedia? media, bool silent,
        ReplyQuote? quote, CancellationToken cancellationToken) =>
        ScheduleMessageAsync(client, peer, text, date, replyToId, randomId, media, silent, quote, topicId: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendQuizAsync(
        this MessengerClient client, Peer peer, string question, string[] options, int correctOption, string? solution, long? replyToId, long? randomId,
        CancellationToken cancellationToken) =>
        SendQuizAsync(client, peer, question, options, correctOption, solution, replyToId, randomId, topicId: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendLocationAsync(
        this MessengerClient client, Peer peer, InputGeo geo, long? replyToId, long? randomId, bool silent, CancellationToken cancellationToken) =>
        SendLocationAsync(client, peer, geo, replyToId, randomId, silent, topicId: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendPollAsync(
        this MessengerClient client, Peer peer, string question, string[] options, bool multipleChoice, bool publicVoters, long? replyToId,
        long? randomId, bool silent, ReplyQuote? quote, CancellationToken cancellationToken) =>
        SendPollAsync(client, peer, question, options, multipleChoice, publicVoters, replyToId, randomId, silent, quote, topicId: null, cancellationToken);

    /// <summary>The signature from before pinned lists (it unpins the newest pinned message); see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<PinResult> UnpinMessageAsync(this MessengerClient client, Peer peer, CancellationToken cancellationToken) =>
        UnpinMessageAsync(client, peer, id: 0, cancellationToken);
}

public static partial class MediaMethods
{
    /// <summary>The signature before <c>thumb</c>, <c>duration</c>, <c>width</c> and <c>height</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<InputMedia> UploadFileAsync(
        this MessengerClient client, Stream content, string name, string mimeType, IProgress<long>? progress, CancellationToken cancellationToken,
        long? fileId, int parallelism, MediaTransport transport) =>
        UploadFileAsync(client, content, name, mimeType, progress, cancellationToken, fileId, parallelism, transport, thumb: null);

    /// <summary>The signature before <c>silent</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendMediaAsync(
        this MessengerClient client, Peer peer, InputMedia media, string caption, long? randomId, CancellationToken cancellationToken) =>
        SendMediaAsync(client, peer, media, caption, randomId, silent: false, topicId: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<SentMessage> SendMediaAsync(
        this MessengerClient client, Peer peer, InputMedia media, string caption, long? randomId, bool silent, CancellationToken cancellationToken) =>
        SendMediaAsync(client, peer, media, caption, randomId, silent, topicId: null, cancellationToken);

    /// <summary>The signature before <c>silent</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ForwardedMessages> ForwardMessagesAsync(
        this MessengerClient client, Peer fromPeer, long[] ids, Peer toPeer, CancellationToken cancellationToken) =>
        ForwardMessagesAsync(client, fromPeer, ids, toPeer, silent: false, topicId: null, cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ForwardedMessages> ForwardMessagesAsync(
        this MessengerClient client, Peer fromPeer, long[] ids, Peer toPeer, bool silent, CancellationToken cancellationToken) =>
        ForwardMessagesAsync(client, fromPeer, ids, toPeer, silent, topicId: null, cancellationToken);
}

public static partial class GroupMethods
{
    /// <summary>The signature before the search filters; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<Message[]> SearchMessagesAsync(
        this MessengerClient client, string query, Peer? peer, long offsetId, int limit, CancellationToken cancellationToken) =>
        SearchMessagesAsync(client, query, peer, offsetId, limit, fromId: 0, cancellationToken: cancellationToken);

    /// <summary>The signature before <c>topicId</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<Message[]> SearchMessagesAsync(
        this MessengerClient client, string query, Peer? peer, long offsetId, int limit, long fromId, DateTimeOffset? minDate, DateTimeOffset? maxDate,
        string? filter, CancellationToken cancellationToken) =>
        SearchMessagesAsync(client, query, peer, offsetId, limit, fromId, minDate, maxDate, filter, topicId: null, cancellationToken);

    /// <summary>The signature before <c>requestNeeded</c>; see the current overload.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static Task<ChatInvite> ExportInviteAsync(
        this MessengerClient client, long chatId, int? expiresInSeconds, int? usageLimit, CancellationToken cancellationToken) =>
        ExportInviteAsync(client, chatId, expiresInSeconds, usageLimit, requestNeeded: false, cancellationToken);
}

public sealed partial record MessagePinned
{
    /// <summary>The constructor from before pinned lists; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public MessagePinned(long pts, Peer peer, Message? message)
        : this(pts, peer, message, Ids: null)
    {
    }

    /// <summary>The deconstruction from before pinned lists: <c>(Pts, Peer, Message)</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out long pts, out Peer peer, out Message? message) => (pts, peer, message) = (Pts, Peer, Message);
}

public sealed partial record PollUpdated
{
    /// <summary>The constructor from before quizzes; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public PollUpdated(long pts, Peer peer, long messageId, int[] counts, int voters, bool closed, int[]? myChoices)
        : this(pts, peer, messageId, counts, voters, closed, myChoices, CorrectOption: null)
    {
    }

    /// <summary>The deconstruction from before quizzes: <c>(Pts, Peer, MessageId, Counts, Voters, Closed, MyChoices)</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out long pts, out Peer peer, out long messageId, out int[] counts, out int voters, out bool closed, out int[]? myChoices) =>
        (pts, peer, messageId, counts, voters, closed, myChoices) = (Pts, Peer, MessageId, Counts, Voters, Closed, MyChoices);
}

public sealed partial record NotifySettingsChanged
{
    /// <summary>The constructor from before topic mutes; see the current one.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public NotifySettingsChanged(long pts, Peer peer, long muteUntil)
        : this(pts, peer, muteUntil, TopicId: null)
    {
    }

    /// <summary>The deconstruction from before topic mutes: <c>(Pts, Peer, MuteUntil)</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Deconstruct(out long pts, out Peer peer, out long muteUntil) => (pts, peer, muteUntil) = (Pts, Peer, MuteUntil);
}
