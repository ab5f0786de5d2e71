using System.Text.Json;
using MessagePack;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Storage;

internal enum Block
{
    None,
    ByPeer,
    ByMe,
}

/// <summary>A chat of the chat list with what orders it (<see cref="MessageStore.Dialogs"/>): a large group's unread
/// count and messages are read only when its dialog is.</summary>
internal sealed record ChatListEntry(long ChatId, Peer Peer, long LastActivity, long TopId, long PinnedAt, bool Large);

/// <summary>What a user set on one of their chats: mute, draft, when they pinned it (0: not pinned), whether they
/// archived it or marked it unread.</summary>
internal sealed record ViewerSettings(long MuteUntil, DraftMessage? Draft, long PinnedAt, bool Archived, bool UnreadMark, int TtlPeriod, int UnreadMentions);

/// <summary>A user's dialog row as the module uses it.</summary>
internal sealed record DialogState(
    long UserId, long ChatId, Peer Peer, long TopMessageId, long LastActivity, int UnreadCount,
    long IncomingMaxId, long ReceivedMaxId, long ReadInboxMaxId, long ReadOutboxMaxId, long DeliveredMaxId);

/// <summary>
/// The Message module's SQL. Reads open their own pooled connection; the write helpers take the writer unit's
/// <see cref="WriteScope"/> so that a message, the dialogs it touches and the log entries it causes commit together.
/// Where a lookup exists both ways, the static one takes the unit's scope (it sees the unit's own writes) and the
/// instance one is named <c>Read…</c> (its own connection: it sees only what is committed).
/// </summary>
internal sealed class MessageStore(SqliteDatabase database, ChatList.LargeGroupUnread largeGroupUnread)
{
    public const int PrivateChat = 1;
    public const string MessageColumns = "m.id, m.from_id, m.to_kind, m.to_id, m.date, m.text, m.reply_to_id, m.edit_date, m.action, m.media, m.fwd_from_id, m.poll, m.expires_at, m.web_page, m.reply_markup, m.silent, m.quote_text, m.quote_offset, m.geo, m.topic_id";

    /// <summary>A condition on <c>m</c>, a message: <c>@user</c> has not hidden it (deleted it for themselves).</summary>
    public const string NotHidden = "NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = m.id)";

    /// <summary>A row when message <c>@id</c> is one of chat <c>@chat</c>'s that <c>@user</c> sees (not deleted, not hidden).</summary>
    private const string SeenMessageSql = $"SELECT 1 FROM message_messages m WHERE m.id = @id AND m.chat_id = @chat AND m.deleted = 0 AND {NotHidden}";

    /// <summary>The columns of <see cref="MessageColumns"/>, as <see cref="ReadMessage"/> reads them.</summary>
    public const int MessageColumnCount = 20;

    /// <summary>The chat's newest pinned message (alias <c>p</c>) in a query over <c>message_chats c</c> for the user
    /// <c>@user</c>: <see cref="PinnedJoin"/> takes the newest the user sees (not deleted for everyone, nor by the user for
    /// themselves), null when there is none.</summary>
    public const string PinnedColumns = "p.id, p.from_id, p.to_kind, p.to_id, p.date, p.text, p.reply_to_id, p.edit_date, p.action, p.media, p.fwd_from_id, p.poll, p.expires_at, p.web_page, p.reply_markup, p.silent, p.quote_text, p.quote_offset, p.geo, p.topic_id";

    /// <summary>What the viewer <c>@user</c> set on a chat — mute, draft, pin, archive, unread mark —, their unread
    /// mentions in a group, and the chat's auto-delete period (of <c>message_chats c</c>), in a dialog query, with
    /// <see cref="ViewerJoins"/> on the chat's id column; <see cref="ReadViewer"/> reads them.</summary>
    public const string ViewerColumns =
        "coalesce(n.mute_until, 0), dr.text, dr.reply_to_id, dr.date, dr.quote_text, dr.quote_offset, coalesce(dp.pinned_at, 0), da.chat_id IS NOT NULL, um.chat_id IS NOT NULL, c.ttl_period, " +
        // Kind 1 is a private chat: no mentions are kept there.
        "CASE WHEN c.kind = 1 THEN 0 ELSE " + Mentions.UnreadMentions.CountColumn + " END";

    /// <summary>The columns of <see cref="ViewerColumns"/>.</summary>
    public const int ViewerColumnCount = 11;

    public static string ViewerJoins(string chatId) =>
        $"LEFT JOIN message_notify n ON n.user_id = @user AND n.chat_id = {chatId} " +
        $"LEFT JOIN message_drafts dr ON dr.user_id = @user AND dr.chat_id = {chatId} " +
        $"LEFT JOIN message_dialog_pins dp ON dp.user_id = @user AND dp.chat_id = {chatId} " +
        $"LEFT JOIN message_dialog_archive da ON da.user_id = @user AND da.chat_id = {chatId} " +
        $"LEFT JOIN message_unread_marks um ON um.user_id = @user AND um.chat_id = {chatId} ";

    public static ViewerSettings ReadViewer(SqliteDataReader reader, int first) =>
        new(reader.GetInt64(first), ReadDraft(reader, first + 1), reader.GetInt64(first + 6), reader.GetBoolean(first + 7), reader.GetBoolean(first + 8),
            reader.GetInt32(first + 9), reader.GetInt32(first + 10));

    /// <summary>A draft's text, reply_to_id, date, quote_text and quote_offset.</summary>
    public static DraftMessage? ReadDraft(SqliteDataReader reader, int first) =>
        reader.IsDBNull(first)
            ? null
            : new DraftMessage(reader.GetString(first), reader.IsDBNull(first + 1) ? null : reader.GetInt64(first + 1), reader.GetInt64(first + 2),
                ReadQuote(reader, first + 3));

