using Messenger.Contracts.Admin;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;
using ChatMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Message.Storage;

/// <summary>Reports of messages to the server's admins (<c>message_reports</c>): a copy of each message as reported,
/// why, and what an admin did about it. States: 0 open, 1 dismissed, 2 the message deleted.</summary>
internal static class ReportStore
{
    public const int Dismissed = 1;
    public const int Deleted = 2;

    private const string Columns =
        "r.id, r.reporter_id, r.reason, r.comment, r.date, r.chat_id, CASE WHEN c.deleted = 0 THEN c.title END, r.message_id, r.from_id, " +
        "r.text, r.media, r.message_date, r.state, r.resolved_by, r.resolved_at, coalesce(c.deleted, 0) <> 0";

    // A private chat's row has no title; a group's keeps its title, null once the group is deleted (chat_deleted then says
    // so: the purge empties the title, and before it ends the title is the deleted chat's, shown nowhere else).
    private const string From = "FROM message_reports r LEFT JOIN message_chats c ON c.id = r.chat_id";

    /// <summary>Files the reporter's report of <paramref name="message"/>: 1, or 0 when they had reported it before.</summary>
    public static int File(WriteScope scope, long reporterId, long chatId, ChatMessage message, string reason, string? comment, long now) =>
        scope.Execute(
            "INSERT OR IGNORE INTO message_reports (reporter_id, chat_id, message_id, from_id, text, media, message_date, reason, comment, date, state) " +
            "VALUES (@reporter, @chat, @message, @from, @text, @media, @sent, @reason, @comment, @now, 0)",
            ("@reporter", reporterId), ("@chat", chatId), ("@message", message.Id), ("@from", message.FromId),
            ("@text", message.Poll?.Question ?? message.Text), ("@media", (object?)(message.Media is { } file ? $"{file.Kind}: {file.Name}" : null) ?? DBNull.Value),
            ("@sent", message.Date), ("@reason", reason), ("@comment", (object?)comment ?? DBNull.Value), ("@now", now));

    /// <summary>How many reports are open and the newest of them (by the <c>(state, id)</c> index).</summary>
    public static OpenReportsUpdate OpenSummary(WriteScope scope)
    {
        var open = Convert.ToInt32(scope.Scalar("SELECT count(*) FROM message_reports WHERE state = 0"));
        if (open == 0)
        {
            return new OpenReportsUpdate(0, null);
        }

        var command = scope.Command("SELECT id, reason, date FROM message_reports WHERE state = 0 ORDER BY id DESC LIMIT 1");
        using var reader = command.ExecuteReader();
        return new OpenReportsUpdate(open, reader.Read() ? new ReportNotice(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)) : null);
    }

    public static Report? Find(WriteScope scope, long id)
    {
        var command = scope.Command($"SELECT {Columns} {From} WHERE r.id = @id");
        command.Parameters.AddWithValue("@id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <summary>Resolves the reports <paramref name="where"/> (over <c>@id</c>) names.</summary>
    public static void Resolve(WriteScope scope, string where, long id, int state, long adminId, long now) =>
        scope.Execute($"UPDATE message_reports SET state = @state, resolved_by = @admin, resolved_at = @now WHERE {where}",
            ("@state", state), ("@admin", adminId), ("@now", now), ("@id", id));

    /// <summary>The author and addressee of a reported message still in its chat (not yet deleted for everyone).</summary>
    public static (long FromId, Peer ToPeer)? StoredMessage(WriteScope scope, long chatId, long messageId)
    {
        var command = scope.Command("SELECT from_id, to_kind, to_id FROM message_messages WHERE id = @id AND chat_id = @chat AND deleted = 0");
        command.Parameters.AddWithValue("@id", messageId);
        command.Parameters.AddWithValue("@chat", chatId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), new Peer((PeerKind)reader.GetInt32(1), reader.GetInt64(2))) : null;
    }

    /// <summary>The messages <paramref name="userId"/> posted (not service messages) still in their chats, after
    /// <paramref name="after"/> (a chat and an id), chat by chat: for <c>admin.deleteUserMessages</c>, by the
    /// <c>(from_id, chat_id, id)</c> index.</summary>
    public static List<(long Id, long ChatId, Peer ToPeer)> PostedBy(WriteScope scope, long userId, (long ChatId, long Id) after, int limit)
    {
        var command = scope.Command(
            "SELECT id, chat_id, to_kind, to_id FROM message_messages INDEXED BY IX_message_messages_from_id_chat_id_id " +
            "WHERE from_id = @user AND (chat_id, id) > (@chat, @after) AND deleted = 0 AND action IS NULL ORDER BY chat_id, id LIMIT @limit");
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@chat", after.ChatId);
        command.Parameters.AddWithValue("@after", after.Id);
        command.Parameters.AddWithValue("@limit", limit);
        using var reader = command.ExecuteReader();
        var rows = new List<(long, long, Peer)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), new Peer((PeerKind)reader.GetInt32(2), reader.GetInt64(3))));
        }

        return rows;
    }

    public static ReportList Page(SqliteConnection connection, bool resolved, long offsetId, int limit)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {Columns} {From} WHERE {(resolved ? "r.state <> 0" : "r.state = 0")} AND (@offset = 0 OR r.id < @offset) ORDER BY r.id DESC LIMIT @limit";
        command.Parameters.AddWithValue("@offset", offsetId);
        command.Parameters.AddWithValue("@limit", limit);
        var reports = new List<Report>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                reports.Add(Read(reader));
            }
        }

        using var open = connection.CreateCommand();
        open.CommandText = "SELECT count(*) FROM message_reports WHERE state = 0";
        return new ReportList([.. reports], Convert.ToInt32(open.ExecuteScalar()));
    }

    private static Report Read(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4),
        reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetInt64(11),
        reader.GetInt32(12) switch { Dismissed => ReportActions.Dismissed, Deleted => ReportActions.Deleted, _ => ReportActions.Open },
        reader.IsDBNull(13) ? null : reader.GetInt64(13), reader.IsDBNull(14) ? null : reader.GetInt64(14), reader.GetBoolean(15));
}
