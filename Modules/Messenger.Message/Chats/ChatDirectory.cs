using System.Collections.Concurrent;
using Messenger.Contracts.Groups;
using Messenger.Message.Storage;

namespace Messenger.Message.Chats;

/// <summary>A group chat and its members' roles, as cached.</summary>
internal sealed class ChatInfo(long id, ChatKind kind, string title, long creatorId, long createdAt, Dictionary<long, MemberRole> roles)
{
    private long[]? _memberIds;

    public long Id { get; } = id;

    public ChatKind Kind { get; } = kind;

    public string Title { get; } = title;

    public long CreatorId { get; } = creatorId;

    public long CreatedAt { get; } = createdAt;

    /// <summary>Organised in topics (<c>groups.toggleForum</c>, which drops the entry as any change of the group does).</summary>
    public bool Forum { get; init; }

    public IReadOnlyDictionary<long, MemberRole> Roles { get; } = roles;

    public long[] MemberIds => _memberIds ??= [.. Roles.Keys];

    public bool HasOwnLog => Kind is ChatKind.LargeGroup or ChatKind.Channel;

    public MemberRole? RoleOf(long userId) => Roles.TryGetValue(userId, out var role) ? role : null;
}

/// <summary>
/// Group chats and their members in memory (a large group's fan-out and every membership check read it). Loaded on
/// first use; a membership or title change drops the entry after COMMIT, so the next reader loads the committed state.
/// Writes never trust it: units re-read what they decide on. It holds at most <see cref="MemberLimit"/> memberships
/// (each chat counts one more) and is emptied when a load would take it past that, as <see cref="ChatResolver"/>'s
/// memories are: every group read since the start would otherwise stay, with its whole member list, until it changes.
/// </summary>
/// <remarks>
/// A load that read the rows before a change committed must not be kept after the change dropped the entry (a removed
/// member would keep their access until the group's next change). Each drop first moves the chat's stamp (one of
/// <see cref="Stamps"/> counters, shared by the chat ids that fall on it); a load reads the stamp before reading the rows
/// and, once its entry is in, reads it again: moved, it takes its own entry back out. Either the drop's removal comes
/// after the entry went in, or the load sees the stamp moved.
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

        return loaded;
    }

    public void Invalidate(long chatId)
    {
        Interlocked.Increment(ref StampOf(chatId));
        if (_chats.TryRemove(chatId, out var removed))
        {
            Interlocked.Add(ref _held, -WeightOf(removed));
        }
    }

    private static long WeightOf(ChatInfo chat) => chat.Roles.Count + 1L;

    /// <summary>Drops every entry (one read brings each back when next asked for).</summary>
    private void Clear()
    {
        foreach (var entry in _chats)
        {
            Remove(entry);
        }
    }

    private void Remove(KeyValuePair<long, ChatInfo> entry)
    {
        if (_chats.TryRemove(entry))
        {
            Interlocked.Add(ref _held, -WeightOf(entry.Value));
        }
    }

    private ref long StampOf(long chatId) => ref _stamps[(ulong)chatId % Stamps];
}
