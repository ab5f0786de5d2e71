using System.Security.Cryptography;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Microsoft.Data.Sqlite;

namespace Messenger.Message.SecretChats;

/// <summary>A secret chat as stored: the wire form and what only the server uses (the bound devices, the read
/// positions).</summary>
internal sealed record StoredSecretChat(SecretChat Chat, byte[] AdminDevice, byte[]? ParticipantDevice, long AdminReadDate, long ParticipantReadDate)
{
    public bool IsMember(long userId) => userId == Chat.AdminId || userId == Chat.ParticipantId;

    public long OtherThan(long userId) => userId == Chat.AdminId ? Chat.ParticipantId : Chat.AdminId;

    /// <summary>The device the chat is bound to on <paramref name="userId"/>'s side (null: the participant has not accepted).</summary>
    public byte[]? DeviceOf(long userId) => userId == Chat.AdminId ? AdminDevice : ParticipantDevice;
}

/// <summary>
/// The secret chats' SQL (<c>message_secret_chats</c>, <c>message_secret_sends</c>, <c>message_secret_files</c>). Writes take the writer unit's
/// <see cref="WriteScope"/>, so a change and the log entries that tell it commit together; the rest read on a pooled
/// connection of their own.
/// </summary>
internal sealed class SecretChatStore(SqliteDatabase database)
{
    /// <summary>Requests one user may have waiting for acceptance (<c>SECRET_CHATS_TOO_MUCH</c> beyond).</summary>
    public const int MaxWaitingRequests = 100;

    /// <summary>The seconds over which <see cref="MessageOptions.SecretChatsPerPeerPerDay"/> counts the chats one user
    /// started with another.</summary>
    public const long PerPeerWindow = 24 * 60 * 60;

    /// <summary>Discarded chats <c>secret.getChats</c> lists at most (the newest endings), besides every open one.</summary>
    public const int ListedDiscarded = 100;

    /// <summary>How long a send's idempotency row is kept: a resend of the same random_id within it answers the first
    /// date and logs nothing. Far longer than a client retries a lost answer (its calls time out in seconds, and a device
    /// that crashed sends again when it starts).</summary>
    public static readonly TimeSpan SendsKept = TimeSpan.FromDays(7);

    /// <summary>How long a discarded chat is still listed by <c>secret.getChats</c> (and kept at all).</summary>
    public static readonly TimeSpan DiscardedKept = TimeSpan.FromDays(30);

    /// <summary>random_ids and chat ids are JavaScript-safe: the web client reads them as numbers and puts them in the
    /// associated data of every message.</summary>
    public const long MaxSafeInteger = (1L << 53) - 1;

    private const string Columns =
        "id, admin_id, participant_id, state, date, g_a, g_b, key_fingerprint, reason, history_deleted, admin_device, participant_device, " +
        "admin_read_date, participant_read_date";

    public static bool IsSafeRandomId(long randomId) => randomId != 0 && randomId is >= -MaxSafeInteger and <= MaxSafeInteger;

