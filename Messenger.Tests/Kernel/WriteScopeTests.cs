using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Messenger.Tests.Kernel;

/// <summary>The writer's caches of prepared statements, which live as long as the writer: bounded by their count of texts.</summary>
public sealed class WriteScopeTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly SqliteConnection _connection;

    public WriteScopeTests()
    {
        _connection = new SqliteDatabase(Path.Combine(_directory.Path, "scope.db"), new StorageOptions()).Open();
        _connection.Handle!.enable_sqlite3_next_stmt(true); // so the test can count the connection's prepared statements
    }

    public void Dispose()
    {
        _connection.Dispose();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    [Fact]
    public void TextsPastTheLimit_GetStatementsOfTheirOwn_FinalizedWhenTheUnitEnds_AndTheFirstIsLogged()
    {
        var logger = new WarningLog();
        var scope = new WriteScope(_connection, logger, cachedLimit: 4);
        using var transaction = _connection.BeginTransaction();
        scope.Transaction = transaction;

        // Ten texts built from values (as an id list pasted into the SQL would be), as commands and as statements.
        for (var i = 0; i < 10; i++)
        {
            scope.Scalar($"SELECT {i}").Should().Be((long)i);
            scope.Statement($"SELECT {i} + 100").Int64().Should().Be(i + 100);
        }

        scope.CachedCount.Should().Be(8, "four texts of each kind are kept");
        PreparedStatements().Should().Be(20, "all twenty are prepared while their unit runs");
        scope.Scalar("SELECT 9").Should().Be(9L);
        scope.Statement("SELECT 9 + 100").Int64().Should().Be(109);
        PreparedStatements().Should().Be(20, "a text past the limit is prepared once for its unit");

        scope.EndUnit();
        PreparedStatements().Should().Be(8, "the twelve past the limit are finalized with their unit");
        logger.Warnings.Should().ContainSingle().Which.Should().EndWith(": SELECT 4", "the first text past the limit is named");

        // The kept ones still answer, and a kept text is not prepared again.
        scope.Scalar("SELECT 3").Should().Be(3L);
        PreparedStatements().Should().Be(8);

        scope.DisposeCommands();
        PreparedStatements().Should().Be(0);
    }

    [Fact]
    public void TheSameTextAgain_ReusesItsCommand()
    {
        var scope = new WriteScope(_connection);
        using var transaction = _connection.BeginTransaction();
        scope.Transaction = transaction;

        var first = scope.Command("SELECT @value");
        scope.Command("SELECT @value").Should().BeSameAs(first);
        scope.CachedCount.Should().Be(1);
        scope.DisposeCommands();
    }

    private int PreparedStatements()
    {
        var count = 0;
        for (var statement = raw.sqlite3_next_stmt(_connection.Handle, null); statement is not null && !statement.IsInvalid;
             statement = raw.sqlite3_next_stmt(_connection.Handle, statement))
        {
            count++;
        }

        return count;
    }

    private sealed class WarningLog : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
