using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
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
    private static readonly byte[] TwoPages = new byte[8192];

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
            CREATE TABLE blobs (value INTEGER NOT NULL, body BLOB NOT NULL);
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

    /// <summary>A writer whose WAL is checkpointed every <paramref name="checkpointIntervalMs"/> beside it (0: inside its
    /// commits), at <c>synchronous=NORMAL</c> so thousands of commits take a moment (checkpoints work the same way).</summary>
    private StorageWriter CheckpointingWriter(int checkpointIntervalMs)
    {
        var options = new StorageOptions { Synchronous = "Normal", CheckpointIntervalMs = checkpointIntervalMs };
        return new StorageWriter(new SqliteDatabase(_database.Path, options), Options.Create(options), NullLogger<StorageWriter>.Instance);
    }

    /// <summary>A started checkpointing writer whose background passes run only when a test calls them (60 s apart),
    /// with 100 blobs committed one by one.</summary>
    private async Task<StorageWriter> PassesOnRequestWithHundredBlobsAsync()
    {
        var writer = CheckpointingWriter(checkpointIntervalMs: 60_000);
        writer.Start();
        await InsertBlobsOneByOneAsync(writer, 100);
        return writer;
    }

    /// <summary>One commit after another, each adding at least two pages to the WAL.</summary>
    private static async Task InsertBlobsOneByOneAsync(StorageWriter writer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var value = i;
            await writer.WriteAsync(scope =>
            {
                var command = scope.Command("INSERT INTO blobs (value, body) VALUES ($value, $body)");
                command.Parameters.AddWithValue("$value", value);
                command.Parameters.AddWithValue("$body", TwoPages);
                command.ExecuteNonQuery();
            });
        }
    }

    private long WalBytes() => new FileInfo(_database.Path + "-wal").Length;

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
        writer.Problem.Should().BeNull();
    }

    [Fact]
    public async Task WriteAsync_RecordsQueueWaitBatchSizeAndCommitTimeOnTheStorageMeter()
    {
        var measurements = new ConcurrentQueue<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WriterMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => measurements.Enqueue((instrument.Name, value)));
        listener.Start();
        await using var writer = CreateWriter();
        var writes = Enumerable.Range(0, 333).Select(i => writer.WriteAsync(scope => Append(scope, i))).ToList();

        await Task.Delay(150);
        writer.Start();
        await Task.WhenAll(writes);

        // Other tests' writers share the static meter: look for this batch's own figures.
        var ours = measurements.ToList();
        ours.Should().Contain(("messenger.writer.batch_size", 333));
        ours.Count(m => m is { Name: "messenger.writer.queue_wait", Value: >= 140 }).Should().BeGreaterThanOrEqualTo(333);
        ours.Should().Contain(m => m.Name == "messenger.writer.commit_duration" && m.Value > 0);
        ours.Should().Contain(m => m.Name == "messenger.writer.batch_duration" && m.Value > 0);
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

    private static void AppendOther(WriteScope scope, long value)
    {
        var other = scope.Command("INSERT INTO other (value) VALUES ($value)");
        other.Parameters.AddWithValue("$value", value);
        other.ExecuteNonQuery();
    }

    [Fact]
    public async Task AtBatchEnd_RunsAfterEveryUnitOfTheBatchInTheirOrder_AndCommitsWithThem()
    {
        await using var writer = CreateWriter();
        var steps = new List<string>();
        var writes = Enumerable.Range(0, 3).Select(i => writer.WriteAsync(scope =>
        {
            steps.Add($"unit {i}");
            Append(scope, i);
            scope.AtBatchEnd(end =>
            {
                steps.Add($"end {i}");
                AppendOther(end, 10 + i);
            });
            scope.AtBatchEnd(end => AppendOther(end, 20 + i));
        })).ToList();

        writer.Start();
        await Task.WhenAll(writes);

        writer.Commits.Should().Be(1);
        steps.Should().Equal("unit 0", "unit 1", "unit 2", "end 0", "end 1", "end 2");
        ReadLog().Should().Equal(0, 1, 2);
        ReadLog("other").Should().Equal(10, 20, 11, 21, 12, 22);
    }

    [Fact]
    public async Task AtBatchEnd_WhenTheUnitThatDeferredFails_IsDropped()
    {
        await using var writer = CreateWriter();
        var writes = Enumerable.Range(0, 3).Select(i => writer.WriteAsync(scope =>
        {
            Append(scope, i);
            scope.AtBatchEnd(end => AppendOther(end, 10 + i));
            if (i == 1)
            {
                throw MessengerError.BadRequest("UNIT_FAILED");
            }
        })).ToList();

        writer.Start();
        await FluentActions.Awaiting(() => writes[1]).Should().ThrowAsync<MessengerError>();
        await Task.WhenAll(writes[0], writes[2]);

        ReadLog().Should().Equal(0, 2);
        ReadLog("other").Should().Equal(10, 12);
    }

    [Fact]
    public async Task AtBatchEnd_WhenDeferredWorkThrows_FailsTheWholeBatchAndTheNextOneCommits()
    {
        await using var writer = CreateWriter();
        var writes = Enumerable.Range(0, 3).Select(i => writer.WriteAsync(scope =>
        {
            Append(scope, i);
            scope.AtBatchEnd(end =>
            {
                AppendOther(end, 10 + i);
                if (i == 2)
                {
                    throw new InvalidOperationException("deferred write failed");
                }
            });
        })).ToList();

        writer.Start();
        foreach (var write in writes)
        {
            await FluentActions.Awaiting(() => write).Should().ThrowAsync<InvalidOperationException>();
        }

        await writer.WriteAsync(scope =>
        {
            Append(scope, 7);
            scope.AtBatchEnd(end => AppendOther(end, 17));
        });

        writer.Commits.Should().Be(1);
        ReadLog().Should().Equal(7);
        ReadLog("other").Should().Equal(17);
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
        AppendOther(scope, value);
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

    [Fact]
    public async Task WriteAsync_RunsEveryUnitOnTheWritersOwnThreadAtItsConfiguredNice()
    {
        // Raising nice is allowed to any process (lowering it may need a privilege), so this is checked for real.
        var before = WriterPriority.CurrentThreadNice() ?? 0;
        var target = Math.Min(19, before + 5);
        var options = new StorageOptions { WriterNice = target };
        await using var writer = new StorageWriter(_database, Options.Create(options), NullLogger<StorageWriter>.Instance);
        writer.Start();

        (string? Name, int Thread, int? Nice) Observe() =>
            (Thread.CurrentThread.Name, Environment.CurrentManagedThreadId, WriterPriority.CurrentThreadNice());

        var first = await writer.WriteAsync(_ => Observe());
        await Task.Delay(50); // the writer blocks on its empty queue in between
        var second = await writer.WriteAsync(_ => Observe());

        first.Name.Should().Be("Storage writer");
        second.Thread.Should().Be(first.Thread, "the writer keeps one thread, or its priority would not hold");
        second.Thread.Should().NotBe(Environment.CurrentManagedThreadId);
        if (OperatingSystem.IsLinux())
        {
            first.Nice.Should().Be(target);
            second.Nice.Should().Be(target);
            WriterPriority.CurrentThreadNice().Should().Be(before, "only the writer's thread changes priority");
        }
    }

    [Fact]
    public async Task WriteAsync_WhenTheWriterCannotOpenItsDatabase_FailsCallersInsteadOfLeavingThemWaiting()
    {
        var unreachable = new SqliteDatabase(Path.Combine(_directory.Path, "no-such-directory", "writer.db"), new StorageOptions());
        var writer = new StorageWriter(unreachable, Options.Create(new StorageOptions()), NullLogger<StorageWriter>.Instance);
        var early = writer.WriteAsync(scope => Append(scope, 1)); // queued before the loop runs
        writer.Start();

        await ExpectStorageUnavailable(early);
        await ExpectStorageUnavailable(writer.WriteAsync(scope => Append(scope, 2))); // after the loop stopped
        writer.Problem.Should().Be("the storage writer stopped: nothing can be written until the server restarts", "the readiness check reports it");
        await writer.Invoking(w => w.DisposeAsync().AsTask()).Should().ThrowAsync<SqliteException>("disposing reports why the writer stopped");

        static async Task ExpectStorageUnavailable(Task write)
        {
            // A writer that left its callers waiting would time out here instead.
            var failing = () => write.WaitAsync(TimeSpan.FromSeconds(30));
            (await failing.Should().ThrowAsync<MessengerError>()).Which.Name.Should().Be("STORAGE_UNAVAILABLE");
        }
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

    [Fact]
    public async Task Commits_WithBackgroundCheckpoints_LeaveTheWalToTheCheckpointer()
    {
        await using var writer = CheckpointingWriter(checkpointIntervalMs: 60_000);
        writer.Start();

        await InsertBlobsOneByOneAsync(writer, 1500);

        // ≥ 3,000 pages, three times SQLite's automatic threshold: no commit copied the WAL back and started it over.
        WalBytes().Should().BeGreaterThan(1500L * TwoPages.Length);
        ReadLog("blobs").Should().HaveCount(1500);
    }

    [Fact]
    public async Task Commits_WithoutBackgroundCheckpoints_CheckpointInline()
    {
        await using var writer = CheckpointingWriter(checkpointIntervalMs: 0);
        writer.Start();

        await InsertBlobsOneByOneAsync(writer, 1500);

        // SQLite's automatic checkpoint at 1,000 pages, inside the commits: the WAL starts over and stays near 4 MiB.
        WalBytes().Should().BeLessThan(1500L * TwoPages.Length / 2);
        ReadLog("blobs").Should().HaveCount(1500);
    }

    [Fact]
    public async Task Commits_AfterAPassWithCommitsBesideIt_StartTheWalOver()
    {
        await using var writer = await PassesOnRequestWithHundredBlobsAsync();
        var restartsBefore = WalRestarts();

        // A pass runs while the writer is inside a unit, and that unit's batch commits after the pass: the WAL now holds
        // pages the pass did not copy, as it always does beside a busy writer.
        using var held = new HeldUnit(writer);
        using (var connection = _database.Open())
        {
            writer.Checkpointer!.Pass(connection);
        }

        held.Release();
        await held.Committed;
        await InsertBlobsOneByOneAsync(writer, 1);

        // The writer copied what the pass left before its next transaction, which started the WAL over.
        WalRestarts().Should().Be(restartsBefore + 1);
        ReadLog("blobs").Should().HaveCount(102);
    }

    [Fact]
    public async Task Pass_WithCommitsWhileItCopied_CatchesUpBeforeTheWritersPart()
    {
        await using var writer = await PassesOnRequestWithHundredBlobsAsync();
        var restartsBefore = WalRestarts();

        // The writer is inside a unit while the first checkpoint copies; that unit and 40 commits of two pages after it
        // land before the next checkpoint, and none of them starts the WAL over (the unit's transaction began before the
        // checkpoint, and the 40 after it found its frames not yet copied): the pass checkpoints again, twice, and only
        // then leaves the rest to the writer.
        using var held = new HeldUnit(writer);
        var checkpoints = 0;
        writer.Checkpointer!.AfterPassCheckpoint = () =>
        {
            if (++checkpoints == 1)
            {
                held.Release();
                held.Committed.GetAwaiter().GetResult();
                InsertBlobsOneByOneAsync(writer, 40).GetAwaiter().GetResult();
            }
        };
        await PassAsync(writer);
        checkpoints.Should().Be(3, "the second checkpoint found the 41 commits' frames, the third none");
        WalRestarts().Should().Be(restartsBefore, "nothing started the WAL over during the pass");
        await InsertBlobsOneByOneAsync(writer, 1);
        WalRestarts().Should().Be(restartsBefore + 1, "the writer's part came before its next transaction");
        ReadLog("blobs").Should().HaveCount(142);
    }

    [Fact]
    public async Task Pass_BesideAWriterItNeverCatchesUpWith_StopsAfterItsBoundAndTheWalStillStartsOver()
    {
        await using var writer = await PassesOnRequestWithHundredBlobsAsync();
        var restartsBefore = WalRestarts();

        // Every checkpoint of the pass has 40 commits of two pages land beside it.
        var checkpoints = 0;
        writer.Checkpointer!.AfterPassCheckpoint = () =>
        {
            checkpoints++;
            InsertBlobsOneByOneAsync(writer, 40).GetAwaiter().GetResult();
        };
        await PassAsync(writer);
        checkpoints.Should().Be(5, "the first checkpoint and four more to catch up");
        await InsertBlobsOneByOneAsync(writer, 1);
        WalRestarts().Should().Be(restartsBefore + 6, "each 40 commits started the WAL over, and the writer after the pass");
        ReadLog("blobs").Should().HaveCount(100 + (5 * 40) + 1);
    }

    [Fact]
    public async Task Pass_WhoseCatchUpAReaderHoldsBack_StillLeavesTheWriterItsPart()
    {
        await using var writer = await PassesOnRequestWithHundredBlobsAsync();
        var restartsBefore = WalRestarts();

        // As above, but a reader begins between the first checkpoint and the 41 commits, so the second checkpoint may
        // copy nothing past that reader's snapshot; the reader is gone by the time the writer takes its part.
        using var held = new HeldUnit(writer);
        using var reader = _database.Open();
        SqliteTransaction? reading = null;
        var checkpoints = 0;
        writer.Checkpointer!.AfterPassCheckpoint = () =>
        {
            if (++checkpoints == 1)
            {
                reading = reader.BeginTransaction(deferred: true);
                using var count = reader.CreateCommand();
                count.Transaction = reading;
                count.CommandText = "SELECT count(*) FROM blobs";
                count.ExecuteScalar().Should().Be(100L);
                held.Release();
                held.Committed.GetAwaiter().GetResult();
                InsertBlobsOneByOneAsync(writer, 40).GetAwaiter().GetResult();
            }
        };
        await PassAsync(writer);
        reading!.Dispose();

        checkpoints.Should().Be(2, "the second checkpoint was held back, so a third would be too");
        await InsertBlobsOneByOneAsync(writer, 1);
        WalRestarts().Should().Be(restartsBefore + 1, "the writer copied the rest, the reader gone, and started the WAL over");
        ReadLog("blobs").Should().HaveCount(142);
    }

    /// <summary>Keeps a writer inside a unit (its batch's transaction begun) until released; the unit then adds two
    /// pages.</summary>
    private sealed class HeldUnit : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();

        public HeldUnit(StorageWriter writer)
        {
            using var inUnit = new ManualResetEventSlim();
            Committed = writer.WriteAsync(scope =>
            {
                inUnit.Set();
                _release.Wait();
                scope.Execute("INSERT INTO blobs (value, body) VALUES ($value, $body)", ("$value", -1), ("$body", TwoPages));
            });
            inUnit.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
        }

        public Task Committed { get; }

        public void Release() => _release.Set();

        // A test that failed before releasing the unit must not leave the writer waiting for ever.
        public void Dispose() => _release.Set();
    }

    /// <summary>One background pass of <paramref name="writer"/>'s checkpointer, off the test's thread (its seam may
    /// block on the writer), then the seam taken away.</summary>
    private async Task PassAsync(StorageWriter writer)
    {
        await Task.Run(() =>
        {
            using var connection = _database.Open();
            writer.Checkpointer!.Pass(connection);
        });
        writer.Checkpointer!.AfterPassCheckpoint = null;
    }

    /// <summary>The WAL header's checkpoint sequence: one more each time the WAL starts over from its beginning.</summary>
    private uint WalRestarts()
    {
        using var wal = new FileStream(_database.Path + "-wal", FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = new byte[16];
        wal.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
    }
}
