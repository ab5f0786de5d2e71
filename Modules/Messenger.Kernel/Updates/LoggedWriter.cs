using System.Threading.Channels;
using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Kernel.Updates;

/// <summary>
/// The writer for units that append updates to logs, and the rule that keeps live pushes from getting lost: what a unit
/// appends (<see cref="LogAppends"/>) is published as one <see cref="UpdatesAppendedEvent"/> after the unit's COMMIT, all of
/// it, in the order it was appended, once; a unit that throws (or whose batch fails to commit) publishes nothing, since
/// nothing of it is in any log. Published before the commit, a push could show a device an entry that is then rolled back;
/// never published, the entry waits for the device's next <c>getDifference</c>.
/// </summary>
/// <remarks>
/// <para>The units' events are published in commit order, one after another, across all logs: a log's entries reach its
/// devices in pts order, and a join's <c>chat</c> entry in a user's log reaches them before the group's posts committed
/// after it. The writer's thread hands each unit that appended something to one loop as the batch's after-commit actions
/// are done (<see cref="StorageWriter.WorkItem.Committed"/>), before any caller wakes; the loop (a thread of its own)
/// publishes it and only then completes its caller, so a call still returns after its pushes are queued. Published by each caller once its own
/// completion ran, the units of a batch went out in whatever order the pool ran their continuations: mostly newest first.</para>
/// <para>A publish that fails is logged and the loop goes on (the entries are committed: devices find them with
/// getDifference); one still running after <see cref="StallLimit"/> is left to finish on its own (its caller is completed
/// when it does) so that one slow handler delays the others' pushes by that much at most. At shutdown the loop publishes
/// what the writer handed it before <see cref="DisposeAsync"/>; a unit committed after that completes its caller unpublished.</para>
/// <para>A singleton over the group-commit writer, so the publisher (scoped, as the bus is) comes with each call and is
/// used while its caller awaits. A unit costs what one built by hand did: its work item (which is also what the loop
/// reads), the list of appends and the caller's delegate; no allocation in the loop but the event.</para>
/// </remarks>
public sealed class LoggedWriter : IAsyncDisposable
{
    /// <summary>How long one publish may hold back the ones committed after it.</summary>
    public static readonly TimeSpan DefaultStallLimit = TimeSpan.FromSeconds(1);

    // The most publications whose callers wait to be completed together.
    private const int CompletionRound = 64;

    private readonly StorageWriter _writer;
    private readonly IUpdateLog _log;
    private readonly ILogger _logger;
    // The writer's write wakes the loop's thread itself (the only continuation is the blocked thread's wait), rather
    // than through a work item in the pool's global queue.
    private readonly Channel<IPublication> _committed = Channel.CreateUnbounded<IPublication>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly Task _publishing;

    public LoggedWriter(StorageWriter writer, IUpdateLog log, ILogger<LoggedWriter> logger)
        : this(writer, log, logger, DefaultStallLimit)
    {
    }

