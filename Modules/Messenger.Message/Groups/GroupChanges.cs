using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

/// <summary>
/// What every membership or title change does inside its unit: posts the service message that records it (into the
/// chat's audience, like any message), tells each affected user's own log about the chat (<c>chat</c> update: they
/// joined, left, or the chat became a large group), and, after COMMIT, brings the cached chat up to date: the members
/// who joined or went and the roles changed are applied to it in memory (<see cref="ChatDirectory.Apply"/>, the frequent
/// changes: no reload of a large group's member list on the push path), anything else drops it (a new title, photo,
/// rights or forum, a transfer of ownership, a conversion to a large group: rare, and reloaded by the next reader).
/// </summary>
internal sealed class GroupChanges(IUpdateLog log, ChatDirectory directory, Microsoft.Extensions.Options.IOptions<MessageOptions> options)
{
    public IUpdateLog Log => log;

    public int SmallGroupLimit => options.Value.SmallGroupLimit;

    public int LargeGroupLimit => options.Value.LargeGroupLimit;

    public (ChatKind Kind, MemberRole Role) RequireMember(WriteScope scope, long chatId, long userId)
    {
        var chat = GroupStore.Chat(scope, chatId);
        var role = GroupStore.RoleOf(scope, chatId, userId);
        if (chat is null || role is null)
        {
            throw MessengerError.NotFound(GroupErrorNames.ChatNotFound);
        }

        return (chat.Value.Kind, role.Value);
    }

    public static void RequireAdmin(MemberRole role)
    {
        if (role == MemberRole.Member)
        {
            throw MessengerError.Forbidden(GroupErrorNames.ChatAdminRequired);
        }
    }

    /// <summary>403 <c>CHAT_ADMIN_REQUIRED</c> unless the caller is an admin or the chat lets its members do <paramref name="right"/>.</summary>
    public static void RequireRight(WriteScope scope, long chatId, MemberRole role, ChatRights right)
    {
        if (role == MemberRole.Member && !GroupStore.Rights(scope, chatId).Rights.HasFlag(right))
        {
            throw MessengerError.Forbidden(GroupErrorNames.ChatAdminRequired);
        }
    }

    /// <summary>Who joined, was added, left or was removed: what a channel does not post (<see cref="Record"/>).</summary>
    private static readonly HashSet<string> MembershipActions =
        [ServiceActions.AddMembers, ServiceActions.JoinByInvite, ServiceActions.JoinByRequest, ServiceActions.Leave, ServiceActions.RemoveMember];

    /// <summary>Posts the service message and the affected users' chat updates; returns the caller's answer. A channel's
    /// comings and goings post nothing (as in Telegram): its subscribers do not learn of one another, and its history is
    /// its posts; the users concerned still get their chat update, and the answer is the channel's log as it is. With
    /// <paramref name="members"/>, the change is only those members' roles (null: gone), applied to the cached chat after
    /// COMMIT; without, the cached chat is dropped.</summary>
    public ChatChanged Record(
        WriteScope scope, long chatId, long me, ServiceAction action, long now, List<LogAppend> appends,
        IReadOnlyCollection<long> joined, IReadOnlyCollection<long> left, IReadOnlyList<MemberChange>? members = null)
    {
        var chat = GroupStore.ToChat(scope, chatId, log);
        if (chat.Kind == ChatKind.Channel && MembershipActions.Contains(action.Kind))
        {
            TellMembership(scope, chat, chat, joined, left, now, appends);
            if (joined.Count > 0)
            {
                TellChannelAdmins(scope, chat, joined, now, appends);
            }

            UpdateDirectory(scope, chatId, members);
            return new ChatChanged(chat, null, log.CurrentPts(scope, LogOwners.OfChat(chatId)), 0, Channel: true);
        }

        var target = new ChatTarget(chatId, chat.Kind, Peer.Chat(chatId), 0, MemberRole.Member);
        var posted = Delivery.Post(scope, log, target, me, Delivery.ServiceRandomId(), "", null, action, now);
        appends.AddRange(posted.Appends);
        chat = GroupStore.ToChat(scope, chatId, log);
        // A group with its own log: the users who joined follow it from just before the service message that added them,
        // so each of their devices reports it, whether it heard the push or learns of the join from this entry later.
        var joinedAt = posted.Channel ? chat with { Pts = posted.Answer.Pts - posted.Answer.PtsCount } : chat;
        TellMembership(scope, joinedAt, chat, joined, left, now, appends);
        UpdateDirectory(scope, chatId, members);
        // The caller's answer covers every entry this change put in its log (the result carries all they say).
        var mine = appends.Where(a => a.OwnerId == me).Select(a => a.Update).ToList();
        return posted.Channel || mine.Count == 0
            ? new ChatChanged(chat, posted.Message, posted.Answer.Pts, posted.Answer.PtsCount, posted.Channel)
            : new ChatChanged(chat, posted.Message, mine[^1].Pts, mine.Sum(u => u.PtsCount));
    }

