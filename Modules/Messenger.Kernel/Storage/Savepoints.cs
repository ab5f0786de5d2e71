using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Messenger.Kernel.Storage;

/// <summary>
/// The writer's per-unit SAVEPOINT, RELEASE and ROLLBACK TO as statements prepared once on the raw SQLite handle:
/// they run for every unit, and through SqliteCommand they cost more than the unit's own insert.
/// </summary>
internal sealed class Savepoints : IDisposable
{
    private readonly sqlite3_stmt _begin;
    private readonly sqlite3_stmt _release;
    private readonly sqlite3_stmt _rollback;

    public Savepoints(SqliteConnection connection)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("connection is not open");
        _begin = Prepare(handle, "SAVEPOINT unit");
        _release = Prepare(handle, "RELEASE unit");
        _rollback = Prepare(handle, "ROLLBACK TO unit");
    }

    public void Begin() => Run(_begin);

    public void Release() => Run(_release);

    /// <summary>Undoes the unit's writes and ends its savepoint; the batch's transaction goes on.</summary>
    public void RollBack()
    {
        Run(_rollback);
        Run(_release);
    }

    private static sqlite3_stmt Prepare(sqlite3 handle, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(handle, sql, out var statement);
        SqliteException.ThrowExceptionForRC(rc, handle);
        return statement;
    }

    private static void Run(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, raw.sqlite3_db_handle(statement));
        }
    }

    public void Dispose()
    {
        _begin.Dispose();
        _release.Dispose();
        _rollback.Dispose();
    }
}
