using Messenger.Kernel.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace Messenger.Kernel.Storage;

/// <summary>
/// The one SQLite file every module shares. Opens connections with the server's pragmas: WAL, the configured
/// <c>synchronous</c> level, foreign keys on and a busy timeout.
/// </summary>
public sealed class SqliteDatabase
{
    /// <summary>The writer's page cache (KiB): the tables and indexes a send touches stay in it instead of being read
    /// back from the OS's page cache (2 MiB, SQLite's default, kept the other connections).</summary>
    private const int WriterCacheKiB = 32 * 1024;

    /// <summary>The size a WAL file is cut back to when it starts over (bytes).</summary>
    private const long WalKeptBytes = 64L * 1024 * 1024;

    private readonly StorageOptions _storage;

    // Messenger:Storage:MaxDatabaseMiB in this file's pages (0 until the first connection has read the page size).
    private long _maxPageCount;

    static SqliteDatabase() => ConfigureProcess();

    public SqliteDatabase(IOptions<MessengerOptions> messenger, IOptions<StorageOptions> storage)
        : this(messenger.Value.DatabasePath, storage.Value)
    {
    }

    internal SqliteDatabase(string path, StorageOptions storage)
    {
        Path = path;
        _storage = storage;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, storage.BusyTimeoutMs / 1000),
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public string Synchronous => _storage.Synchronous.ToUpperInvariant();

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        ApplyPragmas(connection);
        return connection;
    }

    /// <summary>The group-commit writer's connection: <see cref="Open"/> with a larger page cache; with
    /// <paramref name="backgroundCheckpoints"/> its commits leave checkpoints to <see cref="WalCheckpointer"/>, and a
    /// WAL that a burst grew is cut back to <see cref="WalKeptBytes"/> when it starts over.</summary>
    public SqliteConnection OpenWriter(bool backgroundCheckpoints)
    {
        var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = backgroundCheckpoints
            ? $"PRAGMA cache_size=-{WriterCacheKiB}; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={WalKeptBytes};"
            : $"PRAGMA cache_size=-{WriterCacheKiB};";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// Process-wide SQLite settings, which take effect only before the process opens its first connection (after that
    /// SQLite answers SQLITE_MISUSE and keeps its defaults, which are correct, only slower). Multi-thread mode drops the
    /// mutex SQLite's default serialized mode takes on every call: Microsoft.Data.Sqlite never uses a connection from
    /// two threads at once, and neither do the writer and its prepared statements. Without memory statistics,
    /// SQLite's allocator takes no global mutex either. Together the two were ≈ 8 % of the writer thread's samples
    /// (perf, chat benchmark, 2026-12-02).
    /// </summary>
    private static void ConfigureProcess()
    {
        Batteries_V2.Init();
        raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD);
        raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    /// <summary>Pragmas are per connection (journal_mode is persistent, but setting it again is free).
    /// secure_delete=FAST zeroes deleted and overwritten content in place (a message deleted for everyone does not
    /// linger in the file's pages) without the extra I/O of full secure_delete. temp_store=MEMORY keeps the statement
    /// journals of the writer's per-unit savepoints in memory instead of a temporary file (each unit's first change to a
    /// page saves the page there): 4,400 → 5,800 delivered messages/s in the chat benchmark. The server never runs
    /// VACUUM, which would build its copy of the database in that memory.</summary>
    public void ApplyPragmas(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"PRAGMA journal_mode=WAL; PRAGMA synchronous={Synchronous}; PRAGMA foreign_keys=ON; PRAGMA secure_delete=FAST; PRAGMA busy_timeout={_storage.BusyTimeoutMs}; PRAGMA temp_store=MEMORY;";
        command.ExecuteNonQuery();
        if (_storage.MaxDatabaseMiB > 0)
        {
            // A per-connection limit in pages: a write that would grow the database past it fails with SQLITE_FULL.
            // The file's page size never changes, so it is read on the first connection only.
            if (_maxPageCount == 0)
            {
                command.CommandText = "PRAGMA page_size";
                var pageSize = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
                _maxPageCount = _storage.MaxDatabaseMiB * 1024L * 1024L / pageSize;
            }

            command.CommandText = $"PRAGMA max_page_count={_maxPageCount}";
            command.ExecuteNonQuery();
        }
    }
}
