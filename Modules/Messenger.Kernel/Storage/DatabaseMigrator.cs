using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Kernel.Storage;

/// <summary>The start-up step that checks the database file, locks the data directory and applies every module's
/// migrations.</summary>
public static class DatabaseMigrator
{
    private const int SqliteNotADatabase = 26;

    /// <summary>EF Core's (9 and later) migration lock on SQLite: a row, not a lock the OS would let go of.</summary>
    private const string EfMigrationsLock = "__EFMigrationsLock";

    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<SqliteDatabase>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        EnsureIsSqlite(database.Path);
        services.GetRequiredService<DataDirectoryLock>().Acquire();
        RefuseUnlockedServers(database.Path, logger);
        using (var connection = database.Open())
        {
            // Opening sets WAL, a property of the file, once before any module touches the schema.
            RemoveStaleMigrationLock(connection, logger);
        }

        foreach (var schema in services.GetServices<IModuleSchema>())
        {
            await schema.MigrateAsync(services, cancellationToken);
            logger.LogDebug("Schema {Schema} is up to date", schema.Name);
        }
    }

    /// <summary>
    /// A server from before the data directory's lock (2026-12-05) takes none, so the lock cannot tell that one still runs
    /// on this database; migrating under it would change the schema it reads and writes. Such a process (or a command of
    /// this program still at work) has the database file open and "Messenger.Host" in its command line: refused. Any other
    /// process with it open (the sqlite3 shell, a copy in progress) is only logged.
    /// </summary>
    private static void RefuseUnlockedServers(string databasePath, ILogger logger)
    {
        foreach (var (pid, commandLine) in OpenFileHolders.Of(databasePath))
        {
            if (commandLine.Contains("Messenger.Host", StringComparison.Ordinal))
            {
                throw new StartupException(
                    $"Messenger:DataDirectory: process {pid} ({commandLine}) has '{databasePath}' open without holding the data directory's lock: a Messenger server from before 2026-12-05 (which takes none) or a command of this program still running; stop it first");
            }

            logger.LogWarning("Process {Pid} ({CommandLine}) has the database {Path} open", pid, commandLine, databasePath);
        }
    }

    /// <summary>
    /// Every module's migrate, at every start and with nothing to migrate too, inserts EF Core's lock row and deletes it
    /// when done; one that finds the row waits for it to go, forever and without a word at the log levels the server
    /// keeps. A process killed in between (SIGKILL, a power loss) leaves the row, and every later start would hang. This
    /// process holds the data directory's lock, so no one else is migrating: a row there now is such a leftover.
    /// </summary>
    private static void RemoveStaleMigrationLock(SqliteConnection connection, ILogger logger)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{EfMigrationsLock}'";
        if (command.ExecuteScalar() is null)
        {
            return;
        }

        command.CommandText = $"DELETE FROM \"{EfMigrationsLock}\"";
        if (command.ExecuteNonQuery() > 0)
        {
            logger.LogWarning("A previous start was interrupted while it migrated the database: its migration lock ({Table}) was removed", EfMigrationsLock);
        }
    }

    // Opened read-only first, so a file that is not SQLite is reported and left exactly as it was.
    private static void EnsureIsSqlite(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA schema_version";
            command.ExecuteScalar();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            throw new StartupException($"Messenger:DataDirectory: '{path}' is not a SQLite database; it was left untouched");
        }
    }
}

/// <summary>A start-up failure with a message meant for the operator, printed as one line.</summary>
public sealed class StartupException(string message) : Exception(message);
