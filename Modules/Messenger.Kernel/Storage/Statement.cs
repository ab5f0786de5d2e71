using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Messenger.Kernel.Storage;

/// <summary>
/// One SQL statement prepared once on the writer's connection (SQLite's C API, through SQLitePCLRaw) and run many
/// times with nothing allocated per execution: values are bound by name straight into the statement, results read
/// straight from it. A <see cref="SqliteCommand"/> makes a data reader, a parameter and a binder per value, and boxes
/// every integer, on every execution; for the statements every message runs, that was most of the writer's garbage.
/// Get one from <see cref="WriteScope.Statement"/>: it comes reset, with no values bound (a parameter left unbound is
/// NULL). Failures throw <see cref="SqliteException"/>, as commands do.
/// </summary>
public sealed class Statement : IDisposable
{
    private readonly sqlite3 _connection;
    private readonly sqlite3_stmt _statement;
    private readonly string[] _parameters;

    internal Statement(SqliteConnection connection, string sql)
    {
        _connection = connection.Handle ?? throw new InvalidOperationException("connection is not open");
        var rc = raw.sqlite3_prepare_v2(_connection, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, _connection);
        _parameters = new string[raw.sqlite3_bind_parameter_count(_statement)];
        for (var i = 0; i < _parameters.Length; i++)
        {
            _parameters[i] = raw.sqlite3_bind_parameter_name(_statement, i + 1).utf8_to_string();
        }
    }

    public Statement Bind(string name, long value) => Check(raw.sqlite3_bind_int64(_statement, IndexOf(name), value));

    /// <summary>Binds <paramref name="value"/>, or NULL when it has none.</summary>
    public Statement Bind(string name, long? value) =>
        value is { } present ? Bind(name, present) : Check(raw.sqlite3_bind_null(_statement, IndexOf(name)));

    /// <summary>Binds <paramref name="value"/> as text (empty is empty text, not NULL), or NULL when it is null.</summary>
    public Statement Bind(string name, string? value) => value switch
    {
        null => Check(raw.sqlite3_bind_null(_statement, IndexOf(name))),
        // An empty span pins to a null pointer, which SQLite binds as NULL: the string overload passes a terminator.
        "" => Check(raw.sqlite3_bind_text(_statement, IndexOf(name), "")),
        _ => Check(raw.sqlite3_bind_text16(_statement, IndexOf(name), value.AsSpan())),
    };

    /// <summary>Binds <paramref name="value"/> as a blob (empty is an empty blob, not NULL), or NULL when it is null.</summary>
    public Statement Bind(string name, byte[]? value) => value switch
    {
        null => Check(raw.sqlite3_bind_null(_statement, IndexOf(name))),
        [] => Check(raw.sqlite3_bind_zeroblob(_statement, IndexOf(name), 0)),
        _ => Check(raw.sqlite3_bind_blob(_statement, IndexOf(name), value)),
    };

    /// <summary>Runs the statement to its end (rows it returns are skipped); returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_statement)) == raw.SQLITE_ROW)
            {
            }

            ThrowUnless(rc, raw.SQLITE_DONE);
            return raw.sqlite3_changes(_connection);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>
    /// Runs an INSERT of one row and returns that row's rowid (an <c>INTEGER PRIMARY KEY</c> is the rowid); throws when
    /// the statement inserted no row (an <c>INSERT OR IGNORE</c> that ignored it), rather than answer an earlier row's id.
    /// Cheaper than <c>INSERT … RETURNING</c>: SQLite gathers RETURNING rows in a temporary B-tree that it opens and
    /// closes on every execution (its own pager, page cache and page buffers).
    /// </summary>
    public long Insert()
    {
        var inserted = Execute();
        if (inserted != 1)
        {
            throw new InvalidOperationException($"The statement inserted {inserted} rows, not one.");
        }

        return raw.sqlite3_last_insert_rowid(_connection);
    }

    /// <summary>The first column of the first row as an integer; null when there is no row or the value is NULL.
    /// The statement's work is done once its first row is there (an INSERT … RETURNING has inserted).</summary>
    public long? Int64()
    {
        try
        {
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW)
            {
                return raw.sqlite3_column_type(_statement, 0) == raw.SQLITE_NULL ? null : raw.sqlite3_column_int64(_statement, 0);
            }

            ThrowUnless(rc, raw.SQLITE_DONE);
            return null;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Forgets the values bound before (and any unfinished run), ready for the next.</summary>
    internal Statement Reset()
    {
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
        return this;
    }

    public void Dispose() => _statement.Dispose();

    private int IndexOf(string name)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (string.Equals(_parameters[i], name, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new ArgumentException($"The statement has no parameter {name}.", nameof(name));
    }

    private Statement Check(int rc)
    {
        ThrowUnless(rc, raw.SQLITE_OK);
        return this;
    }

    private void ThrowUnless(int rc, int expected)
    {
        if (rc != expected)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection);
        }
    }
}
