using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace Messenger.Kernel.Background;

/// <summary>
/// A background job fed through a bounded queue, for courtesies that must never hold up what offers them (link
/// previews, push notifications): an item offered while the queue is full is refused (<see cref="TryOffer"/> answers
/// false), a few items are worked on at a time, an item that throws is reported to <see cref="Failed"/> and the rest go
/// on, and at shutdown what is still queued is dropped.
/// </summary>
public abstract class BoundedWorkQueue<T>(int capacity, int parallelism) : BackgroundService
{
    private readonly Channel<T> _items = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues the item; false when the queue is full (the item is dropped).</summary>
    protected bool TryOffer(T item) => _items.Writer.TryWrite(item);

    protected abstract Task WorkAsync(T item, CancellationToken cancellationToken);

    /// <summary>The item threw (anything but the shutdown's cancellation).</summary>
    protected abstract void Failed(T item, Exception error);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Parallel.ForEachAsync(
                _items.Reader.ReadAllAsync(stoppingToken),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = stoppingToken },
                async (item, cancellationToken) =>
                {
                    try
                    {
                        await WorkAsync(item, cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Failed(item, e);
                    }
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is queued is dropped.
        }
    }
}
