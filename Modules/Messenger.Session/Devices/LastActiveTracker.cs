using System.Collections.Concurrent;
using Messenger.Session.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Devices;

/// <summary>
/// "Last active" of each authorization, noted in memory on every call and written in one batch every
/// <c>LastActiveFlushSeconds</c> and at shutdown: a database write per call would cost more than the call.
/// </summary>
internal sealed class LastActiveTracker(
    SessionStore store, TimeProvider clock, IOptions<SessionOptions> options, ILogger<LastActiveTracker> logger)
    : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<long, long> _pending = new();
    private ITimer? _timer;

    public void Touch(long authorizationId) => _pending[authorizationId] = clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The unwritten last-active time of an authorization, if any.</summary>
    public long? Pending(long authorizationId) => _pending.TryGetValue(authorizationId, out var at) ? at : null;

    public void Forget(long authorizationId) => _pending.TryRemove(authorizationId, out _);

    public async Task FlushAsync()
    {
        var batch = new List<KeyValuePair<long, long>>();
        foreach (var entry in _pending)
        {
            if (_pending.TryRemove(entry))
            {
                batch.Add(entry);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await store.WriteLastActiveAsync(batch);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Writing last-active times of {Count} devices failed", batch.Count);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromSeconds(options.Value.LastActiveFlushSeconds);
        _timer = clock.CreateTimer(_ => _ = FlushAsync(), null, period, period);
        return Task.CompletedTask;
    }

    // The storage writer stops after every other service, so this last batch is still committed.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        await FlushAsync();
    }

    public void Dispose() => _timer?.Dispose();
}
