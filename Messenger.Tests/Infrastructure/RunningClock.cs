using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Infrastructure;

internal static class RunningClock
{
    /// <summary>Advances <paramref name="clock"/> a second every 50 ms until <paramref name="wait"/> ends: a timer the
    /// server arms after an event the test cannot see fires without the test guessing when it was armed.</summary>
    public static async Task<T> WhileRunningAsync<T>(this FakeTimeProvider clock, Func<Task<T>> wait)
    {
        using var stop = new CancellationTokenSource();
        var ticking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(50);
            }
        });
        try
        {
            return await wait();
        }
        finally
        {
            await stop.CancelAsync();
            await ticking;
        }
    }
}
