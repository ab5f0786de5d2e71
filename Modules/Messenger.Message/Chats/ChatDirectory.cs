using System.Collections.Concurrent;
using Messenger.Contracts.Groups;
using Messenger.Message.Storage;

namespace Messenger.Message.Chats;

/// <summary>A member's role after a change of the group (null: no longer a member), as <see cref="ChatDirectory.Apply"/> learns it.</summary>
internal readonly record struct MemberChange(long UserId, MemberRole? Role);

/// <summary>A group chat and its members' roles, as cached.</summary>
/// <remarks>
/// A version never changes once shared: a membership change makes the next one (<see cref="With"/>). The roles are a
/// dictionary read as loaded (or last compacted), shared by the versions after it, plus the roles changed since (at most
/// <see cref="ChangesLimit"/>; past it the next version copies them into a dictionary of its own), so a change of a large
/// group costs its own size, not the group's. <see cref="MemberIds"/> is built on first use, from the previous version's
/// array when that one was built (a copy with the joined appended and the gone cut out) instead of from the roles.
/// </remarks>
internal sealed class ChatInfo
{
    /// <summary>Roles changed since the shared dictionary before a version compacts them into one of its own: 1,024
    /// entries cost a few microseconds to copy, a 200,000-member dictionary a few milliseconds (docs/groups.md).</summary>
    internal const int ChangesLimit = 1024;

    // Past this many joined or gone since the array a version's ids start from, they are built from the roles instead.
    private const int IdsChangesLimit = 1024;

    private readonly Dictionary<long, MemberRole> _roles;
    private readonly Dictionary<long, MemberRole?>? _changed;
    private IdsDraft? _idsFrom;
    private long[]? _memberIds;
    private volatile bool _settled;

    public ChatInfo(long id, ChatKind kind, string title, long creatorId, long createdAt, Dictionary<long, MemberRole> roles)
        : this(id, kind, title, creatorId, createdAt, roles, null, roles.Count, null)
    {
    }

    private ChatInfo(
        long id, ChatKind kind, string title, long creatorId, long createdAt, Dictionary<long, MemberRole> roles,
        Dictionary<long, MemberRole?>? changed, int memberCount, IdsDraft? idsFrom)
    {
        Id = id;
        Kind = kind;
        Title = title;
        CreatorId = creatorId;
        CreatedAt = createdAt;
        _roles = roles;
        _changed = changed;
        MemberCount = memberCount;
        _idsFrom = idsFrom;
    }

    public long Id { get; }

    public ChatKind Kind { get; }

    public string Title { get; }

    public long CreatorId { get; }

    public long CreatedAt { get; }

    /// <summary>Organised in topics (<c>groups.toggleForum</c>, which drops the entry as any change of the group but a
    /// membership or role change does).</summary>
    public bool Forum { get; init; }

    public int MemberCount { get; }

    public long[] MemberIds => _memberIds ??= BuildMemberIds();

    public bool HasOwnLog => Kind is ChatKind.LargeGroup or ChatKind.Channel;

    /// <summary>How many roles are held apart from the shared dictionary (tests).</summary>
    internal int PendingChanges => _changed?.Count ?? 0;

    /// <summary>The directory may change it in place of a load (<see cref="ChatDirectory.Apply"/>): its loader saw no
    /// change commit while it read, or it was made from such a version.</summary>
    internal bool Settled
    {
        get => _settled;
        set => _settled = value;
    }

    public MemberRole? RoleOf(long userId) =>
        _changed is not null && _changed.TryGetValue(userId, out var changed) ? changed
        : _roles.TryGetValue(userId, out var role) ? role : null;

    /// <summary>The admins and the creator (a walk over every member).</summary>
    public IEnumerable<long> AdminIds()
    {
        foreach (var (userId, role) in _roles)
        {
            if (role != MemberRole.Member && (_changed is null || !_changed.ContainsKey(userId)))
            {
                yield return userId;
            }
        }

        foreach (var (userId, role) in _changed ?? [])
        {
            if (role is { } kept && kept != MemberRole.Member)
            {
                yield return userId;
            }
        }
    }

