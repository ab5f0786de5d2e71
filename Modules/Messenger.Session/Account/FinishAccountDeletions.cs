using Mediator;
using Messenger.Kernel.Events;
using Messenger.Session.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Account;

/// <summary>
/// At every start, <see cref="AccountDeletedEvent"/> again for each deleted account. The deletion itself commits in the
/// Session module's unit, and the other modules' clean-up runs after it: a crash or a failed write in between would
/// otherwise leave a deleted user in groups for good. Every clean-up is idempotent (nothing left, nothing done), and
/// it also erases what later receipts or edits of old chats appended to the deleted user's log since. In the
/// background: start-up does not wait for it.
/// </summary>
internal sealed class FinishAccountDeletions(SessionStore store, IServiceScopeFactory scopes, ILogger<FinishAccountDeletions> logger)
    : IHostedService
{
    private Task _run = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _run = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _run.WaitAsync(cancellationToken);

    private async Task RunAsync()
    {
        foreach (var userId in store.DeletedUserIds())
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<IPublisher>().Publish(new AccountDeletedEvent(userId));
            }
            catch (Exception e)
            {
                logger.LogError(e, "Finishing the deletion of account {UserId} failed; it runs again at the next start", userId);
            }
        }
    }
}
