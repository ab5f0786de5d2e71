using Messenger.Session.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Users;

/// <summary>
/// At start, the name index (<see cref="SessionStore.IndexName"/>: the folded words of the display name) of accounts
/// written before it — <c>display_name_key</c> null — 500 to a writer unit so other writes go on. SQL cannot fold
/// accents (its <c>lower()</c> folds only ASCII), so the migration leaves the keys null and this folds them as new names
/// are. Each unit writes its accounts whole, so a stop halfway resumes at the next start, and an account filled is
/// never taken again. Until then such an account is found by its username only. A start with nothing to fill costs
/// one scan that finds nothing.
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
