using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.Storage;

/// <summary>The SQL of group chats: chats, members, invites. Reads open their own connection; the rest runs in units.</summary>
internal sealed class GroupStore(SqliteDatabase database)
{
    public ChatInfo? LoadChat(long chatId)
    {
        using var connection = database.Open();
        using var chat = connection.CreateCommand();
        chat.CommandText = "SELECT kind, title, creator_id, created_at, forum FROM message_chats WHERE id = @chat AND kind <> @private AND deleted = 0";
        chat.Parameters.AddWithValue("@chat", chatId);
        chat.Parameters.AddWithValue("@private", MessageStore.PrivateChat);
        using var reader = chat.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var (kind, title, creator, created, forum) = ((ChatKind)reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetBoolean(4));
        using var members = connection.CreateCommand();
        members.CommandText = "SELECT user_id, role FROM message_members WHERE chat_id = @chat";
        members.Parameters.AddWithValue("@chat", chatId);
        using var rows = members.ExecuteReader();
        var roles = new Dictionary<long, MemberRole>();
        while (rows.Read())
        {
            roles[rows.GetInt64(0)] = (MemberRole)rows.GetInt32(1);
        }

        return new ChatInfo(chatId, kind, title, creator, created, roles) { Forum = forum };
    }

    /// <summary>The chat and a page of its members by join time; with <paramref name="adminsAnd"/>, only its admins, its
    /// creator and that user (what a channel's subscriber sees).</summary>
    public (Chat Chat, List<ChatMember> Members) Full(long chatId, int offset, int limit, long? adminsAnd = null)
    {
        using var connection = database.Open();
        using var chat = connection.CreateCommand();
        chat.CommandText = $"SELECT {ChatColumns} FROM message_chats WHERE id = @chat";
        chat.Parameters.AddWithValue("@chat", chatId);
        Chat info;
        using (var reader = chat.ExecuteReader())
        {
            reader.Read();
            info = ReadChat(reader, chatId);
        }

        using var members = connection.CreateCommand();
        members.CommandText =
            "SELECT user_id, role, joined_at FROM message_members WHERE chat_id = @chat " +
            (adminsAnd is null ? "" : "AND (role <> @member OR user_id = @user) ") +
            "ORDER BY joined_at, user_id LIMIT @limit OFFSET @offset";
        members.Parameters.AddWithValue("@chat", chatId);
        members.Parameters.AddWithValue("@member", (int)MemberRole.Member);
        members.Parameters.AddWithValue("@user", adminsAnd ?? 0);
        members.Parameters.AddWithValue("@limit", limit);
        members.Parameters.AddWithValue("@offset", offset);
        using var rows = members.ExecuteReader();
        var list = new List<ChatMember>();
        while (rows.Read())
        {
            list.Add(new ChatMember(rows.GetInt64(0), (MemberRole)rows.GetInt32(1), rows.GetInt64(2)));
        }

        return (info, list);
    }

    /// <summary>Every member's id, by the primary key's range (for groups small enough to read whole).</summary>
    public List<long> MemberIds(long chatId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id FROM message_members WHERE chat_id = @chat";
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ReadInt64Column();
    }

    public const string MembersSql =
        "SELECT user_id, role, joined_at FROM message_members WHERE chat_id = @chat AND user_id IN (SELECT value FROM json_each(@ids))";