    private void UpdateDirectory(WriteScope scope, long chatId, IReadOnlyList<MemberChange>? members)
    {
        if (members is null)
        {
            scope.OnCommitted(() => directory.Invalidate(chatId));
        }
        else
        {
            scope.OnCommitted(() => directory.Apply(chatId, members));
        }
    }

    private void TellMembership(
        WriteScope scope, Chat joinedAt, Chat chat, IReadOnlyCollection<long> joined, IReadOnlyCollection<long> left, long now,
        List<LogAppend> appends)
    {
        foreach (var userId in joined)
        {
            appends.Add(new LogAppend(userId, log.Append(scope, userId, new ChatUpdate(joinedAt, IsMember: true), now)));
        }

        foreach (var userId in left)
        {
            appends.Add(new LogAppend(userId, log.Append(scope, userId, new ChatUpdate(chat, IsMember: false), now)));
        }
    }

    /// <summary>A channel's comings and goings post no service message, so its admins' apps would not learn that its
    /// subscribers changed: each admin (and the creator) but the users concerned gets the chat with its new count in
    /// their own log (a <c>chat</c> update), as the join requests' count reaches them. Joins are told here; a leave or a
    /// removal by <see cref="RemoveMemberHandler"/> once the member is gone (the count then is the one after).</summary>
    public void TellChannelAdmins(WriteScope scope, Chat chat, IReadOnlyCollection<long> concerned, long now, List<LogAppend> appends)
    {
        foreach (var admin in GroupStore.AdminIds(scope, chat.Id).Where(id => !concerned.Contains(id)))
        {
            appends.Add(new LogAppend(admin, log.Append(scope, admin, new ChatUpdate(chat, IsMember: true), now)));
        }
    }

    /// <summary>The answer to a change that changes nothing (a photo set again, by a resend whose answer was lost): the
    /// chat as it is, no service message, and the caller's log position as it is.</summary>
    public ChatChanged Unchanged(WriteScope scope, long chatId, long me)
    {
        var chat = GroupStore.ToChat(scope, chatId, log);
        return chat.HasOwnLog
            ? new ChatChanged(chat, null, log.CurrentPts(scope, LogOwners.OfChat(chatId)), 0, Channel: true)
            : new ChatChanged(chat, null, log.CurrentPts(scope, me), 0);
    }

    /// <summary>
    /// Adds members (a request to join they had waiting is answered so); a small group that would pass the small-group limit becomes a large group first (one way): its
    /// history stays, its plain members lose adding and pinning (an admin may give them back), each member's read
    /// position moves from their dialog row to their member row, the dialog rows go (a large group's dialog is computed
    /// from the chat), and every member's log is told the chat's new kind.
    /// </summary>
    public void AddMembers(
        WriteScope scope, long chatId, ChatKind kind, long me, IReadOnlyCollection<long> userIds, long now, List<LogAppend> appends,
        IReadOnlySet<long>? bots = null)
    {
        var count = GroupStore.MemberIds(scope, chatId).Count + userIds.Count;
        if (count > LargeGroupLimit || (kind == ChatKind.Group && count > SmallGroupLimit && LargeGroupLimit <= SmallGroupLimit))
        {
            throw MessengerError.BadRequest(GroupErrorNames.UsersTooMany);
        }

        if (kind == ChatKind.Group && count > SmallGroupLimit)
        {
            ConvertToLarge(scope, chatId, me, now, appends);
            kind = ChatKind.LargeGroup;
        }

        // A large group's unread count is counted from the member's read position: a newcomer starts at the newest
        // message, as a small group's newcomer starts with nothing unread (the history is there to scroll, not to read).
        var readInboxMaxId = kind == ChatKind.Group ? 0 : GroupStore.NewestMessageId(scope, chatId);
        foreach (var userId in userIds)
        {
            GroupStore.AddMember(scope, chatId, userId, MemberRole.Member, now, readInboxMaxId, isBot: bots?.Contains(userId) == true);
        }

        JoinRequestStore.Drop(scope, log, chatId, userIds, now, appends);
    }

    private void ConvertToLarge(WriteScope scope, long chatId, long me, long now, List<LogAppend> appends)
    {
        scope.Execute("UPDATE message_members SET read_inbox_max_id = coalesce((SELECT d.read_inbox_max_id FROM message_dialogs d " +
            "WHERE d.user_id = message_members.user_id AND d.chat_id = message_members.chat_id), 0) WHERE chat_id = @chat",
            ("@chat", chatId));
        scope.Execute("DELETE FROM message_dialogs WHERE chat_id = @chat", ("@chat", chatId));
        scope.Execute("UPDATE message_chats SET kind = @large, member_rights = member_rights & ~@lost, top_message_id = coalesce((SELECT max(id) FROM message_messages WHERE chat_id = @chat), 0), " +
            "last_activity = @now WHERE id = @chat",
            ("@large", (int)ChatKind.LargeGroup), ("@lost", (int)ChatRightsRules.LostWhenLarge), ("@chat", chatId), ("@now", now));
        var members = GroupStore.MemberIds(scope, chatId);
        Record(scope, chatId, me, new ServiceAction(ServiceActions.ConvertToLarge, []), now, appends, joined: members, left: []);
    }
}
