using System.Collections.Concurrent;
using Mediator;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Users;
using Messenger.Message.Storage;

namespace Messenger.Message.Chats;

/// <summary>
/// Turns the peer a caller names into a chat they may use. Known users and private chat ids are remembered: a known
/// user is forgotten only when the account is deleted, and a private chat, once created, keeps its id. Each memory holds
/// at most <see cref="CacheLimit"/> entries and is emptied when it would hold more (one database read brings an entry
/// back), so a server with millions of users and chats does not end up with all of them in memory.
/// </summary>
internal sealed class ChatResolver(MessageStore store, ChatDirectory directory, IBotAccounts bots)
{
    /// <summary>
    /// The chat <paramref name="peer"/> names, if the caller may use it: a private chat the caller has (its other user
    /// may since have deleted their account: the history stays readable), one with an existing user (its
    /// <see cref="ChatTarget.ChatId"/> is 0 until the first message), or a group the caller is a member of — anything
    /// else is 404 <c>CHAT_NOT_FOUND</c>, whether the chat does not exist or the caller is not in it.
    /// </summary>
    public async ValueTask<ChatTarget> ResolveAsync(long me, Peer? peer, ISender bus, CancellationToken cancellationToken)
    {
        if (peer is { Kind: PeerKind.Chat })
        {
            var chat = directory.Get(peer.Id);
            if (chat?.RoleOf(me) is not { } role)
            {
                throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
            }

            return new ChatTarget(chat.Id, chat.Kind, Peer.Chat(chat.Id), 0, role);
        }

        if (peer is { Kind: PeerKind.User, Id: > 0 } && FindPrivateChat(me, peer.Id) is { } existing)
        {
            return ChatTarget.Private(existing, peer.Id);
        }

        var other = await RequireUserPeerAsync(peer, bus, cancellationToken);
        return ChatTarget.Private(0, other);
    }

    /// <summary>As <see cref="ResolveAsync"/>, for a new message: a private chat whose other user deleted their account
    /// is 400 <c>USER_DELETED</c>; a bot's private chat with someone who never wrote to it there (and did not make it) is
    /// 403 <c>BOT_CHAT_FORBIDDEN</c>.</summary>
    public async ValueTask<ChatTarget> ResolveForPostingAsync(long me, Peer? peer, ISender bus, CancellationToken cancellationToken)
    {
        var target = await ResolveAsync(me, peer, bus, cancellationToken);
        if (target.IsPrivate && target.ChatId != 0 && !await UserExistsAsync(target.OtherUserId, bus, cancellationToken))
        {
            throw MessengerError.BadRequest(MessageErrorNames.UserDeleted);
        }

        if (target.IsPrivate && IsBot(me) && !MayBotWrite(me, target))
        {
            throw MessengerError.Forbidden(BotErrorNames.BotChatForbidden);
        }

        return target;
    }

    /// <summary>
    /// As Telegram's bots, a bot never starts a conversation: it writes to a person once they wrote to it (a message of
    /// theirs in the chat, deleted since or not, "/start" included), or when they made it (its owner needs no first
    /// word to get its reports). Blocking the bot stops it again (<c>USER_IS_BLOCKED</c>). Otherwise a bot's token
    /// would let it message any user id.
    /// </summary>
    private bool MayBotWrite(long bot, ChatTarget target) =>
        (target.ChatId != 0 && store.HasWritten(target.OtherUserId, target.ChatId)) || bots.IsOwnedBy(bot, target.OtherUserId);

    /// <summary>Whether the account is a bot, remembered (it never changes) so people's sends pay no read for it.</summary>
    private bool IsBot(long userId)
    {
        if (_bots.TryGetValue(userId, out var isBot))
        {
            return isBot;
        }

        isBot = bots.IsBot(userId);
        Remember(_bots, userId, isBot, ref _botsAdded);
        return isBot;
    }

    private readonly ConcurrentDictionary<long, bool> _knownUsers = new();
    private readonly ConcurrentDictionary<(long Low, long High), long> _privateChats = new();
    private readonly ConcurrentDictionary<long, bool> _bots = new();
    private int _knownUsersAdded;
    private int _botsAdded;
    private int _privateChatsAdded;

    /// <summary>Entries each memory holds (≈ 50–70 bytes each): 100,000 by default.</summary>
    internal int CacheLimit { get; set; } = 100_000;

    /// <summary>Entries held (tests).</summary>
    internal (int Users, int PrivateChats) CachedCounts => (_knownUsers.Count, _privateChats.Count);

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

        Remember(_knownUsers, userId, true, ref _knownUsersAdded);
        return true;
    }

    /// <summary>The account was deleted: nobody may open a chat with it any more.</summary>
    public void ForgetUser(long userId) => _knownUsers.TryRemove(userId, out _);

    /// <summary>
    /// Whether <paramref name="owner"/> has a private chat with <paramref name="other"/>, as their privacy rule "the
    /// users one has a private chat with" means it: the chat is in the owner's chat list (a message was exchanged, and
    /// the owner has not deleted the chat). A chat's row alone is not enough: a mute, a draft or a pin set on a user
    /// creates it without a word to them, so it would let anyone pass the owner's rule.
    /// </summary>
    public bool InChatList(long owner, long other) => FindPrivateChat(owner, other) is { } chatId && store.HasDialog(owner, chatId);

    /// <summary>Whether either of the two blocked the other (<see cref="MessageStore.ReadBlockBetween"/>).</summary>
    public Block BlockBetween(long me, long peer) => store.ReadBlockBetween(me, peer);

    /// <summary>The private chat of the two users if there is one: a message was exchanged, or one of them set something
    /// on the chat for themselves (<see cref="OwnChatSettings"/>).</summary>
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

        Remember(_privateChats, key, found, ref _privateChatsAdded);
        return found;
    }

    // Counted as added, not by the map's Count (which takes every lock of the map): a key added twice counts twice, so
    // the memory is at times emptied a little early.
    private void Remember<TKey, TValue>(ConcurrentDictionary<TKey, TValue> memory, TKey key, TValue value, ref int added)
        where TKey : notnull
    {
        if (Interlocked.Increment(ref added) > CacheLimit)
        {
            memory.Clear();
            Interlocked.Exchange(ref added, 1);
        }

        memory[key] = value;
    }
}
