using System.Collections.Concurrent;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Update.Online;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Update.Presence;

/// <summary>
/// Who is online: a user is online while any of their devices is connected (unless they said
/// <c>account.updateStatus(offline)</c>), and goes offline <see cref="UpdateOptions.OfflineAfterSeconds"/> after the
/// last device left, with "last seen" at the moment it left. Changes go only to the users who share a private chat
/// with them, and not at all while the user's privacy hides their presence (<see cref="PrivacyRule.Nobody"/>: no
/// announcement, whose timing alone would tell). Kept in memory: after a restart everyone starts offline with the
/// last-seen time unknown (0).
/// </summary>
internal sealed class PresenceTracker(
    OnlineDevices online,
    IConnectionPush connections,
    IServiceScopeFactory scopes,
    IOptions<UpdateOptions> options,
    TimeProvider clock,
    ILogger<PresenceTracker> logger)
{
    private readonly ConcurrentDictionary<long, Status> _statuses = new();

    public void Connected(long userId, string connectionId, byte[] deviceKey)
    {
        online.Add(userId, connectionId, deviceKey);
        if (!connections.IsOpen(connectionId))
        {
            // The connection closed while its sign-in was being reported: its close may have been handled first.
            Disconnected(userId, connectionId);
            return;
        }

        SetOnline(userId);
    }

    public void Disconnected(long userId, string connectionId)
    {
        if (!online.Remove(userId, connectionId))
        {
            return;
        }

        var leftAt = clock.GetUtcNow().ToUnixTimeSeconds();
        var status = StatusOf(userId);
        lock (status)
        {
            status.PendingOffline?.Dispose();
            status.PendingOffline = clock.CreateTimer(_ =>
            {
                if (!online.IsOnline(userId))
                {
                    SetOffline(userId, leftAt);
                }
            }, null, TimeSpan.FromSeconds(options.Value.OfflineAfterSeconds), Timeout.InfiniteTimeSpan);
        }
    }

    public void SetOnline(long userId)
    {
        var status = StatusOf(userId);
        lock (status)
        {
            status.PendingOffline?.Dispose();
            status.PendingOffline = null;
            if (status.Online)
            {
                return;
            }

            status.Online = true;
        }

        Broadcast(new UserStatusUpdate(userId, true, status.LastSeen));
    }

    public void SetOffline(long userId, long lastSeen)
    {
        var status = StatusOf(userId);
        lock (status)
        {
            status.PendingOffline?.Dispose();
            status.PendingOffline = null;
            status.LastSeen = lastSeen;
            if (!status.Online)
            {
                return;
            }

            status.Online = false;
        }

        Broadcast(new UserStatusUpdate(userId, false, lastSeen));
    }

    /// <summary>The account was deleted: offline from now on, without the grace a leaving device gets.</summary>
    public void Deleted(long userId) => SetOffline(userId, clock.GetUtcNow().ToUnixTimeSeconds());

    public UserStatusUpdate Current(long userId)
    {
        if (!_statuses.TryGetValue(userId, out var status))
        {
            return new UserStatusUpdate(userId, false, 0);
        }

        lock (status)
        {
            return new UserStatusUpdate(userId, status.Online, status.LastSeen);
        }
    }

    /// <summary>What others may see of the user's presence under <paramref name="privacy"/>: the status, or a hidden one.</summary>
    public UserStatusUpdate Visible(long userId, PrivacySettings privacy) =>
        privacy.LastSeen == PrivacyRule.Nobody ? new UserStatusUpdate(userId, false, 0, Hidden: true) : Current(userId);

    /// <summary>The user changed their privacy: the users they share a private chat with get what they may see now.</summary>
    public void Announce(long userId, PrivacySettings privacy) => _ = BroadcastAsync(Visible(userId, privacy), privacyChecked: true);

    private Status StatusOf(long userId) => _statuses.GetOrAdd(userId, _ => new Status());

    private void Broadcast(UserStatusUpdate update) => _ = BroadcastAsync(update, privacyChecked: false);

    private async Task BroadcastAsync(UserStatusUpdate update, bool privacyChecked)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMediator>();
            if (!privacyChecked && (await bus.Send(new GetPrivacyQuery(update.UserId))).LastSeen == PrivacyRule.Nobody)
            {
                return;
            }

            var peers = await bus.Send(new GetPrivateChatPeersQuery(update.UserId));
            if (peers.Length > 0)
            {
                await bus.Publish(new EphemeralUpdateEvent(peers, update));
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not announce the presence of user {UserId}", update.UserId);
        }
    }

    private sealed class Status
    {
        public bool Online { get; set; }

        public long LastSeen { get; set; }

        public ITimer? PendingOffline { get; set; }
    }
}
