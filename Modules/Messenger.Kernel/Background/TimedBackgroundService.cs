using Microsoft.Extensions.Hosting;

namespace Messenger.Kernel.Background;

/// <summary>
/// A background service whose loop waits on a <see cref="PeriodicTimer"/> made as the host starts it, so its intervals
/// count from the start. Since .NET 10 all of <c>ExecuteAsync</c> runs on the thread pool: a timer made there started
/// counting whenever the pool got to it — under load, after a test had already moved its clock past the first tick,
/// which then never came (CI, s51: <c>UnusedDeviceTests.SignOutUnused_WhenTheCheckIsDue_RunsByItself</c>).
/// </summary>
public abstract class TimedBackgroundService : BackgroundService
{
    private PeriodicTimer? _timer;

    /// <summary>The loop's timer, made by <see cref="CreateTimer"/> as the service starts.</summary>
    protected PeriodicTimer Timer => _timer ?? throw new InvalidOperationException("The service has not started");

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = CreateTimer();
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    /// <summary>The timer the loop waits on (its interval and clock).</summary>
    protected abstract PeriodicTimer CreateTimer();
}
