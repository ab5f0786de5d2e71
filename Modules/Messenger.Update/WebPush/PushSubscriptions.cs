using System.Collections.Concurrent;
using Messenger.Kernel.Storage;

namespace Messenger.Update.WebPush;

/// <summary>One device's Web Push subscription.</summary>
internal sealed record PushTarget(long UserId, byte[] DeviceKey, string Endpoint, string P256dh, string Auth)
{
    public string Device { get; } = Convert.ToHexString(DeviceKey);
}

/// <summary>
/// The devices' subscriptions (<c>update_push_subscriptions</c>, one per device), all held in memory as well: every
/// stored message asks whether its recipients have any, and a server where nobody subscribed answers with one read of
/// a counter. Changes are rare (a device turning notifications on or off, signing out): they are made one at a time,
/// the row first, then the copy in memory.
/// </summary>
internal sealed class PushSubscriptions(StorageWriter writer, SqliteDatabase database, TimeProvider clock)
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<long, PushTarget[]> _byUser = new();
    private volatile int _count = -1;
    private volatile long[] _userIds = [];

    /// <summary>Whether any device of the server has a subscription.</summary>
    public bool Any => Count > 0;

    /// <summary>The users with at least one subscription (a copy made at each change).</summary>
    public long[] UserIds => Count == 0 ? [] : _userIds;

    public PushTarget[] Of(long userId)
    {
        if (Count == 0)
        {
            return [];
        }

        return _byUser.TryGetValue(userId, out var targets) ? targets : [];
    }

    private int Count
    {
        get
        {
            if (_count < 0)
            {
                Load();
            }

            return _count;
        }
    }

    public Task SetAsync(PushTarget target, CancellationToken cancellationToken) =>
        ChangeAsync(scope => scope.Execute(
            "INSERT INTO update_push_subscriptions (device_key, user_id, endpoint, p256dh, auth, created_at) " +
            "VALUES (@device, @user, @endpoint, @p256dh, @auth, @now) ON CONFLICT (device_key) DO UPDATE SET " +
            "user_id = excluded.user_id, endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at",
            ("@device", target.DeviceKey), ("@user", target.UserId), ("@endpoint", target.Endpoint), ("@p256dh", target.P256dh),
            ("@auth", target.Auth), ("@now", clock.GetUtcNow().ToUnixTimeSeconds())) > 0,
            () =>
            {
                RemoveFromMemory(t => t.Device == target.Device);
                _byUser.AddOrUpdate(target.UserId, [target], (_, targets) => [.. targets, target]);
            },
            cancellationToken);

    /// <summary>Drops the device's subscription, if it has one.</summary>
    public Task RemoveDeviceAsync(byte[] deviceKey, CancellationToken cancellationToken)
    {
        var device = Convert.ToHexString(deviceKey);
        return ChangeAsync(
            scope => scope.Execute("DELETE FROM update_push_subscriptions WHERE device_key = @device", ("@device", deviceKey)) > 0,
            () => RemoveFromMemory(t => t.Device == device),
            cancellationToken,
            worthWriting: () => _byUser.Values.Any(targets => targets.Any(t => t.Device == device)));
    }

    /// <summary>Drops a subscription its push service no longer knows, unless the device has registered another since.</summary>
    public Task RemoveGoneAsync(PushTarget target, CancellationToken cancellationToken) =>
        ChangeAsync(
            scope => scope.Execute("DELETE FROM update_push_subscriptions WHERE device_key = @device AND endpoint = @endpoint",
                ("@device", target.DeviceKey), ("@endpoint", target.Endpoint)) > 0,
            () => RemoveFromMemory(t => t.Device == target.Device && t.Endpoint == target.Endpoint),
            cancellationToken);

    /// <summary>Drops every subscription of the user (a deleted account's).</summary>
    public Task RemoveUserAsync(long userId, CancellationToken cancellationToken) =>
        ChangeAsync(
            scope => scope.Execute("DELETE FROM update_push_subscriptions WHERE user_id = @user", ("@user", userId)) > 0,
            () => RemoveFromMemory(t => t.UserId == userId),
            cancellationToken,
            worthWriting: () => _byUser.ContainsKey(userId));

    /// <summary>Drops every subscription (all bound to a Web Push key the server no longer has) and says how many there were.</summary>
    public async Task<int> RemoveAllAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        await ChangeAsync(
            scope => (removed = scope.Execute("DELETE FROM update_push_subscriptions")) > 0,
            () => _byUser.Clear(),
            cancellationToken,
            worthWriting: () => !_byUser.IsEmpty);
        return removed;
    }

    /// <summary>Writes and then remembers, one change at a time; <paramref name="worthWriting"/> (asked in turn, of the
    /// copy in memory) spares the writer a unit that would change nothing — every sign-out asks.</summary>
    private async Task ChangeAsync(Func<WriteScope, bool> write, Action remember, CancellationToken cancellationToken, Func<bool>? worthWriting = null)
    {
        _ = Count; // loaded before the first change
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if ((worthWriting is null || worthWriting()) && await writer.WriteAsync(write, cancellationToken))
            {
                remember();
                _userIds = [.. _byUser.Keys];
                _count = _byUser.Values.Sum(targets => targets.Length);
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    private void RemoveFromMemory(Func<PushTarget, bool> match)
    {
        foreach (var (userId, targets) in _byUser)
        {
            if (targets.Any(match))
            {
                var kept = targets.Where(t => !match(t)).ToArray();
                if (kept.Length == 0)
                {
                    _byUser.TryRemove(userId, out _);
                }
                else
                {
                    _byUser[userId] = kept;
                }
            }
        }
    }

    private void Load()
    {
        lock (_byUser)
        {
            if (_count >= 0)
            {
                return;
            }

            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT user_id, device_key, endpoint, p256dh, auth FROM update_push_subscriptions";
            using var reader = command.ExecuteReader();
            var count = 0;
            while (reader.Read())
            {
                var target = new PushTarget(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
                _byUser.AddOrUpdate(target.UserId, [target], (_, targets) => [.. targets, target]);
                count++;
            }

            _userIds = [.. _byUser.Keys];
            _count = count;
        }
    }
}
