using Microsoft.Extensions.Options;

namespace Messenger.Protocol.Transport;

/// <summary>
/// One clock for every connection's held-back pushes (<see cref="ProtocolConnection"/>): <see cref="NextTick"/> ends at
/// the next tick, at most one period away. Thousands of connections waiting for it share one timer and one task
/// instead of a timer each, and the timer runs only while someone waits. Real time on purpose, not the host's
/// <see cref="TimeProvider"/>: it paces the transport, and a test clock that stands still must not hold pushes forever.
/// </summary>
internal sealed class PushPacer : IDisposable
{
    private readonly object _gate = new();
    private readonly Timer _timer;
    private TaskCompletionSource? _tick;
    private bool _disposed;

    public PushPacer(TimeSpan period)
    {
        Period = period;
        _timer = new Timer(_ => Tick());
    }

    public TimeSpan Period { get; }

    public Task NextTick
    {
        get
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    // The host is stopping: nothing is held back any more.
                    return Task.CompletedTask;
                }

                if (_tick is null)
                {
                    _tick = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _timer.Change(Period, Timeout.InfiniteTimeSpan);
                }

                return _tick.Task;
            }
        }
    }

    private void Tick()
    {
        TaskCompletionSource? tick;
        lock (_gate)
        {
            tick = _tick;
            _tick = null;
        }

        tick?.TrySetResult();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
        Tick();
    }

    /// <summary>The host's pacer, or none when <c>PushCoalescingMs</c> is 0.</summary>
    internal sealed class Shared(IOptions<ProtocolOptions> options) : IDisposable
    {
        public PushPacer? Pacer { get; } = options.Value.PushCoalescingMs > 0 ? new PushPacer(TimeSpan.FromMilliseconds(options.Value.PushCoalescingMs)) : null;

        public void Dispose() => Pacer?.Dispose();
    }
}
