using Messenger.Contracts.Account;
using Messenger.Session.Limits;
using Messenger.Session.Storage;
using Messenger.Kernel.Background;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Devices;

/// <summary>
/// Signs out the devices not used for longer than their account allows (<c>account.setAuthorizationTTL</c>, default
/// <see cref="AuthorizationTtlDays.Default"/> days), every <c>UnusedDevicesCheckMinutes</c> (the first one interval
/// after start) and when an account shortens its limit. "Used" is the device's last call or connection (the written
/// last-active time or the newer one still in memory) or a live connection now. The sign-out is <c>account.resetAuthorization</c>'s: the key is refused at once and
/// the device's connections close. The timed pass also forgets the devices known to accounts (<see cref="KnownDevices"/>)
/// longer than <c>KnownDeviceDays</c>.
/// </summary>
internal sealed class UnusedDevices(
    SessionStore store,
    LastActiveTracker lastActive,
    ConnectedDevices connected,
    DeviceSignOut signOut,
    KnownDevices knownDevices,
    IOptions<SessionOptions> options,
    TimeProvider clock,
    ILogger<UnusedDevices> logger) : TimedBackgroundService
{
    protected override PeriodicTimer CreateTimer() => new(TimeSpan.FromMinutes(options.Value.UnusedDevicesCheckMinutes), clock);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not at start: the devices that were connected before a restart have not reconnected yet.
        while (await Timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SignOutAsync();
                await knownDevices.ForgetOldAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Signing out unused devices failed");
            }
        }
    }

    private const int DevicesPerUnit = 200;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>One pass over every account, or over <paramref name="userId"/>'s; returns how many devices it signed out.
    /// Passes never overlap: a caller waits for the running one, so when it returns every device it found unused is
    /// refused.</summary>
    public async Task<int> SignOutAsync(long? userId = null)
    {
        await _oneAtATime.WaitAsync();
        try
        {
            return await SignOutOnceAsync(userId);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<int> SignOutOnceAsync(long? userId)
    {
        var unused = store.UnusedAuthorizations(clock.GetUtcNow().ToUnixTimeMilliseconds(), AuthorizationTtlDays.Default, userId)
            .Where(a => !UsedSince(a))
            .ToList();
        if (unused.Count == 0)
        {
            return 0;
        }

        // Checked again in the unit: a call or a connection may have come since the read. A few hundred to a unit, so a
        // first pass over years of old devices never holds the writer for long.
        var count = 0;
        foreach (var chunk in unused.Chunk(DevicesPerUnit))
        {
            var revoked = (await store.DeleteUnusedAuthorizationsAsync(chunk, UsedSince)).Select(r => r.AuthorizationId).ToHashSet();
            foreach (var limit in chunk.Where(a => revoked.Contains(a.Id)).GroupBy(a => a.Days))
            {
                await signOut.SignedOutAsync([.. limit.Select(a => new RevokedDevice(a.Id, a.DeviceKey))], $"unused for {limit.Key} days");
            }

            count += revoked.Count;
        }

        return count;
    }

    private bool UsedSince(UnusedAuthorization authorization) =>
        lastActive.Pending(authorization.Id) >= authorization.CutoffMs || connected.IsConnected(authorization.DeviceKey);
}
