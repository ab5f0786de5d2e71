using System.Security.Cryptography;
using Messenger.Media.Storage;
using Messenger.Media.Thumbnails;
using Microsoft.Data.Sqlite;

namespace Messenger.Host.Commands;

/// <summary>
/// The invariants the modules' code relies on, each read from the database in one streamed query (a row at a time, never
/// a table in memory; correlated subqueries go down the modules' own indexes) and, for media, the store's files. Each
/// says what the code that keeps it does, so a problem line can be traced to it.
/// </summary>
internal sealed class DataChecks(SqliteConnection connection, CheckReport report, string dataDirectory, bool hashes)
{
    // Holders of media references (MediaHolders): a message id is positive; the others are negative ranges.
    private const long ChatPhotoBase = Kernel.Media.MediaHolders.ChatPhotoBase;
    private const long ScheduledBase = Kernel.Media.MediaHolders.ScheduledBase;
    private const long SecretFileBase = Kernel.Media.MediaHolders.SecretFileBase;

    private string BlobRoot => BlobStore.RootIn(dataDirectory);

    private string ThumbRoot => ThumbnailStore.RootIn(dataDirectory);

    /// <summary>Every check in turn, in the order of the modules' dependence (logs, chats, media); one that cannot run on
    /// a damaged database is a problem of its own, and the others still run.</summary>
    public void RunAll()
    {
        Run("update logs", UpdateLogs);
        Run("dialogs", Dialogs);
        Run("group members", GroupMembers);
        Run("deleted accounts", DeletedAccounts);
        Run("media counts", MediaCounts);
        Run("media holders", MediaHolders);
        Run("media blobs", MediaBlobs);
        Run("media files", MediaStoreFiles);
    }

