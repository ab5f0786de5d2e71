using System.Collections.Concurrent;

namespace Messenger.Update.Online;

/// <summary>The connections of this node signed in as each user, and the device (static key) of each (per-node state;
/// DESIGN §9 routes across nodes).</summary>
internal sealed class OnlineDevices
{
    private readonly ConcurrentDictionary<long, UserConnections> _users = new();

    /// <summary>Adds the connection of the device <paramref name="deviceKey"/>; true when it is the user's first.</summary>
    public bool Add(long userId, string connectionId, byte[] deviceKey)
    {
        var user = _users.GetOrAdd(userId, _ => new UserConnections());
        lock (user)
        {
            if (user.Removed)
            {
                return Add(userId, connectionId, deviceKey);
            }

            if (Array.IndexOf(user.Connections, connectionId) < 0)
            {
                user.Connections = [.. user.Connections, connectionId];
                user.Devices = [.. user.Devices, deviceKey];
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

            var index = Array.IndexOf(user.Connections, connectionId);
            user.Devices = [.. user.Devices[..index], .. user.Devices[(index + 1)..]];
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

    /// <summary>Whether the user's device <paramref name="deviceKey"/> has a connection here.</summary>
    public bool IsOnline(long userId, byte[] deviceKey) =>
        _users.TryGetValue(userId, out var user) && Array.Exists(user.Devices, device => device.AsSpan().SequenceEqual(deviceKey));

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

        /// <summary>The device of each connection, in the same order; replaced with it under the lock.</summary>
        public byte[][] Devices { get; set; } = [];

        public bool Removed { get; set; }
    }
}
