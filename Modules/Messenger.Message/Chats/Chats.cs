using System.Collections.Concurrent;
using Mediator;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Users;
using Messenger.Message.Storage;

namespace Messenger.Message.Chats;

/// <summary>
/// Turns the peer a caller names into a chat they may use. Private chats only for now (groups address
/// <c>(Chat, id)</c> and come with their own membership rules). Known users are remembered: accounts are never deleted.
/// </summary>
internal sealed class Chats(MessageStore store)
{
    private readonly ConcurrentDictionary<long, bool> _knownUsers = new();
    private readonly ConcurrentDictionary<(long Low, long High), long> _privateChats = new();

    /// <summary>The other user of the private chat <paramref name="peer"/>, or 400 <c>PEER_ID_INVALID</c>.</summary>
    public async ValueTask<long> RequireUserPeerAsync(Peer? peer, ISender bus, CancellationToken cancellationToken)
    {
        if (peer is not { Kind: PeerKind.User, Id: > 0 } || !await UserExistsAsync(peer.Id, bus, cancellationToken))
        {
            throw MessengerError.BadRequest(MessageErrorNames.PeerIdInvalid);
        }

        return peer.Id;
    }

    public async ValueTask<bool> UserExistsAsync(long userId, ISender bus, CancellationToken cancellationToken)
    {
        if (_knownUsers.ContainsKey(userId))
        {
            return true;
        }

        if (!await bus.Send(new UserExistsQuery(userId), cancellationToken))
        {
            return false;
        }

        _knownUsers[userId] = true;
        return true;
    }

    /// <summary>The private chat of the two users if they have ever exchanged a message.</summary>
    public long? FindPrivateChat(long userA, long userB)
    {
        var key = (Math.Min(userA, userB), Math.Max(userA, userB));
        if (_privateChats.TryGetValue(key, out var id))
        {
            return id;
        }

        if (store.FindPrivateChat(userA, userB) is not { } found)
        {
            return null;
        }

        _privateChats[key] = found;
        return found;
    }
}
