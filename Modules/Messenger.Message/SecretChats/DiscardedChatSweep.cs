using Mediator;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messenger.Message.SecretChats;

/// <summary>
/// Deletes the rows of secret chats discarded more than 30 days ago (<c>secret.getChats</c> lists them until then),
/// hourly, a few hundred to a writer unit. After it, the admin's random_id of such a chat is free again. The same pass
/// ends the open chats bound to a device that is no longer signed in (<c>device_signed_out</c>, or
/// <c>account_deleted</c> when its user is gone): a request or acceptance that committed just after its device's
/// sign-out, or a sign-out whose event a crash lost, would otherwise leave a chat nobody can ever read. And it deletes
/// the sends' idempotency rows older than <see cref="SecretChatStore.SendsKept"/>, which would otherwise grow with every
/// message of a chat that never ends.
/// </summary>
internal sealed class DiscardedChatSweep(
    SecretChatStore store, StorageWriter writer, LoggedWriter logged, IMediaAttachments media, IUpdateLog log, IServiceScopeFactory scopes, TimeProvider clock, ILogger<DiscardedChatSweep> logger)
    : BackgroundService
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

    /// <summary>One pass (internal: tests run it rather than wait for the hour).</summary>
    internal async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            var before = (clock.GetUtcNow() - SecretChatStore.DiscardedKept).ToUnixTimeSeconds();
            while (await writer.WriteAsync(scope => SecretChatStore.SweepDiscarded(scope, before, PerUnit), stoppingToken) == PerUnit)
            {
            }

            var sentBefore = (clock.GetUtcNow() - SecretChatStore.SendsKept).ToUnixTimeSeconds();
            while (await writer.WriteAsync(scope => SecretChatStore.SweepSends(scope, sentBefore, PerUnit), stoppingToken) == PerUnit)
            {
            }

            await EndOnSignedOutDevicesAsync(stoppingToken);
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

    private async Task EndOnSignedOutDevicesAsync(CancellationToken stoppingToken)
    {
        await using var services = scopes.CreateAsyncScope();
        var bus = services.ServiceProvider.GetRequiredService<IMediator>();
        var after = 0L;
        List<StoredSecretChat> page;
        do
        {
            page = store.OpenAfter(after, PerUnit);
            if (page.Count == 0)
            {
                return;
            }

            after = page[^1].Chat.Id;
            var keys = page.SelectMany(c => c.ParticipantDevice is { } participant ? new[] { c.AdminDevice, participant } : [c.AdminDevice])
                .DistinctBy(Convert.ToHexString).ToArray();
            var signedIn = await bus.Send(new SignedInDevicesQuery(keys), stoppingToken);
            var gone = keys.Where((_, i) => !signedIn[i]).Select(Convert.ToHexString).ToHashSet();
            var ending = new List<(StoredSecretChat Chat, long Owner)>();
            foreach (var chat in page)
            {
                if (gone.Contains(Convert.ToHexString(chat.AdminDevice)))
                {
                    ending.Add((chat, chat.Chat.AdminId));
                }
                else if (chat.ParticipantDevice is { } participant && gone.Contains(Convert.ToHexString(participant)))
                {
                    ending.Add((chat, chat.Chat.ParticipantId));
                }
            }

            if (ending.Count > 0)
            {
                await EndAsync(ending, bus, stoppingToken);
            }
        }
        while (page.Count == PerUnit);
    }

    private async Task EndAsync(List<(StoredSecretChat Chat, long Owner)> ending, IMediator bus, CancellationToken stoppingToken)
    {
        // A deleted account's chats end as its deletion, told to the other side only (its own log goes with it).
        var deleted = new HashSet<long>();
        foreach (var owner in ending.Select(e => e.Owner).Distinct())
        {
            if (!await bus.Send(new UserExistsQuery(owner), stoppingToken))
            {
                deleted.Add(owner);
            }
        }

        await logged.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            foreach (var (listed, owner) in ending)
            {
                // Read again in the unit: the chat may have ended since it was listed.
                if (SecretChatStore.Find(scope, listed.Chat.Id) is not { Chat.State: not SecretChatState.Discarded } stored)
                {
                    continue;
                }

                var accountDeleted = deleted.Contains(owner);
                var discarded = SecretChatStore.Discard(
                    scope, media, stored.Chat, accountDeleted ? SecretChatEndReasons.AccountDeleted : SecretChatEndReasons.DeviceSignedOut, historyDeleted: false, now);
                SecretChatStore.Tell(scope, log, discarded, now, appends, accountDeleted ? [stored.OtherThan(owner)] : [stored.Chat.AdminId, stored.Chat.ParticipantId]);
            }
        }, stoppingToken);
    }
}
