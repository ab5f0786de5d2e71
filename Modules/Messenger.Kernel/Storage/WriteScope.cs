using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Messenger.Kernel.Storage;

/// <summary>
/// What a unit of work sees inside the writer's shared transaction: the connection, the transaction, and
/// prepared commands cached by SQL text (the writer runs the same few statements many thousand times).
/// </summary>
public sealed class WriteScope
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, DbContextOptions> _contextOptions = [];
    private readonly List<DbContext> _contexts = [];
    private List<Action>? _afterCommit;
    private List<Action<WriteScope>>? _atBatchEnd;

    internal WriteScope(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; internal set; } = null!;

    /// <summary>A cached command for <paramref name="sql"/>, bound to the current transaction, parameters cleared.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }

        command.Transaction = Transaction;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>
    /// <paramref name="sql"/> prepared once on the raw connection (cached by SQL text), reset, no values bound: for the
    /// statements every message runs, which would otherwise allocate on every execution (<see cref="Storage.Statement"/>).
    /// </summary>
    public Statement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new Statement(Connection, sql);
            _statements.Add(sql, statement);
        }

        return statement.Reset();
    }

    /// <summary>Runs <paramref name="sql"/> (a cached command) with the given parameters; returns the rows changed.</summary>
    public int Execute(string sql, params (string Name, object Value)[] parameters) => Bind(sql, parameters).ExecuteNonQuery();

    /// <summary>The first column of the first row of <paramref name="sql"/> (a cached command), or null.</summary>
    public object? Scalar(string sql, params (string Name, object Value)[] parameters) => Bind(sql, parameters).ExecuteScalar();

    private SqliteCommand Bind(string sql, (string Name, object Value)[] parameters)
    {
        var command = Command(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>
    /// A module's DbContext over the writer's connection, enlisted in the shared transaction (so work of several
    /// modules commits or rolls back together). It is disposed when the unit ends; call SaveChanges in the unit.
    /// </summary>
    public TContext DbContext<TContext>(Func<DbContextOptions<TContext>, TContext> create)
        where TContext : DbContext
    {
        if (!_contextOptions.TryGetValue(typeof(TContext), out var options))
        {
            options = new DbContextOptionsBuilder<TContext>().UseSqlite(Connection).Options;
            _contextOptions.Add(typeof(TContext), options);
        }

        var context = create((DbContextOptions<TContext>)options);
        context.Database.UseTransaction(Transaction);
        _contexts.Add(context);
        return context;
    }

    /// <summary>
    /// Runs <paramref name="action"/> after COMMIT and before the caller is completed, only if this unit's work
    /// committed. It runs on the writer's loop: keep it short (hand work off, never block).
    /// </summary>
    public void OnCommitted(Action action) => (_afterCommit ??= []).Add(action);

    /// <summary>
    /// Runs <paramref name="work"/> at the end of this unit's batch: after every unit of the batch, outside their
    /// savepoints, in the order the units asked, in the same transaction (it commits with the unit, or not at all). A
    /// unit that fails drops what it deferred; deferred work that throws fails the whole batch, so defer only writes
    /// that cannot be refused for their data (only a disk or I/O failure, which would fail the commit anyway). For
    /// writes that cost less done together than one unit at a time, and that nothing later in the batch reads: the
    /// search index (FTS5 writes out its pending terms at every savepoint, so one insert per unit meant one segment per
    /// message; its rowids are message ids, never reused).
    /// </summary>
    public void AtBatchEnd(Action<WriteScope> work) => (_atBatchEnd ??= []).Add(work);

    /// <summary>What the unit deferred to the end of its batch (null if nothing), and forgets it.</summary>
    internal List<Action<WriteScope>>? TakeBatchEnd()
    {
        var work = _atBatchEnd;
        _atBatchEnd = null;
        return work;
    }

    internal List<Action>? EndUnit()
    {
        foreach (var context in _contexts)
        {
            context.Dispose();
        }

        _contexts.Clear();
        var actions = _afterCommit;
        _afterCommit = null;
        return actions;
    }

    internal void DisposeCommands()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
    }
}
