using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Groups;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Chats;

/// <summary>What posting one message did: the message, the log entries it caused, and the entry that answers the poster.</summary>
internal sealed record Posted(ChatMessage Message, List<LogAppend> Appends, LoggedUpdate Answer, bool Channel);

/// <summary>
/// Posting a message into a chat, inside a writer unit: the row, the search index, the dialogs (private chats and small
/// groups: one per member) or the chat's newest message (large groups), and one <c>new_message</c> per log of the
/// audience — every member's for a small group, the chat's own for a large one (O(1) rows whatever its size).
/// </summary>
internal static class Delivery
{
    public static Posted Post(
        WriteScope scope, IUpdateLog log, ChatTarget target, long me, long randomId, string text, long? replyToId, ServiceAction? action, long now,
        Func<long, MessageMedia?>? attachMedia = null, long? forwardedFrom = null, Poll? poll = null, ReplyMarkup? replyMarkup = null, bool silent = false,
        ReplyQuote? quote = null, MessageGeo? geo = null)
    {
        // Auto-delete applies to what people post, not to the service messages that record the chat's changes.
        var ttl = action is null ? MessageStore.TtlPeriod(scope, target.ChatId) : 0;
        int? ttlPeriod = ttl > 0 ? ttl : null;
        // A group's message outside topics stores 0 (General, when the group is a forum), which the topics' index holds;
        // a private chat's null, so its inserts pay nothing for that index. A topic_create message takes its own id below.
        var id = MessageStore.InsertMessage(scope, target.ChatId, me, randomId, target.ToPeer, now, text, replyToId, action, now + ttlPeriod,
            geo is not null ? SharedMedia.NumberOf(SharedMedia.Geo) : action is null && poll is null ? MessageStore.SharedKindOf(null, text) : null, silent,
            target.IsPrivate ? null : target.TopicId == Topics.TopicStore.OwnTopic ? 0L : target.TopicId);
        var topicId = target.TopicId == Topics.TopicStore.OwnTopic ? id : target.TopicId;
        if (topicId != 0)
        {
            // Only forum topics' posts pay for these statements.
            Topics.TopicStore.Tag(scope, target.ChatId, id, topicId, retag: target.TopicId == Topics.TopicStore.OwnTopic);
        }

        var media = attachMedia?.Invoke(id);
        if (media is not null)
        {
            MessageStore.SetMedia(scope, id, media);
        }

        if (forwardedFrom is not null)
        {
            // Only forwards pay for this statement; a send's insert stays as it was.
            scope.Execute("UPDATE message_messages SET fwd_from_id = @from WHERE id = @id", ("@from", forwardedFrom), ("@id", id));
        }

        if (poll is not null)
        {
            PollStore.Create(scope, id, poll);
        }

        if (replyMarkup is not null)
        {
            // Only bots' messages pay for this statement.
            scope.Execute("UPDATE message_messages SET reply_markup = @markup WHERE id = @id", ("@markup", WireSerializer.Serialize(replyMarkup)), ("@id", id));
        }

        if (quote is not null)
        {
            // Only quoting replies pay for this statement.
            scope.Execute("UPDATE message_messages SET quote_text = @text, quote_offset = @offset WHERE id = @id",
                ("@text", quote.Text), ("@offset", quote.Offset), ("@id", id));
        }

        if (geo is not null)
        {
            // Only location messages pay for this statement.
            scope.Execute("UPDATE message_messages SET geo = @geo WHERE id = @id", ("@geo", WireSerializer.Serialize(geo)), ("@id", id));
        }

        var message = new ChatMessage(id, me, target.ToPeer, now, text, replyToId, null, action, media)
        {
            FwdFromId = forwardedFrom, Poll = poll?.ForReaders(), TtlPeriod = ttlPeriod, ReplyMarkup = replyMarkup, Silent = silent, ReplyQuote = quote, Geo = geo,
            TopicId = topicId,
        };
        SearchIndex.Add(scope, id, target.ChatId, poll is null ? text : string.Join('\n', [poll.Question, .. poll.Options]));
        if (target.HasOwnLog)
        {
            scope.Execute("UPDATE message_chats SET top_message_id = @id, last_activity = @now WHERE id = @chat",
                ("@id", id), ("@now", now), ("@chat", target.ChatId));
        }

        var update = new NewMessageUpdate(message);
        // The sender's random_id is their private idempotency key: only their own entry carries it (a separate row from
        // the others', which share one serialized payload), never a recipient's. A large group's shared log stores it for
        // nobody: the sender's devices get their own copy of the entry live (ForSender) and find the random_id in the
        // message's row when they read the log (GetOwnRandomIdsQuery). A service message's random id is the server's own,
        // so it has none.
        var sendersUpdate = action is null ? update with { RandomId = randomId } : update;
        var appends = new List<LogAppend>();
        foreach (var (owner, peer) in target.Audience(scope, me))
        {
            if (LogOwners.IsChat(owner))
            {
                var shared = log.Append(scope, owner, update, now, id);
                appends.Add(new LogAppend(owner, shared, ForSender: action is null ? new SenderCopy(me, shared with { Update = sendersUpdate }) : null));
                continue;
            }

            MessageStore.TouchDialog(scope, owner, target.ChatId, peer, id, now, incoming: owner != me);
            appends.Add(new LogAppend(owner, log.Append(scope, owner, owner == me ? sendersUpdate : update, now, id)));
        }

        CopyToBots(scope, log, target, me, update, now, id, appends);
        var answerOwner = target.AnswerLog(me);
        var answer = appends.Find(a => a.OwnerId == answerOwner) is { Update: { } own } ? own : new LoggedUpdate(log.CurrentPts(scope, me), 0, now, update);
        return new Posted(message, appends, answer, target.HasOwnLog);
    }

