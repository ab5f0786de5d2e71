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
/// with them, and not to those the user's privacy hides their presence from (<see cref="PrivacyRule.Nobody"/>: anyone;
/// <see cref="PrivacyRule.Contacts"/>: anyone not in their contact list): no announcement, whose timing alone would tell. Kept in memory: after a restart everyone starts offline with the
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

    /// <summary>Users with an entry (tests).</summary>
    internal int Tracked => _statuses.Count;

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

        if (!_statuses.TryGetValue(userId, out var status))
        {
            // Never announced online (its connection closed before), or deleted: nothing to announce.
            return;
        }

        var leftAt = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (status)
        {
            status.PendingOffline?.Dispose();
            status.PendingOffline = clock.CreateTimer(_ =>
            {
                if (!online.IsOnline(userId))
                {
                    // The entry it was set on, not a new one: a deleted account's is gone for good.
                    SetOffline(status, userId, leftAt);
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

    public void SetOffline(long userId, long lastSeen) => SetOffline(StatusOf(userId), userId, lastSeen);

    /// <summary>
    /// The account was deleted: offline from now on, without the grace a leaving device gets, and then forgotten
    /// (<see cref="Current"/> answers offline, last seen unknown, as for anyone never seen), so an account deleted leaves
    /// nothing here. Its devices, signed out already, leave nothing either (<see cref="Disconnected"/>).
    /// </summary>
    public async Task DeletedAsync(long userId)
    {
        if (_statuses.TryRemove(userId, out var status) && SetOfflineQuietly(status, userId, clock.GetUtcNow().ToUnixTimeSeconds()) is { } update)
        {
            // Awaited: the account's privacy (which the announcement follows) is forgotten once this event is handled.
            await BroadcastAsync(update, announced: null);
        }
    }

    private void SetOffline(Status status, long userId, long lastSeen)
    {
        if (SetOfflineQuietly(status, userId, lastSeen) is { } update)
        {
            Broadcast(update);
        }
    }

    /// <summary>Marks the entry offline; the update to announce when it was online.</summary>
    private static UserStatusUpdate? SetOfflineQuietly(Status status, long userId, long lastSeen)
    {
        lock (status)
        {
            status.PendingOffline?.Dispose();
            status.PendingOffline = null;
            status.LastSeen = lastSeen;
            if (!status.Online)
            {
                return null;
            }

            status.Online = false;
        }

        return new UserStatusUpdate(userId, false, lastSeen);
    }

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

    /// <summary>What those the user's privacy hides their presence from see: "last seen recently".</summary>
    public static UserStatusUpdate Hidden(long userId) => new(userId, false, 0, Hidden: true);

    /// <summary>The user changed their privacy: the users they share a private chat with get what they may see now.</summary>
    public void Announce(long userId, PrivacySettings privacy) => _ = BroadcastAsync(Current(userId), privacy);

    /// <summary>
    /// The user (whose presence only their contacts may see) added <paramref name="contactId"/> to their contacts or took
    /// them out: if they share a private chat, the contact gets what they may see now, as after a change of the settings.
    /// </summary>
    public void ContactChanged(long userId, long contactId, bool isContact) => _ = RunAsync(userId, async bus =>
    {
        if ((await bus.Send(new GetPrivacyQuery(userId))).LastSeen == PrivacyRule.Contacts
            && (await bus.Send(new GetPrivateChatPeersQuery(userId))).Contains(contactId))
        {
            await bus.Publish(new EphemeralUpdateEvent([contactId], isContact ? Current(userId) : Hidden(userId)));
        }
    });

    private Status StatusOf(long userId) => _statuses.GetOrAdd(userId, _ => new Status());

    private void Broadcast(UserStatusUpdate update) => _ = BroadcastAsync(update, announced: null);

    /// <summary>Tells the users who share a private chat with the user: those the settings let see it get
    /// <paramref name="update"/>; the others get the hidden status when the settings changed (<paramref name="announced"/>),
    /// and nothing otherwise, since the timing of an announcement alone would tell.</summary>
    private Task BroadcastAsync(UserStatusUpdate update, PrivacySettings? announced) => RunAsync(update.UserId, async bus =>
    {
        var privacy = announced ?? await bus.Send(new GetPrivacyQuery(update.UserId));
        var peers = await bus.Send(new GetPrivateChatPeersQuery(update.UserId));
        if (peers.Length == 0)
        {
            return;
        }

        long[] shown = privacy.LastSeen switch
        {
            PrivacyRule.Nobody => [],
            PrivacyRule.Contacts => [.. peers.Intersect(await bus.Send(new GetContactIdsQuery(update.UserId)))],
            _ => peers,
        };
        if (shown.Length > 0)
        {
            await bus.Publish(new EphemeralUpdateEvent(shown, update));
        }

        if (announced is not null && shown.Length < peers.Length)
        {
            await bus.Publish(new EphemeralUpdateEvent([.. peers.Except(shown)], Hidden(update.UserId)));
        }
    });

    private async Task RunAsync(long userId, Func<IMediator, Task> announce)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await announce(scope.ServiceProvider.GetRequiredService<IMediator>());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not announce the presence of user {UserId}", userId);
        }
    }

    private sealed class Status
    {
        public bool Online { get; set; }

        public long LastSeen { get; set; }

        public ITimer? PendingOffline { get; set; }
    }
}
