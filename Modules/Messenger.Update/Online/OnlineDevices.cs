using System.Collections.Concurrent;

namespace Messenger.Update.Online;

/// <summary>The connections of this node signed in as each user (per-node state; DESIGN §9 routes across nodes).</summary>
internal sealed class OnlineDevices
{
    private readonly ConcurrentDictionary<long, UserConnections> _users = new();

    /// <summary>Adds the connection; true when it is the user's first.</summary>
    public bool Add(long userId, string connectionId)
    {
        var user = _users.GetOrAdd(userId, _ => new UserConnections());
        lock (user)
        {
            if (user.Removed)
            {
                return Add(userId, connectionId);
            }

            user.Connections.Add(connectionId);
            return user.Connections.Count == 1;
        }
    }

    /// <summary>Removes the connection; true when the user has none left on this node.</summary>
    public bool Remove(long userId, string connectionId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return false;
        }

        lock (user)
        {
            if (!user.Connections.Remove(connectionId))
            {
                return false;
            }

            if (user.Connections.Count > 0)
            {
                return false;
            }

            user.Removed = true;
            _users.TryRemove(new KeyValuePair<long, UserConnections>(userId, user));
            return true;
        }
    }

    public bool IsOnline(long userId) => _users.ContainsKey(userId);

    public string[] ConnectionsOf(long userId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            return [];
        }

        lock (user)
        {
            return [.. user.Connections];
        }
    }

    private sealed class UserConnections
    {
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);

        public bool Removed { get; set; }
    }
}