    /// <summary>The member rows of those of <paramref name="userIds"/> who are members (a primary-key lookup each).</summary>
    public Dictionary<long, ChatMember> Members(long chatId, IReadOnlyCollection<long> userIds)
    {
        var members = new Dictionary<long, ChatMember>();
        if (userIds.Count == 0)
        {
            return members;
        }

        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = MembersSql;
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(userIds));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            members[reader.GetInt64(0)] = new ChatMember(reader.GetInt64(0), (MemberRole)reader.GetInt32(1), reader.GetInt64(2));
        }

        return members;
    }

    /// <summary>Large groups and channels of the user (their own logs are theirs to read).</summary>
    public long[] ChannelsOf(long userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT c.id FROM message_members m JOIN message_chats c ON c.id = m.chat_id WHERE m.user_id = @user AND c.kind IN (@large, @channel)";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@large", (int)ChatKind.LargeGroup);
        command.Parameters.AddWithValue("@channel", (int)ChatKind.Channel);
        return [.. command.ReadInt64Column()];
    }

    /// <summary>The chat's newest message that <c>@user</c> sees, in a query over <c>message_chats c</c>: its top
    /// message, unless this member deleted it for themselves: then their newest visible one.</summary>
    private const string VisibleTopId =
        "(CASE WHEN EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = c.top_message_id) " +
        "THEN (SELECT t.id FROM message_messages t WHERE t.chat_id = c.id AND t.deleted = 0 " +
        "AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = @user AND h.message_id = t.id) ORDER BY t.id DESC LIMIT 1) " +
        "ELSE c.top_message_id END)";

    /// <summary>The caller's large groups in the chat list with what orders them (as <see cref="LargeGroupDialogs"/>
    /// shows them): no unread count, no message read but the top one's key.</summary>
    public const string LargeGroupOrderSql =
        "SELECT c.id, c.last_activity, coalesce(m.id, 0), coalesce(dp.pinned_at, 0) " +
        "FROM message_members mem JOIN message_chats c ON c.id = mem.chat_id " +
        "LEFT JOIN message_dialog_pins dp ON dp.user_id = @user AND dp.chat_id = c.id " +
        $"LEFT JOIN message_messages m ON m.id = {VisibleTopId} AND m.deleted = 0 " +
        "WHERE mem.user_id = @user AND c.kind IN (@large, @channel)";

    public static List<ChatListEntry> LargeGroupOrder(SqliteConnection connection, long userId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = LargeGroupOrderSql;
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@large", (int)ChatKind.LargeGroup);
        command.Parameters.AddWithValue("@channel", (int)ChatKind.Channel);
        using var reader = command.ExecuteReader();
        var entries = new List<ChatListEntry>();
        while (reader.Read())
        {
            entries.Add(new ChatListEntry(reader.GetInt64(0), Peer.Chat(reader.GetInt64(0)), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), Large: true));
        }

        return entries;
    }

    /// <summary>The caller's large groups as dialogs, <c>@chats</c> a JSON array of <c>[chat id, read position, id
    /// counted up to, count]</c>, a count remembered to start from (<see cref="ChatList.LargeGroupUnread"/>; −1: none):
    /// the chat's newest message (not one they deleted for themselves), the member's read position and unread count
    /// (counted from the messages: no per-member row changes when someone posts), and the chat's newest message id, which
    /// the count covers (the same statement, the same snapshot). One key lookup per chat (<c>CROSS JOIN</c>: the array
    /// drives).</summary>
    internal static readonly string LargeGroupDialogsSql =
        "SELECT c.id, c.last_activity, mem.read_inbox_max_id, " +
        $"{ChatList.LargeGroupUnread.UnreadSql("c.id", "mem.read_inbox_max_id", "(j.value ->> 1)", "(j.value ->> 2)", "(j.value ->> 3)")}, " +
        $"{ChatList.LargeGroupUnread.NewestSql("c.id")}, " +
        $"{MessageStore.MessageColumns}, {MessageStore.PinnedColumns}, {MessageStore.ViewerColumns}, {MessageStore.PinnedCountColumn} " +
        "FROM json_each(@chats) j CROSS JOIN message_members mem ON mem.chat_id = (j.value ->> 0) AND mem.user_id = @user " +
        $"JOIN message_chats c ON c.id = mem.chat_id {MessageStore.PinnedJoin} {MessageStore.ViewerJoins("c.id")}" +
        $"LEFT JOIN message_messages m ON m.id = {VisibleTopId} AND m.deleted = 0 " +
        "WHERE c.kind IN (@large, @channel)";

    /// <summary>The caller's large groups <paramref name="chatIds"/> as dialogs (<see cref="LargeGroupDialogsSql"/>), each
    /// unread count from the one <paramref name="unread"/> remembers when it still holds, and remembered there.</summary>
    public static List<(long ChatId, Dialog Dialog)> LargeGroupDialogs(SqliteConnection connection, ChatList.LargeGroupUnread unread, long userId, long[] chatIds)
    {
        // The stamps are read before the statement's snapshot is taken (ChatList.LargeGroupUnread).
        var starts = chatIds.ToDictionary(chatId => chatId, chatId => unread.Begin(userId, chatId));
        using var command = connection.CreateCommand();
        command.CommandText = LargeGroupDialogsSql;
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@large", (int)ChatKind.LargeGroup);
        command.Parameters.AddWithValue("@channel", (int)ChatKind.Channel);
        command.Parameters.AddWithValue("@chats", System.Text.Json.JsonSerializer.Serialize(
            starts.Select(s => new[] { s.Key, s.Value.From.ReadMaxId, s.Value.From.UpTo, s.Value.From.Count })));
        using var reader = command.ExecuteReader();
        var dialogs = new List<(long, Dialog)>();
        const int Columns = 5;
        while (reader.Read())
        {
            var chatId = reader.GetInt64(0);
            var counted = new ChatList.LargeGroupUnread.Counted(reader.GetInt64(2), reader.GetInt64(4), reader.GetInt32(3));
            unread.Remember(userId, chatId, starts[chatId], counted);
            var top = reader.IsDBNull(Columns) ? null : MessageStore.ReadMessage(reader, Columns);
            var pinned = reader.IsDBNull(Columns + MessageStore.MessageColumnCount) ? null : MessageStore.ReadMessage(reader, Columns + MessageStore.MessageColumnCount);
            var viewer = MessageStore.ReadViewer(reader, Columns + 2 * MessageStore.MessageColumnCount);
            dialogs.Add((chatId, new Dialog(Peer.Chat(chatId), top, counted.Count, counted.ReadMaxId, 0, 0, reader.GetInt64(1), pinned,
                viewer.MuteUntil, viewer.Draft, viewer.PinnedAt > 0, viewer.Archived, viewer.UnreadMark, viewer.TtlPeriod, viewer.UnreadMentions,
                reader.GetInt32(Columns + 2 * MessageStore.MessageColumnCount + MessageStore.ViewerColumnCount))));
        }

        return dialogs;
    }

    // ---- inside a writer unit ----

    public static List<long> MemberIds(WriteScope scope, long chatId)
    {
        var command = scope.Command("SELECT user_id FROM message_members WHERE chat_id = @chat");
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ReadInt64Column();
    }

    /// <summary>The chat's bots (of the Bot HTTP API), from the partial index: a large group's messages are copied to them.</summary>
    public static List<long> BotMemberIds(WriteScope scope, long chatId)
    {
        var command = scope.Command("SELECT user_id FROM message_members WHERE chat_id = @chat AND is_bot = 1");
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ReadInt64Column();
    }

    public const string AdminIdsSql = "SELECT user_id FROM message_members WHERE chat_id = @chat AND role <> 0";

    /// <summary>The chat's admins and its creator, from the partial index <c>IX_message_members_admins</c> (a seek, not a
    /// walk over a channel's subscribers: the literal <c>role &lt;&gt; 0</c> is what lets SQLite use it).</summary>
    public static List<long> AdminIds(WriteScope scope, long chatId)
    {
        var command = scope.Command(AdminIdsSql);
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ReadInt64Column();
    }

    public static MemberRole? RoleOf(WriteScope scope, long chatId, long userId) =>
        scope.Scalar("SELECT role FROM message_members WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", userId))
            is long role ? (MemberRole)role : null;

    public static (ChatKind Kind, string Title, long CreatorId, long CreatedAt, int MemberCount)? Chat(WriteScope scope, long chatId)
    {
        var command = scope.Command(
            "SELECT kind, title, creator_id, created_at, member_count FROM message_chats WHERE id = @chat AND kind <> @private AND deleted = 0");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@private", MessageStore.PrivateChat);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? ((ChatKind)reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt32(4))
            : null;
    }

    public static long CreateChat(WriteScope scope, ChatKind kind, string title, long creatorId, long now) =>
        (long)scope.Scalar("INSERT INTO message_chats (kind, title, creator_id, created_at, member_count, top_message_id, last_activity, member_rights) " +
            "VALUES (@kind, @title, @creator, @now, 0, 0, @now, @rights) RETURNING id",
            ("@kind", (int)kind), ("@title", title), ("@creator", creatorId), ("@now", now), ("@rights", (int)Groups.ChatRightsRules.DefaultFor(kind)))!;

    /// <summary>The id of the chat's newest message (0 for none), by the end of its range of the chat's index.</summary>
    public static long NewestMessageId(WriteScope scope, long chatId) =>
        scope.Scalar("SELECT coalesce(max(id), 0) FROM message_messages WHERE chat_id = @chat", ("@chat", chatId)) is long id ? id : 0;

    public static void AddMember(WriteScope scope, long chatId, long userId, MemberRole role, long now, long readInboxMaxId, bool isBot = false)
    {
        scope.Execute("INSERT INTO message_members (chat_id, user_id, role, joined_at, read_inbox_max_id, is_bot) VALUES (@chat, @user, @role, @now, @read, @bot)",
            ("@chat", chatId), ("@user", userId), ("@role", (int)role), ("@now", now), ("@read", readInboxMaxId), ("@bot", isBot));
        scope.Execute("UPDATE message_chats SET member_count = member_count + 1 WHERE id = @chat", ("@chat", chatId));
    }

    // ---- bans: users an admin removed ----

    public static bool IsBanned(WriteScope scope, long chatId, long userId) =>
        scope.Scalar("SELECT 1 FROM message_bans WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", userId)) is not null;

    public static void Ban(WriteScope scope, long chatId, long userId, long bannedBy, long now) =>
        scope.Execute("INSERT OR REPLACE INTO message_bans (chat_id, user_id, banned_by, date) VALUES (@chat, @user, @by, @now)",
            ("@chat", chatId), ("@user", userId), ("@by", bannedBy), ("@now", now));

    /// <summary>Lifts the ban; false when there was none.</summary>
    public static bool Unban(WriteScope scope, long chatId, long userId) =>
        scope.Execute("DELETE FROM message_bans WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", userId)) > 0;

    /// <summary>The chat's banned users, most recently banned first, and how many there are.</summary>
    public ChatBans Banned(long chatId, int offset, int limit)
    {
        using var connection = database.Open();
        using var page = connection.CreateCommand();
        page.CommandText = "SELECT user_id FROM message_bans WHERE chat_id = @chat ORDER BY date DESC, user_id LIMIT @limit OFFSET @offset";
        page.Parameters.AddWithValue("@chat", chatId);
        page.Parameters.AddWithValue("@limit", limit);
        page.Parameters.AddWithValue("@offset", offset);
        var ids = page.ReadInt64Column();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM message_bans WHERE chat_id = @chat";
        count.Parameters.AddWithValue("@chat", chatId);
        return new ChatBans([.. ids], (int)(long)count.ExecuteScalar()!);
    }

    /// <summary>Every group <paramref name="userId"/> is a member of.</summary>
    public static List<long> ChatIdsOf(WriteScope scope, long userId)
    {
        var command = scope.Command("SELECT chat_id FROM message_members WHERE user_id = @user ORDER BY chat_id");
        command.Parameters.AddWithValue("@user", userId);
        return command.ReadInt64Column();
    }

    /// <summary>Who takes over from a creator who goes: the longest-standing admin, else the longest-standing member;
    /// never a bot of the Bot HTTP API (nobody would answer for the chat).</summary>
    public static long? Successor(WriteScope scope, long chatId, long creatorId) =>
        scope.Scalar("SELECT user_id FROM message_members WHERE chat_id = @chat AND user_id <> @creator AND is_bot = 0 " +
            "ORDER BY role DESC, joined_at, user_id LIMIT 1",
            ("@chat", chatId), ("@creator", creatorId)) as long?;

    public static void SetCreator(WriteScope scope, long chatId, long userId)
    {
        scope.Execute("UPDATE message_members SET role = @creator WHERE chat_id = @chat AND user_id = @user",
            ("@creator", (int)MemberRole.Creator), ("@chat", chatId), ("@user", userId));
        scope.Execute("UPDATE message_chats SET creator_id = @user WHERE id = @chat", ("@user", userId), ("@chat", chatId));
    }

    /// <summary>A member leaves (or is removed): with the membership go their dialog, their mentions and their own
    /// settings of the chat (<see cref="ForgetSettings"/>), which they could no longer change nor see.</summary>
    public static void RemoveMember(WriteScope scope, long chatId, long userId)
    {
        scope.Execute("DELETE FROM message_members WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", userId));
        scope.Execute("UPDATE message_chats SET member_count = member_count - 1 WHERE id = @chat", ("@chat", chatId));
        scope.Execute("DELETE FROM message_dialogs WHERE chat_id = @chat AND user_id = @user", ("@chat", chatId), ("@user", userId));
        scope.Execute("DELETE FROM message_mentions WHERE user_id = @user AND chat_id = @chat", ("@user", userId), ("@chat", chatId));
        ForgetSettings(scope, chatId, [userId]);
        ChatList.DialogFolders.RememberFormerMember(scope, chatId, userId);
    }

    /// <summary>The tables of a user's own settings of a chat, keyed by user and chat: mutes (the topics' too), dialog
    /// pins, archive entries, unread marks and drafts.</summary>
    internal static readonly string[] SettingTables =
        ["message_notify", "message_dialog_pins", "message_dialog_archive", "message_unread_marks", "message_drafts", "message_topic_notify"];

    /// <summary>Deletes <paramref name="users"/>' own settings of the chat (<see cref="SettingTables"/>), when they
    /// leave it or it is deleted: a pin kept of a chat no longer in the list would hold one of the few pin slots for
    /// good (it cannot be unpinned from outside the chat), and the rest would come back on a rejoin.</summary>
    public static void ForgetSettings(WriteScope scope, long chatId, IReadOnlyCollection<long> users)
    {
        var ids = System.Text.Json.JsonSerializer.Serialize(users);
        foreach (var table in SettingTables)
        {
            scope.Execute($"DELETE FROM {table} WHERE chat_id = @chat AND user_id IN (SELECT value FROM json_each(@ids))", ("@chat", chatId), ("@ids", ids));
        }
    }

    /// <summary>The chat as the API shows it, as this unit's transaction sees it.</summary>
    public static Chat ToChat(WriteScope scope, long chatId, IUpdateLog log)
    {
        var command = scope.Command($"SELECT {ChatColumns} FROM message_chats WHERE id = @chat");
        command.Parameters.AddWithValue("@chat", chatId);
        Chat chat;
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            chat = ReadChat(reader, chatId);
        }

        return chat.HasOwnLog ? chat with { Pts = log.CurrentPts(scope, LogOwners.OfChat(chatId)) } : chat;
    }

    private const string ChatColumns = "kind, title, creator_id, member_count, created_at, photo, about, member_rights, slow_mode, forum";

    private static Chat ReadChat(SqliteDataReader reader, long chatId)
    {
        var kind = (ChatKind)reader.GetInt32(0);
        return new Chat(chatId, kind, reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt64(4), 0,
            reader.IsDBNull(5) ? null : WireSerializer.Deserialize<MessageMedia>((byte[])reader.GetValue(5)), reader.GetString(6),
            Groups.ChatRightsRules.ToPermissions((Groups.ChatRights)reader.GetInt32(7)), reader.GetInt32(8), reader.GetBoolean(9));
    }

    /// <summary>What the group lets its plain members do, read outside a unit (a typing notice's check).</summary>
    public Groups.ChatRights MemberRights(long chatId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT member_rights FROM message_chats WHERE id = @chat";
        command.Parameters.AddWithValue("@chat", chatId);
        return command.ExecuteScalar() is long rights ? (Groups.ChatRights)rights : Groups.ChatRights.None;
    }

    /// <summary>What the chat's plain members may do, and its slow mode (seconds).</summary>
    public static (Groups.ChatRights Rights, int SlowMode) Rights(WriteScope scope, long chatId)
    {
        var command = scope.Command("SELECT member_rights, slow_mode FROM message_chats WHERE id = @chat");
        command.Parameters.AddWithValue("@chat", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ((Groups.ChatRights)reader.GetInt32(0), reader.GetInt32(1)) : (Groups.ChatRights.None, 0);
    }

    /// <summary>A member about to post: their role, what the chat lets members do, its slow mode and when they last
    /// posted — one read, on every group post's path.</summary>
    internal readonly record struct Poster(MemberRole Role, Groups.ChatRights Rights, int SlowMode, long LastPostAt, bool Forum);

    public static Poster? PosterOf(WriteScope scope, long chatId, long userId)
    {
        var command = scope.Command("SELECT m.role, c.member_rights, c.slow_mode, m.last_post_at, c.forum FROM message_members m " +
            "JOIN message_chats c ON c.id = m.chat_id WHERE m.chat_id = @chat AND m.user_id = @user");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Poster((MemberRole)reader.GetInt32(0), (Groups.ChatRights)reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetBoolean(4)) : null;
    }

    public static string About(WriteScope scope, long chatId) =>
        scope.Scalar("SELECT about FROM message_chats WHERE id = @chat", ("@chat", chatId)) as string ?? "";

    public static MessageMedia? Photo(WriteScope scope, long chatId) =>
        scope.Scalar("SELECT photo FROM message_chats WHERE id = @chat", ("@chat", chatId)) is byte[] photo
            ? WireSerializer.Deserialize<MessageMedia>(photo)
            : null;

    /// <summary>Sets (or, null, removes) the group's photo inside <paramref name="scope"/>'s unit: the previous photo's
    /// media reference is released, the new one attached, in the same transaction as the row. A photo without its
    /// thumbnail (the decoder was busy) moves the thumbnails' pass back to the row: the caller asks for a pass.</summary>
    public static MessageMedia? SetPhoto(WriteScope scope, IMediaAttachments media, long chatId, PreparedMedia? prepared, long uploaderId)
    {
        var photo = media.Replace(scope, MediaHolders.ChatPhotoOf(chatId), prepared, uploaderId);
        scope.Execute("UPDATE message_chats SET photo = @photo WHERE id = @chat",
            ("@photo", photo is null ? DBNull.Value : WireSerializer.Serialize(photo)), ("@chat", chatId));
        if (DescriptorThumbnailPass.LacksThumbnail(photo))
        {
            Thumbnails.ChatPhotoThumbnails.Rewind(scope, chatId);
        }

        return photo;
    }
}