    /// <summary>
    /// An author's message changed (its text, a bot's buttons), inside the unit that changed it: <c>edit_message</c> with
    /// the message as it is now into every log of the chat's audience that still shows it (not a member's who deleted it
    /// for themselves, <see cref="ChatTarget.AudienceSeeing"/>; and its bots' in a large group), answered to the author
    /// with their own entry's position.
    /// </summary>
    public static SentMessage TellEdit(WriteScope scope, IUpdateLog log, ChatTarget target, long me, ChatMessage edited, long now, List<LogAppend> appends)
    {
        var update = new EditMessageUpdate(edited);
        foreach (var (owner, _) in target.AudienceSeeing(scope, me, edited.Id))
        {
            appends.Add(new LogAppend(owner, log.Append(scope, owner, update, now, edited.Id)));
        }

        CopyToBots(scope, log, target, me, update, now, edited.Id, appends);
        var answer = appends.Find(a => a.OwnerId == target.AnswerLog(me)).Update;
        return new SentMessage(edited, answer.Pts, answer.PtsCount, target.HasOwnLog);
    }

    /// <summary>
    /// A large group's or channel's bots (of the Bot HTTP API) read one log, their own (<c>getUpdates</c>): a message's
    /// update in the chat's log is copied into theirs too — a few rows, whatever the chat's size. A revoke redacts the
    /// copies with the rest.
    /// </summary>
    public static void CopyToBots(WriteScope scope, IUpdateLog log, ChatTarget target, long me, Update update, long now, long messageId, List<LogAppend> appends)
    {
        if (!target.HasOwnLog)
        {
            return;
        }

        foreach (var bot in GroupStore.BotMemberIds(scope, target.ChatId))
        {
            if (bot != me)
            {
                appends.Add(new LogAppend(bot, log.Append(scope, bot, update, now, messageId)));
            }
        }
    }

    /// <summary>
    /// A new message of the caller's own (<c>messages.send</c>, <c>messages.sendPoll</c>), inside its unit: a random_id
    /// already used answers with the first message (a resend); otherwise the chat is opened for posting, the replied-to
    /// message must be one the caller sees, and <paramref name="post"/> stores it with <paramref name="quote"/> as checked
    /// against the replied message (<see cref="ReplyQuotes.Resolve"/>; one checked already — a scheduled message's — is
    /// taken as it is when <paramref name="quoteChecked"/>), into the forum topic <paramref name="topicId"/> asks for
    /// (<see cref="Topics.TopicStore.ForPost"/>: a reply's is its replied message's; with <paramref name="orGeneral"/>
    /// General when that topic is no longer open to the caller). The log appends to push go to <paramref name="appends"/>.
    /// </summary>
    public static SentMessage PostOnce(
        WriteScope scope, IUpdateLog log, long me, ChatTarget target, long randomId, long? replyToId, long now, List<LogAppend> appends,
        ChatRights content, Func<ChatTarget, long, ReplyQuote?, Posted> post, ReplyQuote? quote = null, bool quoteChecked = false, long? topicId = null,
        bool orGeneral = false)
    {
        if (MessageStore.FindByRandomId(scope, me, randomId) is { } first)
        {
            return Resent(first, target, me, log, scope);
        }

        var chat = OpenForPosting(scope, me, target, now, content);
        var replied = replyToId is { } replyTo
            ? MessageStore.FindVisible(scope, me, chat.ChatId, replyTo) ?? throw MessengerError.BadRequest(MessageErrorNames.ReplyToInvalid)
            : null;
        var kept = quote is null || replied is null ? null : quoteChecked ? quote : ReplyQuotes.Resolve(quote, replied);
        chat = chat with { TopicId = Topics.TopicStore.ForPost(scope, chat, topicId, replied, orGeneral) };
        var posted = post(chat, now, kept);
        appends.AddRange(posted.Appends);
        return new SentMessage(posted.Message, posted.Answer.Pts, posted.Answer.PtsCount, posted.Channel);
    }

