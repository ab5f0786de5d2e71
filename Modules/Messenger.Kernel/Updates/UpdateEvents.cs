using Mediator;
using Messenger.Contracts.Updates;

namespace Messenger.Kernel.Updates;

/// <summary>
/// Logs grew and the change is committed: the Update module pushes each entry to its owner's online devices, except
/// <paramref name="OriginConnectionId"/> (the connection whose call caused it gets the pts in its result instead).
/// </summary>
public sealed record UpdatesAppendedEvent(IReadOnlyList<LogAppend> Appends, string? OriginConnectionId = null) : INotification;

/// <summary>An update that is never logged (typing, presence) for the online devices of <paramref name="UserIds"/>.</summary>
public sealed record EphemeralUpdateEvent(IReadOnlyList<long> UserIds, Update Update) : INotification
{
    /// <summary>When set, only this connection (of one of <see cref="UserIds"/>) gets it: a signal for the one device in a
    /// voice chat, not every device of its user.</summary>
    public string? OnlyConnection { get; init; }
}

/// <summary>A live connection is now signed in as <paramref name="UserId"/> (after its handshake or a sign-in).</summary>
public sealed record ConnectionSignedInEvent(string ConnectionId, byte[] DeviceKey, long UserId) : INotification;

/// <summary>A live connection that was signed in as <paramref name="UserId"/> closed (or signed out).</summary>
public sealed record ConnectionSignedOutEvent(string ConnectionId, long UserId) : INotification;

/// <summary>The users whose private chat is in <paramref name="UserId"/>'s chat list (a message exchanged, the chat
/// neither deleted nor cleared by <paramref name="UserId"/>), but for blocked pairs (answered by the Message module);
/// presence goes only to them.</summary>
public sealed record GetPrivateChatPeersQuery(long UserId) : IRequest<long[]>;

/// <summary>Those of <paramref name="Ids"/> whose own chat list holds their private chat with <paramref name="UserId"/>
/// (answered by the Message module): whom the privacy rule "my chats" of each of <paramref name="Ids"/> lets
/// <paramref name="UserId"/> through, by the same test as calls and group invites.</summary>
public sealed record GetInChatListAmongQuery(long UserId, IReadOnlyCollection<long> Ids) : IRequest<long[]>;

/// <summary>Those of <paramref name="Ids"/> that <paramref name="UserId"/> blocked or that blocked <paramref name="UserId"/>
/// (answered by the Message module): within a blocked pair neither sees the other's presence, whatever the settings.</summary>
public sealed record GetBlockedAmongQuery(long UserId, IReadOnlyCollection<long> Ids) : IRequest<long[]>;

/// <summary>The users whose clients show <paramref name="UserId"/>'s profile (answered by the Message module): those
/// sharing a private chat or a small group with them. Profile changes are pushed to them.</summary>
public sealed record GetProfileAudienceQuery(long UserId) : IRequest<long[]>;

/// <summary>
/// Sends an update to one live connection of this node (provided by the Protocol module). Per-node state: with more
/// nodes, routing "user X has new updates" to the node holding the connection goes through the Update module.
/// </summary>
public interface IConnectionPush
{
    /// <summary>Queues the update on the connection; false when it is gone.</summary>
    bool Push(string connectionId, string kind, byte[] payload);

    /// <summary>True while the connection is live and past its handshake.</summary>
    bool IsOpen(string connectionId);
}
