using System.Text.Json;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Message.Chats;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Topics;

/// <summary>A topic as stored (<c>message_topics</c>).</summary>
internal sealed record TopicState(long Id, long ChatId, string Title, int IconColor, bool Closed, long CreatorId, long Date, long TopMessageId, long PinOrder = 0)
{
    public bool Pinned => PinOrder > 0;
}

/// <summary>
/// A forum's topics (<c>message_topics</c>, keyed by the id of the <c>topic_create</c> message that opened each) and its
/// messages' topic (<c>message_messages.topic_id</c>: 0 outside topics — General — in groups, null in private chats, so
/// General is paged by the same index as a topic). A topic being deleted (<c>deleting</c>) is no topic to anyone but
/// <c>messages.deleteTopic</c>, which finishes it. The write helpers run inside the caller's writer unit; the reads open
/// their own connection.
/// </summary>
internal sealed class TopicStore(SqliteDatabase database)
{
    /// <summary>A <see cref="ChatTarget.TopicId"/> that makes the message posted the first of a topic of its own: its id is
    /// the topic's (<c>topic_create</c>).</summary>
    public const long OwnTopic = -1;

    /// <summary>How many messages one unit of <c>messages.deleteTopic</c> revokes: a topic of any size is erased without
    /// holding the writer long.</summary>
    public const int DeleteBatchSize = 500;

    /// <summary>How many of a topic's newest unread messages are searched for the reader's own (<see cref="ToTopic"/>).</summary>
    private const int OwnMessageWindow = 1000;

    private const string TopicColumns = "id, chat_id, title, icon_color, closed, creator_id, date, top_message_id, pin_order";

    private const string ListColumns = "t.id, t.chat_id, t.title, t.icon_color, t.closed, t.creator_id, t.date, t.top_message_id, t.pin_order";

    /// <summary>
    /// The topic a post into <paramref name="chat"/> goes to, inside its unit: a reply's is its replied message's (a
    /// thread stays in its topic), else <paramref name="requested"/> (none or 0: General). Outside a forum only none or
    /// 0 may be asked for. The topic must exist in the chat (<c>TOPIC_ID_INVALID</c>) and be open for a plain member
    /// (<c>TOPIC_CLOSED</c>) — unless <paramref name="orGeneral"/> (a scheduled message going out, whose topic may have
    /// been closed or deleted, or the forum turned off, since it was scheduled): it then goes into General, never lost.
    /// </summary>
    public static long ForPost(WriteScope scope, ChatTarget chat, long? requested, ChatMessage? replied, bool orGeneral = false)
    {
        if (requested is < 0)
        {
            throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
        }

        if (!chat.Forum)
        {
            return requested is > 0 && !orGeneral ? throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid) : 0;
        }

        var topicId = replied?.TopicId ?? requested ?? 0;
        if (topicId == 0)
        {
            return 0;
        }

        var topic = Find(scope, chat.ChatId, topicId);
        if (topic is null)
        {
            return orGeneral ? 0 : throw MessengerError.BadRequest(TopicErrorNames.TopicIdInvalid);
        }

        if (topic.Closed && chat.Role == Contracts.Groups.MemberRole.Member)
        {
            return orGeneral ? 0 : throw MessengerError.BadRequest(TopicErrorNames.TopicClosed);
        }

