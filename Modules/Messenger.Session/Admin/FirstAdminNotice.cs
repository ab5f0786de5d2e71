using Messenger.Kernel.Net;
using Messenger.Session.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary>
/// Says at start, while the server has no account, that the first one registered becomes its admin whatever
/// <c>RegistrationMode</c> says (the way a fresh server gets its admin), and where to register it: whoever registers
/// first on a server exposed before that owns it. Once the server listens, so the addresses are known.
/// </summary>
internal sealed class FirstAdminNotice(SessionStore store, IServer server, ILogger<FirstAdminNotice> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!store.HasUsers())
        {
            logger.LogWarning(
                "No accounts yet: the first account registered becomes the server's admin, whatever RegistrationMode says; register it now: open {Addresses} (the web client) and choose Create account",
                string.Join(", ", (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(ListenAddresses.BrowserUrl).Distinct()));
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
