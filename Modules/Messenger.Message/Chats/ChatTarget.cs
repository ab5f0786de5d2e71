using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;

namespace Messenger.Message.Chats;

/// <summary>
/// A chat the caller may use, resolved from the peer they named: a private chat (with <see cref="OtherUserId"/>;
/// <see cref="ChatId"/> 0 until its first message) or a group chat they are a member of.
/// </summary>
internal sealed record ChatTarget(long ChatId, ChatKind? GroupKind, Peer ToPeer, long OtherUserId, MemberRole Role)
{
    public bool IsPrivate => GroupKind is null;

    /// <summary>Large groups and channels keep one log of their own; everything else fans out into member logs.</summary>
    public bool HasOwnLog => GroupKind is ChatKind.LargeGroup or ChatKind.Channel;

    /// <summary>The group is a forum, as read inside the posting unit (<see cref="Delivery.OpenForPosting"/>).</summary>
    public bool Forum { get; init; }

    /// <summary>The forum topic a post goes to (<see cref="Delivery.Post"/>): 0 for none (General),
    /// <see cref="Topics.TopicStore.OwnTopic"/> for a <c>topic_create</c> message, which opens its own.</summary>
    public long TopicId { get; init; }

    /// <summary>The log whose position answers <paramref name="me"/>'s change to this chat: the large group's own, else
    /// the caller's.</summary>
    public long AnswerLog(long me) => HasOwnLog ? LogOwners.OfChat(ChatId) : me;

    public static ChatTarget Private(long chatId, long otherUserId) => new(chatId, null, Peer.User(otherUserId), otherUserId, MemberRole.Member);

    /// <summary>The chat of a stored message as its author addresses it, read inside a unit: the private chat with the
    /// user it was sent to, or the group (null when the group is gone). For the server's own changes to a message
    /// (auto-delete, link previews), which act as its author would.</summary>
    public static ChatTarget? OfMessage(WriteScope scope, long chatId, Peer toPeer)
    {
        if (toPeer.Kind == PeerKind.User)
        {
            return Private(chatId, toPeer.Id);
        }

        return scope.Statement("SELECT kind FROM message_chats WHERE id = @chat").Bind("@chat", chatId).Int64() is { } kind
            ? new ChatTarget(chatId, (ChatKind)kind, Peer.Chat(chatId), 0, MemberRole.Member)
            : null;
    }

    /// <summary>
    /// The logs that get an update about this chat and how each owner addresses the chat, read inside the unit (so a
    /// member removed by an earlier unit is not in it): both users of a private chat, every member of a small group,
    /// the chat's own log for a large group.
    /// </summary>
    public List<(long Owner, Peer Peer)> Audience(WriteScope scope, long me)
    {
        if (IsPrivate)
        {
            return OtherUserId == me ? [(me, ToPeer)] : [(me, ToPeer), (OtherUserId, Peer.User(me))];
        }

        if (HasOwnLog)
        {
            return [(LogOwners.OfChat(ChatId), ToPeer)];
        }

        return [.. GroupStore.MemberIds(scope, ChatId).Select(member => (member, ToPeer))];
    }

    /// <summary>
    /// <see cref="Audience"/> without the owners who deleted message <paramref name="messageId"/> for themselves: a
    /// change to it (an edit, a preview, reactions, a poll's results) is not theirs to be told. One key probe of
    /// <c>message_hidden</c> per member log; a large group's shared log cannot leave anyone out (its clients drop what
    /// they deleted). <paramref name="me"/>, whose answer is read from the appends, is always kept.
    /// </summary>
    public List<(long Owner, Peer Peer)> AudienceSeeing(WriteScope scope, long me, long messageId)
    {
        var audience = Audience(scope, me);
        if (HasOwnLog)
        {
            return audience;
        }

        audience.RemoveAll(entry => entry.Owner != me && MessageStore.IsHiddenFor(scope, entry.Owner, messageId));
        return audience;
    }
}