    public static StoredSecretChat? Find(WriteScope scope, long chatId)
    {
        var command = scope.Command($"SELECT {Columns} FROM message_secret_chats WHERE id = @id");
        command.Parameters.AddWithValue("@id", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public StoredSecretChat? Find(long chatId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM message_secret_chats WHERE id = @id";
        command.Parameters.AddWithValue("@id", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public static StoredSecretChat? FindRequest(WriteScope scope, long adminId, long randomId)
    {
        var command = scope.Command($"SELECT {Columns} FROM message_secret_chats WHERE admin_id = @admin AND random_id = @random");
        command.Parameters.AddWithValue("@admin", adminId);
        command.Parameters.AddWithValue("@random", randomId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    public static long WaitingRequests(WriteScope scope, long adminId) =>
        (long)scope.Scalar("SELECT count(*) FROM message_secret_chats WHERE admin_id = @admin AND state = 0", ("@admin", adminId))!;

    /// <summary>The date of the <paramref name="n"/>-th newest chat <paramref name="adminId"/> started with
    /// <paramref name="participantId"/>, or null when there are fewer.</summary>
    public static long? NthLatestStartedWith(WriteScope scope, long adminId, long participantId, int n) =>
        scope.Scalar(
            "SELECT date FROM message_secret_chats WHERE admin_id = @admin AND participant_id = @participant ORDER BY date DESC LIMIT 1 OFFSET @skip",
            ("@admin", adminId), ("@participant", participantId), ("@skip", n - 1)) as long?;

    /// <summary>The user's chats that are not discarded, and the <see cref="ListedDiscarded"/> last discarded after
    /// <paramref name="discardedSince"/> (unix seconds), newest first.</summary>
    public SecretChat[] ListFor(long userId, long discardedSince)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {Columns} FROM message_secret_chats WHERE admin_id = @user AND state <> 2 " +
            $"UNION ALL SELECT {Columns} FROM message_secret_chats WHERE participant_id = @user AND state <> 2";
        command.Parameters.AddWithValue("@user", userId);
        var chats = new List<SecretChat>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                chats.Add(Read(reader).Chat);
            }
        }

        // Endings are bounded apart from the open chats: a pair's chats started and ended again and again would
        // otherwise grow the answer past what a device can read.
        command.CommandText =
            $"SELECT * FROM (SELECT {Columns}, discarded_at FROM message_secret_chats WHERE admin_id = @user AND state = 2 AND discarded_at >= @since " +
            $"UNION ALL SELECT {Columns}, discarded_at FROM message_secret_chats WHERE participant_id = @user AND state = 2 AND discarded_at >= @since) " +
            "ORDER BY discarded_at DESC, id DESC LIMIT @limit";
        command.Parameters.AddWithValue("@since", discardedSince);
        command.Parameters.AddWithValue("@limit", ListedDiscarded);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                chats.Add(Read(reader).Chat);
            }
        }

        return [.. chats.OrderByDescending(c => c.Date).ThenByDescending(c => c.Id)];
    }

    /// <summary>Whether anything is left to end for a device or a user (read outside the writer, so that the many sign-outs
    /// and deletions without a secret chat cost the writer nothing).</summary>
    public bool AnyOpen(byte[]? deviceKey, long? userId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = deviceKey is not null
            ? "SELECT EXISTS (SELECT 1 FROM message_secret_chats WHERE admin_device = @key AND state <> 2) " +
              "OR EXISTS (SELECT 1 FROM message_secret_chats WHERE participant_device = @key AND state <> 2)"
            : "SELECT EXISTS (SELECT 1 FROM message_secret_chats WHERE admin_id = @user AND state <> 2) " +
              "OR EXISTS (SELECT 1 FROM message_secret_chats WHERE participant_id = @user AND state <> 2)";
        command.Parameters.AddWithValue("@key", (object?)deviceKey ?? DBNull.Value);
        command.Parameters.AddWithValue("@user", userId ?? 0);
        return command.ExecuteScalar() is 1L;
    }

    /// <summary>Up to <paramref name="limit"/> chats not yet discarded with ids above <paramref name="afterId"/>, by id.</summary>
    public List<StoredSecretChat> OpenAfter(long afterId, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM message_secret_chats WHERE id > @after AND state <> 2 ORDER BY id LIMIT @limit";
        command.Parameters.AddWithValue("@after", afterId);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var chats = new List<StoredSecretChat>();
        while (reader.Read())
        {
            chats.Add(Read(reader));
        }

        return chats;
    }

    /// <summary>The chats not yet discarded that the device <paramref name="deviceKey"/> holds, on either side.</summary>
    public static long[] OpenOnDevice(WriteScope scope, byte[] deviceKey) => Ids(
        scope, "SELECT id FROM message_secret_chats WHERE admin_device = @key AND state <> 2 " +
        "UNION SELECT id FROM message_secret_chats WHERE participant_device = @key AND state <> 2", ("@key", deviceKey));

    /// <summary>The chats not yet discarded of <paramref name="userId"/>, on either side.</summary>
    public static long[] OpenOf(WriteScope scope, long userId) => Ids(
        scope, "SELECT id FROM message_secret_chats WHERE admin_id = @user AND state <> 2 " +
        "UNION SELECT id FROM message_secret_chats WHERE participant_id = @user AND state <> 2", ("@user", userId));

    /// <summary>A new chat id: random below 2^53 (a JavaScript number), so ids tell nothing of how many chats there are.</summary>
    public static long NewId(WriteScope scope)
    {
        while (true)
        {
            var id = RandomNumberGenerator.GetInt32(1, int.MaxValue) * (1L << 22) + RandomNumberGenerator.GetInt32(0, 1 << 22);
            if (scope.Scalar("SELECT 1 FROM message_secret_chats WHERE id = @id", ("@id", id)) is null)
            {
                return id;
            }
        }
    }

    public static void Insert(WriteScope scope, SecretChat chat, long randomId, byte[] adminDevice) =>
        scope.Execute(
            "INSERT INTO message_secret_chats (id, admin_id, participant_id, admin_device, state, g_a, key_fingerprint, random_id, history_deleted, date, " +
            "admin_read_date, participant_read_date) VALUES (@id, @admin, @participant, @device, 0, @ga, 0, @random, 0, @date, 0, 0)",
            ("@id", chat.Id), ("@admin", chat.AdminId), ("@participant", chat.ParticipantId), ("@device", adminDevice), ("@ga", chat.GA),
            ("@random", randomId), ("@date", chat.Date));

    public static void Accept(WriteScope scope, long chatId, byte[] participantDevice, byte[] gB, long keyFingerprint) =>
        scope.Execute(
            "UPDATE message_secret_chats SET state = 1, participant_device = @device, g_b = @gb, key_fingerprint = @fingerprint WHERE id = @id",
            ("@id", chatId), ("@device", participantDevice), ("@gb", gB), ("@fingerprint", keyFingerprint));

    /// <summary>Marks the chat discarded and drops its sends' idempotency rows (nothing can be sent to it any more) and
    /// its files' references, so their blobs are collected after the grace period.</summary>
    public static SecretChat Discard(WriteScope scope, IMediaAttachments media, SecretChat chat, string reason, bool historyDeleted, long now)
    {
        scope.Execute(
            "UPDATE message_secret_chats SET state = 2, reason = @reason, history_deleted = @deleted, discarded_at = @now WHERE id = @id",
            ("@id", chat.Id), ("@reason", reason), ("@deleted", historyDeleted), ("@now", now));
        scope.Execute("DELETE FROM message_secret_sends WHERE chat_id = @id", ("@id", chat.Id));
        foreach (var fileId in Ids(scope, "SELECT id FROM message_secret_files WHERE chat_id = @id", ("@id", chat.Id)))
        {
            media.Release(scope, MediaHolders.SecretFileOf(fileId));
        }

        scope.Execute("DELETE FROM message_secret_files WHERE chat_id = @id", ("@id", chat.Id));
        return chat with { State = SecretChatState.Discarded, Reason = reason, HistoryDeleted = historyDeleted };
    }

    /// <summary>The first date of a message already sent with this random_id, or null.</summary>
    public static long? SentDate(WriteScope scope, long chatId, long fromId, long randomId) =>
        scope.Scalar(
            "SELECT date FROM message_secret_sends WHERE chat_id = @chat AND from_id = @from AND random_id = @random",
            ("@chat", chatId), ("@from", fromId), ("@random", randomId)) as long?;

    public static void RecordSent(WriteScope scope, long chatId, long fromId, long randomId, long date) =>
        scope.Execute(
            "INSERT INTO message_secret_sends (chat_id, from_id, random_id, date) VALUES (@chat, @from, @random, @date)",
            ("@chat", chatId), ("@from", fromId), ("@random", randomId), ("@date", date));

    /// <summary>A new row for a file the chat will hold; its id names the media reference's holder.</summary>
    public static long InsertFile(WriteScope scope, long chatId, long fromId, long randomId) =>
        (long)scope.Scalar(
            "INSERT INTO message_secret_files (chat_id, from_id, random_id, media_id, size) VALUES (@chat, @from, @random, 0, 0) RETURNING id",
            ("@chat", chatId), ("@from", fromId), ("@random", randomId))!;

    public static void SetFileMedia(WriteScope scope, long fileId, EncryptedFile file) =>
        scope.Execute("UPDATE message_secret_files SET media_id = @media, size = @size WHERE id = @id", ("@id", fileId), ("@media", file.Id), ("@size", file.Size));

    /// <summary>The file the message <paramref name="randomId"/> of <paramref name="fromId"/> carried, or null.</summary>
    public static EncryptedFile? SentFile(WriteScope scope, long chatId, long fromId, long randomId) =>
        FileWhere(scope, chatId, fromId, "random_id", randomId);

    /// <summary>The file <paramref name="mediaId"/> as chat <paramref name="chatId"/> holds it for one of
    /// <paramref name="fromId"/>'s messages, or null (never sent by them in this chat, or released with the chat).</summary>
    public static EncryptedFile? HeldFile(WriteScope scope, long chatId, long fromId, long mediaId) =>
        FileWhere(scope, chatId, fromId, "media_id", mediaId);

    // One of fromId's files in the chat by a column of ours (random_id or media_id), never a caller's text.
    private static EncryptedFile? FileWhere(WriteScope scope, long chatId, long fromId, string column, long value)
    {
        var command = scope.Command($"SELECT media_id, size FROM message_secret_files WHERE chat_id = @chat AND from_id = @from AND {column} = @value LIMIT 1");
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@from", fromId);
        command.Parameters.AddWithValue("@value", value);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new EncryptedFile(reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>The answer already given to a message sent with this random_id, or null (read outside the writer: a resend
    /// with a file need not complete its upload again).</summary>
    public SentEncryptedMessage? Sent(long chatId, long fromId, long randomId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT s.date, f.media_id, f.size FROM message_secret_sends s LEFT JOIN message_secret_files f " +
            "ON f.chat_id = s.chat_id AND f.from_id = s.from_id AND f.random_id = s.random_id " +
            "WHERE s.chat_id = @chat AND s.from_id = @from AND s.random_id = @random";
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@from", fromId);
        command.Parameters.AddWithValue("@random", randomId);
        using var reader = command.ExecuteReader();
        return !reader.Read() ? null
            : new SentEncryptedMessage(reader.GetInt64(0), reader.IsDBNull(1) ? null : new EncryptedFile(reader.GetInt64(1), reader.GetInt64(2)));
    }

    /// <summary>
    /// What a notification of a secret message from <paramref name="fromId"/> to <paramref name="userId"/> needs, in one
    /// statement (it runs for every pushed secret message): <paramref name="userId"/>'s bound device when the chat is
    /// Ready between these two, whether either blocks the other, and until when <paramref name="userId"/> muted their
    /// private chat with <paramref name="fromId"/> (0: never, or no such chat). Null when the chat is not Ready between them.
    /// </summary>
    public (byte[] Device, bool Blocked, long MuteUntil)? NoticeOf(long chatId, long userId, long fromId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT CASE WHEN s.admin_id = @user THEN s.admin_device ELSE s.participant_device END, " +
            "EXISTS (SELECT 1 FROM message_blocks WHERE user_id = @from AND blocked_id = @user) " +
            "OR EXISTS (SELECT 1 FROM message_blocks WHERE user_id = @user AND blocked_id = @from), " +
            "(SELECT n.mute_until FROM message_chats c JOIN message_notify n ON n.user_id = @user AND n.chat_id = c.id " +
            "WHERE c.user_low = @low AND c.user_high = @high) " +
            "FROM message_secret_chats s WHERE s.id = @chat AND s.state = 1 " +
            "AND ((s.admin_id = @user AND s.participant_id = @from) OR (s.participant_id = @user AND s.admin_id = @from))";
        command.Parameters.AddWithValue("@chat", chatId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@from", fromId);
        command.Parameters.AddWithValue("@low", Math.Min(userId, fromId));
        command.Parameters.AddWithValue("@high", Math.Max(userId, fromId));
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0))
        {
            return null;
        }

        return ((byte[])reader.GetValue(0), reader.GetBoolean(1), reader.IsDBNull(2) ? 0 : reader.GetInt64(2));
    }

    /// <summary>Whether <paramref name="userId"/> is a member of a chat not discarded that holds one of these files.</summary>
    public bool CanReadAnyFile(long userId, long[] fileIds)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT 1 FROM message_secret_files f JOIN message_secret_chats c ON c.id = f.chat_id WHERE f.id IN ({command.BindList("file", fileIds)}) " +
            "AND c.state <> 2 AND (c.admin_id = @user OR c.participant_id = @user) LIMIT 1";
        command.Parameters.AddWithValue("@user", userId);
        return command.ExecuteScalar() is not null;
    }

    public static void SetReadDate(WriteScope scope, StoredSecretChat chat, long readerId, long maxDate) =>
        scope.Execute(
            readerId == chat.Chat.AdminId
                ? "UPDATE message_secret_chats SET admin_read_date = @date WHERE id = @id"
                : "UPDATE message_secret_chats SET participant_read_date = @date WHERE id = @id",
            ("@id", chat.Chat.Id), ("@date", maxDate));

    /// <summary>Deletes chats discarded before <paramref name="before"/> (unix seconds), at most <paramref name="limit"/>; how many went.</summary>
    public static int SweepDiscarded(WriteScope scope, long before, int limit) =>
        scope.Execute(
            "DELETE FROM message_secret_chats WHERE id IN (SELECT id FROM message_secret_chats WHERE discarded_at < @before LIMIT @limit)",
            ("@before", before), ("@limit", limit));

    /// <summary>Deletes sends' idempotency rows dated before <paramref name="before"/> (unix seconds), at most
    /// <paramref name="limit"/>; how many went.</summary>
    public static int SweepSends(WriteScope scope, long before, int limit) =>
        scope.Execute(
            "DELETE FROM message_secret_sends WHERE rowid IN (SELECT rowid FROM message_secret_sends WHERE date < @before LIMIT @limit)",
            ("@before", before), ("@limit", limit));

    /// <summary>Appends <c>secret_chat</c> with <paramref name="chat"/> to the logs of <paramref name="owners"/>.</summary>
    public static void Tell(WriteScope scope, IUpdateLog log, SecretChat chat, long now, List<LogAppend> appends, params long[] owners)
    {
        foreach (var owner in owners)
        {
            appends.Add(new LogAppend(owner, log.Append(scope, owner, new SecretChatUpdate(chat), now)));
        }
    }

    /// <summary>The chat as a member's bound device may use it for sending, reading and typing, or the error that says
    /// why not.</summary>
    public static StoredSecretChat RequireUsable(StoredSecretChat? stored, long userId, byte[] deviceKey)
    {
        if (stored is null || !stored.IsMember(userId) || stored.Chat.State == SecretChatState.Requested)
        {
            throw MessengerError.BadRequest(SecretErrorNames.EncryptionIdInvalid);
        }

        if (stored.Chat.State == SecretChatState.Discarded)
        {
            throw MessengerError.BadRequest(SecretErrorNames.EncryptionDeclined);
        }

        if (stored.DeviceOf(userId) is not { } bound || !CryptographicOperations.FixedTimeEquals(bound, deviceKey))
        {
            throw MessengerError.Forbidden(SecretErrorNames.EncryptionDeviceInvalid);
        }

        return stored;
    }

    private static long[] Ids(WriteScope scope, string sql, (string Name, object Value) parameter)
    {
        var command = scope.Command(sql);
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return [.. ids];
    }

    private static StoredSecretChat Read(SqliteDataReader reader)
    {
        var chat = new SecretChat(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), (SecretChatState)reader.GetInt32(3), reader.GetInt64(4),
            (byte[])reader.GetValue(5), reader.IsDBNull(6) ? null : (byte[])reader.GetValue(6), reader.GetInt64(7),
            reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetBoolean(9));
        return new StoredSecretChat(
            chat, (byte[])reader.GetValue(10), reader.IsDBNull(11) ? null : (byte[])reader.GetValue(11), reader.GetInt64(12), reader.GetInt64(13));
    }
}
