using Messenger.Session.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Limits;

/// <summary>
/// At start, before the server listens: once after the upgrade that brought <see cref="KnownDevices"/> in, makes every
/// device then signed in known to its account (<see cref="SessionStore.BackfillKnownDevicesAsync"/>), so a stranger's
/// wrong guesses cannot lock the devices of an upgraded server out. The authorizations do not say whether a password or
/// a login token signed them in: all count, the owner's side; from then on only password sign-ins make a device known.
/// Started before the server (hosted services start before it), awaited: no sign-in is judged before it ran. Every later
/// start finds no pass row and writes nothing.
/// </summary>
internal sealed class KnownDevicesBackfill(SessionStore store, ILogger<KnownDevicesBackfill> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // A new server runs it too, with nothing to insert: no line for that.
        if (await store.BackfillKnownDevicesAsync() is > 0 and var inserted)
        {
            logger.LogInformation("Upgrade: made the {Count} devices signed in before known devices came in known to their accounts", inserted);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
