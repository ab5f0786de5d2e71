using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Messenger.Tests.Kernel;

/// <summary>The writer's prepared statements (<see cref="WriteScope.Statement"/>) store what a command would, reset
/// between uses, and fail the way commands fail.</summary>
public sealed class StatementTests : IAsyncLifetime
{
    private const string InsertValues =
        "INSERT INTO vals (i, n, t, e, u, b, eb, nb) VALUES (@i, @n, @t, @e, @u, @b, @eb, @nb) RETURNING rowid";

    private const string InsertKey = "INSERT INTO keys (k) VALUES (@k)";

    private TempWriter _store = null!;
    private SqliteDatabase _database = null!;
    private StorageWriter _writer = null!;

    public Task InitializeAsync()
    {
        _store = new TempWriter("statements.db", """
                CREATE TABLE vals (i INTEGER, n INTEGER, t TEXT, e TEXT, u TEXT, b BLOB, eb BLOB, nb BLOB);
                CREATE TABLE keys (k INTEGER NOT NULL UNIQUE);
                """);
        (_database, _writer) = (_store.Database, _store.Writer);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private List<object?[]> Read(string sql)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task Bind_StoresEachKindOfValueAsACommandWould_EmptyTextAndBlobsAreNotNull()
    {
        var rowid = await _writer.WriteAsync(scope => scope.Statement(InsertValues)
            .Bind("@i", long.MinValue)
            .Bind("@n", (long?)null)
            .Bind("@t", "héllo, 世界 👋")
            .Bind("@e", "")
            .Bind("@u", (string?)null)
            .Bind("@b", new byte[] { 0, 1, 2, 255 })
            .Bind("@eb", Array.Empty<byte>())
            .Bind("@nb", (byte[]?)null)
            .Int64());

        rowid.Should().Be(1);
        Read("SELECT typeof(i), typeof(n), typeof(t), typeof(e), typeof(u), typeof(b), typeof(eb), typeof(nb) FROM vals").Single()
            .Should().Equal("integer", "null", "text", "text", "null", "blob", "blob", "null");
        var row = Read("SELECT i, t, e, b, length(eb) FROM vals").Single();
        row[0].Should().Be(long.MinValue);
        row[1].Should().Be("héllo, 世界 👋");
        row[2].Should().Be("");
        ((byte[])row[3]!).Should().Equal(0, 1, 2, 255);
        row[4].Should().Be(0L);
    }

    [Fact]
    public async Task Statement_ComesFromTheScopeWithNothingBound_SoAValueNeverCarriesOverToTheNextUse()
    {
        await _writer.WriteAsync(scope => scope.Statement(InsertValues).Bind("@i", 7).Bind("@t", "first").Execute());
        await _writer.WriteAsync(scope => scope.Statement(InsertValues).Bind("@i", 8).Execute());

        Read("SELECT i, t FROM vals ORDER BY rowid").Should().BeEquivalentTo(
            new List<object?[]> { new object?[] { 7L, "first" }, new object?[] { 8L, null } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task Int64_IsNullWithoutARowOrForANullValue_AndExecuteCountsTheRowsChanged()
    {
        var (missing, nullValue, value, changed) = await _writer.WriteAsync(scope =>
        {
            scope.Statement(InsertValues).Bind("@i", 5).Execute();
            scope.Statement(InsertValues).Bind("@i", 6).Execute();
            return (
                scope.Statement("SELECT i FROM vals WHERE i = @i").Bind("@i", 99).Int64(),
                scope.Statement("SELECT n FROM vals WHERE i = @i").Bind("@i", 5).Int64(),
                scope.Statement("SELECT i FROM vals WHERE i = @i").Bind("@i", 6).Int64(),
                scope.Statement("UPDATE vals SET n = 1 WHERE i >= @i").Bind("@i", 5).Execute());
        });

        missing.Should().BeNull();
        nullValue.Should().BeNull();
        value.Should().Be(6);
        changed.Should().Be(2);
    }

    [Fact]
    public async Task Insert_ReturnsEachNewRowsRowid_AndThrowsWhenNothingWasInserted_RatherThanAnEarlierRowsId()
    {
        var (first, second) = await _writer.WriteAsync(scope =>
        {
            scope.Statement(InsertKey).Bind("@k", 10).Execute();
            return (scope.Statement(InsertKey).Bind("@k", 20).Insert(), scope.Statement(InsertKey).Bind("@k", 30).Insert());
        });

        var ignored = () => _writer.WriteAsync(scope => scope.Statement("INSERT OR IGNORE INTO keys (k) VALUES (@k)").Bind("@k", 20).Insert());

        await ignored.Should().ThrowAsync<InvalidOperationException>().WithMessage("*0 rows*");
        Read("SELECT rowid, k FROM keys ORDER BY k").Should().BeEquivalentTo(
            new List<object?[]> { new object?[] { 1L, 10L }, new object?[] { first, 20L }, new object?[] { second, 30L } },
            o => o.WithStrictOrdering());
        (first, second).Should().Be((2L, 3L));
    }

    [Fact]
    public async Task Bind_WithANameTheStatementDoesNotHave_FailsTheUnit()
    {
        var unit = () => _writer.WriteAsync(scope => scope.Statement(InsertValues).Bind("@missing", 1).Execute());

        await unit.Should().ThrowAsync<ArgumentException>().WithMessage("*@missing*");
        Read("SELECT count(*) FROM vals").Single().Should().Equal(0L);
    }

    [Fact]
    public async Task Execute_WhenAConstraintFails_ThrowsSqliteException_RollsBackTheUnit_AndTheStatementWorksAfterwards()
    {
        await _writer.WriteAsync(scope => scope.Statement(InsertKey).Bind("@k", 1).Execute());

        var duplicate = () => _writer.WriteAsync(scope =>
        {
            scope.Statement(InsertKey).Bind("@k", 2).Execute();
            return scope.Statement(InsertKey).Bind("@k", 1).Execute();
        });

        (await duplicate.Should().ThrowAsync<SqliteException>()).Which.SqliteErrorCode.Should().Be(19); // SQLITE_CONSTRAINT
        await _writer.WriteAsync(scope => scope.Statement(InsertKey).Bind("@k", 3).Execute());
        Read("SELECT k FROM keys ORDER BY k").Select(r => r[0]).Should().Equal(1L, 3L);
    }
}
