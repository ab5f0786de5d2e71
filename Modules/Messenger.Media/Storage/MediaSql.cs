using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Media.Storage;

/// <summary>The Media module's SQL; the write helpers run inside a writer unit (the message's, or the collector's).</summary>
internal static class MediaSql
{
    /// <summary>The row of a blob about to be stored; an unreferenced one's grace period starts again, so the collector
    /// does not take the row (and with it the thumbnail's record) from under the send that is about to reference it.</summary>
    public static void InsertUnreferencedBlob(WriteScope scope, string hash, long size, long now) =>
        scope.Execute(
            "INSERT INTO media_blobs (hash, size, ref_count, zero_since) VALUES (@hash, @size, 0, @now) " +
            "ON CONFLICT (hash) DO UPDATE SET zero_since = excluded.zero_since WHERE ref_count = 0",
            ("@hash", hash), ("@size", size), ("@now", now));

    public static bool OwnsBlob(WriteScope scope, long userId, string hash) =>
        scope.Scalar("SELECT 1 FROM media_files WHERE owner_id = @user AND hash = @hash LIMIT 1", ("@user", userId), ("@hash", hash)) is not null;

    public static long StoredBytes(WriteScope scope, long userId) => StoredBytes(scope.Connection, scope.Transaction, userId);

    /// <summary>Bytes of the distinct blobs of the media <paramref name="userId"/> uploaded that are still referenced.</summary>
    public static long StoredBytes(SqliteConnection connection, SqliteTransaction? transaction, long userId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(sum(size), 0) FROM media_blobs WHERE hash IN (SELECT hash FROM media_files WHERE owner_id = @user)";
        command.Parameters.AddWithValue("@user", userId);
        return (long)command.ExecuteScalar()!;
    }

