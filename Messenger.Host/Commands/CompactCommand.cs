using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Host.Commands;

/// <summary>
/// <c>Messenger.Host compact</c>: gives the file system back the space the database no longer uses. Free pages are
/// reused but never released (the server never runs VACUUM, <see cref="SqliteDatabase.ApplyPragmas"/>), so after a large
/// deletion (a retention policy turned on, groups deleted) <c>messenger.db</c> stays at its largest size. Offline only:
/// it takes the data directory's lock, so it refuses while a server runs there and no server starts meanwhile. The
/// compacted copy is written next to the database (<c>VACUUM INTO</c>: as much free space as the data the database
/// holds, checked first), checked (<c>quick_check</c>) and renamed over it; until that rename the database is untouched,
/// and an interrupted run leaves only the copy, which the next run replaces. The copy gets the database's mode, and the
/// owner of whoever runs the command: run it as the server's user.
/// </summary>
internal static class CompactCommand
{
    /// <summary>The compacted copy, beside the database until it replaces it.</summary>
    public const string CopySuffix = ".compact";

    /// <summary>0 with the sizes before and after printed; 2 with a one-line reason when there is no database, a server
    /// runs on the directory, the disk has too little free space, or the copy fails its check (the database is then as
    /// it was).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (OfflineDirectory.Hold("Compact", args, error) is not { } hold)
        {
            return 2;
        }

        using var held = hold.Lock;
        var directory = hold.Directory;

        var database = Path.Combine(directory, MessengerOptions.DatabaseFileName);
        var copy = database + CopySuffix;
        try
        {
            File.Delete(copy);
            long before;
            using (var connection = Open(database))
            {
                // The log's pages into the file first: the sizes below are then the database's, and the log is empty.
                Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
                var pageSize = Scalar(connection, "PRAGMA page_size");
                before = Scalar(connection, "PRAGMA page_count") * pageSize;
                var needed = before - Scalar(connection, "PRAGMA freelist_count") * pageSize;
                var free = new DriveInfo(directory).AvailableFreeSpace;
                if (free < needed)
                {
                    error.WriteLine($"Compact refused: the copy needs {needed:N0} bytes free in {directory}, and {free:N0} are");
                    return 2;
                }

                using var vacuum = connection.CreateCommand();
                vacuum.CommandText = "VACUUM INTO @copy";
                vacuum.Parameters.AddWithValue("@copy", copy);
                vacuum.ExecuteNonQuery();
            }

            using (var check = Open(copy))
            {
                using var command = check.CreateCommand();
                command.CommandText = "PRAGMA quick_check";
                if (command.ExecuteScalar() is not "ok")
                {
                    throw new IOException("the compacted copy failed its check (quick_check); the database is as it was");
                }
            }

            // Closed last, the database's log was checkpointed and deleted: one left with pages in it would be read
            // into the copy once renamed.
            var log = new FileInfo(database + "-wal");
            if (log.Exists && log.Length > 0)
            {
                throw new IOException($"{log.FullName} still holds pages; the database is as it was");
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(database));
            }

            File.Delete(database + "-wal");
            File.Delete(database + "-shm");
            File.Move(copy, database, overwrite: true);
            var after = new FileInfo(database).Length;
            output.WriteLine($"Compacted {database}: {before:N0} bytes before, {after:N0} after");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
        {
            error.WriteLine($"Compact failed: {e.Message}");
            try
            {
                File.Delete(copy);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Replaced by the next run.
            }

            return 2;
        }
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
