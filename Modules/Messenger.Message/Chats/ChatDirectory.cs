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
/// Writes never trust it: units re-read what they decide on.
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

    private readonly ConcurrentDictionary<long, ChatInfo> _chats = new();
    private readonly long[] _stamps = new long[Stamps];

    public ChatDirectory(GroupStore store)
        : this(store.LoadChat)
    {
    }

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

        var kept = _chats.GetOrAdd(chatId, loaded);
        if (Volatile.Read(ref stamp) != before)
        {
            _chats.TryRemove(KeyValuePair.Create(chatId, loaded));
        }

        return kept;
    }

    public void Invalidate(long chatId)
    {
        Interlocked.Increment(ref StampOf(chatId));
        _chats.TryRemove(chatId, out _);
    }

    private ref long StampOf(long chatId) => ref _stamps[(ulong)chatId % Stamps];
}
