using Messenger.Contracts.Account;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;

namespace Messenger.Client;

/// <summary>
/// Typed methods for messages, receipts, blocking, presence and the update log. Each is one RPC call: it returns the
/// result or throws <see cref="RpcException"/> with the server's error name (e.g. <c>MESSAGE_TOO_LONG</c>).
/// Results that moved the caller's update log (<see cref="SentMessage"/>, <see cref="AffectedMessages"/>) are also
/// given to <see cref="MessengerClient.Events"/>, so the push of the same change is not reported twice.
/// </summary>
public static partial class MessageMethods
{
    /// <summary>Sends a text message; a random non-zero <paramref name="randomId"/> is chosen when none is given (pass the same one to retry safely).
    /// <paramref name="silent"/> sends it without sound: the recipients get it as usual, notified quietly (<see cref="Message.Silent"/>).
    /// <paramref name="quote"/> (with <paramref name="replyToId"/>) quotes part of the replied message's text: the message
    /// carries it as the server checked it (<see cref="Message.ReplyQuote"/>, its offset corrected when the text stands elsewhere).
    /// <paramref name="topicId"/>: the forum topic it goes to (0 or none: General; a reply goes to its replied message's).</summary>
    public static async Task<SentMessage> SendMessageAsync(
        this MessengerClient client, Peer peer, string text, long? replyToId = null, long? randomId = null, bool silent = false,
        ReplyQuote? quote = null, long? topicId = null, CancellationToken cancellationToken = default)
    {
        var id = randomId ?? NewRandomId();
        var sent = await client.CallAsync(new SendMessageCall(peer, id, text, replyToId, Silent: silent, Quote: quote, TopicId: topicId), cancellationToken);
        client.Events.Observe(sent, edited: false, id);
        return sent;
    }

    /// <summary>Keeps a message to be sent at <paramref name="date"/> (it reaches the chat then, as a normal send): text,
    /// or a file uploaded before (<paramref name="media"/>, see <c>UploadFileAsync</c>) with <paramref name="text"/> as its
    /// caption; a random non-zero <paramref name="randomId"/> is chosen when none is given. <paramref name="silent"/>: it goes
    /// out without sound. <paramref name="quote"/>: part of the replied message it quotes, checked now. <paramref name="topicId"/>:
    /// the forum topic it goes to.</summary>
    public static Task<ScheduledMessage> ScheduleMessageAsync(
        this MessengerClient client, Peer peer, string text, DateTimeOffset date, long? replyToId = null, long? randomId = null,
        Contracts.Media.InputMedia? media = null, bool silent = false, ReplyQuote? quote = null, long? topicId = null, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SendScheduledCall(peer, randomId ?? NewRandomId(), text, date.ToUnixTimeSeconds(), replyToId, media, silent, quote, topicId), cancellationToken);