    /// <summary>
    /// The answer to a resend — its random_id already used by <paramref name="first"/>: that message, with pts_count 0 at
    /// the position (read inside the unit when <paramref name="scope"/> is given) of the log it went into: the large
    /// group's own for a post in <paramref name="target"/> when it keeps one, else the caller's. The first run's push
    /// skipped the calling connection, so a device whose answer was lost (a call it gave up, a dropped link) knows of the
    /// message only by this answer: a position ahead of its own in the right log shows it the gap, and it fetches the
    /// message.
    /// </summary>
    public static SentMessage Resent(Contracts.Messages.Message first, ChatTarget target, long me, IUpdateLog log, WriteScope? scope)
    {
        var channel = target.HasOwnLog && first.ToPeer == target.ToPeer;
        var owner = channel ? LogOwners.OfChat(target.ChatId) : me;
        return new SentMessage(first, scope is null ? log.CurrentPts(owner) : log.CurrentPts(scope, owner), 0, channel);
    }

    /// <summary>
    /// Inside the unit, before posting <paramref name="content"/> (a post's rights: <see cref="ChatRights.Text"/>,
    /// <see cref="ChatRights.Media"/>, <see cref="ChatRights.Poll"/>; <see cref="ChatRights.None"/> for a change that is
    /// not a member's post): a private chat is created on its first message and refused when either side blocked the
    /// other; a group must still have the caller as a member, a channel an admin, and a group's plain member the rights
    /// and the slow mode's leave (<see cref="ChatRightsRules.RequirePost"/>).
    /// </summary>
    public static ChatTarget OpenForPosting(WriteScope scope, long me, ChatTarget target, long now, ChatRights content) =>
        target.IsPrivate ? OpenPrivateChat(scope, me, target, now) : CheckGroupPosting(scope, me, target, now, content);

    /// <summary>
    /// Inside the unit, before answering a message (a reaction, a vote): as <see cref="OpenForPosting"/> in a private
    /// chat (blocks hold); in a group only membership counts, so a channel's subscribers answer too.
    /// </summary>
    public static ChatTarget OpenForResponding(WriteScope scope, long me, ChatTarget target, long now) =>
        target.IsPrivate
            ? OpenPrivateChat(scope, me, target, now)
            : target with { Role = GroupStore.RoleOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound) };

    private static ChatTarget OpenPrivateChat(WriteScope scope, long me, ChatTarget target, long now)
    {
        switch (MessageStore.BlockBetween(scope, me, target.OtherUserId))
        {
            case Block.ByPeer:
                throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
            case Block.ByMe:
                throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
        }

        // A private chat's id never changes once created: the one found before the unit is still right.
        return target.ChatId != 0 ? target : target with { ChatId = MessageStore.PrivateChatId(scope, me, target.OtherUserId, now) };
    }

    private static ChatTarget CheckGroupPosting(WriteScope scope, long me, ChatTarget target, long now, ChatRights content)
    {
        var poster = GroupStore.PosterOf(scope, target.ChatId, me) ?? throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        ChatRightsRules.RequireChannelPoster(target.GroupKind, poster.Role);
        ChatRightsRules.RequirePost(scope, target.ChatId, me, poster, content, now);
        return target with { Role = poster.Role, Forum = poster.Forum };
    }

    /// <summary>A random id for a message the server posts itself (service messages): negative, so it never meets a
    /// client's (clients may use any non-zero value, but the SDK picks positive ones).</summary>
    public static long ServiceRandomId() => Random.Shared.NextInt64(long.MinValue, -1);
}

/// <summary>
/// The FTS5 index of message texts (<c>message_search</c>: words, and the chat as the token <c>c&lt;id&gt;</c>). Its
/// writes wait for the end of the unit's batch (<see cref="WriteScope.AtBatchEnd"/>), in order, in the same
/// transaction: FTS5 writes its pending terms out as a new segment at every savepoint, so an insert inside each send's
/// unit meant a segment per message and constant merging; at the batch's end a batch of messages makes one.
/// </summary>
internal static class SearchIndex
{
    public static void Add(WriteScope scope, long messageId, long chatId, string text)
    {
        if (text.Length > 0)
        {
            var chat = ChatToken(chatId);
            scope.AtBatchEnd(batch => batch.Statement("INSERT INTO message_search (rowid, text, chat) VALUES (@id, @text, @chat)")
                .Bind("@id", messageId).Bind("@text", text).Bind("@chat", chat).Execute());
        }
    }

    public static void Remove(WriteScope scope, long messageId) =>
        scope.AtBatchEnd(batch => batch.Execute("DELETE FROM message_search WHERE rowid = @id", ("@id", messageId)));

    public static string ChatToken(long chatId) => $"c{chatId}";
}