    internal LoggedWriter(StorageWriter writer, IUpdateLog log, ILogger logger, TimeSpan stallLimit)
    {
        _writer = writer;
        _log = log;
        _logger = logger;
        StallLimit = stallLimit;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                PublishInCommitOrder();
            }
            finally
            {
                stopped.TrySetResult();
            }
        })
        {
            Name = "Update publisher",
            IsBackground = true,
        };
        thread.Start();
        _publishing = stopped.Task;
    }

    /// <summary>How long one publish may hold back the ones committed after it (<see cref="DefaultStallLimit"/>).</summary>
    public TimeSpan StallLimit { get; }

    /// <summary>
    /// Runs <paramref name="work"/> in the writer's next batch; after its COMMIT publishes what it appended (if anything)
    /// on <paramref name="bus"/>, in commit order, uncancellable: a caller that left still has its updates pushed to
    /// everyone else. <paramref name="originConnectionId"/>: the connection whose call this is, which gets its pts in the
    /// call's result rather than as a push.
    /// </summary>
    public Task<T> WriteAsync<T>(
        IPublisher bus, Func<WriteScope, LogAppends, T> work, CancellationToken cancellationToken, string? originConnectionId = null) =>
        RunAsync(new Unit<T>(this, work, null, new LogAppends(_log), bus, originConnectionId), cancellationToken);

    /// <inheritdoc cref="WriteAsync{T}(IPublisher, Func{WriteScope, LogAppends, T}, CancellationToken, string?)"/>
    public Task WriteAsync(IPublisher bus, Action<WriteScope, LogAppends> work, CancellationToken cancellationToken, string? originConnectionId = null) =>
        RunAsync(new Unit<bool>(this, null, work, new LogAppends(_log), bus, originConnectionId), cancellationToken);

    /// <summary>Publishes what the writer has handed on so far, then stops taking more.</summary>
    public async ValueTask DisposeAsync()
    {
        _committed.Writer.TryComplete();
        await _publishing;
    }

    private async Task<T> RunAsync<T>(Unit<T> unit, CancellationToken cancellationToken)
    {
        await _writer.Enqueue(unit, cancellationToken);
        return await unit.Completion.Task;
    }

    // A thread of its own, blocked while there is nothing to publish: a loop that awaited the channel was woken through
    // the pool's global queue, one more hop behind the pool's other work for every batch. The publications it has read
    // are published one after another, and their callers completed by one pool work item (whose local queue then takes
    // their continuations), as the writer completes its own: once the channel is empty, every 64 publications, and before a
    // publish that did not finish at once is waited for, so that no caller waits long for other units' publishes.
    private void PublishInCommitOrder()
    {
        var reader = _committed.Reader;
        var published = new List<IPublication>();
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var publication))
            {
                if (Publish(publication, published))
                {
                    published.Add(publication);
                }

                // A steady flow may never leave the channel empty: the callers are not kept waiting for it.
                if (published.Count == CompletionRound)
                {
                    CompleteCallers(published);
                }
            }

            CompleteCallers(published);
        }
    }

    private static void CompleteCallers(List<IPublication> published)
    {
        if (published.Count == 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static done =>
        {
            foreach (var publication in done)
            {
                publication.Published();
            }
        }, published.ToArray(), preferLocal: false);
        published.Clear();
    }

    /// <summary>Publishes <paramref name="publication"/>: true when it is done (or failed), false when it stalled and was
    /// left to finish and complete its caller on its own. One that does not finish at once first has the callers of
    /// <paramref name="published"/> completed.</summary>
    private bool Publish(IPublication publication, List<IPublication> published)
    {
        ValueTask publishing;
        try
        {
            publishing = publication.PublishAsync();
        }
        catch (Exception e)
        {
            publishing = ValueTask.FromException(e);
        }

        if (publishing.IsCompletedSuccessfully)
        {
            return true;
        }

        CompleteCallers(published);
        var running = publishing.AsTask();
        try
        {
            if (!running.Wait(StallLimit))
            {
                _logger.LogWarning("Publishing committed updates took over {StallLimit}: the updates committed after them go on",
                    StallLimit);
                _ = FinishLateAsync(running, publication);
                return false;
            }
        }
        catch (AggregateException e)
        {
            _logger.LogError(e.InnerException ?? e, "Publishing committed updates failed: their devices find them with getDifference");
        }

        return true;
    }

    private async Task FinishLateAsync(Task running, IPublication publication)
    {
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Publishing committed updates failed: their devices find them with getDifference");
        }

        publication.Published();
    }

    /// <summary>A committed unit waiting in the loop: its event is published, then its caller completed.</summary>
    private interface IPublication
    {
        ValueTask PublishAsync();

        void Published();
    }

    /// <summary>One of <paramref name="work"/> (with a result) or <paramref name="action"/> (without).</summary>
    private sealed class Unit<T>(
        LoggedWriter owner,
        Func<WriteScope, LogAppends, T>? work,
        Action<WriteScope, LogAppends>? action,
        LogAppends appends,
        IPublisher bus,
        string? originConnectionId)
        : StorageWriter.WorkItem<T>, IPublication
    {
        private bool _handedOn;

        protected override T Run(WriteScope scope)
        {
            appends.Enter(scope);
            try
            {
                if (work is not null)
                {
                    return work(scope, appends);
                }

                action!(scope, appends);
                return default!;
            }
            finally
            {
                appends.Leave();
            }
        }

        // On the writer's thread, in commit order; the writer completes the caller afterwards unless the loop took it.
        public override void Committed() => _handedOn = appends.Count > 0 && owner._committed.Writer.TryWrite(this);

        public override void Complete()
        {
            if (!_handedOn)
            {
                base.Complete();
            }
        }

        public ValueTask PublishAsync() => bus.Publish(new UpdatesAppendedEvent(appends, originConnectionId), CancellationToken.None);

        public void Published() => base.Complete();
    }
}

/// <summary>
/// What one unit of a <see cref="LoggedWriter"/> appended to the users' logs, in order: published after its COMMIT.
/// <see cref="Append"/> appends and records in one step; an append made elsewhere in the unit (a helper that returns its
/// <see cref="LogAppend"/>s) is recorded with <c>Add</c>/<c>AddRange</c>, and one the unit must not push (a deleted
/// account's own) is taken out again before the unit returns.
/// </summary>
public sealed class LogAppends : List<LogAppend>
{
    private readonly IUpdateLog _log;
    private WriteScope? _scope;

    internal LogAppends(IUpdateLog log) => _log = log;

    /// <summary>Appends <paramref name="update"/> to the log of <paramref name="ownerId"/> in the unit's transaction
    /// (<see cref="IUpdateLog.Append"/>) and records it for the push; <paramref name="device"/>: the one device it is for
    /// (<see cref="LogAppend.Device"/>).</summary>
    public LoggedUpdate Append(long ownerId, Update update, long date, long? messageId = null, byte[]? device = null)
    {
        var scope = _scope ?? throw new InvalidOperationException("Appends are made inside their unit.");
        var logged = _log.Append(scope, ownerId, update, date, messageId);
        Add(new LogAppend(ownerId, logged, device));
        return logged;
    }

    internal void Enter(WriteScope scope) => _scope = scope;

    internal void Leave() => _scope = null;
}
