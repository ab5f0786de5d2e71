using Messenger.Kernel.Configuration;
using Messenger.Kernel.Errors;
using Messenger.Kernel.ServerInfo;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Kernel;

public sealed class StorageWriterTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private SqliteDatabase _database = null!;

    public Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(_directory.Path, "writer.db"), new StorageOptions());
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, value INTEGER NOT NULL);
            CREATE TABLE other (value INTEGER NOT NULL);
            CREATE TABLE kernel_server_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    private StorageWriter CreateWriter(int batchSize = 1024, int queueCapacity = 16384) =>
        new(_database, Options.Create(new StorageOptions { WriterBatchSize = batchSize, WriterQueueCapacity = queueCapacity }),
            NullLogger<StorageWriter>.Instance);

    private static void Append(WriteScope scope, long value)
    {
        var command = scope.Command("INSERT INTO log (value) VALUES ($value)");
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private List<long> ReadLog(string table = "log")
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = table == "log" ? "SELECT value FROM log ORDER BY seq" : $"SELECT value FROM {table}";
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }

    [Fact]
    public async Task WriteAsync_WhenManyUnitsAreQueued_CommitsThemInOneTransaction()
    {
        await using var writer = CreateWriter();
        var writes = Enumerable.Range(0, 500).Select(i => writer.WriteAsync(scope => Append(scope, i))).ToList();

        writer.Start();
        await Task.WhenAll(writes);

        writer.Commits.Should().Be(1);
        ReadLog().Should().HaveCount(500);
    }

    [Fact]
    public async Task WriteAsync_WhenBatchSizeIsBounded_SplitsIntoSeveralCommits()
    {
        await using var writer = CreateWriter(batchSize: 100);
        var writes = Enumerable.Range(0, 450).Select(i => writer.WriteAsync(scope => Append(scope, i))).ToList();

        writer.Start();
        await Task.WhenAll(writes);

        writer.Commits.Should().Be(5);
    }

    [Fact]
    public async Task WriteAsync_KeepsTheOrderOfEnqueueing()
    {
        await using var writer = CreateWriter(batchSize: 7);
        writer.Start();
        for (var i = 0; i < 50; i++)
        {
            var value = i;
            _ = writer.WriteAsync(scope => Append(scope, value));
        }

        await writer.WriteAsync(scope => Append(scope, 50));

        ReadLog().Should().Equal(Enumerable.Range(0, 51).Select(i => (long)i));
    }

    [Fact]
    public async Task WriteAsync_WhenOneUnitThrows_FailsOnlyThatCallerAndRollsBackItsRows()
    {
        await using var writer = CreateWriter();
        var writes = Enumerable.Range(0, 10).Select(i => writer.WriteAsync(scope =>
        {
            Append(scope, i);
            if (i == 4)
            {
                throw MessengerError.BadRequest("UNIT_FAILED");
            }
        })).ToList();

        writer.Start();
        var failing = writes[4];
        await FluentActions.Awaiting(() => failing).Should().ThrowAsync<MessengerError>().Where(e => e.Name == "UNIT_FAILED");
        await Task.WhenAll(writes.Where(w => w != failing));

        writer.Commits.Should().Be(1);
        ReadLog().Should().Equal(0, 1, 2, 3, 5, 6, 7, 8, 9);
    }

    [Fact]
    public async Task WriteAsync_WhenUnitsOfSeveralModulesShareTheTransaction_CommitOrRollBackTogether()
    {
        await using var writer = CreateWriter();
        writer.Start();

        await writer.WriteAsync(scope => WriteBothModules(scope, 1));
        var failing = writer.WriteAsync(scope =>
        {
            WriteBothModules(scope, 2);
            throw new InvalidOperationException("second module refused");
        });

        await FluentActions.Awaiting(() => failing).Should().ThrowAsync<InvalidOperationException>();
        ReadLog().Should().Equal(1);
        ReadLog("other").Should().Equal(1);
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM kernel_server_info";
        command.ExecuteScalar().Should().Be(1L);
    }

    // One raw command (a hot-path module) and one EF Core DbContext (another module) in the same unit.
    private static void WriteBothModules(WriteScope scope, long value)
    {
        Append(scope, value);
        var other = scope.Command("INSERT INTO other (value) VALUES ($value)");
        other.Parameters.AddWithValue("$value", value);
        other.ExecuteNonQuery();
        var context = scope.DbContext<KernelDbContext>(options => new(options));
        context.ServerInfo.Add(new ServerInfoEntry { Key = $"k{value}", Value = "v" });
        context.SaveChanges();
    }

    [Fact]
    public async Task WriteAsync_CompletesTheCallerOnlyAfterCommit()
    {
        await using var writer = CreateWriter();
        writer.Start();
        long? seenInsideUnit = null;
        long? seenAfterCommit = null;

        await writer.WriteAsync(scope =>
        {
            Append(scope, 42);
            seenInsideUnit = CountFromAnotherConnection();
            scope.OnCommitted(() => seenAfterCommit = CountFromAnotherConnection());
        });

        seenInsideUnit.Should().Be(0, "another connection must not see uncommitted rows");
        seenAfterCommit.Should().Be(1, "after-commit actions run once the row is durable");
        CountFromAnotherConnection().Should().Be(1);
    }

    private long CountFromAnotherConnection()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM log";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task WriteAsync_WhenQueueIsFull_MakesTheCallerWait()
    {
        await using var writer = CreateWriter(queueCapacity: 2);
        var first = writer.WriteAsync(scope => Append(scope, 1));
        var second = writer.WriteAsync(scope => Append(scope, 2));
        var third = writer.WriteAsync(scope => Append(scope, 3));

        third.IsCompleted.Should().BeFalse();
        ReadLog().Should().BeEmpty();

        writer.Start();
        await Task.WhenAll(first, second, third);
        ReadLog().Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task DrainAsync_CommitsEverythingQueuedThenRefusesNewWork()
    {
        var writer = CreateWriter(batchSize: 10);
        var writes = Enumerable.Range(0, 200).Select(i => writer.WriteAsync(scope => Append(scope, i))).ToList();
        writer.Start();

        await writer.DrainAsync();

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));
        ReadLog().Should().HaveCount(200);
        await FluentActions.Awaiting(() => writer.WriteAsync(scope => Append(scope, 0)))
            .Should().ThrowAsync<MessengerError>().Where(e => e.Name == "SERVER_SHUTTING_DOWN");
    }
}
