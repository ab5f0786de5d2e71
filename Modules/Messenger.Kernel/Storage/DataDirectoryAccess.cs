using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Storage;

/// <summary>
/// Warns at start when other users of the machine may read the data directory (group or others have any access): the
/// database holds message text and two-step secrets in the clear. The directory is the operator's, so it is left as it
/// is; one the server creates is the server's user's alone (0700).
/// </summary>
internal sealed class DataDirectoryAccess(IOptions<MessengerOptions> options, ILogger<DataDirectoryAccess> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = options.Value.DataDirectoryFullPath;
        if (PrivateFiles.OpenToOthers(directory) is { } mode)
        {
            logger.LogWarning(
                "The data directory {DataDirectory} is open to other users of this machine (mode {Mode}); it holds message text and two-step secrets in the clear: chmod 700 it",
                directory, mode);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
