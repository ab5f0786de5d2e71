using Messenger.Kernel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.SecretChats;

/// <summary>
/// Deletes the rows of secret chats discarded more than 30 days ago (<c>secret.getChats</c> lists them until then),
/// hourly, a few hundred to a writer unit. After it, the admin's random_id of such a chat is free again.
/// </summary>
internal sealed class DiscardedChatSweep(StorageWriter writer, TimeProvider clock, ILogger<DiscardedChatSweep> logger) : BackgroundService
{
    private const int PerUnit = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Not in the start's rush; the first pass a minute after it.
            await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);
            using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
            do
            {
                await SweepAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            var before = (clock.GetUtcNow() - SecretChatStore.DiscardedKept).ToUnixTimeSeconds();
            while (await writer.WriteAsync(scope => SecretChatStore.SweepDiscarded(scope, before, PerUnit), stoppingToken) == PerUnit)
            {
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Deleting long-discarded secret chats failed; the next hour tries again");
        }
        catch (Exception)
        {
            // Stopping: the writer refuses new work.
        }
    }
}
