using Microsoft.Data.Sqlite;

namespace Messenger.Kernel.Storage;

/// <summary>
/// The writer's per-unit SAVEPOINT, RELEASE and ROLLBACK TO as statements prepared once on the raw SQLite handle:
/// they run for every unit, and through SqliteCommand they cost more than the unit's own insert.
/// </summary>
internal sealed class Savepoints : IDisposable
{
    private readonly Statement _begin;
    private readonly Statement _release;
    private readonly Statement _rollback;

    public Savepoints(SqliteConnection connection)
    {
        _begin = new Statement(connection, "SAVEPOINT unit");
        _release = new Statement(connection, "RELEASE unit");
        _rollback = new Statement(connection, "ROLLBACK TO unit");
    }

    public void Begin() => _begin.Execute();

    public void Release() => _release.Execute();

    /// <summary>Undoes the unit's writes and ends its savepoint; the batch's transaction goes on.</summary>
    public void RollBack()
    {
        _rollback.Execute();
        _release.Execute();
    }

    public void Dispose()
    {
        _begin.Dispose();
        _release.Dispose();
        _rollback.Dispose();
    }
}
