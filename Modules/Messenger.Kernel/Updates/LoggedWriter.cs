using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;

namespace Messenger.Kernel.Updates;

/// <summary>
/// The writer for units that append updates to logs, and the rule that keeps live pushes from getting lost: what a unit
/// appends (<see cref="LogAppends"/>) is published as one <see cref="UpdatesAppendedEvent"/> after the unit's COMMIT, all of
/// it, in the order it was appended, once; a unit that throws (or whose batch fails to commit) publishes nothing, since
/// nothing of it is in any log. Published before the commit, a push could show a device an entry that is then rolled back;
/// never published, the entry waits for the device's next <c>getDifference</c>.
/// </summary>
/// <remarks>
/// A singleton over the group-commit writer, so the publisher (scoped, as the bus is) comes with each call. A unit costs
/// what one built by hand did: its work item, the list of appends and the caller's delegate; the caller awaits the writer's
/// completion directly (no state machine between).
/// </remarks>
public sealed class LoggedWriter(StorageWriter writer, IUpdateLog log)
{
    /// <summary>
    /// Runs <paramref name="work"/> in the writer's next batch; after its COMMIT publishes what it appended (if anything)
    /// on <paramref name="bus"/>, uncancellable: a caller that left still has its updates pushed to everyone else.
    /// <paramref name="originConnectionId"/>: the connection whose call this is, which gets its pts in the call's result
    /// rather than as a push.
    /// </summary>
    public Task<T> WriteAsync<T>(
        IPublisher bus, Func<WriteScope, LogAppends, T> work, CancellationToken cancellationToken, string? originConnectionId = null) =>
        RunAsync(new Unit<T>(work, null, new LogAppends(log)), bus, cancellationToken, originConnectionId);

    /// <inheritdoc cref="WriteAsync{T}(IPublisher, Func{WriteScope, LogAppends, T}, CancellationToken, string?)"/>
    public Task WriteAsync(IPublisher bus, Action<WriteScope, LogAppends> work, CancellationToken cancellationToken, string? originConnectionId = null) =>
        RunAsync(new Unit<bool>(null, work, new LogAppends(log)), bus, cancellationToken, originConnectionId);

    private async Task<T> RunAsync<T>(Unit<T> unit, IPublisher bus, CancellationToken cancellationToken, string? originConnectionId)
    {
        await writer.Enqueue(unit, cancellationToken);
        var result = await unit.Completion.Task;
        if (unit.Appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(unit.Appends, originConnectionId), CancellationToken.None);
        }

        return result;
    }

    /// <summary>One of <paramref name="work"/> (with a result) or <paramref name="action"/> (without).</summary>
    private sealed class Unit<T>(Func<WriteScope, LogAppends, T>? work, Action<WriteScope, LogAppends>? action, LogAppends appends)
        : StorageWriter.WorkItem<T>
    {
        public LogAppends Appends => appends;

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