    /// <summary>A quote's text and offset columns (null text: no quote).</summary>
    public static ReplyQuote? ReadQuote(SqliteDataReader reader, int first) =>
        reader.IsDBNull(first) ? null : new ReplyQuote(reader.GetString(first), reader.GetInt32(first + 1));

    public const string PinnedJoin =
        "LEFT JOIN message_messages p ON p.id = (SELECT pn.msg_id FROM message_pins pn JOIN message_messages pm ON pm.id = pn.msg_id AND pm.deleted = 0 " +
        "WHERE pn.chat_id = c.id AND NOT EXISTS (SELECT 1 FROM message_hidden ph WHERE ph.user_id = @user AND ph.message_id = pn.msg_id) " +
        "ORDER BY pn.msg_id DESC LIMIT 1)";

    /// <summary>How many of the chat's (<c>message_chats c</c>) pinned messages the user <c>@user</c> sees, beside
    /// <see cref="PinnedColumns"/>.</summary>
    public const string PinnedCountColumn =
        "(SELECT count(*) FROM message_pins pn JOIN message_messages pm ON pm.id = pn.msg_id AND pm.deleted = 0 " +
        "WHERE pn.chat_id = c.id AND NOT EXISTS (SELECT 1 FROM message_hidden ph WHERE ph.user_id = @user AND ph.message_id = pn.msg_id))";

