using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.Background;

/// <summary>
/// A background job that makes a pass once a second over what is due (scheduled messages to send, expired messages to
/// delete), one pass at a time: a pass started by hand (tests, a shutdown) waits for the timer's. The pace is real
/// seconds whatever the clock (a test's stands still, and a timer on it would fire inside the test's own Advance); what
/// is due is read from the clock. A failed pass is logged and the next second tries again.
/// </summary>
internal abstract class SecondlyPass(ILogger logger, string failure) : BackgroundService
{
    private readonly SemaphoreSlim _pass = new(1, 1);

    /// <summary>One pass; returns how many things it did.</summary>
    protected abstract Task<int> PassAsync(CancellationToken cancellationToken);

    /// <summary>Makes a pass now (after one that is running); returns how many things it did.</summary>
    protected async Task<int> RunPassAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            return await PassAsync(cancellationToken);
        }
        finally
        {
            _pass.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunPassAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "{Failure}", failure);
            }
        }
    }
}