    private void Run(string name, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or InvalidCastException or InvalidOperationException or FormatException)
        {
            report.Problem("check-failed", name, $"could not be checked: {e.Message}");
        }
    }

    /// <summary>
    /// UpdateLog.Append takes the log's head + 1 in the appending unit, one pts an entry; LogCompactor removes only the
    /// oldest entries (never the head). So from each log's oldest entry to its head every pts is there once: its pts is the
    /// previous one's plus its <c>pts_count</c>. The head is the log's state (getState reads it): there is no state row
    /// apart from it to disagree with.
    /// </summary>
    private void UpdateLogs()
    {
        using var command = Command("SELECT owner_id, pts, pts_count FROM queue_updates ORDER BY owner_id, pts");
        using var reader = command.ExecuteReader();
        long? owner = null;
        long previous = 0;
        while (reader.Read())
        {
            var (current, pts, count) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            if (count < 1 || pts - count < 0)
            {
                report.Problem("update-log-entry", LogName(current), $"pts {pts} has pts_count {count}");
            }
            else if (current == owner && pts - count != previous)
            {
                report.Problem("update-log-gap", LogName(current),
                    $"pts {pts} (pts_count {count}) follows pts {previous}: {CheckReport.Number(pts - count - previous)} missing");
            }

            (owner, previous) = (current, pts);
        }
    }

    /// <summary>
    /// MessageStore.TouchDialog (a new message) and MessageStore.Recount (deletes, reads) keep each dialog row's
    /// <c>top_message_id</c> = the chat's newest message the user sees (not deleted, not hidden for them; 0 for none) and
    /// <c>unread_count</c> = the messages after <c>read_inbox_max_id</c> from others that the user sees — at most that: a
    /// database from before 2026-12-07 holds rows of members added to a small group with history whose
    /// <c>read_inbox_max_id</c> is 0 (a new row reads from the message that made it since) and whose count starts at
    /// that message; the next recount (a delete or a read in the chat) set them right.
    /// </summary>
    private void Dialogs()
    {
        const string Visible = "m.chat_id = d.chat_id AND m.deleted = 0 AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = d.user_id AND h.message_id = m.id)";
        using var command = Command(
            "SELECT d.user_id, d.chat_id, d.top_message_id, d.unread_count, " +
            $"coalesce((SELECT m.id FROM message_messages m WHERE {Visible} ORDER BY m.id DESC LIMIT 1), 0), " +
            $"(SELECT count(*) FROM message_messages m WHERE {Visible} AND m.id > d.read_inbox_max_id AND m.from_id <> d.user_id) " +
            "FROM message_dialogs d");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var (user, chat) = (reader.GetInt64(0), reader.GetInt64(1));
            var (top, unread, newest, unreadMessages) = (reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            if (top != newest)
            {
                report.Problem("dialog-top-message", $"dialog of user {user} in chat {chat}", $"top_message_id {top}, newest message they see {newest}");
            }

            // Lower is what an earlier build left for a member who joined a small group with history (see above).
            if (unread > unreadMessages || unread < 0)
            {
                report.Problem("dialog-unread-count", $"dialog of user {user} in chat {chat}", $"unread_count {unread}, unread messages {unreadMessages}");
            }
        }
    }

    /// <summary>GroupStore adds and removes a member row and moves <c>member_count</c> in the same unit; a deleted group
    /// has neither (DeleteGroup: <c>member_count = 0</c>, its members gone).</summary>
    private void GroupMembers()
    {
        using var command = Command(
            "SELECT c.id, c.member_count, (SELECT count(*) FROM message_members m WHERE m.chat_id = c.id) FROM message_chats c " +
            "WHERE c.kind >= 2 AND c.member_count <> (SELECT count(*) FROM message_members m WHERE m.chat_id = c.id)");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            report.Problem("group-member-count", $"chat {reader.GetInt64(0)}", $"member_count {reader.GetInt64(1)}, member rows {reader.GetInt64(2)}");
        }

        using var orphans = Command(
            "SELECT m.chat_id, count(*) FROM message_members m WHERE NOT EXISTS (SELECT 1 FROM message_chats c WHERE c.id = m.chat_id AND c.kind >= 2) " +
            "GROUP BY m.chat_id");
        using var rows = orphans.ExecuteReader();
        while (rows.Read())
        {
            report.Problem("member-without-group", $"chat {rows.GetInt64(0)}", $"{CheckReport.Number(rows.GetInt64(1))} member rows, no group row");
        }
    }

    /// <summary>A deleted account (its row kept, its username empty: SessionStore.DeleteAccountAsync) has no device signed
    /// in (the same unit signs them out). It leaves every group, and its dialogs and update log go, after that unit
    /// (LeaveDeletedAccount): a crash in between, or a receipt or an edit in an old chat appending to its log since, leaves
    /// those for FinishAccountDeletions, which runs the clean-up again at every start. So they are listed, no problem.</summary>
    private void DeletedAccounts()
    {
        using var command = Command(
            "SELECT u.id, " +
            "(SELECT count(*) FROM message_members m WHERE m.user_id = u.id), " +
            "(SELECT count(*) FROM message_dialogs d WHERE d.user_id = u.id), " +
            "(SELECT count(*) FROM queue_updates q WHERE q.owner_id = u.id), " +
            "(SELECT count(*) FROM session_authorizations a WHERE a.user_id = u.id) " +
            "FROM session_users u WHERE u.username = ''");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var user = $"deleted account {reader.GetInt64(0)}";
            Unfinished("deleted-account-member", user, reader.GetInt64(1), "groups it is still a member of");
            Unfinished("deleted-account-dialogs", user, reader.GetInt64(2), "dialogs left");
            Unfinished("deleted-account-update-log", user, reader.GetInt64(3), "update log entries left");
            if (reader.GetInt64(4) is > 0 and var devices)
            {
                report.Problem("deleted-account-devices", user, $"{CheckReport.Number(devices)} devices still signed in");
            }
        }

        void Unfinished(string kind, string user, long count, string what)
        {
            if (count > 0)
            {
                report.Unfinished(kind, user, $"{CheckReport.Number(count)} {what}");
            }
        }
    }

    /// <summary>
    /// MediaSql keeps, in the unit that adds or drops a reference: <c>media_files.ref_count</c> = its references (the row
    /// goes with its last), <c>media_blobs.ref_count</c> = the references to all media of that blob; every media row has
    /// its blob's row, every reference its media row, and every completed upload's record its blob's row (the collector
    /// does not delete a blob a record names).
    /// </summary>
    private void MediaCounts()
    {
        using (var command = Command(
            "SELECT f.id, f.ref_count, (SELECT count(*) FROM media_refs r WHERE r.media_id = f.id), " +
            "EXISTS (SELECT 1 FROM media_blobs b WHERE b.hash = f.hash), f.hash FROM media_files f"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var (media, count, references) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                if (count != references || references == 0)
                {
                    report.Problem("media-ref-count", $"media {media}", $"ref_count {count}, references {references}");
                }

                if (reader.GetInt64(3) == 0)
                {
                    report.Problem("media-without-blob", $"media {media}", $"blob {reader.GetString(4)} has no row");
                }
            }
        }

        using (var command = Command(
            "SELECT r.media_id, count(*) FROM media_refs r WHERE NOT EXISTS (SELECT 1 FROM media_files f WHERE f.id = r.media_id) GROUP BY r.media_id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                report.Problem("reference-without-media", $"media {reader.GetInt64(0)}", $"{CheckReport.Number(reader.GetInt64(1))} references, no media row");
            }
        }

        using (var command = Command(
            "SELECT c.user_id, c.file_id, c.hash FROM media_completed_uploads c WHERE NOT EXISTS (SELECT 1 FROM media_blobs b WHERE b.hash = c.hash)"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                report.Problem("completed-upload-without-blob", $"upload {reader.GetInt64(1)} of user {reader.GetInt64(0)}", $"blob {reader.GetString(2)} has no row");
            }
        }
    }

    /// <summary>Each reference's holder is there: a message not deleted for everyone (a delete releases its media in
    /// its unit), an account not deleted (its photo), a group not deleted, a scheduled message, a secret chat's file.</summary>
    private void MediaHolders()
    {
        using var command = Command(
            "SELECT r.message_id, r.media_id FROM media_refs r WHERE CASE " +
            "WHEN r.message_id > 0 THEN NOT EXISTS (SELECT 1 FROM message_messages m WHERE m.id = r.message_id AND m.deleted = 0) " +
            "WHEN r.message_id > -@chatBase THEN NOT EXISTS (SELECT 1 FROM session_users u WHERE u.id = -r.message_id AND u.username <> '') " +
            "WHEN r.message_id > -@scheduledBase THEN NOT EXISTS (SELECT 1 FROM message_chats c WHERE c.id = -r.message_id - @chatBase AND c.deleted = 0) " +
            "WHEN r.message_id > -@secretBase THEN NOT EXISTS (SELECT 1 FROM message_scheduled s WHERE s.id = -r.message_id - @scheduledBase) " +
            "ELSE NOT EXISTS (SELECT 1 FROM message_secret_files s WHERE s.id = -r.message_id - @secretBase) END");
        command.Parameters.AddWithValue("@chatBase", ChatPhotoBase);
        command.Parameters.AddWithValue("@scheduledBase", ScheduledBase);
        command.Parameters.AddWithValue("@secretBase", SecretFileBase);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            report.Problem("reference-without-holder", HolderName(reader.GetInt64(0)), $"still refers to media {reader.GetInt64(1)}");
        }
    }

    /// <summary>
    /// Each blob row's count against the references to its media, and its file: a blob with references always has its
    /// file, of the row's size (the collector never touches a counted blob). One without references may have none (a
    /// crash between recording its row and storing its file; the collector deletes the row). A made thumbnail
    /// (<c>thumb_state</c> 1) was recorded only once its file was in place.
    /// </summary>
    private void MediaBlobs()
    {
        using var command = Command(
            "SELECT b.hash, b.size, b.ref_count, b.thumb_state, " +
            "(SELECT count(*) FROM media_files f JOIN media_refs r ON r.media_id = f.id WHERE f.hash = b.hash) FROM media_blobs b");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var (hash, size, count, references) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(4));
            var where = $"blob {hash}";
            if (count != references)
            {
                report.Problem("blob-ref-count", where, $"ref_count {count}, references {references}");
            }

            var file = new FileInfo(BlobPath(hash));
            if (!file.Exists)
            {
                if (references > 0)
                {
                    report.Problem("blob-file-missing", where, $"{CheckReport.Number(references)} references, no file at {file.FullName}");
                }
            }
            else if (file.Length != size)
            {
                report.Problem("blob-file-size", where, $"file {CheckReport.Number(file.Length)} bytes, row {CheckReport.Number(size)}");
            }

            if (!reader.IsDBNull(3) && reader.GetInt64(3) == 1 && !File.Exists(ThumbPath(hash)))
            {
                report.Problem("thumbnail-missing", where, $"thumb_state 1 (made), no file at {ThumbPath(hash)}");
            }
        }
    }

    /// <summary>The store's files: each blob file's row (one without is the server's start-up sweep's to delete), and with
    /// <c>--hashes</c> its content's SHA-256 against its name (a blob's name is its hash).</summary>
    private void MediaStoreFiles()
    {
        using var lookup = Command("SELECT 1 FROM media_blobs WHERE hash = @hash");
        var parameter = lookup.Parameters.Add("@hash", SqliteType.Text);
        foreach (var path in Files(BlobRoot))
        {
            var name = Path.GetFileName(path);
            parameter.Value = name;
            var length = new FileInfo(path).Length;
            if (lookup.ExecuteScalar() is null)
            {
                report.Tidy("blob-file-without-row", path, length);
            }
            else if (hashes && Sha256Of(path) is var actual && actual != name)
            {
                report.Problem("blob-hash", $"blob {name}", $"its file's content hashes to {actual}");
            }
        }

        foreach (var path in Files(ThumbRoot))
        {
            // <hash>.jpg, or <hash>-<key>.jpg for a client's thumb.
            var name = Path.GetFileNameWithoutExtension(path);
            parameter.Value = name.Split('-')[0];
            if (lookup.ExecuteScalar() is null)
            {
                report.Tidy("thumbnail-without-blob", path, new FileInfo(path).Length);
            }
        }
    }

    private static IEnumerable<string> Files(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories) : [];

    private static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    // A damaged row's hash may be too short for the store's folders: then it is looked for at the root (and missed).
    private string BlobPath(string hash) => hash.Length >= 4 ? BlobStore.PathIn(BlobRoot, hash) : Path.Combine(BlobRoot, hash);

    private string ThumbPath(string hash) => hash.Length >= 4 ? ThumbnailStore.PathIn(ThumbRoot, hash) : Path.Combine(ThumbRoot, hash + ".jpg");

    private static string LogName(long owner) => owner < 0 ? $"update log of chat {-owner}" : $"update log of user {owner}";

    private static string HolderName(long holder) => holder switch
    {
        > 0 => $"message {holder}",
        > -ChatPhotoBase => $"profile photo of user {-holder}",
        > -ScheduledBase => $"photo of chat {-holder - ChatPhotoBase}",
        > -SecretFileBase => $"scheduled message {-holder - ScheduledBase}",
        _ => $"secret chat file {-holder - SecretFileBase}",
    };

    private SqliteCommand Command(string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
