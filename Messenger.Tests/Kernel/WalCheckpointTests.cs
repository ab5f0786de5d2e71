using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Kernel;

/// <summary>Where the WAL is copied back into the database file: beside the writer, or inside its commits.</summary>
public sealed class WalCheckpointTests : IAsyncLifetime
{
    private const int PageBytes = 4096;
    private static readonly byte[] Blob = new byte[2 * PageBytes];

    private readonly TempDirectory _directory = new();
    private string _path = null!;

    public Task InitializeAsync()
    {
        _path = Path.Combine(_directory.Path, "wal.db");
        using var connection = Database(checkpointIntervalMs: 0).Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL);";
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
        return Task.CompletedTask;
    }

    // NORMAL: no sync per commit, so thousands of commits take a moment; checkpoints work the same way.
    private StorageOptions Options(int checkpointIntervalMs) =>
        new() { Synchronous = "Normal", CheckpointIntervalMs = checkpointIntervalMs };

    private SqliteDatabase Database(int checkpointIntervalMs) => new(_path, Options(checkpointIntervalMs));

    private StorageWriter Writer(int checkpointIntervalMs) =>
        new(Database(checkpointIntervalMs), Microsoft.Extensions.Options.Options.Create(Options(checkpointIntervalMs)),
            NullLogger<StorageWriter>.Instance);

    /// <summary>One commit after another, each adding at least two pages to the WAL.</summary>
    private static async Task InsertOneByOneAsync(StorageWriter writer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await writer.WriteAsync(scope =>
            {
                var command = scope.Command("INSERT INTO blobs (body) VALUES (@body)");
                command.Parameters.AddWithValue("@body", Blob);
                command.ExecuteNonQuery();
            });
        }
    }

    private long WalBytes() => new FileInfo(_path + "-wal").Length;

    private long CountRows()
    {
        using var connection = Database(0).Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM blobs";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Commits_WithBackgroundCheckpoints_LeaveTheWalToTheCheckpointer()
    {
        await using var writer = Writer(checkpointIntervalMs: 60_000);
        writer.Start();

        await InsertOneByOneAsync(writer, 1500);

        // ≥ 3,000 pages, three times SQLite's automatic threshold: no commit copied the WAL back and started it over.
        WalBytes().Should().BeGreaterThan(1500L * Blob.Length);
        CountRows().Should().Be(1500);
    }

    [Fact]
    public async Task Commits_WithoutBackgroundCheckpoints_CheckpointInline()
    {
        await using var writer = Writer(checkpointIntervalMs: 0);
        writer.Start();

        await InsertOneByOneAsync(writer, 1500);

        // SQLite's automatic checkpoint at 1,000 pages, inside the commits: the WAL starts over and stays near 4 MiB.
        WalBytes().Should().BeLessThan(1500L * Blob.Length / 2);
        CountRows().Should().Be(1500);
    }

    [Fact]
    public async Task Commits_WhileTheCheckpointerRuns_StartTheWalOverInsteadOfGrowingIt()
    {
        await using var writer = Writer(checkpointIntervalMs: 20);
        writer.Start();

        // ≈ 24 MiB of pages, committed without a pause for longer than many checkpoint intervals.
        await InsertOneByOneAsync(writer, 3000);

        // A pass beside a busy writer seldom finds the WAL wholly copied back; the writer finishes what a pass began,
        // and the WAL starts over at its next transaction. Measured: 2–4 MB at the end; 13–21 MB with the writer's
        // part switched off.
        WalBytes().Should().BeLessThan(3000L * Blob.Length / 3);
        CountRows().Should().Be(3000);
    }
}
