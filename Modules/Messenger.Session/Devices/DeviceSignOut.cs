using Mediator;
using Messenger.Kernel.Events;
using Messenger.Session.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Devices;

/// <summary>
/// What follows the deletion of authorizations: the keys leave the cache at once (the next call is refused) and
/// <see cref="DeviceSignedOutEvent"/> tells the Protocol module to close the devices' connections.
/// </summary>
internal sealed class DeviceSignOut(
    AuthorizationCache cache, LastActiveTracker lastActive, IServiceScopeFactory scopes, ILogger<DeviceSignOut> logger)
{
    // The caller's own answer must leave before its connection is closed, or the device would never learn that its
    // sign-out succeeded; well inside the one second a revocation may take.
    private static readonly TimeSpan OwnConnectionGrace = TimeSpan.FromMilliseconds(300);

    public async Task SignedOutAsync(IReadOnlyCollection<RevokedDevice> devices, string reason, byte[]? callerDeviceKey = null)
    {
        Refuse(devices);

        foreach (var device in devices)
        {
            logger.LogInformation("Authorization {AuthorizationId} ended: {Reason}", device.AuthorizationId, reason);
            if (callerDeviceKey is not null && device.DeviceKey.AsSpan().SequenceEqual(callerDeviceKey))
            {
                _ = PublishLaterAsync(new DeviceSignedOutEvent(device.DeviceKey, reason));
            }
            else
            {
                await PublishAsync(new DeviceSignedOutEvent(device.DeviceKey, reason));
            }
        }
    }

    /// <summary>The devices' next calls are refused (their authorizations are gone from the database already); their
    /// connections stay until <see cref="SignedOutAsync"/>, so that a caller's answer can still leave on its own.</summary>
    public void Refuse(IReadOnlyCollection<RevokedDevice> devices)
    {
        foreach (var device in devices)
        {
            cache.Invalidate(device.DeviceKey);
            lastActive.Forget(device.AuthorizationId);
        }
    }

    private async Task PublishLaterAsync(DeviceSignedOutEvent signedOut)
    {
        await Task.Delay(OwnConnectionGrace);
        await PublishAsync(signedOut);
    }

    private async Task PublishAsync(DeviceSignedOutEvent signedOut)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(signedOut);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Publishing the sign-out of a device failed");
        }
    }
}
