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

            if (Array.IndexOf(user.Connections, connectionId) < 0)
            {
                user.Connections = [.. user.Connections, connectionId];
            }

            return user.Connections.Length == 1;
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
            if (Array.IndexOf(user.Connections, connectionId) < 0)
            {
                return false;
            }

            user.Connections = Array.FindAll(user.Connections, other => other != connectionId);
            if (user.Connections.Length > 0)
            {
                return false;
            }

            user.Removed = true;
            _users.TryRemove(new KeyValuePair<long, UserConnections>(userId, user));
            return true;
        }
    }

    public bool IsOnline(long userId) => _users.ContainsKey(userId);

    /// <summary>The user's connections: the array of the last change, shared by every caller (do not modify it).
    /// A push to a large group asks this for every member, so it takes no lock and copies nothing.</summary>
    public string[] ConnectionsOf(long userId) => _users.TryGetValue(userId, out var user) ? user.Connections : [];

    private sealed class UserConnections
    {
        private volatile string[] _connections = [];

        // A new array at each change (a user has a few connections), made under the lock and read without it.
        public string[] Connections
        {
            get => _connections;
            set => _connections = value;
        }

        public bool Removed { get; set; }
    }
}