    public static long InsertMedia(WriteScope scope, PreparedMedia media, long ownerId, long now)
    {
        var command = scope.Command(
            "INSERT INTO media_files (hash, owner_id, kind, name, mime_type, size, width, height, duration, thumb_key, ref_count, created_at) " +
            "VALUES (@hash, @owner, @kind, @name, @mime, @size, @width, @height, @duration, @thumbKey, 1, @now) RETURNING id");
        command.Parameters.AddWithValue("@hash", media.Hash);
        command.Parameters.AddWithValue("@owner", ownerId);
        command.Parameters.AddWithValue("@kind", media.Kind);
        command.Parameters.AddWithValue("@name", media.Name);
        command.Parameters.AddWithValue("@mime", media.MimeType);
        command.Parameters.AddWithValue("@size", media.Size);
        command.Parameters.AddWithValue("@width", (object?)media.Width ?? DBNull.Value);
        command.Parameters.AddWithValue("@height", (object?)media.Height ?? DBNull.Value);
        command.Parameters.AddWithValue("@duration", (object?)media.Duration ?? DBNull.Value);
        command.Parameters.AddWithValue("@thumbKey", (object?)media.ThumbKey ?? DBNull.Value);
        command.Parameters.AddWithValue("@now", now);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>One more reference to the blob (creating its row if the collector removed it meanwhile).</summary>
    public static void AddBlobReference(WriteScope scope, string hash, long? size) =>
        scope.Execute("INSERT INTO media_blobs (hash, size, ref_count, zero_since) VALUES (@hash, @size, 1, NULL) " +
            "ON CONFLICT (hash) DO UPDATE SET ref_count = ref_count + 1, zero_since = NULL",
            ("@hash", hash), ("@size", size ?? (scope.Scalar("SELECT size FROM media_files WHERE hash = @hash LIMIT 1", ("@hash", hash)) ?? 0L)));

    /// <summary>One more reference to an existing media; its blob's hash, or null when there is no such media.</summary>
    public static string? AddMediaReference(WriteScope scope, long mediaId) =>
        scope.Scalar("UPDATE media_files SET ref_count = ref_count + 1 WHERE id = @id RETURNING hash", ("@id", mediaId)) as string;

    public static void InsertReference(WriteScope scope, long messageId, long mediaId) =>
        scope.Execute("INSERT INTO media_refs (message_id, media_id) VALUES (@message, @media)", ("@message", messageId), ("@media", mediaId));

    /// <summary>Whether <paramref name="holderId"/> carries a media of blob <paramref name="hash"/> under that name and type.</summary>
    public static bool Carries(WriteScope scope, long holderId, string hash, string name, string mimeType) =>
        scope.Scalar(
            "SELECT 1 FROM media_refs r JOIN media_files f ON f.id = r.media_id " +
            "WHERE r.message_id = @holder AND f.hash = @hash AND f.name = @name AND f.mime_type = @mime",
            ("@holder", holderId), ("@hash", hash), ("@name", name), ("@mime", mimeType)) is not null;

    /// <summary>Drops the reference of a message: the media row goes with its last reference, the blob's count drops
    /// and, at zero, the grace period starts and the completed uploads of the blob that were attached are forgotten (what
    /// they were used for is gone: the blob must go after the grace period as promised, not be kept for a retry). One that
    /// was never attached (another user's upload of the same bytes, or a second one) is no retry of what is gone: it stays,
    /// and keeps the blob, until it expires.</summary>
    public static void Release(WriteScope scope, long messageId, long now)
    {
        if (scope.Scalar("DELETE FROM media_refs WHERE message_id = @message RETURNING media_id", ("@message", messageId)) is not long mediaId)
        {
            return;
        }

        var hash = (string)scope.Scalar("UPDATE media_files SET ref_count = ref_count - 1 WHERE id = @id RETURNING hash", ("@id", mediaId))!;
        scope.Execute("DELETE FROM media_files WHERE id = @id AND ref_count <= 0", ("@id", mediaId));
        var left = scope.Scalar(
            "UPDATE media_blobs SET ref_count = ref_count - 1, zero_since = CASE WHEN ref_count - 1 <= 0 THEN @now ELSE NULL END WHERE hash = @hash RETURNING ref_count",
            ("@hash", hash), ("@now", now));
        if (left is <= 0L)
        {
            scope.Execute("DELETE FROM media_completed_uploads WHERE hash = @hash AND attached = 1", ("@hash", hash));
        }
    }

    /// <summary>Deletes the row of a blob still unreferenced since before <paramref name="cutoff"/> and remembered by no
    /// completed upload (a retry may still claim it); true if it did.</summary>
    public static bool DeleteUnreferencedBlob(WriteScope scope, string hash, long cutoff)
    {
        var command = scope.Command("DELETE FROM media_blobs WHERE hash = @hash AND ref_count <= 0 AND zero_since < @cutoff " +
            "AND NOT EXISTS (SELECT 1 FROM media_completed_uploads c WHERE c.hash = media_blobs.hash)");
        command.Parameters.AddWithValue("@hash", hash);
        command.Parameters.AddWithValue("@cutoff", cutoff);
        return command.ExecuteNonQuery() > 0;
    }

    /// <summary>Remembers that upload <paramref name="fileId"/> of <paramref name="userId"/> became blob
    /// <paramref name="hash"/> (in the unit that records the blob's row, so the blob is never without it); a record of an
    /// earlier upload under the same file_id is replaced.</summary>
    public static void RememberCompletedUpload(
        WriteScope scope, long userId, long fileId, int totalParts, string hash, long size, int? width, int? height, long now) =>
        scope.Execute(
            "INSERT OR REPLACE INTO media_completed_uploads (user_id, file_id, total_parts, hash, size, width, height, completed_at, attached) " +
            "VALUES (@user, @file, @parts, @hash, @size, @width, @height, @now, 0)",
            ("@user", userId), ("@file", fileId), ("@parts", totalParts), ("@hash", hash), ("@size", size),
            ("@width", (object?)width ?? DBNull.Value), ("@height", (object?)height ?? DBNull.Value), ("@now", now));

    /// <summary>Marks upload <paramref name="fileId"/> of <paramref name="userId"/> used by a call, in the unit that writes
    /// the reference (so no reference exists without its mark): the blob's last release forgets it.</summary>
    public static void MarkCompletedUploadAttached(WriteScope scope, long userId, long fileId, string hash) =>
        scope.Execute(
            "UPDATE media_completed_uploads SET attached = 1 WHERE user_id = @user AND file_id = @file AND hash = @hash AND attached = 0",
            ("@user", userId), ("@file", fileId), ("@hash", hash));

    /// <summary>Records the client's thumb upload handled with a completed upload (and the thumbnail stored of it, if any).</summary>
    public static void RememberClientThumb(
        WriteScope scope, long userId, long fileId, long thumbFileId, string? key, int? width, int? height, byte[]? preview) =>
        scope.Execute(
            "UPDATE media_completed_uploads SET client_thumb_file_id = @thumb, client_thumb_key = @key, client_thumb_width = @width, " +
            "client_thumb_height = @height, client_thumb_preview = @preview WHERE user_id = @user AND file_id = @file",
            ("@user", userId), ("@file", fileId), ("@thumb", thumbFileId), ("@key", (object?)key ?? DBNull.Value),
            ("@width", (object?)width ?? DBNull.Value), ("@height", (object?)height ?? DBNull.Value), ("@preview", (object?)preview ?? DBNull.Value));

    /// <summary>Whether upload <paramref name="fileId"/> of <paramref name="userId"/> is still remembered as blob
    /// <paramref name="hash"/>.</summary>
    public static bool RemembersCompletedUpload(SqliteConnection connection, long userId, long fileId, string hash)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM media_completed_uploads WHERE user_id = @user AND file_id = @file AND hash = @hash";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@file", fileId);
        command.Parameters.AddWithValue("@hash", hash);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>The record of upload <paramref name="fileId"/> of <paramref name="userId"/>, or null.</summary>
    public static CompletedUploadRow? ReadCompletedUpload(SqliteConnection connection, long userId, long fileId)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT total_parts, hash, size, width, height, completed_at, client_thumb_file_id, client_thumb_key, client_thumb_width, " +
            "client_thumb_height, client_thumb_preview FROM media_completed_uploads WHERE user_id = @user AND file_id = @file";
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@file", fileId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        int? IntOrNull(int column) => reader.IsDBNull(column) ? null : reader.GetInt32(column);
        return new CompletedUploadRow
        {
            UserId = userId,
            FileId = fileId,
            TotalParts = reader.GetInt32(0),
            Hash = reader.GetString(1),
            Size = reader.GetInt64(2),
            Width = IntOrNull(3),
            Height = IntOrNull(4),
            CompletedAt = reader.GetInt64(5),
            ClientThumbFileId = reader.IsDBNull(6) ? null : reader.GetInt64(6),
            ClientThumbKey = reader.IsDBNull(7) ? null : reader.GetString(7),
            ClientThumbWidth = IntOrNull(8),
            ClientThumbHeight = IntOrNull(9),
            ClientThumbPreview = reader.IsDBNull(10) ? null : (byte[])reader.GetValue(10),
        };
    }

    /// <summary>Forgets the completed uploads of before <paramref name="cutoff"/>: their blobs are the collector's again.</summary>
    public static int ForgetCompletedUploads(WriteScope scope, long cutoff) =>
        scope.Execute("DELETE FROM media_completed_uploads WHERE completed_at < @cutoff", ("@cutoff", cutoff));
}