    /// <summary>The next version: these members' roles set (null: gone), in order. Costs the changes held apart, not the
    /// group, but every <see cref="ChangesLimit"/> changes, when they are copied into a dictionary of its own.</summary>
    public ChatInfo With(IReadOnlyList<MemberChange> changes)
    {
        var changed = _changed is null ? new Dictionary<long, MemberRole?>(changes.Count) : new Dictionary<long, MemberRole?>(_changed);
        var count = MemberCount;
        var ids = _memberIds is { } built ? new IdsDraft(built, [], []) : _idsFrom?.Copy();
        foreach (var (userId, role) in changes)
        {
            var was = changed.TryGetValue(userId, out var before) ? before : _roles.TryGetValue(userId, out var held) ? held : null;
            if (was == role)
            {
                continue;
            }

            if (was is null != role is null)
            {
                count += role is null ? -1 : 1;
                ids?.Change(userId, joins: role is not null);
            }

            // A role back to the shared dictionary's is no change to hold apart.
            if (_roles.TryGetValue(userId, out var original) ? original == role : role is null)
            {
                changed.Remove(userId);
            }
            else
            {
                changed[userId] = role;
            }
        }

        if (ids is { Count: > IdsChangesLimit })
        {
            ids = null;
        }

        var roles = _roles;
        if (changed.Count >= ChangesLimit)
        {
            roles = new Dictionary<long, MemberRole>(_roles);
            foreach (var (userId, role) in changed)
            {
                if (role is { } kept)
                {
                    roles[userId] = kept;
                }
                else
                {
                    roles.Remove(userId);
                }
            }

            changed.Clear();
        }

        return new ChatInfo(Id, Kind, Title, CreatorId, CreatedAt, roles, changed.Count == 0 ? null : changed, count, ids) { Forum = Forum, Settled = true };
    }

    private long[] BuildMemberIds()
    {
        if (_idsFrom is { } draft)
        {
            var ids = draft.Build(MemberCount);
            // The array it started from is no longer needed (a reader that still sees it builds the same).
            _idsFrom = null;
            return ids;
        }

        var all = new long[MemberCount];
        var next = 0;
        foreach (var userId in _roles.Keys)
        {
            if (_changed is null || !_changed.ContainsKey(userId))
            {
                all[next++] = userId;
            }
        }

        foreach (var (userId, role) in _changed ?? [])
        {
            if (role is not null)
            {
                all[next++] = userId;
            }
        }

        return all;
    }

    /// <summary>A version's member ids as an earlier version's array, with those who joined since and those gone.</summary>
    private sealed class IdsDraft(long[] from, HashSet<long> joined, HashSet<long> gone)
    {
        public int Count => joined.Count + gone.Count;

        public IdsDraft Copy() => new(from, [.. joined], [.. gone]);

        public void Change(long userId, bool joins)
        {
            var (into, outOf) = joins ? (joined, gone) : (gone, joined);
            if (!outOf.Remove(userId))
            {
                into.Add(userId);
            }
        }

        public long[] Build(int memberCount)
        {
            var ids = new long[memberCount];
            var next = 0;
            // A few gone: found by a vectorised search each, and the runs between them copied whole.
            var cuts = gone.Count <= 16 ? gone.Select(userId => Array.IndexOf(from, userId)).Order().ToArray() : null;
            if (gone.Count == 0)
            {
                from.CopyTo(ids, 0);
                next = from.Length;
            }
            else if (cuts is [>= 0, ..])
            {
                var start = 0;
                foreach (var cut in cuts)
                {
                    Array.Copy(from, start, ids, next, cut - start);
                    next += cut - start;
                    start = cut + 1;
                }

                Array.Copy(from, start, ids, next, from.Length - start);
                next += from.Length - start;
            }
            else
            {
                foreach (var userId in from)
                {
                    if (!gone.Contains(userId))
                    {
                        ids[next++] = userId;
                    }
                }
            }

            foreach (var userId in joined)
            {
                ids[next++] = userId;
            }

            return ids;
        }
    }
}

/// <summary>
/// Group chats and their members in memory (a large group's fan-out and every membership check read it). Loaded on
/// first use; after COMMIT, a member who joins, is added, leaves or is removed, or whose role changes, is applied to the
/// entry (<see cref="Apply"/>: the next version, no read of the database), and any other change of the group drops it
/// (<see cref="Invalidate"/>), so the next reader loads the committed state.
/// Writes never trust it: units re-read what they decide on. It holds at most <see cref="MemberLimit"/> memberships
/// (each chat counts one more) and is emptied when a load would take it past that, as <see cref="ChatResolver"/>'s
/// memories are: every group read since the start would otherwise stay, with its whole member list, until it changes.
/// </summary>
/// <remarks>
/// A load that read the rows before a change committed must not be kept after the change dropped the entry (a removed
/// member would keep their access until the group's next change). Each drop first moves the chat's stamp (one of
/// <see cref="Stamps"/> counters, shared by the chat ids that fall on it); a load reads the stamp before reading the rows
/// and, once its entry is in, reads it again: moved, it takes its own entry back out. Either the drop's removal comes
/// after the entry went in, or the load sees the stamp moved. A change applied in place moves the stamp too, and changes
/// only an entry marked settled (its loader read the stamp unmoved after the entry went in, or it was made from a settled
/// one); an entry not yet settled it drops. A settled entry's rows were read after every change whose stamp move came
/// before its loader's first read, so the changes applied to it are the ones it may lack (or, committed just before it
/// read, already has: a change sets roles, so applying it again changes nothing). The changes of one batch are applied
/// one after another after its COMMIT; a reader in between may see the roles of an earlier unit of the batch, as it could
/// see the old entry before the drop.
/// </remarks>
internal sealed class ChatDirectory(Func<long, ChatInfo?> load)
{
    private const int Stamps = 1024;

