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

    /// <summary>The log whose position answers <paramref name="me"/>'s change to this chat: the large group's own, else
    /// the caller's.</summary>
    public long AnswerLog(long me) => HasOwnLog ? LogOwners.OfChat(ChatId) : me;

    public static ChatTarget Private(long chatId, long otherUserId) => new(chatId, null, Peer.User(otherUserId), otherUserId, MemberRole.Member);

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
}
