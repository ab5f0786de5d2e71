using System.Diagnostics;
using System.Threading.Channels;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Storage;

/// <summary>
/// The group-commit writer (DESIGN §3). Callers enqueue a unit of work and await it; one loop drains the queue
/// into a transaction per batch, runs each unit inside its own SAVEPOINT (a unit that throws is rolled back and
/// fails alone), commits, and only then completes the callers: an acknowledged write is durable.
/// </summary>
public sealed class StorageWriter : IHostedLifecycleService, IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly ILogger<StorageWriter> _logger;
    private readonly Channel<WorkItem> _queue;
    private readonly int _batchSize;
    private readonly int _nice;
    private Task? _loop;

    private readonly StorageSpace _space;
    private volatile bool _stopped;

    public StorageWriter(
        SqliteDatabase database, IOptions<StorageOptions> options, ILogger<StorageWriter> logger, StorageSpace? space = null)
    {
        _database = database;
        _logger = logger;
        _space = space ?? new StorageSpace(Microsoft.Extensions.Logging.Abstractions.NullLogger<StorageSpace>.Instance);
        _batchSize = options.Value.WriterBatchSize;
        _nice = options.Value.WriterNice;
        if (options.Value.CheckpointIntervalMs > 0)
        {
            Checkpointer = new WalCheckpointer(database, TimeSpan.FromMilliseconds(options.Value.CheckpointIntervalMs), logger);
        }

        // Synchronous continuations: a caller's write wakes the writer's blocked thread itself rather than through a work
        // item in the pool's global queue (behind the pool's other work, once per batch that found the writer idle). The
        // continuations it runs inline are short: the writer's wait, and, when the writer makes room in a full queue,
        // the waiting caller's step from the queue to awaiting its unit.
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(options.Value.WriterQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = true,
        });
    }

    /// <summary>Commits observed since start: with group commit, far fewer than units.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    private long _commits;

    /// <summary>Why nothing can be written, or null: the loop stopped (<c>STORAGE_UNAVAILABLE</c> for every write).
    /// Writes refused for lack of room are <see cref="StorageSpace"/>'s to report.</summary>
    public string? Problem => _stopped ? "the storage writer stopped: nothing can be written until the server restarts" : null;

    /// <summary>Null when checkpoints are left to SQLite (<c>CheckpointIntervalMs</c> 0).</summary>
    internal WalCheckpointer? Checkpointer { get; }

    /// <summary>Runs <paramref name="work"/> in the next batch; completes after that batch's COMMIT.</summary>
    public async Task<T> WriteAsync<T>(Func<WriteScope, T> work, CancellationToken cancellationToken = default)
    {
        var item = new FuncItem<T>(work);
        await Enqueue(item, cancellationToken);
        return await item.Completion.Task;
    }

    public Task WriteAsync(Action<WriteScope> work, CancellationToken cancellationToken = default) =>
        WriteAsync<bool>(scope =>
        {
            work(scope);
            return true;
        }, cancellationToken);

    /// <summary>Queues <paramref name="item"/> for the next batch (<see cref="Updates.LoggedWriter"/>: a unit that carries its own
    /// state, awaited by its caller's own state machine).</summary>
    internal async ValueTask Enqueue(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            // A full queue makes the caller wait here: back-pressure instead of unbounded memory.
            await _queue.Writer.WriteAsync(item, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            // Closed without an error: the server is shutting down; with one, the writer stopped.
            throw e.InnerException is null ? MessengerError.Unavailable() : MessengerError.StorageUnavailable();
        }
    }

    public void Start()
    {
        if (_loop is null)
        {
            // A thread of its own, blocked while there is nothing to write, so that its priority holds (a loop that
            // awaited would hop between pool threads).
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    Run();
                    stopped.TrySetResult();
                }
                catch (Exception e)
                {
                    Stop(e);
                    stopped.TrySetException(e);
                }
            })
            {
                Name = "Storage writer",
                IsBackground = true,
            };
            thread.Start();
            _loop = stopped.Task;
        }

        Checkpointer?.Start();
    }

    private void Run()
    {
        SetPriority();
        using var connection = _database.OpenWriter(backgroundCheckpoints: Checkpointer is not null);
        var scope = new WriteScope(connection, _logger);
        using var savepoints = new Savepoints(connection);
        var batch = new List<WorkItem>(_batchSize);
        try
        {
            while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                Checkpointer?.FinishIfDue(connection);
                while (batch.Count < _batchSize && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                RunBatch(scope, savepoints, batch);
                batch.Clear();
            }
        }
        finally
        {
            scope.DisposeCommands();
        }
    }

    /// <summary>The loop cannot go on (its connection would not open): callers queued or still to come get
    /// <c>STORAGE_UNAVAILABLE</c> instead of waiting for ever.</summary>
    private void Stop(Exception error)
    {
        _stopped = true;
        _logger.LogCritical(error, "Storage writer stopped: nothing can be written until the server restarts");
        _queue.Writer.TryComplete(error);
        while (_queue.Reader.TryRead(out var item))
        {
            item.Fail(MessengerError.StorageUnavailable());
        }
    }

    private void SetPriority()
    {
        if (_nice == 0)
        {
            return;
        }

        if (WriterPriority.TrySetForCurrentThread(_nice) is { } problem)
        {
            _logger.LogInformation("Storage writer runs at normal priority: {Problem}", problem);
        }
        else
        {
            _logger.LogInformation("Storage writer runs at nice {Nice}", _nice);
        }
    }

    private void RunBatch(WriteScope scope, Savepoints savepoints, List<WorkItem> batch)
    {
        var failures = new Exception?[batch.Count];
        Exception? unitFailure = null;
        var afterCommit = new List<Action>?[batch.Count];
        List<Action>? batchEndActions = null;
        var began = Stopwatch.GetTimestamp();
        foreach (var item in batch)
        {
            WriterMetrics.QueueWait.Record(Stopwatch.GetElapsedTime(item.Enqueued, began).TotalMilliseconds);
        }

        try
        {
            using var transaction = scope.Connection.BeginTransaction(deferred: false);
            scope.Transaction = transaction;
            List<Action<WriteScope>>? atBatchEnd = null;
            for (var i = 0; i < batch.Count; i++)
            {
                savepoints.Begin();
                try
                {
                    batch[i].Execute(scope);
                    savepoints.Release();
                    afterCommit[i] = scope.EndUnit();
                    if (scope.TakeBatchEnd() is { } deferred)
                    {
                        (atBatchEnd ??= []).AddRange(deferred);
                    }
                }
                catch (Exception e)
                {
                    // SQLite may have rolled the whole transaction back (it can after SQLITE_FULL or an I/O error): then
                    // this rollback throws and the batch fails as a whole, for the cause kept here.
                    unitFailure = e;
                    savepoints.RollBack();
                    unitFailure = null;
                    scope.EndUnit();
                    scope.TakeBatchEnd();
                    failures[i] = StorageSpace.IsFull(e) ? _space.Refused(e) : e;
                }
            }

            // Outside any savepoint: a failure here leaves no unit to blame, so the batch fails as a whole (below).
            for (var pending = atBatchEnd; pending is not null; pending = scope.TakeBatchEnd())
            {
                foreach (var work in pending)
                {
                    work(scope);
                }
            }

            batchEndActions = scope.EndUnit();

            var committing = Stopwatch.GetTimestamp();
            transaction.Commit();
            var committed = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _commits);
            WriterMetrics.Commits.Add(1);
            WriterMetrics.CommitDuration.Record(Stopwatch.GetElapsedTime(committing, committed).TotalMilliseconds);
            WriterMetrics.BatchDuration.Record(Stopwatch.GetElapsedTime(began, committed).TotalMilliseconds);
            WriterMetrics.BatchSize.Record(batch.Count);
        }
        catch (Exception e)
        {
            // The commit itself or the work deferred to it failed (disk full, I/O error): nothing of this batch is
            // durable, and the transaction rolls back as it is disposed.
            scope.EndUnit();
            scope.TakeBatchEnd();
            var cause = unitFailure is not null && StorageSpace.IsFull(unitFailure) ? unitFailure : e;
            var failure = StorageSpace.IsFull(cause) ? _space.Refused(cause) : e;
            if (failure == e)
            {
                _logger.LogError(e, "Group commit of {Count} units failed", batch.Count);
            }

            foreach (var item in batch)
            {
                item.Fail(failure);
            }

            return;
        }
        finally
        {
            scope.Transaction = null!;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is null && afterCommit[i] is { } actions)
            {
                RunAfterCommit(actions);
            }
        }

        if (batchEndActions is not null)
        {
            RunAfterCommit(batchEndActions);
        }

        // In commit order, on this thread, before any caller wakes: what must follow the commit in order (the pushes of
        // LoggedWriter's units) is handed on here, and such a unit is completed by whoever it is handed to.
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is null)
            {
                batch[i].Committed();
            }
        }

        // The callers are woken by one pool thread, whose local queue then takes their continuations, instead of the
        // writer pushing each continuation through the pool's global queue.
        ThreadPool.UnsafeQueueUserWorkItem(
            static settled =>
            {
                for (var i = 0; i < settled.Items.Length; i++)
                {
                    if (settled.Failures[i] is { } failure)
                    {
                        settled.Items[i].Fail(failure);
                    }
                    else
                    {
                        settled.Items[i].Complete();
                    }
                }
            },
            (Items: batch.ToArray(), Failures: failures),
            preferLocal: false);
    }

    private void RunAfterCommit(List<Action> actions)
    {
        foreach (var action in actions)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "After-commit action failed");
            }
        }
    }

    /// <summary>Stops taking work and waits until everything queued so far is committed.</summary>
    public async Task DrainAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }

        if (Checkpointer is not null)
        {
            await Checkpointer.DisposeAsync();
        }
    }

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return Task.CompletedTask;
    }

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Drained only once every other service (the web server included) has stopped, so in-flight requests
    // can still enqueue their writes during shutdown.
    async Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken)
    {
        await DrainAsync();
        _logger.LogInformation("Storage writer drained");
    }

    public ValueTask DisposeAsync() => new(DrainAsync());

    internal abstract class WorkItem
    {
        public long Enqueued { get; } = Stopwatch.GetTimestamp();

        public abstract void Execute(WriteScope scope);

        /// <summary>Called on the writer's thread after the batch's COMMIT and its after-commit actions, for each unit
        /// that succeeded, in commit order, before <see cref="Complete"/>.</summary>
        public virtual void Committed()
        {
        }

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    /// <summary>A unit with a result: <see cref="Run"/> runs on the writer's loop, <see cref="Completion"/> completes after
    /// the COMMIT (or fails with the unit's error, or the batch's).</summary>
    internal abstract class WorkItem<T> : WorkItem
    {
        private T _result = default!;

        // Continuations run on the pool, not on the writer's loop.
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected abstract T Run(WriteScope scope);

        public sealed override void Execute(WriteScope scope) => _result = Run(scope);

        public override void Complete() => Completion.TrySetResult(_result);

        public sealed override void Fail(Exception error) => Completion.TrySetException(error);
    }

    private sealed class FuncItem<T>(Func<WriteScope, T> work) : WorkItem<T>
    {
        protected override T Run(WriteScope scope) => work(scope);
    }
}