    private const long DefaultMemberLimit = 1_000_000;

    private readonly ConcurrentDictionary<long, ChatInfo> _chats = new();
    private readonly long[] _stamps = new long[Stamps];

    // The weight of the entries in _chats, plus that of loads about to go in (reserved before, given back if not kept).
    private long _held;

    public ChatDirectory(GroupStore store, int largeGroupLimit)
        : this(store.LoadChat)
    {
        MemberLimit = MemberLimitFor(largeGroupLimit);
    }

    /// <summary>
    /// Memberships held (≈ 40–60 bytes each): <see cref="MemberLimitFor"/> the server's
    /// <see cref="MessageOptions.LargeGroupLimit"/>, about 50 MB by default (tests set it lower).
    /// </summary>
    internal long MemberLimit { get; set; } = DefaultMemberLimit;

    /// <summary>The bound for a server whose groups may hold <paramref name="largeGroupLimit"/> members: five such groups
    /// (1,000,005 at the default 200,000), never less than the default. Below one group at the largest size, loading it
    /// would empty the memory, and so would each load after it.</summary>
    internal static long MemberLimitFor(int largeGroupLimit) => Math.Max(DefaultMemberLimit, 5 * (largeGroupLimit + 1L));

    /// <summary>Chats and memberships held (tests).</summary>
    internal (int Chats, long Weight) Held => (_chats.Count, Interlocked.Read(ref _held));

    public ChatInfo? Get(long chatId)
    {
        if (chatId <= 0)
        {
            return null;
        }

        if (_chats.TryGetValue(chatId, out var cached))
        {
            return cached;
        }

        // Unknown ids are not remembered: the id may belong to a chat created a moment later.
        ref var stamp = ref StampOf(chatId);
        var before = Volatile.Read(ref stamp);
        if (load(chatId) is not { } loaded)
        {
            return null;
        }

        if (Interlocked.Add(ref _held, WeightOf(loaded)) > MemberLimit)
        {
            Clear();
        }

        if (!_chats.TryAdd(chatId, loaded))
        {
            Interlocked.Add(ref _held, -WeightOf(loaded));
            return _chats.TryGetValue(chatId, out var other) ? other : loaded;
        }

        if (Volatile.Read(ref stamp) != before)
        {
            Remove(KeyValuePair.Create(chatId, loaded));
        }
        else
        {
            loaded.Settled = true;
        }

        return loaded;
    }

    /// <summary>
    /// After the COMMIT of a membership change: the held entry becomes its next version with these roles
    /// (<see cref="ChatInfo.With"/>: the cost of the changes, not of the group), an entry not settled is dropped, and a
    /// chat not held stays so. Only membership and roles: any other change of the chat goes through <see cref="Invalidate"/>.
    /// </summary>
    public void Apply(long chatId, IReadOnlyList<MemberChange> changes)
    {
        Interlocked.Increment(ref StampOf(chatId));
        while (_chats.TryGetValue(chatId, out var held))
        {
            if (!held.Settled)
            {
                if (Remove(KeyValuePair.Create(chatId, held)))
                {
                    return;
                }

                continue;
            }

            var next = held.With(changes);
            if (_chats.TryUpdate(chatId, next, held))
            {
                if (Interlocked.Add(ref _held, WeightOf(next) - WeightOf(held)) > MemberLimit)
                {
                    Clear();
                }

                return;
            }
        }
    }

    public void Invalidate(long chatId)
    {
        Interlocked.Increment(ref StampOf(chatId));
        if (_chats.TryRemove(chatId, out var removed))
        {
            Interlocked.Add(ref _held, -WeightOf(removed));
        }
    }

    private static long WeightOf(ChatInfo chat) => chat.MemberCount + 1L;

    /// <summary>Drops every entry (one read brings each back when next asked for).</summary>
    private void Clear()
    {
        foreach (var entry in _chats)
        {
            Remove(entry);
        }
    }

    private bool Remove(KeyValuePair<long, ChatInfo> entry)
    {
        if (!_chats.TryRemove(entry))
        {
            return false;
        }

        Interlocked.Add(ref _held, -WeightOf(entry.Value));
        return true;
    }

    private ref long StampOf(long chatId) => ref _stamps[(ulong)chatId % Stamps];
}
