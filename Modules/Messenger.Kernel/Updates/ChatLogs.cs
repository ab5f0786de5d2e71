using Mediator;

namespace Messenger.Kernel.Updates;

/// <summary>
/// Whose log an owner id names: a user's own log is their user id; a large group's (or channel's) own log is the
/// negated chat id. Ids of both are positive, so the two never collide.
/// </summary>
public static class LogOwners
{
    public static long OfChat(long chatId) => -chatId;

    public static bool IsChat(long ownerId) => ownerId < 0;

    public static long ChatOf(long ownerId) => -ownerId;
}

/// <summary>The current members of a group chat (answered by the Message module from memory).</summary>
public sealed record GetChatMembersQuery(long ChatId) : IRequest<long[]>;

/// <summary>The large groups and channels <paramref name="UserId"/> is a member of.</summary>
public sealed record GetUserChannelsQuery(long UserId) : IRequest<long[]>;

/// <summary>May <paramref name="UserId"/> read the own log of large group <paramref name="ChatId"/>?</summary>
public sealed record CanReadChatLogQuery(long UserId, long ChatId) : IRequest<bool>;

/// <summary>The <c>random_id</c>s <paramref name="UserId"/> sent those of <paramref name="MessageIds"/> (in chat
/// <paramref name="ChatId"/>) with that are theirs, by message id: a large group's shared log stores none, so its reader
/// is told its own here.</summary>
public sealed record GetOwnRandomIdsQuery(long UserId, long ChatId, IReadOnlyCollection<long> MessageIds) : IRequest<IReadOnlyDictionary<long, long>>;