    public long? FindPrivateChat(long userA, long userB)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM message_chats WHERE user_low = @low AND user_high = @high";
        command.Parameters.AddWithValue("@low", Math.Min(userA, userB));
        command.Parameters.AddWithValue("@high", Math.Max(userA, userB));
        return command.ExecuteScalar() is long id ? id : null;
    }

    /// <summary>The random ids <paramref name="fromId"/> sent those of <paramref name="ids"/> in the chat with that are
    /// theirs and not service messages (whose random ids are the server's), by message id: primary-key lookups.</summary>
    public Dictionary<long, long> RandomIdsOf(long fromId, long chatId, IReadOnlyCollection<long> ids)
    {
        var found = new Dictionary<long, long>();
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, random_id FROM message_messages WHERE id IN (SELECT value FROM json_each(@ids)) " +
            "AND chat_id = @chat AND from_id = @from AND action IS NULL";
        command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(ids));
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@from", fromId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            found[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return found;
    }

    /// <summary>Whether <paramref name="userId"/> ever posted in the chat (a message deleted since counts: its row
    /// stays). One seek of the sender's index.</summary>
    public bool HasWritten(long userId, long chatId) =>
        database.Exists("SELECT 1 FROM message_messages WHERE from_id = @user AND chat_id = @chat LIMIT 1", ("@user", userId), ("@chat", chatId));

    /// <summary>Whether chat <paramref name="chatId"/> is in <paramref name="userId"/>'s chat list (a row whose history
    /// they cleared has no top message, and is listed as <see cref="Dialogs"/> lists: not at all).</summary>
    public bool HasDialog(long userId, long chatId) =>
        database.Exists("SELECT 1 FROM message_dialogs WHERE user_id = @user AND chat_id = @chat AND top_message_id <> 0", ("@user", userId), ("@chat", chatId));

    /// <summary>Until when (unix seconds) <paramref name="userId"/> muted the chat; 0 when they did not.</summary>
    public long MuteUntil(long userId, long chatId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT mute_until FROM message_notify WHERE user_id = @user AND chat_id = @chat";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ExecuteScalar() as long? ?? 0;
    }

    /// <summary>A page of a forum topic by the topics' index, which holds General as topic 0.</summary>
    internal const string TopicHistorySql =
        $"SELECT {MessageColumns} FROM message_messages m INDEXED BY IX_message_messages_topics WHERE m.chat_id = @chat AND m.topic_id = @topic " +
        $"AND m.deleted = 0 AND m.id < @offset AND {NotHidden} ORDER BY m.id DESC LIMIT @limit";

    /// <summary>A forum topic's messages (0: General, a group's messages outside topics), newest first.</summary>
    public MessageList TopicHistory(long userId, long chatId, long topicId, long offsetId, int limit) =>
        Page(TopicHistorySql, userId, chatId, offsetId > 0 ? offsetId : long.MaxValue, limit, ("@topic", topicId));

    public MessageList History(long userId, long chatId, long offsetId, int limit) =>
        Page(
            $"SELECT {MessageColumns} FROM message_messages m WHERE m.chat_id = @chat AND m.deleted = 0 AND m.id < @offset AND {NotHidden} " +
            "ORDER BY m.id DESC LIMIT @limit",
            userId, chatId, offsetId > 0 ? offsetId : long.MaxValue, limit);

    /// <summary>The thread of <paramref name="messageId"/> as the user sees it (answers, not service messages such as a pin's
    /// record), oldest first, after <paramref name="offsetId"/>; null when the user does not see that message in the chat.</summary>
    public MessageList? Replies(long userId, long chatId, long messageId, long offsetId, int limit)
    {
        using (var connection = database.Open())
        using (var parent = connection.CreateCommand())
        {
            parent.CommandText = SeenMessageSql;
            parent.Parameters.AddWithValue("@id", messageId);
            parent.Parameters.AddWithValue("@chat", chatId);
            parent.Parameters.AddWithValue("@user", userId);
            if (parent.ExecuteScalar() is null)
            {
                return null;
            }
        }

        return Page(
            $"SELECT {MessageColumns} FROM message_messages m WHERE m.reply_to_id = @parent AND m.chat_id = @chat AND m.deleted = 0 AND m.action IS NULL AND m.id > @offset " +
            $"AND {NotHidden} ORDER BY m.id LIMIT @limit",
            userId, chatId, offsetId, limit, ("@parent", messageId));
    }

    /// <summary>The user's unread mentions in the chat, oldest first, after <paramref name="offsetId"/>.</summary>
    public MessageList UnreadMentions(long userId, long chatId, long offsetId, int limit) =>
        Page(
            $"SELECT {MessageColumns} FROM message_mentions mm JOIN message_messages m ON m.id = mm.message_id AND m.deleted = 0 " +
            $"WHERE mm.user_id = @user AND mm.chat_id = @chat AND mm.message_id > @offset AND {NotHidden} ORDER BY mm.message_id LIMIT @limit",
            userId, chatId, offsetId, limit);

    /// <summary>The chat's pinned messages the user sees, newest first, older than <paramref name="offsetId"/>.</summary>
    public MessageList Pinned(long userId, long chatId, long offsetId, int limit) =>
        Page(
            $"SELECT {MessageColumns} FROM message_pins pn JOIN message_messages m ON m.id = pn.msg_id AND m.deleted = 0 " +
            $"WHERE pn.chat_id = @chat AND pn.msg_id < @offset AND {NotHidden} ORDER BY pn.msg_id DESC LIMIT @limit",
            userId, chatId, offsetId > 0 ? offsetId : long.MaxValue, limit);

    /// <summary>A page of the chat's messages as <paramref name="userId"/> sees them, by a query over <c>@user</c>,
    /// <c>@chat</c>, <c>@offset</c>, <c>@limit</c> (and <paramref name="extra"/>), with their reactions and polls.</summary>
    private MessageList Page(string sql, long userId, long chatId, long offset, int limit, params (string Name, object Value)[] extra)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@offset", offset);
        command.Parameters.AddWithValue("@limit", limit);
        foreach (var (name, value) in extra)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return MessageListing.Of(connection, userId, ReadMessages(command));
    }

    /// <summary>
    /// The user's chats, pinned ones first (most recently pinned first), then by last activity: their dialog rows
    /// (private chats with a message left to show them, small groups) and their large groups (whose newest message and unread count come from the chat,
    /// not from a per-member row). Activity is kept in whole seconds, so within one second the newer top message (ids
    /// grow with time) decides. The order is read whole — a narrow row per chat (<see cref="ChatOrderSql"/>,
    /// <see cref="GroupStore.LargeGroupOrderSql"/>) —, and only the page's chats are read as dialogs: a user of 1,700 chats
    /// paid 1,700 top messages, pinned messages, drafts and large groups' unread counts for each page of 50.
    /// </summary>
    public (List<Dialog> Dialogs, int Total) Dialogs(long userId, int offset, int limit)
    {
        using var connection = database.Open();
        var order = ChatOrder(connection, userId);
        return (ReadDialogs(connection, largeGroupUnread, userId, [.. order.Skip(offset).Take(limit)]), order.Count);
    }

    /// <summary>The rows of <see cref="Dialogs"/> whose peer is one of <paramref name="peers"/>, in the chat list's
    /// order: the same list read the same way, so a row is what <c>messages.getDialogs</c> shows, or absent as it is there.</summary>
    public List<Dialog> PeerDialogs(long userId, IReadOnlyCollection<Peer> peers)
    {
        var wanted = peers.ToHashSet();
        using var connection = database.Open();
        return ReadDialogs(connection, largeGroupUnread, userId, [.. ChatOrder(connection, userId).Where(c => wanted.Contains(c.Peer))]);
    }

    /// <summary>Each of the user's dialog rows in the chat list (as <see cref="DialogsSql"/> reads them) with what orders
    /// it: the top message's id only while that message is not deleted, as the dialog shows it.</summary>
    public const string ChatOrderSql =
        "SELECT d.chat_id, d.peer_kind, d.peer_id, d.last_activity, coalesce(m.id, 0), coalesce(dp.pinned_at, 0) FROM message_dialogs d " +
        "JOIN message_chats c ON c.id = d.chat_id " +
        "LEFT JOIN message_messages m ON m.id = d.top_message_id AND m.deleted = 0 " +
        "LEFT JOIN message_dialog_pins dp ON dp.user_id = @user AND dp.chat_id = d.chat_id " +
        "WHERE d.user_id = @user AND NOT (d.peer_kind = @userKind AND d.top_message_id = 0)";

    /// <summary>The dialog rows of <c>@chats</c> (a JSON array of chat ids), one key lookup each (<c>CROSS JOIN</c>: SQLite
    /// would otherwise walk all the user's rows and scan the array for each).</summary>
    internal static readonly string DialogsSql =
        "SELECT d.chat_id, d.peer_kind, d.peer_id, d.unread_count, d.read_inbox_max_id, d.read_outbox_max_id, d.delivered_max_id, d.last_activity, " +
        $"{MessageColumns}, {PinnedColumns}, {ViewerColumns}, {PinnedCountColumn} FROM json_each(@chats) j " +
        "CROSS JOIN message_dialogs d ON d.user_id = @user AND d.chat_id = j.value " +
        "LEFT JOIN message_messages m ON m.id = d.top_message_id AND m.deleted = 0 " +
        $"JOIN message_chats c ON c.id = d.chat_id {PinnedJoin} {ViewerJoins("d.chat_id")}";

    private List<ChatListEntry> ChatOrder(SqliteConnection connection, long userId)
    {
        var entries = new List<ChatListEntry>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = ChatOrderSql;
            command.Parameters.AddWithValue("@user", userId);
            command.Parameters.AddWithValue("@userKind", (int)PeerKind.User);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new ChatListEntry(reader.GetInt64(0), new Peer((PeerKind)reader.GetInt32(1), reader.GetInt64(2)), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), Large: false));
            }
        }

        entries.AddRange(GroupStore.LargeGroupOrder(connection, userId));
        return [.. entries.OrderByDescending(e => e.PinnedAt).ThenByDescending(e => e.LastActivity).ThenByDescending(e => e.TopId)];
    }

    /// <summary>The dialogs of <paramref name="entries"/>, in their order.</summary>
    private static List<Dialog> ReadDialogs(SqliteConnection connection, ChatList.LargeGroupUnread largeGroupUnread, long userId, List<ChatListEntry> entries)
    {
        var byChat = new Dictionary<long, Dialog>(entries.Count);
        var small = entries.Where(e => !e.Large).Select(e => e.ChatId).ToArray();
        if (small.Length > 0)
        {
            using var command = connection.CreateCommand();
            command.CommandText = DialogsSql;
            command.Parameters.AddWithValue("@user", userId);
            command.Parameters.AddWithValue("@chats", JsonSerializer.Serialize(small));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var top = reader.IsDBNull(8) ? null : ReadMessage(reader, 8);
                var pinned = reader.IsDBNull(8 + MessageColumnCount) ? null : ReadMessage(reader, 8 + MessageColumnCount);
                var viewer = ReadViewer(reader, 8 + 2 * MessageColumnCount);
                byChat[reader.GetInt64(0)] = new Dialog(
                    new Peer((PeerKind)reader.GetInt32(1), reader.GetInt64(2)), top, reader.GetInt32(3), reader.GetInt64(4), reader.GetInt64(5),
                    reader.GetInt64(6), reader.GetInt64(7), pinned, viewer.MuteUntil, viewer.Draft, viewer.PinnedAt > 0, viewer.Archived, viewer.UnreadMark, viewer.TtlPeriod,
                    viewer.UnreadMentions, reader.GetInt32(8 + 2 * MessageColumnCount + ViewerColumnCount));
            }
        }

        var large = entries.Where(e => e.Large).Select(e => e.ChatId).ToArray();
        if (large.Length > 0)
        {
            foreach (var (chatId, dialog) in GroupStore.LargeGroupDialogs(connection, largeGroupUnread, userId, large))
            {
                byChat[chatId] = dialog;
            }
        }

        return [.. entries.Where(e => byChat.ContainsKey(e.ChatId)).Select(e => byChat[e.ChatId])];
    }

    /// <summary>The author of the message if <paramref name="userId"/> can see it in the chat (null otherwise), and the
    /// other users of the chat — current members, for a group — whose read position has passed it.</summary>
    public (long? AuthorId, long[] Readers) ReadParticipants(long userId, long chatId, long messageId)
    {
        using var connection = database.Open();
        using var message = connection.CreateCommand();
        message.CommandText = $"SELECT m.from_id FROM message_messages m WHERE m.id = @id AND m.chat_id = @chat AND m.deleted = 0 AND {NotHidden}";
        message.Parameters.AddWithValue("@id", messageId);
        message.Parameters.AddWithValue("@chat", chatId);
        message.Parameters.AddWithValue("@user", userId);
        if (message.ExecuteScalar() is not long author)
        {
            return (null, []);
        }

        using var readers = connection.CreateCommand();
        readers.CommandText =
            "SELECT d.user_id FROM message_dialogs d JOIN message_chats c ON c.id = d.chat_id WHERE d.chat_id = @chat AND d.user_id <> @user " +
            "AND d.read_inbox_max_id >= @id AND d.since_id <= @id AND (c.kind = @private OR EXISTS (SELECT 1 FROM message_members mem WHERE mem.chat_id = d.chat_id AND mem.user_id = d.user_id)) " +
            "ORDER BY d.user_id";
        readers.Parameters.AddWithValue("@chat", chatId);
        readers.Parameters.AddWithValue("@user", userId);
        readers.Parameters.AddWithValue("@id", messageId);
        readers.Parameters.AddWithValue("@private", PrivateChat);
        return (author, [.. readers.ReadInt64Column()]);
    }

    public bool EitherBlocked(long userA, long userB)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT 1 FROM message_blocks WHERE (user_id = @a AND blocked_id = @b) OR (user_id = @b AND blocked_id = @a)";
        command.Parameters.AddWithValue("@a", userA);
        command.Parameters.AddWithValue("@b", userB);
        return command.ExecuteScalar() is not null;
    }

    public long[] BlockedBy(long userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT blocked_id FROM message_blocks WHERE user_id = @user ORDER BY blocked_id";
        command.Parameters.AddWithValue("@user", userId);
        return [.. command.ReadInt64Column()];
    }

    /// <summary>Those of <paramref name="ids"/> that <paramref name="userId"/> blocked or that blocked them (key lookups
    /// both ways).</summary>
    public long[] BlockedAmong(long userId, IReadOnlyCollection<long> ids)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT j.value FROM json_each(@ids) j WHERE EXISTS (SELECT 1 FROM message_blocks b " +
            "WHERE (b.user_id = @user AND b.blocked_id = j.value) OR (b.user_id = j.value AND b.blocked_id = @user))";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(ids));
        return [.. command.ReadInt64Column()];
    }

    /// <summary>The users whose private chat is in <paramref name="userId"/>'s chat list, but for those either of the
    /// two blocked. As <see cref="HasDialog"/>: a row whose history the user cleared (no top message) is not in the list.</summary>
    public long[] PrivateChatPeers(long userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT d.peer_id FROM message_dialogs d WHERE d.user_id = @user AND d.peer_kind = @kind AND d.peer_id <> @user " +
            "AND d.top_message_id <> 0 " +
            "AND NOT EXISTS (SELECT 1 FROM message_blocks b WHERE (b.user_id = @user AND b.blocked_id = d.peer_id) " +
            "OR (b.user_id = d.peer_id AND b.blocked_id = @user))";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@kind", (int)PeerKind.User);
        return [.. command.ReadInt64Column()];
    }

    /// <summary>The users sharing a private chat or a small group with <paramref name="userId"/>.</summary>
    public long[] ProfileAudience(long userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT peer_id FROM message_dialogs WHERE user_id = @user AND peer_kind = @kind AND peer_id <> @user " +
            "UNION SELECT other.user_id FROM message_members mine JOIN message_chats c ON c.id = mine.chat_id AND c.kind = @group " +
            "JOIN message_members other ON other.chat_id = mine.chat_id AND other.user_id <> @user WHERE mine.user_id = @user";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@kind", (int)PeerKind.User);
        command.Parameters.AddWithValue("@group", (int)ChatKind.Group);
        return [.. command.ReadInt64Column()];
    }

    // ---- inside a writer unit ----

    /// <summary>A deleted account's own view of its chats: its dialogs and folders, the messages it hid, the users it blocked, its bans,
    /// how far it read threads
    /// (its scheduled messages go with their files, in the same unit: <c>ScheduledMessagesHandler.ForgetUser</c>).</summary>
    public static void ForgetUser(WriteScope scope, long userId)
    {
        scope.Execute("DELETE FROM message_dialogs WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_hidden WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_blocks WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_notify WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_topic_notify WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_drafts WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_dialog_pins WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_dialog_archive WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_unread_marks WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_dialog_folders WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_bans WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_thread_reads WHERE user_id = @user", ("@user", userId));
        scope.Execute("DELETE FROM message_topic_reads WHERE user_id = @user", ("@user", userId));
    }

    /// <summary>Whether message <paramref name="messageId"/> is one of the chat's that the user sees (not deleted, not
    /// hidden by them).</summary>
    public static bool Sees(WriteScope scope, long userId, long chatId, long messageId) =>
        scope.Scalar(SeenMessageSql, ("@id", messageId), ("@chat", chatId), ("@user", userId)) is not null;

    public static long PrivateChatId(WriteScope scope, long userA, long userB, long now)
    {
        var find = scope.Command("SELECT id FROM message_chats WHERE user_low = @low AND user_high = @high");
        find.Parameters.AddWithValue("@low", Math.Min(userA, userB));
        find.Parameters.AddWithValue("@high", Math.Max(userA, userB));
        if (find.ExecuteScalar() is long id)
        {
            return id;
        }

        var create = scope.Command("INSERT INTO message_chats (kind, user_low, user_high, created_at) VALUES (@kind, @low, @high, @now) RETURNING id");
        create.Parameters.AddWithValue("@kind", PrivateChat);
        create.Parameters.AddWithValue("@low", Math.Min(userA, userB));
        create.Parameters.AddWithValue("@high", Math.Max(userA, userB));
        create.Parameters.AddWithValue("@now", now);
        return (long)create.ExecuteScalar()!;
    }

    /// <summary>Whether either of the two blocked the other (one statement on the hot path of every send); the
    /// peer's block wins when both did. Two key lookups and no sort: ordering the matching rows instead made SQLite
    /// open and close a temporary B-tree on every send.</summary>
    public static Block BlockBetween(WriteScope scope, long me, long peer) =>
        ToBlock(scope.Statement(BlockBetweenSql).Bind("@me", me).Bind("@peer", peer).Int64());

    /// <summary>As the in-unit <see cref="BlockBetween(WriteScope, long, long)"/>, read outside a unit (a call's ring).</summary>
    public Block ReadBlockBetween(long me, long peer)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = BlockBetweenSql;
        command.Parameters.AddWithValue("@me", me);
        command.Parameters.AddWithValue("@peer", peer);
        return ToBlock(command.ExecuteScalar() as long?);
    }

    private const string BlockBetweenSql =
        "SELECT EXISTS (SELECT 1 FROM message_blocks WHERE user_id = @peer AND blocked_id = @me) * 2 + " +
        "EXISTS (SELECT 1 FROM message_blocks WHERE user_id = @me AND blocked_id = @peer)";

    private static Block ToBlock(long? found) => found switch
    {
        >= 2 => Block.ByPeer,
        1 => Block.ByMe,
        _ => Block.None,
    };

    public static Contracts.Messages.Message? FindByRandomId(WriteScope scope, long fromId, long randomId)
    {
        // A send checks this every time and almost never finds one: the probe binds into a prepared statement, and only
        // a hit reads the message.
        if (scope.Statement("SELECT id FROM message_messages WHERE from_id = @from AND random_id = @random")
                .Bind("@from", fromId)
                .Bind("@random", randomId)
                .Int64() is not { } id)
        {
            return null;
        }

        var command = scope.Command($"SELECT {MessageColumns} FROM message_messages m WHERE m.id = @id");
        command.Parameters.AddWithValue("@id", id);
        return ReadMessages(command).FirstOrDefault();
    }

    /// <summary>The message <paramref name="fromId"/> sent with <paramref name="randomId"/>, or null, read outside the
    /// writer: a resend that carries a file is answered before its upload is completed, since the first send used the
    /// upload up (and a restart forgets that it did).</summary>
    public Contracts.Messages.Message? ReadByRandomId(long fromId, long randomId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {MessageColumns} FROM message_messages m WHERE m.from_id = @from AND m.random_id = @random";
        command.Parameters.AddWithValue("@from", fromId);
        command.Parameters.AddWithValue("@random", randomId);
        return ReadMessages(command).FirstOrDefault();
    }

    private const string VisibleById = $"SELECT {MessageColumns} FROM message_messages m WHERE m.id = @id AND m.chat_id = @chat AND m.deleted = 0 AND {NotHidden}";

    public static Contracts.Messages.Message? FindVisible(WriteScope scope, long userId, long chatId, long messageId) =>
        ReadVisible(scope.Command(VisibleById), userId, chatId, messageId);

    /// <summary>The message, if the user can see it in the chat (outside a writer unit).</summary>
    public Contracts.Messages.Message? ReadVisibleMessage(long userId, long chatId, long messageId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = VisibleById;
        return ReadVisible(command, userId, chatId, messageId);
    }

    /// <summary>A message <paramref name="userId"/> wrote and sees, for its author to change (an edit, a live location's
    /// move, a bot's buttons): <c>MESSAGE_ID_INVALID</c> when it is not one they see there, 403
    /// <c>MESSAGE_AUTHOR_REQUIRED</c> when someone else wrote it or it is a service message.</summary>
    public static Contracts.Messages.Message FindOwn(WriteScope scope, long userId, long chatId, long messageId)
    {
        var message = FindVisible(scope, userId, chatId, messageId) ?? throw MessengerError.BadRequest(MessageErrorNames.MessageIdInvalid);
        return message.FromId == userId && message.Action is null
            ? message
            : throw MessengerError.Forbidden(MessageErrorNames.MessageAuthorRequired);
    }

    /// <summary>403 <c>USER_IS_BLOCKED</c> when <paramref name="target"/> is a private chat whose other user blocked
    /// <paramref name="me"/>: what they wrote before stays as it was (no edit reaches them).</summary>
    public static void RequireNotBlockedBy(WriteScope scope, long me, Chats.ChatTarget target)
    {
        if (target.IsPrivate && target.OtherUserId != me && BlockBetween(scope, me, target.OtherUserId) == Block.ByPeer)
        {
            throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
        }
    }

    private static Contracts.Messages.Message? ReadVisible(SqliteCommand command, long userId, long chatId, long messageId)
    {
        command.Parameters.AddWithValue("@id", messageId);
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        return ReadMessages(command).FirstOrDefault();
    }

    /// <summary>The location messages a user (<c>@user</c>) posted in a chat (<c>@chat</c>) and nobody deleted, from the
    /// shared-media index, named so the plan cannot drift to the sender's index (which would read everything they ever
    /// posted there): the chat's location messages alone are read.</summary>
    internal static readonly string LocationsFromSql =
        $"SELECT {MessageColumns} FROM message_messages m INDEXED BY IX_message_messages_chat_id_shared_kind_id " +
        "WHERE m.chat_id = @chat AND m.shared_kind = @geo AND m.from_id = @user AND m.deleted = 0";

    /// <summary>The private chats in a user's (<c>@user</c>) chat list where they posted a location nobody deleted: one
    /// seek of the shared-media index per dialog, so an account with many chats (a bot's) holds the writer briefly.</summary>
    internal const string PrivateChatsWithLocationsSql =
        "SELECT DISTINCT d.chat_id FROM message_dialogs d WHERE d.user_id = @user AND d.peer_kind = @kind AND EXISTS " +
        "(SELECT 1 FROM message_messages m INDEXED BY IX_message_messages_chat_id_shared_kind_id " +
        "WHERE m.chat_id = d.chat_id AND m.shared_kind = @geo AND m.from_id = @user AND m.deleted = 0)";

    /// <summary>The location messages <paramref name="userId"/> posted in the chat and nobody deleted, for ending the live
    /// ones (<see cref="Editing.LiveLocations"/>).</summary>
    public static List<Contracts.Messages.Message> LocationsFrom(WriteScope scope, long chatId, long userId)
    {
        var command = scope.Command(LocationsFromSql);
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@geo", SharedMedia.NumberOf(SharedMedia.Geo));
        command.Parameters.AddWithValue("@user", userId);
        return ReadMessages(command);
    }

    /// <summary>The private chats in <paramref name="userId"/>'s chat list where they posted a location.</summary>
    public static List<long> PrivateChatsWithLocationsOf(WriteScope scope, long userId)
    {
        var command = scope.Command(PrivateChatsWithLocationsSql);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@kind", (int)PeerKind.User);
        command.Parameters.AddWithValue("@geo", SharedMedia.NumberOf(SharedMedia.Geo));
        return [.. command.ReadInt64Column()];
    }

    /// <summary>Who chose one option of a poll (<see cref="PollStore.Voters"/>).</summary>
    public PollVoters PollVoters(long messageId, int option, int offset, int limit)
    {
        using var connection = database.Open();
        return PollStore.Voters(connection, messageId, option, offset, limit);
    }

    public static long InsertMessage(
        WriteScope scope, long chatId, long fromId, long randomId, Peer to, long date, string text, long? replyToId, ServiceAction? action, long? expiresAt,
        int? sharedKind, bool silent = false, long? topicId = null) =>
        scope.Statement(
                "INSERT INTO message_messages (chat_id, from_id, random_id, to_kind, to_id, date, text, reply_to_id, deleted, action, expires_at, shared_kind, silent, topic_id) " +
                "VALUES (@chat, @from, @random, @kind, @to, @date, @text, @reply, 0, @action, @expires, @shared, @silent, @topic)")
            .Bind("@chat", chatId)
            .Bind("@from", fromId)
            .Bind("@random", randomId)
            .Bind("@kind", (int)to.Kind)
            .Bind("@to", to.Id)
            .Bind("@date", date)
            .Bind("@text", text)
            .Bind("@reply", replyToId)
            .Bind("@action", action is null ? null : WireSerializer.Serialize(action))
            .Bind("@expires", expiresAt)
            .Bind("@shared", sharedKind)
            .Bind("@silent", silent ? 1 : 0)
            .Bind("@topic", topicId)
            .Insert();

    /// <summary>The chat's auto-delete period in seconds (0: off), inside a unit.</summary>
    public static int TtlPeriod(WriteScope scope, long chatId) =>
        (int)(scope.Statement("SELECT ttl_period FROM message_chats WHERE id = @chat").Bind("@chat", chatId).Int64() ?? 0);

    /// <summary>The user's dialog row gets the message; a row this makes starts at it (<c>since_id</c>) and reads from it
    /// on (<c>read_inbox_max_id</c> just below it): a member added, or added again, to a small group with history counts
    /// as unread what came from the message that added them, also when <see cref="Recount"/> counts again after a delete
    /// or a read, and is not named as having seen what came before (<see cref="ReadParticipants"/>).</summary>
    public static void TouchDialog(WriteScope scope, long userId, long chatId, Peer peer, long messageId, long date, bool incoming) =>
        scope.Statement(
                "INSERT INTO message_dialogs (user_id, chat_id, peer_kind, peer_id, top_message_id, last_activity, unread_count, incoming_max_id, " +
                "received_max_id, read_inbox_max_id, read_outbox_max_id, delivered_max_id, since_id) " +
                "VALUES (@user, @chat, @kind, @peer, @id, @date, @unread, @incoming, 0, @id - 1, 0, 0, @id) " +
                "ON CONFLICT (user_id, chat_id) DO UPDATE SET top_message_id = excluded.top_message_id, last_activity = excluded.last_activity, " +
                "unread_count = unread_count + excluded.unread_count, incoming_max_id = max(incoming_max_id, excluded.incoming_max_id)")
            .Bind("@user", userId)
            .Bind("@chat", chatId)
            .Bind("@kind", (int)peer.Kind)
            .Bind("@peer", peer.Id)
            .Bind("@id", messageId)
            .Bind("@date", date)
            .Bind("@unread", incoming ? 1 : 0)
            .Bind("@incoming", incoming ? messageId : 0)
            .Execute();

    public static DialogState? Dialog(WriteScope scope, long userId, long chatId) =>
        ReadDialogs(scope, "user_id = @user AND chat_id = @chat", ("@user", userId), ("@chat", chatId)).FirstOrDefault();

    /// <summary>The dialogs of <paramref name="userId"/> with incoming messages no device of theirs has confirmed yet.</summary>
    public static List<DialogState> DialogsAwaitingReceipt(WriteScope scope, long userId) =>
        ReadDialogs(scope, "user_id = @user AND incoming_max_id > received_max_id", ("@user", userId));

    /// <summary>As <see cref="Recount"/>, after deletes: the unread count now when it changed, else null (or no dialog).</summary>
    public static int? RecountUnread(WriteScope scope, long userId, long chatId)
    {
        var before = scope.Scalar("SELECT unread_count FROM message_dialogs WHERE user_id = @user AND chat_id = @chat", ("@user", userId), ("@chat", chatId));
        var after = Recount(scope, userId, chatId);
        return before is null || after is null || Convert.ToInt32(before) == after ? null : after;
    }

    /// <summary>After deletes or reads: the dialog's newest visible message and its unread count, from the messages. The
    /// unread count it wrote, or null without a dialog.</summary>
    public static int? Recount(WriteScope scope, long userId, long chatId)
    {
        using var command = scope.Command(
            "UPDATE message_dialogs SET " +
            $"top_message_id = coalesce((SELECT max(m.id) FROM message_messages m WHERE m.chat_id = @chat AND m.deleted = 0 AND {NotHidden}), 0), " +
            "unread_count = (SELECT count(*) FROM message_messages m WHERE m.chat_id = @chat AND m.deleted = 0 AND m.from_id <> @user " +
            $"AND m.id > message_dialogs.read_inbox_max_id AND {NotHidden}) " +
            "WHERE user_id = @user AND chat_id = @chat RETURNING unread_count");
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ExecuteScalar() is { } count ? Convert.ToInt32(count) : null;
    }

    /// <summary>The distinct authors (other than <paramref name="except"/>) of the chat's messages in (after, upTo].</summary>
    public static List<long> Authors(WriteScope scope, long chatId, long after, long upTo, long except)
    {
        var command = scope.Command(
            "SELECT DISTINCT from_id FROM message_messages WHERE chat_id = @chat AND id > @after AND id <= @upto AND from_id <> @except AND deleted = 0");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@after", after);
        command.Parameters.AddWithValue("@upto", upTo);
        command.Parameters.AddWithValue("@except", except);
        return command.ReadInt64Column();
    }

    public static List<Contracts.Messages.Message> VisibleMessages(WriteScope scope, long userId, long chatId, long[] ids)
    {
        var command = scope.Connection.CreateCommand();
        command.Transaction = scope.Transaction;
        command.CommandText =
            $"SELECT {MessageColumns} FROM message_messages m WHERE m.chat_id = @chat AND m.deleted = 0 AND m.id IN ({command.BindList("id", ids)}) AND {NotHidden}";
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);

        using (command)
        {
            return ReadMessages(command);
        }
    }

    /// <summary>The newest <paramref name="limit"/> messages of the chat with id ≤ <paramref name="upTo"/> that
    /// <paramref name="userId"/> can see, newest first: their ids and authors.</summary>
    public static List<(long Id, long FromId)> VisibleUpTo(WriteScope scope, long userId, long chatId, long upTo, int limit)
    {
        var command = scope.Command(
            $"SELECT m.id, m.from_id FROM message_messages m WHERE m.chat_id = @chat AND m.id <= @upto AND m.deleted = 0 AND {NotHidden} " +
            "ORDER BY m.id DESC LIMIT @limit");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@upto", upTo);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var found = new List<(long, long)>();
        while (reader.Read())
        {
            found.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return found;
    }

    private static List<DialogState> ReadDialogs(WriteScope scope, string where, params (string Name, object Value)[] parameters)
    {
        var command = scope.Command(
            "SELECT user_id, chat_id, peer_kind, peer_id, top_message_id, last_activity, unread_count, incoming_max_id, received_max_id, " +
            $"read_inbox_max_id, read_outbox_max_id, delivered_max_id FROM message_dialogs WHERE {where}");
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var dialogs = new List<DialogState>();
        while (reader.Read())
        {
            dialogs.Add(new DialogState(
                reader.GetInt64(0), reader.GetInt64(1), new Peer((PeerKind)reader.GetInt32(2), reader.GetInt64(3)), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt32(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10),
                reader.GetInt64(11)));
        }

        return dialogs;
    }

    private static List<Contracts.Messages.Message> ReadMessages(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var messages = new List<Contracts.Messages.Message>();
        while (reader.Read())
        {
            messages.Add(ReadMessage(reader, 0));
        }

        return messages;
    }

    public static Contracts.Messages.Message ReadMessage(SqliteDataReader reader, int first) =>
        new(
            reader.GetInt64(first),
            reader.GetInt64(first + 1),
            new Peer((PeerKind)reader.GetInt32(first + 2), reader.GetInt64(first + 3)),
            reader.GetInt64(first + 4),
            reader.GetString(first + 5),
            reader.IsDBNull(first + 6) ? null : reader.GetInt64(first + 6),
            reader.IsDBNull(first + 7) ? null : reader.GetInt64(first + 7),
            reader.IsDBNull(first + 8) ? null : WireSerializer.Deserialize<ServiceAction>((byte[])reader.GetValue(first + 8)),
            reader.IsDBNull(first + 9) ? null : WireSerializer.Deserialize<MessageMedia>((byte[])reader.GetValue(first + 9)))
        {
            FwdFromId = reader.IsDBNull(first + 10) ? null : reader.GetInt64(first + 10),
            Poll = reader.IsDBNull(first + 11) ? null : WireSerializer.Deserialize<Poll>((byte[])reader.GetValue(first + 11)),
            TtlPeriod = reader.IsDBNull(first + 12) ? null : (int)(reader.GetInt64(first + 12) - reader.GetInt64(first + 4)),
            WebPage = reader.IsDBNull(first + 13) ? null : WireSerializer.Deserialize<WebPage>((byte[])reader.GetValue(first + 13)),
            ReplyMarkup = reader.IsDBNull(first + 14) ? null : WireSerializer.Deserialize<ReplyMarkup>((byte[])reader.GetValue(first + 14)),
            Silent = reader.GetBoolean(first + 15),
            ReplyQuote = ReadQuote(reader, first + 16),
            Geo = reader.IsDBNull(first + 18) ? null : WireSerializer.Deserialize<MessageGeo>((byte[])reader.GetValue(first + 18)),
            TopicId = reader.IsDBNull(first + 19) ? 0 : reader.GetInt64(first + 19),
        };

    // ---- media (the descriptor is kept with the message; the Media module counts the references) ----

    public static void SetMedia(WriteScope scope, long messageId, MessageMedia media) =>
        scope.Execute("UPDATE message_messages SET media = @media, shared_kind = @shared WHERE id = @id",
            ("@media", MessagePackSerializer.Serialize(media, WireSerializer.Options)), ("@shared", SharedKindOf(media, "")!), ("@id", messageId));

    /// <summary>Where a message shows in its chat's shared media (<see cref="SharedMedia"/>'s number): its file's kind
    /// (any file not a photo, video or audio is a document), else a link in its text; null for the rest. A location's
    /// is <see cref="SharedMedia.Geo"/> (set where it is posted).</summary>
    public static int? SharedKindOf(MessageMedia? media, string text) =>
        media is not null
            ? SharedMedia.NumberOf(media.Kind) is var kind and > 0 and < 5 ? kind : SharedMedia.NumberOf(SharedMedia.Document)
            : Previews.PageMeta.FirstLink(text) is not null ? SharedMedia.NumberOf(SharedMedia.Link) : null;

    /// <summary>The chat's messages of one shared kind the user sees, newest first, older than <paramref name="offsetId"/>.</summary>
    public MessageList SharedMessages(long userId, long chatId, int kind, long offsetId, int limit) =>
        Page(
            $"SELECT {MessageColumns} FROM message_messages m WHERE m.chat_id = @chat AND m.shared_kind = @kind AND m.id < @offset AND m.deleted = 0 " +
            $"AND {NotHidden} ORDER BY m.id DESC LIMIT @limit",
            userId, chatId, offsetId > 0 ? offsetId : long.MaxValue, limit, ("@kind", kind));

    /// <summary>Whether <paramref name="userId"/> deleted message <paramref name="messageId"/> for themselves: a key probe.</summary>
    public static bool IsHiddenFor(WriteScope scope, long userId, long messageId) =>
        scope.Scalar("SELECT 1 FROM message_hidden WHERE user_id = @user AND message_id = @id", ("@user", userId), ("@id", messageId)) is not null;

    /// <summary>True when no participant of the private chat (groups: never) can see the message any more (each deleted it for themselves).</summary>
    public static bool HiddenFromEveryone(WriteScope scope, long messageId) =>
        scope.Scalar("SELECT 1 FROM message_messages m WHERE m.id = @id AND m.to_kind = 1 AND NOT EXISTS (SELECT 1 FROM (SELECT m.from_id AS user_id UNION SELECT m.to_id) p " +
            "WHERE NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = p.user_id AND h.message_id = m.id))",
            ("@id", messageId)) is not null;
}
