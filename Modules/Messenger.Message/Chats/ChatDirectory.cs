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
internal sealed class ChatDirectory(GroupStore store)
{
    private readonly ConcurrentDictionary<long, ChatInfo> _chats = new();

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
        return store.LoadChat(chatId) is { } loaded ? _chats.GetOrAdd(chatId, loaded) : null;
    }

    public void Invalidate(long chatId) => _chats.TryRemove(chatId, out _);
}
