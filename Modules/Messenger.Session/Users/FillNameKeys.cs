using Messenger.Session.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Users;

/// <summary>
/// At start, the lower-cased display names (<c>display_name_key</c>) of accounts from before that column, 500 to a
/// writer unit so other writes go on: SQL's <c>lower()</c> folds only ASCII, so the migration leaves them null and this
/// folds them as <see cref="Rules.NameKey"/> does. Until then such an account is found by its username only. A start
/// with nothing to fill costs one index seek.
/// </summary>
internal sealed class FillNameKeys(SessionStore store, ILogger<FillNameKeys> logger) : IHostedService
{
    private const int Batch = 500;
    private Task _run = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _run = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _run.WaitAsync(cancellationToken);

    private async Task RunAsync()
    {
        try
        {
            var filled = 0;
            int done;
            while ((done = await store.FillNameKeysAsync(Batch)) > 0)
            {
                filled += done;
            }

            if (filled > 0)
            {
                logger.LogInformation("Filled the name keys of {Count} accounts", filled);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Filling the accounts' name keys failed; it runs again at the next start");
        }
    }
}
