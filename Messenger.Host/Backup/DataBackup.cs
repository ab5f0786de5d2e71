using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;

namespace Messenger.Host.Backup;

/// <summary>
/// <c>Messenger.Host backup &lt;target&gt;</c>: a consistent copy of the data directory, taken while the server runs (or
/// not). The database goes through SQLite's online backup (one snapshot of every committed transaction, whatever the
/// writer does meanwhile) and is checked (<c>PRAGMA quick_check</c>); then every other file is copied: the server's
/// key pair (clients pin its public key) and the media store with its thumbnails (a thumbnail's file is written
/// before its row, so each one the snapshot records is there to copy). Blobs enter the store by an atomic rename and stay while
/// a message refers to them (and for the grace period after), so each blob the snapshot refers to is there to copy
/// unless the copy outlasts the grace period; one the collector deletes meanwhile is left out and counted.
/// Uploads in progress (<c>tmp/</c>), the running server's lock file and log files in the directory's root (a relative
/// <c>Messenger:Logging:FilePath</c> under the unit's working directory) are left out. To restore, point <c>Messenger:DataDirectory</c> at the copy.
/// </summary>
internal static class DataBackup
{
    /// <summary>The content-addressed blobs: a file here never changes once stored (its name is its SHA-256).</summary>
    private static readonly string BlobsDirectory = Path.Combine("media", "sha256") + Path.DirectorySeparatorChar;

    /// <summary>The blobs' thumbnails (named by the blob's hash, written once by an atomic rename): linked the same way.</summary>
    private static readonly string ThumbsDirectory = Path.Combine("media", "thumbs") + Path.DirectorySeparatorChar;

    private static readonly string[] DatabaseFiles =
        [.. new[] { "", "-wal", "-shm", "-journal" }.Select(suffix => MessengerOptions.DatabaseFileName + suffix)];

    /// <summary>A log file in the data directory's root: the server keeps none there, but a relative
    /// <c>Messenger:Logging:FilePath</c> lands there under the unit's working directory, and up to 3.1 GB of logs would
    /// otherwise go into every backup.</summary>
    private static bool IsRootLogFile(string relative) =>
        !relative.Contains(Path.DirectorySeparatorChar) && relative.EndsWith(".log", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the command: 0 when the copy is complete and checked; 2 with a one-line reason otherwise.</summary>
    public static int Run(string target, string dataDirectory, TextWriter output, TextWriter error)
    {
        try
        {
            var summary = Copy(dataDirectory, target);
            output.WriteLine(
                $"Backed up {dataDirectory} to {Path.GetFullPath(target)}: database {summary.DatabaseBytes:N0} bytes (quick_check ok), " +
                $"{summary.Files:N0} other files, {summary.FileBytes:N0} bytes" +
                (summary.Vanished > 0 ? $"; {summary.Vanished:N0} media files deleted by the server meanwhile are not in it" : ""));
            if (summary.OpenMode is { } mode)
            {
                error.WriteLine(
                    $"Warning: {Path.GetFullPath(target)} is open to other users of this machine (mode {mode}); the backup holds message text and two-step secrets in the clear: chmod 700 it");
            }

            return 0;
        }
        catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException or SqliteException)
        {
            error.WriteLine($"Backup failed: {e.Message}");
            return 2;
        }
    }

