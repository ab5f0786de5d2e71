using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messenger.Kernel.Storage;

/// <summary>
/// What a unit of work sees inside the writer's shared transaction: the connection, the transaction, and
/// prepared commands cached by SQL text (the writer runs the same few statements many thousand times).
/// </summary>
/// <remarks>
/// The caches live as long as the writer, so a text built from values (an id list pasted into an <c>IN (…)</c>) would
/// add a prepared statement for every call, for ever: bind values as parameters (a list as one JSON parameter, read
/// with <c>json_each</c>). As a guard, each cache holds at most <see cref="CachedLimit"/> texts; a text past that gets
/// a command of its own for the rest of its unit, disposed when the unit ends, and the first such text is logged.
/// </remarks>
public sealed class WriteScope
{
    /// <summary>Texts each cache keeps: several times the writer's distinct statements (a few hundred).</summary>
    internal const int CachedLimit = 2048;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Statement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, DbContextOptions> _contextOptions = [];
    private readonly List<DbContext> _contexts = [];
    private readonly Dictionary<string, SqliteCommand> _unitCommands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Statement> _unitStatements = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly int _cachedLimit;
    private bool _overflowLogged;
    private List<Action>? _afterCommit;
    private List<Action<WriteScope>>? _atBatchEnd;

    internal WriteScope(SqliteConnection connection, ILogger? logger = null, int cachedLimit = CachedLimit)
    {
        Connection = connection;
        _logger = logger ?? NullLogger.Instance;
        _cachedLimit = cachedLimit;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; internal set; } = null!;

    /// <summary>A cached command for <paramref name="sql"/>, bound to the current transaction, parameters cleared.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command) && !_unitCommands.TryGetValue(sql, out command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            Keep(_commands, _unitCommands, sql, command);
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
        if (!_statements.TryGetValue(sql, out var statement) && !_unitStatements.TryGetValue(sql, out statement))
        {
            statement = new Statement(Connection, sql);
            Keep(_statements, _unitStatements, sql, statement);
        }

        return statement.Reset();
    }

    /// <summary>Commands and statements the caches hold (tests: a statement built from values shows as growth).</summary>
    internal int CachedCount => _commands.Count + _statements.Count;

    /// <summary>The texts the caches hold (tests; read them on the writer's thread, in a unit).</summary>
    internal List<string> CachedTexts() => [.. _commands.Keys, .. _statements.Keys];

    private void Keep<T>(Dictionary<string, T> cache, Dictionary<string, T> unit, string sql, T item)
        where T : IDisposable
    {
        if (cache.Count < _cachedLimit)
        {
            cache.Add(sql, item);
            return;
        }

        unit.Add(sql, item);
        if (!_overflowLogged)
        {
            _overflowLogged = true;
            _logger.LogWarning(
                "The storage writer caches {Limit} statements of each kind; more texts each get one of their own. A statement's " +
                "text is probably built from values (bind them as parameters instead): {Sql}", _cachedLimit, sql);
        }
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
        DisposeUnitOnes();
        var actions = _afterCommit;
        _afterCommit = null;
        return actions;
    }

    internal void DisposeCommands()
    {
        DisposeAll(_commands);
        DisposeAll(_statements);
        DisposeUnitOnes();
    }

    private void DisposeUnitOnes()
    {
        DisposeAll(_unitCommands);
        DisposeAll(_unitStatements);
    }

    private static void DisposeAll<T>(Dictionary<string, T> items)
        where T : IDisposable
    {
        foreach (var item in items.Values)
        {
            item.Dispose();
        }

        items.Clear();
    }
}
