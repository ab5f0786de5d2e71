using Microsoft.Data.Sqlite;

namespace Messenger.Kernel.Storage;

/// <summary>
/// What a unit of work sees inside the writer's shared transaction: the connection, the transaction, and
/// prepared commands cached by SQL text (the writer runs the same few statements many thousand times).
/// </summary>
public sealed class WriteScope
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private List<Action>? _afterCommit;

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

    /// <summary>Runs <paramref name="action"/> after COMMIT, only if this unit's work committed.</summary>
    public void OnCommitted(Action action) => (_afterCommit ??= []).Add(action);

    internal List<Action>? TakeAfterCommit()
    {
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
    }
}