        return topicId;
    }

    /// <summary>Makes a message just posted into a topic the topic's newest; with <paramref name="retag"/> (a
    /// <c>topic_create</c> message, whose topic is its own id, unknown at its insert) puts it into the topic first.</summary>
    public static void Tag(WriteScope scope, long chatId, long messageId, long topicId, bool retag)
    {
        if (retag)
        {
            scope.Execute("UPDATE message_messages SET topic_id = @topic WHERE id = @id", ("@topic", topicId), ("@id", messageId));
        }

        scope.Execute("UPDATE message_topics SET top_message_id = @id WHERE id = @topic AND chat_id = @chat",
            ("@id", messageId), ("@topic", topicId), ("@chat", chatId));
    }

    /// <summary>The chat's topic, inside a unit; null when there is none or it is being deleted, unless
    /// <paramref name="deleting"/> (<c>messages.deleteTopic</c>, which resumes an unfinished delete).</summary>
    public static TopicState? Find(WriteScope scope, long chatId, long topicId, bool deleting = false)
    {
        var command = scope.Command(
            $"SELECT {TopicColumns} FROM message_topics WHERE id = @id AND chat_id = @chat" + (deleting ? "" : " AND deleting = 0"));
        command.Parameters.AddWithValue("@id", topicId);
        command.Parameters.AddWithValue("@chat", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public static void Create(WriteScope scope, long chatId, long id, string title, int iconColor, long creatorId, long date) =>
        scope.Execute(
            "INSERT INTO message_topics (id, chat_id, title, icon_color, closed, creator_id, date, top_message_id) " +
            "VALUES (@id, @chat, @title, @color, 0, @creator, @date, @id)",
            ("@id", id), ("@chat", chatId), ("@title", title), ("@color", iconColor), ("@creator", creatorId), ("@date", date));

    public static void Update(WriteScope scope, TopicState topic) =>
        scope.Execute("UPDATE message_topics SET title = @title, icon_color = @color, closed = @closed WHERE id = @id",
            ("@title", topic.Title), ("@color", topic.IconColor), ("@closed", topic.Closed), ("@id", topic.Id));

    /// <summary>
    /// Pins the topic above the rest of its forum's list (the latest pinned first: one place more than the forum's
    /// highest), at most <see cref="TopicLimits.MaxPinned"/> at once (<c>PINNED_TOPICS_TOO_MUCH</c>), or unpins it.
    /// Topics being deleted are not counted: they are going.
    /// </summary>
    public static void Pin(WriteScope scope, long chatId, long topicId, bool pinned)
    {
        if (!pinned)
        {
            scope.Execute("UPDATE message_topics SET pin_order = 0 WHERE id = @id", ("@id", topicId));
            return;
        }

        var count = scope.Scalar("SELECT count(*) FROM message_topics WHERE chat_id = @chat AND pin_order > 0 AND deleting = 0", ("@chat", chatId));
        if (count is long pinnedNow && pinnedNow >= TopicLimits.MaxPinned)
        {
            throw MessengerError.BadRequest(TopicErrorNames.PinnedTopicsTooMuch);
        }

        scope.Execute(
            "UPDATE message_topics SET pin_order = (SELECT coalesce(max(pin_order), 0) + 1 FROM message_topics WHERE chat_id = @chat) WHERE id = @id",
            ("@chat", chatId), ("@id", topicId));
    }

    /// <summary>The first unit of a delete: from now on nobody lists, opens, reads or posts into the topic (closed as well,
    /// for anything that reads the row alone), while its messages are revoked unit by unit.</summary>
    public static void MarkDeleting(WriteScope scope, long topicId) =>
        scope.Execute("UPDATE message_topics SET deleting = 1, closed = 1 WHERE id = @id", ("@id", topicId));

    /// <summary>The last unit of a delete, once no message of the topic is left: the row goes, with the readers'
    /// positions in it, in the answers to its <c>topic_create</c> message (which revoking that message kept while the
    /// topic stood) and their mutes of it.</summary>
    public static void Delete(WriteScope scope, long chatId, long topicId)
    {
        scope.Execute("DELETE FROM message_topics WHERE id = @id", ("@id", topicId));
        scope.Execute("DELETE FROM message_topic_reads WHERE chat_id = @chat AND topic_id = @id", ("@chat", chatId), ("@id", topicId));
        scope.Execute(Editing.MessageDeletion.ForgetThreadReadsSql, ("@id", topicId));
        scope.Execute("DELETE FROM message_topic_notify WHERE chat_id = @chat AND topic_id = @id", ("@chat", chatId), ("@id", topicId));
    }

    /// <summary>Which of <paramref name="ids"/> are topics of the chat (their <c>topic_create</c> messages), each with
    /// whether it stands (true) or is being deleted (false).</summary>
    public static Dictionary<long, bool> TopicsAmong(WriteScope scope, long chatId, long[] ids)
    {
        var command = scope.Command("SELECT id, deleting = 0 FROM message_topics WHERE chat_id = @chat AND id IN (SELECT value FROM json_each(@ids))");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(ids));
        var topics = new Dictionary<long, bool>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            topics[reader.GetInt64(0)] = reader.GetBoolean(1);
        }

        return topics;
    }

    /// <summary>Topics whose delete was interrupted (read once at start-up; a server has few topics).</summary>
    public List<(long ChatId, long TopicId, long CreatorId)> Unfinished()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT chat_id, id, creator_id FROM message_topics WHERE deleting = 1";
        using var reader = command.ExecuteReader();
        var topics = new List<(long, long, long)>();
        while (reader.Read())
        {
            topics.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return topics;
    }

    /// <summary>The next of the topic's messages nobody deleted yet, oldest first, at most <paramref name="limit"/>.</summary>
    public static long[] LiveMessageIds(WriteScope scope, long chatId, long topicId, int limit)
    {
        var command = scope.Command(
            "SELECT id FROM message_messages INDEXED BY IX_message_messages_topics WHERE chat_id = @chat AND topic_id = @topic AND deleted = 0 " +
            "ORDER BY id LIMIT @limit");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@topic", topicId);
        command.Parameters.AddWithValue("@limit", limit);
        return [.. command.ReadInt64Column()];
    }

    /// <summary>
    /// After a revoke, inside its unit: a topic whose newest message went shows the newest one left (its own
    /// <c>topic_create</c> message at the least, which the topic's id names), so the list's order and previews stay true.
    /// </summary>
    public static void AfterRevoke(WriteScope scope, long chatId, long[] ids)
    {
        var command = scope.Command(
            "UPDATE message_topics SET top_message_id = coalesce((SELECT max(m.id) FROM message_messages m INDEXED BY IX_message_messages_topics " +
            "WHERE m.chat_id = @chat AND m.topic_id = message_topics.id AND m.deleted = 0), message_topics.id) " +
            "WHERE chat_id = @chat AND top_message_id IN (SELECT value FROM json_each(@ids))");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(ids));
        command.ExecuteNonQuery();
    }

    /// <summary>General's newest message: its end of the topics' index (topic 0), back over revoked ones only.</summary>
    internal const string GeneralNewestSql =
        "SELECT id FROM message_messages INDEXED BY IX_message_messages_topics WHERE chat_id = @chat AND topic_id = 0 AND deleted = 0 " +
        "ORDER BY id DESC LIMIT 1";

    /// <summary>The newest message of a forum's topic (0: General), inside a unit; 0 when there is none.</summary>
    public static long Newest(WriteScope scope, long chatId, long topicId) =>
        topicId == 0
            ? scope.Scalar(GeneralNewestSql, ("@chat", chatId)) as long? ?? 0
            : Find(scope, chatId, topicId)?.TopMessageId ?? 0;

    /// <summary>Whether a group is a forum, its creator and its date (null: no such chat).</summary>
    public (bool Forum, long CreatorId, long Date)? Chat(long chatId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT forum, coalesce(creator_id, 0), created_at FROM message_chats WHERE id = @chat";
        command.Parameters.AddWithValue("@chat", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetBoolean(0), reader.GetInt64(1), reader.GetInt64(2)) : null;
    }

    /// <summary>The user's mute of a forum's topic (0: General) while the group is a forum; 0 when none (a group whose
    /// topics are off has every message in General, which a mute of General would otherwise silence whole).</summary>
    public long MuteUntil(long userId, long chatId, long topicId)
    {
        using var connection = database.Open();
        return Scalar(connection,
            "SELECT n.mute_until FROM message_topic_notify n JOIN message_chats c ON c.id = n.chat_id AND c.forum = 1 " +
            "WHERE n.user_id = @user AND n.chat_id = @chat AND n.topic_id = @topic",
            ("@user", userId), ("@chat", chatId), ("@topic", topicId));
    }

    public bool Exists(long chatId, long topicId)
    {
        using var connection = database.Open();
        return Scalar(connection, "SELECT 1 FROM message_topics WHERE id = @id AND chat_id = @chat AND deleting = 0", ("@id", topicId), ("@chat", chatId)) == 1;
    }

    /// <summary>A page of the forum's topics by last activity, with General first on the first page besides the
    /// <paramref name="limit"/> topics (were it one of them, a page of one would hold General alone, and the next page's
    /// cursor, its last topic's newest message, would be General's and skip the topics active since), then the pinned
    /// topics, the latest pinned first, on the page without an offset — besides the limit too, and left out of the pages
    /// by activity, for the same reason: the cursor stays the last unpinned topic's.</summary>
    public ForumTopics List(long userId, long chatId, long chatCreatorId, long chatDate, long offsetDate, long offsetId, int limit, string? query)
    {
        using var connection = database.Open();
        var topics = new List<TopicState>();
        var unpaged = offsetDate == 0 && offsetId == 0;
        var first = unpaged && string.IsNullOrEmpty(query);
        // The title filter is instr() on lower(): a forum's topics are few enough to read its range whole.
        var titled = string.IsNullOrEmpty(query) ? "" : "AND instr(lower(t.title), lower(@query)) > 0 ";
        if (unpaged)
        {
            topics.AddRange(ReadTopics(connection,
                $"SELECT {ListColumns} FROM message_topics t WHERE t.chat_id = @chat AND t.pin_order > 0 AND t.deleting = 0 {titled}" +
                "ORDER BY t.pin_order DESC LIMIT @limit",
                chatId, query, 0, 0, TopicLimits.MaxPinned));
        }

        topics.AddRange(ReadTopics(connection,
            $"SELECT {ListColumns} FROM message_topics t " +
            (offsetDate > 0 ? "JOIN message_messages tm ON tm.id = t.top_message_id " : "") +
            "WHERE t.chat_id = @chat AND t.top_message_id < @offset AND t.deleting = 0 AND t.pin_order = 0 " +
            (offsetDate > 0 ? "AND tm.date < @date " : "") +
            titled +
            "ORDER BY t.top_message_id DESC LIMIT @limit",
            chatId, query, offsetId > 0 ? offsetId : long.MaxValue, offsetDate, limit));

        if (first)
        {
            var general = Scalar(connection, GeneralNewestSql, ("@chat", chatId));
            topics.Insert(0, new TopicState(0, chatId, TopicColors.GeneralTitle, TopicColors.All[0], false, chatCreatorId, chatDate, general));
        }

        var mutes = TopicMutes(connection, userId, chatId);
        var listed = topics.Select(t => ToTopic(connection, userId, chatId, t, mutes.GetValueOrDefault(t.Id))).ToArray();
        var tops = topics.Select(t => t.TopMessageId).Where(id => id > 0).ToArray();
        var messages = tops.Length == 0 ? [] : ReadMessages(connection, userId, chatId, tops);
        var count = (int)Scalar(connection, "SELECT count(*) FROM message_topics WHERE chat_id = @chat AND deleting = 0", ("@chat", chatId));
        return new ForumTopics(listed, messages, count);
    }

    private static List<TopicState> ReadTopics(SqliteConnection connection, string sql, long chatId, string? query, long offset, long date, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@offset", offset);
        command.Parameters.AddWithValue("@date", date);
        command.Parameters.AddWithValue("@query", query ?? "");
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var topics = new List<TopicState>();
        while (reader.Read())
        {
            topics.Add(Read(reader));
        }

        return topics;
    }

    /// <summary>The user's own mutes of the forum's topics (General's under 0), as stored: a past time is no mute.</summary>
    private static Dictionary<long, long> TopicMutes(SqliteConnection connection, long userId, long chatId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT topic_id, mute_until FROM message_topic_notify WHERE user_id = @user AND chat_id = @chat";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@chat", chatId);
        using var reader = command.ExecuteReader();
        var mutes = new Dictionary<long, long>();
        while (reader.Read())
        {
            mutes[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return mutes;
    }

    private static ForumTopic ToTopic(SqliteConnection connection, long userId, long chatId, TopicState topic, long muteUntil)
    {
        const string topicFilter = "m.topic_id = @topic";
        const string index = "INDEXED BY IX_message_messages_topics ";
        var read = Scalar(connection, "SELECT read_max_id FROM message_topic_reads WHERE user_id = @user AND chat_id = @chat AND topic_id = @topic",
            ("@user", userId), ("@chat", chatId), ("@topic", topic.Id));
        // The reader's own newest message there counts as read up to it: looked for among the newest messages after the
        // read position only, so a long topic never read costs a bounded walk of its index (an own message older than
        // that many others leaves more unread than the count shows anyway).
        var own = Scalar(connection,
            $"SELECT max(id) FROM (SELECT m.id, m.from_id FROM message_messages m {index}WHERE m.chat_id = @chat AND {topicFilter} AND m.id > @read " +
            $"ORDER BY m.id DESC LIMIT @window) WHERE from_id = @user",
            ("@chat", chatId), ("@topic", topic.Id), ("@read", read), ("@window", OwnMessageWindow), ("@user", userId));
        var position = Math.Max(read, own);
        var unread = (int)Scalar(connection,
            $"SELECT count(*) FROM (SELECT 1 FROM message_messages m {index}WHERE m.chat_id = @chat AND {topicFilter} AND m.id > @position " +
            $"AND m.from_id <> @user AND m.deleted = 0 AND m.action IS NULL AND {MessageStore.NotHidden} LIMIT @cap)",
            ("@chat", chatId), ("@topic", topic.Id), ("@position", position), ("@user", userId), ("@cap", ForumTopic.MaxUnreadCount));
        return new ForumTopic(topic.Id, topic.Title, topic.IconColor, topic.Closed, topic.CreatorId, topic.Date, topic.TopMessageId, unread, position,
            topic.Pinned, muteUntil);
    }

    private static ChatMessage[] ReadMessages(SqliteConnection connection, long userId, long chatId, long[] ids)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {MessageStore.MessageColumns} FROM message_messages m WHERE m.chat_id = @chat AND m.deleted = 0 AND m.id IN ({string.Join(',', ids)}) " +
            $"AND {MessageStore.NotHidden}";
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        using var reader = command.ExecuteReader();
        var messages = new List<ChatMessage>();
        while (reader.Read())
        {
            messages.Add(MessageStore.ReadMessage(reader, 0));
        }

        return [.. messages];
    }

    private static long Scalar(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteScalar() as long? ?? 0;
    }

    private static TopicState Read(SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetBoolean(4), reader.GetInt64(5), reader.GetInt64(6),
            reader.GetInt64(7), reader.GetInt64(8));
}
