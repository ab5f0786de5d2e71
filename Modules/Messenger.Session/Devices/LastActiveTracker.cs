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

    /// <summary>Writes the pending times. Each stays pending until its write committed (and goes only if no newer call
    /// replaced it meanwhile), so a device's latest time is always either here or in the database: the sign-out of
    /// unused devices relies on that. A failed write is tried again at the next flush.</summary>
    public async Task FlushAsync()
    {
        var batch = _pending.ToArray();
        if (batch.Length == 0)
        {
            return;
        }

        try
        {
            await store.WriteLastActiveAsync(batch);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Writing last-active times of {Count} devices failed", batch.Length);
            return;
        }

        foreach (var entry in batch)
        {
            _pending.TryRemove(entry);
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