    /// <summary>The user's messages waiting to be sent in the chat, soonest first.</summary>
    public static async Task<ScheduledMessage[]> GetScheduledAsync(this MessengerClient client, Peer peer, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetScheduledCall(peer), cancellationToken)).Messages;

    /// <summary>Cancels waiting messages of the user in the chat.</summary>
    public static Task<Done> DeleteScheduledAsync(this MessengerClient client, Peer peer, long[] ids, CancellationToken cancellationToken = default) =>
        client.CallAsync(new DeleteScheduledCall(peer, ids), cancellationToken);

    /// <summary>Up to <paramref name="limit"/> messages of the chat older than <paramref name="offsetId"/> (0: the newest), newest first.</summary>
    public static async Task<Message[]> GetHistoryAsync(
        this MessengerClient client, Peer peer, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        (await client.GetHistoryPageAsync(peer, offsetId, limit, cancellationToken)).Messages;

    /// <summary>As <see cref="GetHistoryAsync"/>, with the reactions of the messages that have any (and the user's own).</summary>
    public static Task<MessageList> GetHistoryPageAsync(
        this MessengerClient client, Peer peer, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetHistoryCall(peer, offsetId, limit), cancellationToken);

    /// <summary>The thread of message <paramref name="messageId"/>: the messages answering it, oldest first, newer than
    /// <paramref name="offsetId"/> (0: from the first). A history page's <see cref="MessageList.Replies"/> says which have one.</summary>
    public static Task<MessageList> GetRepliesAsync(
        this MessengerClient client, Peer peer, long messageId, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetRepliesCall(peer, messageId, offsetId, limit), cancellationToken);

    /// <summary>The group messages naming the user or answering theirs that they have not read, oldest first, newer than
    /// <paramref name="offsetId"/> (0: from the oldest).</summary>
    public static Task<MessageList> GetUnreadMentionsAsync(
        this MessengerClient client, Peer peer, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetUnreadMentionsCall(peer, offsetId, limit), cancellationToken);

    /// <summary>Marks every unread mention of the user in a group read, without reading the chat.</summary>
    public static Task<AffectedMessages> ReadMentionsAsync(this MessengerClient client, Peer peer, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ReadMentionsCall(peer), cancellationToken);

    /// <summary>Marks the thread of message <paramref name="messageId"/> read up to <paramref name="maxId"/> (the newest
    /// answer shown); the user then follows it (<see cref="ReplyCount.UnreadCount"/>) and their other devices get
    /// <see cref="ThreadRead"/>. In a forum this is the thread of the message even when it opened a topic (a topic's
    /// own read is <see cref="TopicMethods.ReadTopicAsync"/>).</summary>
    public static Task<AffectedMessages> ReadThreadAsync(
        this MessengerClient client, Peer peer, long messageId, long maxId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ReadThreadCall(peer, messageId, maxId, Topic: false), cancellationToken);

    /// <summary>The chat's shared media of one kind (<see cref="SharedMedia"/>: photo, video, audio, document, link), newest
    /// first, older than <paramref name="offsetId"/> (0: the newest).</summary>
    public static Task<MessageList> GetSharedMediaAsync(
        this MessengerClient client, Peer peer, string filter, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetSharedMediaCall(peer, filter, offsetId, limit), cancellationToken);

    /// <summary>A page of the caller's chats, most recent activity first.</summary>
    public static Task<Dialogs> GetDialogsAsync(this MessengerClient client, int offset = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetDialogsCall(offset, limit), cancellationToken);

    /// <summary>The chat-list rows (as <see cref="GetDialogsAsync"/> gives them) for up to 100 users, groups or channels;
    /// a peer the user has no row for is left out.</summary>
    public static async Task<Dialog[]> GetPeerDialogsAsync(this MessengerClient client, IEnumerable<Peer> peers, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetPeerDialogsCall([.. peers]), cancellationToken)).Items;

    /// <summary>Replaces the text of one of the caller's own messages and returns the message as it is now.</summary>
    public static async Task<SentMessage> EditMessageAsync(
        this MessengerClient client, Peer peer, long id, string text, CancellationToken cancellationToken = default)
    {
        var edited = await client.CallAsync(new EditMessageCall(peer, id, text), cancellationToken);
        client.Events.Observe(edited, edited: true);
        return edited;
    }

    /// <summary>Deletes messages for the caller, or for everyone with <paramref name="revoke"/>; not repeated as an event on this device.
    /// The stream then leaves out later changes to them in a large group's log (edits, reactions, poll results) and
    /// reports a pin of one without the message, as it does for a deletion on another device.</summary>
    public static async Task<AffectedMessages> DeleteMessagesAsync(
        this MessengerClient client, Peer peer, long[] ids, bool revoke, CancellationToken cancellationToken = default)
    {
        var affected = await ObservedAsync(client, new DeleteMessagesCall(peer, ids, revoke), peer, cancellationToken);
        client.Events.ObserveDeleted(ids);
        return affected;
    }

    /// <summary>Clears the chat for the user — every message, or those with id ≤ <paramref name="maxId"/> — calling
    /// <c>messages.deleteHistory</c> batch by batch until it is done; with <paramref name="revoke"/> (private chats) the
    /// user's own messages are deleted for the other user too. Returns how many log positions the batches took; they
    /// are not repeated as events on this device.</summary>
    public static async Task<int> DeleteHistoryAsync(
        this MessengerClient client, Peer peer, bool revoke = false, long maxId = 0, CancellationToken cancellationToken = default)
    {
        var positions = 0;
        do
        {
            var batch = await client.CallAsync(new DeleteHistoryCall(peer, maxId, revoke), cancellationToken);
            client.Events.Observe(new AffectedMessages(batch.Pts, batch.PtsCount));
            positions += batch.PtsCount;
            maxId = batch.Offset;
        }
        while (maxId > 0);

        return positions;
    }

    /// <summary>Who has read the user's own message <paramref name="id"/> ("seen by"): the other user of a private chat or
    /// the members of a small group, by id.</summary>
    public static async Task<long[]> GetReadParticipantsAsync(
        this MessengerClient client, Peer peer, long id, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetReadParticipantsCall(peer, id), cancellationToken)).UserIds;

    /// <summary>Adds message <paramref name="id"/> to the chat's pinned messages for everyone in it (posting the service
    /// message <c>pin_message</c> unless <paramref name="silent"/>); the result carries the newest pinned message, the
    /// count and the service message, and none of it is repeated as an event on this device.</summary>
    public static Task<PinResult> PinMessageAsync(
        this MessengerClient client, Peer peer, long id, bool silent = false, CancellationToken cancellationToken = default) =>
        ObservedPinAsync(client, new PinMessageCall(peer, id, Unpin: false, silent), cancellationToken);

    /// <summary>Takes message <paramref name="id"/> off the chat's pinned messages (0: the newest); not repeated as an
    /// event on this device.</summary>
    public static Task<PinResult> UnpinMessageAsync(this MessengerClient client, Peer peer, long id = 0, CancellationToken cancellationToken = default) =>
        ObservedPinAsync(client, new PinMessageCall(peer, id, Unpin: true), cancellationToken);

    /// <summary>Takes every pinned message of the chat off the list, for everyone in it; not repeated as an event on this
    /// device.</summary>
    public static Task<AffectedMessages> UnpinAllAsync(this MessengerClient client, Peer peer, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new UnpinAllMessagesCall(peer), peer, cancellationToken);

    /// <summary>The chat's pinned messages, newest first, older than <paramref name="offsetId"/> (0: from the newest).</summary>
    public static async Task<Message[]> GetPinnedAsync(
        this MessengerClient client, Peer peer, long offsetId = 0, int limit = PinnedMessages.MaxPinned, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetPinnedMessagesCall(peer, offsetId, limit), cancellationToken)).Messages;

    private static async Task<PinResult> ObservedPinAsync(MessengerClient client, PinMessageCall call, CancellationToken cancellationToken)
    {
        var result = await client.CallAsync(call, cancellationToken);
        client.Events.Observe(new AffectedMessages(result.Pts, result.PtsCount, result.Channel), call.Peer);
        return result;
    }

    /// <summary>Turns the chat's auto-delete on (messages posted from now on are deleted for everyone
    /// <paramref name="period"/> after they were sent; at least <see cref="HistoryTtl.Min"/>) or off (<see cref="TimeSpan.Zero"/>).
    /// The result is the service message <c>set_ttl</c>, not repeated as an event on this device.</summary>
    public static async Task<SentMessage> SetHistoryTtlAsync(
        this MessengerClient client, Peer peer, TimeSpan period, CancellationToken cancellationToken = default)
    {
        var sent = await client.CallAsync(new SetHistoryTtlCall(peer, (int)period.TotalSeconds), cancellationToken);
        client.Events.Observe(sent, edited: false);
        return sent;
    }

    /// <summary>Reacts to message <paramref name="id"/> with one emoji, replacing the user's earlier reaction, or takes it
    /// back (null); the answer carries the message's reactions now, and it is not repeated as an event on this device.</summary>
    public static async Task<ReactionsChanged> SendReactionAsync(
        this MessengerClient client, Peer peer, long id, string? reaction, CancellationToken cancellationToken = default)
    {
        var changed = await client.CallAsync(new SendReactionCall(peer, id, reaction), cancellationToken);
        client.Events.Observe(new AffectedMessages(changed.Pts, changed.PtsCount, changed.Channel), peer);
        return changed;
    }

    /// <summary>Posts a poll (question and 2–10 options; <paramref name="multipleChoice"/> lets a voter pick several,
    /// <paramref name="publicVoters"/> lets the chat see who chose what); a random non-zero <paramref name="randomId"/> is
    /// chosen when none is given; <paramref name="silent"/> posts it without sound; <paramref name="quote"/> quotes part of
    /// the replied message; <paramref name="topicId"/>: the forum topic it goes to.</summary>
    public static Task<SentMessage> SendPollAsync(
        this MessengerClient client, Peer peer, string question, string[] options, bool multipleChoice = false, bool publicVoters = false,
        long? replyToId = null, long? randomId = null, bool silent = false, ReplyQuote? quote = null, long? topicId = null,
        CancellationToken cancellationToken = default) =>
        PostPollAsync(client, peer, new Poll(question, options, multipleChoice, publicVoters), replyToId, randomId, silent, cancellationToken, quote, topicId);

    /// <summary>Posts a quiz: one right answer (<paramref name="correctOption"/>, an index of <paramref name="options"/>) and
    /// an optional explanation; readers learn both once they answer (their answer is final); <paramref name="topicId"/>:
    /// the forum topic it goes to.</summary>
    public static Task<SentMessage> SendQuizAsync(
        this MessengerClient client, Peer peer, string question, string[] options, int correctOption, string? solution = null,
        long? replyToId = null, long? randomId = null, long? topicId = null, CancellationToken cancellationToken = default) =>
        PostPollAsync(client, peer, new Poll(question, options, Quiz: true, CorrectOption: correctOption, Solution: solution), replyToId, randomId, false,
            cancellationToken, topicId: topicId);

    private static async Task<SentMessage> PostPollAsync(
        MessengerClient client, Peer peer, Poll poll, long? replyToId, long? randomId, bool silent, CancellationToken cancellationToken, ReplyQuote? quote = null,
        long? topicId = null)
    {
        var id = randomId ?? NewRandomId();
        var sent = await client.CallAsync(new SendPollCall(peer, id, poll, replyToId, silent, quote, topicId), cancellationToken);
        client.Events.Observe(sent, edited: false, id);
        return sent;
    }

    /// <summary>Votes in a poll for the options at <paramref name="options"/> (none takes the vote back); the chat gets
    /// <see cref="PollUpdated"/>.</summary>
    public static Task<PollChanged> VoteAsync(
        this MessengerClient client, Peer peer, long id, int[] options, CancellationToken cancellationToken = default) =>
        ObservedPollAsync(client, new SendVoteCall(peer, id, options), peer, cancellationToken);

    /// <summary>Ends the voting of one of the user's own polls.</summary>
    public static Task<PollChanged> ClosePollAsync(
        this MessengerClient client, Peer peer, long id, CancellationToken cancellationToken = default) =>
        ObservedPollAsync(client, new ClosePollCall(peer, id), peer, cancellationToken);

    /// <summary>Who chose option <paramref name="option"/> of a poll with public voters, the latest first.</summary>
    public static Task<PollVoters> GetPollVotersAsync(
        this MessengerClient client, Peer peer, long id, int option, int offset = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetPollVotersCall(peer, id, option, offset, limit), cancellationToken);

    /// <summary>Keeps the text the user is writing in the chat for their other devices (empty clears it; clear it after
    /// sending); they get <see cref="DraftChanged"/>. <paramref name="quote"/>: part of the replied message the reply will quote.</summary>
    public static Task<AffectedMessages> SaveDraftAsync(
        this MessengerClient client, Peer peer, string text, long? replyToId = null, ReplyQuote? quote = null, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new SaveDraftCall(peer, text, replyToId, quote), null, cancellationToken);

    /// <summary>Keeps the chat at the top of the user's chat list, or lets it go (at most five pinned); the user's other
    /// devices get <see cref="DialogPinChanged"/>.</summary>
    public static Task<AffectedMessages> PinDialogAsync(
        this MessengerClient client, Peer peer, bool pinned = true, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new ToggleDialogPinCall(peer, pinned), null, cancellationToken);

    /// <summary>Moves the chat out of the user's main list (it stays archived when new messages come), or back; the user's
    /// other devices get <see cref="DialogArchiveChanged"/>.</summary>
    public static Task<AffectedMessages> ArchiveDialogAsync(
        this MessengerClient client, Peer peer, bool archived = true, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new ToggleDialogArchiveCall(peer, archived), null, cancellationToken);

    /// <summary>Marks the chat unread for the user to come back to it, or takes the mark off (do when the chat is opened);
    /// the user's other devices get <see cref="DialogUnreadMarkChanged"/>.</summary>
    public static Task<AffectedMessages> MarkDialogUnreadAsync(
        this MessengerClient client, Peer peer, bool unread = true, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new MarkDialogUnreadCall(peer, unread), null, cancellationToken);

    /// <summary>The user's chat folders, in the order their tabs show (<see cref="DialogFolders.Contains"/> tells which
    /// chats each holds).</summary>
    public static async Task<DialogFilter[]> GetDialogFiltersAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetDialogFiltersCall(), cancellationToken)).Filters;

    /// <summary>Creates the folder (its id 2–255 not in use: <see cref="DialogFolders.FreeId"/>; it goes last) or replaces
    /// the one with its id; the user's other devices get <see cref="DialogFilterChanged"/>.</summary>
    public static Task<AffectedMessages> SaveDialogFilterAsync(this MessengerClient client, DialogFilter filter, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new UpdateDialogFilterCall(filter.Id, filter), null, cancellationToken);

    /// <summary>Deletes folder <paramref name="id"/> (the chats in it stay where they are); the user's other devices get
    /// <see cref="DialogFilterChanged"/> with no filter.</summary>
    public static Task<AffectedMessages> DeleteDialogFilterAsync(this MessengerClient client, int id, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new UpdateDialogFilterCall(id, null), null, cancellationToken);

    /// <summary>Puts the user's folders in <paramref name="order"/> (each folder's id once); the user's other devices get
    /// <see cref="DialogFiltersReordered"/>.</summary>
    public static Task<AffectedMessages> ReorderDialogFiltersAsync(this MessengerClient client, int[] order, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new UpdateDialogFiltersOrderCall(order), null, cancellationToken);

    /// <summary>Mutes the chat for the user until <paramref name="muteUntil"/> (<see cref="NotifySettings.MuteForever"/>
    /// for good), or unmutes it (null); the user's other devices get <see cref="NotifySettingsChanged"/>.</summary>
    public static Task<AffectedMessages> MuteChatAsync(
        this MessengerClient client, Peer peer, DateTimeOffset? muteUntil, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new UpdateNotifySettingsCall(peer, muteUntil?.ToUnixTimeSeconds() ?? 0), null, cancellationToken);

    /// <summary>Reports incoming messages up to <paramref name="maxId"/> as delivered (done automatically with <see cref="MessengerClientOptions.AutoReceipt"/>).</summary>
    public static Task<Done> ReceivedMessagesAsync(this MessengerClient client, long maxId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ReceivedMessagesCall(maxId), cancellationToken);

    /// <summary>Marks the chat read up to <paramref name="maxId"/>; not repeated as an event on this device.</summary>
    public static Task<AffectedMessages> ReadHistoryAsync(
        this MessengerClient client, Peer peer, long maxId, CancellationToken cancellationToken = default) =>
        ObservedAsync(client, new ReadHistoryCall(peer, maxId), peer, cancellationToken);

    /// <summary>Tells the peer the caller is typing (one of <see cref="TypingActions"/>); repeat within 6 s to extend.</summary>
    public static Task<Done> SetTypingAsync(
        this MessengerClient client, Peer peer, string action = TypingActions.Typing, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SetTypingCall(peer, action), cancellationToken);

    /// <summary>Stops the user from sending to the caller.</summary>
    public static Task<Done> BlockUserAsync(this MessengerClient client, long userId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new BlockUserCall(userId), cancellationToken);

    /// <summary>The users the caller has blocked.</summary>
    public static async Task<long[]> GetBlockedAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetBlockedCall(), cancellationToken)).UserIds;

    /// <summary>Lets a blocked user send to the caller again.</summary>
    public static Task<Done> UnblockUserAsync(this MessengerClient client, long userId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new UnblockUserCall(userId), cancellationToken);

    /// <summary>The caller's current update log position (<see cref="UpdateStream"/> calls it for you).</summary>
    public static Task<UpdatesState> GetStateAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetStateCall(), cancellationToken);

    /// <summary>Up to <paramref name="limit"/> logged updates after <paramref name="pts"/> (<see cref="UpdateStream"/> calls it for you).</summary>
    public static Task<Difference> GetDifferenceAsync(this MessengerClient client, long pts, int limit = 1000, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetDifferenceCall(pts, limit), cancellationToken);

    /// <summary>Marks the caller offline (app in the background) or online again.</summary>
    public static Task<Done> UpdateStatusAsync(this MessengerClient client, bool offline, CancellationToken cancellationToken = default) =>
        client.CallAsync(new UpdateStatusCall(offline), cancellationToken);

    /// <summary>Presses the button with <paramref name="data"/> under a bot's message and waits (up to 10 s) for the bot's
    /// answer to show.</summary>
    public static Task<BotCallbackAnswer> GetBotCallbackAnswerAsync(
        this MessengerClient client, Peer peer, long messageId, string data, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetBotCallbackAnswerCall(peer, messageId, data), cancellationToken);

    /// <summary>The server's VAPID public key (base64url), the <c>applicationServerKey</c> a Web Push subscription needs.</summary>
    public static async Task<string> GetPushKeyAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetPushKeyCall(), cancellationToken)).VapidPublicKey;

    /// <summary>Subscribes this device to Web Push: while it is not connected, its new messages go to
    /// <paramref name="endpoint"/>, encrypted for <paramref name="p256dh"/> and <paramref name="auth"/> (base64url).</summary>
    public static Task<Done> RegisterPushAsync(
        this MessengerClient client, string endpoint, string p256dh, string auth, CancellationToken cancellationToken = default) =>
        client.CallAsync(new RegisterPushCall(endpoint, p256dh, auth), cancellationToken);

    /// <summary>This device gets no more Web Push notifications.</summary>
    public static Task<Done> UnregisterPushAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new UnregisterPushCall(), cancellationToken);

    /// <summary>Online state and last-seen time of up to 200 users who share a private chat with the caller.</summary>
    public static async Task<UserStatusUpdate[]> GetStatusesAsync(this MessengerClient client, long[] ids, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetStatusesCall(ids), cancellationToken)).Items;

    /// <summary>Makes the call and gives its answer to the update stream, so the push of this change is not reported
    /// again on this device (<paramref name="peer"/>: the large group whose own log moved, when the answer says so).</summary>
    private static async Task<AffectedMessages> ObservedAsync(
        MessengerClient client, IRpcCall<AffectedMessages> call, Peer? peer, CancellationToken cancellationToken)
    {
        var affected = await client.CallAsync(call, cancellationToken);
        client.Events.Observe(affected, peer);
        return affected;
    }

    private static async Task<PollChanged> ObservedPollAsync(
        MessengerClient client, IRpcCall<PollChanged> call, Peer peer, CancellationToken cancellationToken)
    {
        var changed = await client.CallAsync(call, cancellationToken);
        client.Events.Observe(new AffectedMessages(changed.Pts, changed.PtsCount, changed.Channel), peer);
        return changed;
    }

    private static long NewRandomId() => Random.Shared.NextInt64(1, long.MaxValue);
}