    /// <summary>
    /// Copies the data directory into <paramref name="target"/>, every file and directory of the copy fsynced before
    /// this returns: a caller that then renames it complete (and deletes older backups) never keeps a backup whose files
    /// a power loss tore or took back.
    /// </summary>
    /// <param name="linkFrom">An earlier complete backup on the same file system: a blob it holds with the same name
    /// and length is the same content, so the copy gets a hard link to it instead of a second copy of the bytes
    /// (backups taken every day then cost the database and the new files, not the whole media store again).</param>
    /// <param name="copying">Called with each file's path just before it is copied (tests delete a blob there, as the
    /// collector may).</param>
    public static BackupSummary Copy(
        string dataDirectory, string target, string? linkFrom = null, CancellationToken cancellationToken = default, Action<string>? copying = null)
    {
        var source = Path.GetFullPath(dataDirectory);
        var database = Path.Combine(source, MessengerOptions.DatabaseFileName);
        if (!File.Exists(database))
        {
            throw new BackupException($"no database at {database}: is Messenger:DataDirectory right?");
        }

        target = Path.GetFullPath(target);
        var inside = Path.TrimEndingDirectorySeparator(target);
        var data = Path.TrimEndingDirectorySeparator(source);
        if (inside == data || inside.StartsWith(data + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // The copy would copy itself, file by file, as it grows (and a scheduled one the backups before it).
            throw new BackupException($"{target} is inside the data directory {data}; a backup goes outside it");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new BackupException($"{target} is not empty: a backup goes into a new or empty directory");
        }

        // The copy holds what the data directory does (message text, two-step secrets): one made here is the owner's
        // alone, as the data directory is; an empty one given is left as it is, and the summary says when it is open.
        DurableFiles.CreateDirectory(target, ownerOnly: true);
        var copy = Path.Combine(target, MessengerOptions.DatabaseFileName);
        SnapshotDatabase(database, copy);
        DurableFiles.SyncFile(copy);

        long files = 0;
        long bytes = 0;
        long linked = 0;
        long vanished = 0;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relative = Path.GetRelativePath(source, file);
            if (DatabaseFiles.Contains(relative) || relative == DataDirectoryLock.FileName || relative.StartsWith("tmp" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || IsRootLogFile(relative))
            {
                continue;
            }

            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var stored = relative.StartsWith(BlobsDirectory, StringComparison.Ordinal) || relative.StartsWith(ThumbsDirectory, StringComparison.Ordinal);
            copying?.Invoke(file);
            try
            {
                if (linkFrom is not null && stored && TryLink(file, Path.Combine(linkFrom, relative), destination))
                {
                    files++;
                    linked++;
                    continue;
                }

                File.Copy(file, destination);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(destination, File.GetUnixFileMode(file)); // server.key stays 0600
                }
            }
            catch (IOException e) when (stored && e is FileNotFoundException or DirectoryNotFoundException)
            {
                // The collector deleted it after the listing. It deletes a blob (its row first, its thumbnails with it)
                // only once its count has been zero for the grace period, so: when its count was zero already at the
                // snapshot, no message in this backup refers to it, and a restored server collects its row as any other;
                // when a message did, that message was deleted after the snapshot and a grace period (an hour) has passed
                // since: only a copy that long can lose such a file, and only for a message its users deleted meanwhile.
                // Failing the whole backup instead would fail its every retry on a busy server alike.
                File.Delete(destination);
                vanished++;
                continue;
            }

            DurableFiles.SyncFile(destination);
            files++;
            bytes += new FileInfo(destination).Length;
        }

        // The names: each file's is in its directory, each directory's in its parent (the target's was synced as it was made).
        foreach (var directory in Directory.EnumerateDirectories(target, "*", SearchOption.AllDirectories).Prepend(target))
        {
            DurableFiles.SyncDirectory(directory);
        }

        return new BackupSummary(new FileInfo(copy).Length, files, bytes, linked, vanished, PrivateFiles.OpenToOthers(target));
    }

    /// <summary>
    /// A hard link to the earlier backup's file when it has the same name and length. A blob's name is its SHA-256 and a
    /// thumbnail's is its blob's, written once and never changed, so that is the same content, unless the earlier copy
    /// was torn by a crash as it was written; it was not: a backup is renamed complete only after each of its files is
    /// fsynced (<see cref="Copy"/>). Backups taken before that was so are trusted the same way. Comparing the bytes
    /// would read both files: what the link saves.
    /// </summary>
    private static bool TryLink(string file, string earlier, string destination)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(earlier) || new FileInfo(earlier).Length != new FileInfo(file).Length)
        {
            return false;
        }

        // Another file system, or one without hard links: the bytes are copied instead.
        return link(earlier, destination) == 0;
    }

    private static void SnapshotDatabase(string database, string copy)
    {
        using (var from = Open(database, SqliteOpenMode.ReadWrite))
        using (var to = Open(copy, SqliteOpenMode.ReadWriteCreate))
        {
            from.BackupDatabase(to);
        }

        // Read-write, though it only reads: the copy is in WAL mode as its source, and the last connection to close
        // deletes the -wal and -shm files only if it may write; a read-only one left them in the backup.
        using var check = Open(copy, SqliteOpenMode.ReadWrite);
        using var command = check.CreateCommand();
        command.CommandText = "PRAGMA quick_check";
        if (command.ExecuteScalar() as string is not "ok" and var result)
        {
            throw new BackupException($"the copied database fails its check: {result}");
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int link(string oldPath, string newPath);
}

/// <summary>What a backup holds: the database's size, the other files (<paramref name="LinkedFiles"/> of them hard
/// links to an earlier backup's blobs) and the bytes copied for those that are not links; <paramref name="Vanished"/>
/// media files the server deleted between listing and copying them are not in it. <paramref name="OpenMode"/> is the
/// target's mode when other users of the machine may read it (an existing directory given to the command).</summary>
internal sealed record BackupSummary(long DatabaseBytes, long Files, long FileBytes, long LinkedFiles = 0, long Vanished = 0, string? OpenMode = null);

internal sealed class BackupException(string message) : Exception(message);
