using FluentValidation;
using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Kernel.Updates;
using Messenger.Message.Storage;

namespace Messenger.Message.Groups;

internal sealed class AddMembersValidator : AbstractValidator<AddMembersCall>
{
    public const int MaxUsers = 200;

    public AddMembersValidator() =>
        RuleFor(c => c.UserIds).Must(ids => ids is { Length: > 0 and <= MaxUsers } && ids.All(id => id > 0)).WithErrorCode(GroupErrorNames.UserIdsInvalid);
}

/// <summary>Admins add members, and plain members where the chat lets them (small groups by default; never a channel).
/// Users already in are skipped. A user an admin removed comes back only by an admin, whose adding lifts the ban.</summary>
internal sealed class AddMembersHandler(
    GroupChanges changes, Chats.ChatResolver chats, Chats.ChatDirectory directory, IBotAccounts botAccounts, LoggedWriter writer, IMediator bus, RpcContext caller,
    TimeProvider clock)
    : IRequestHandler<AddMembersCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(AddMembersCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var users = await GroupUsers.RequireAddableAsync(me, call.UserIds, chats, bus, cancellationToken,
            isMember: user => directory.Get(call.ChatId)?.RoleOf(user) is not null);
        var bots = users.Where(botAccounts.IsBot).ToHashSet();
        return await writer.WriteAsync(bus, (scope, appends) =>
        {
            var (kind, role) = changes.RequireMember(scope, call.ChatId, me);
            GroupChanges.RequireRight(scope, call.ChatId, role, ChatRights.AddMembers);

            var added = users.Where(user => GroupStore.RoleOf(scope, call.ChatId, user) is null).ToList();
            if (added.Count == 0)
            {
                throw MessengerError.BadRequest(GroupErrorNames.UserAlreadyParticipant);
            }

            var banned = added.Where(user => GroupStore.IsBanned(scope, call.ChatId, user)).ToList();
            if (banned.Count > 0 && role == MemberRole.Member)
            {
                throw MessengerError.Forbidden(GroupErrorNames.UserBannedInChat);
            }

            banned.ForEach(user => GroupStore.Unban(scope, call.ChatId, user));

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            changes.AddMembers(scope, call.ChatId, kind, me, added, now, appends, bots);
            return changes.Record(scope, call.ChatId, me, new ServiceAction(ServiceActions.AddMembers, [.. added]), now, appends, joined: added, left: [],
                members: [.. added.Select(user => new Chats.MemberChange(user, MemberRole.Member))]);
        }, cancellationToken);
    }
}

internal sealed class RemoveMemberValidator : AbstractValidator<RemoveMemberCall>
{
    public RemoveMemberValidator() => RuleFor(c => c.UserId).GreaterThan(0).WithErrorCode(GroupErrorNames.UserIdsInvalid);
}

/// <summary>
/// Admins remove members (only the creator removes admins; nobody removes the creator), which bans them from coming back
/// by themselves; members leave, free to come back. The service message is posted before the member goes, so a small
/// group's removed member sees why; from the COMMIT on they get nothing new. Their live locations in the chat end with
/// it (<see cref="Editing.LiveLocations.EndAll"/>): they could not stop them from outside.
/// </summary>
internal sealed class RemoveMemberHandler(GroupChanges changes, LoggedWriter writer, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<RemoveMemberCall, ChatChanged>, IRequestHandler<LeaveGroupCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(RemoveMemberCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await RemoveAsync(call.ChatId, me, call.UserId, (role, targetRole) =>
        {
            GroupChanges.RequireAdmin(role);
            if (targetRole == MemberRole.Creator || (targetRole == MemberRole.Admin && role != MemberRole.Creator))
            {
                throw MessengerError.Forbidden(GroupErrorNames.ChatCreatorRequired);
            }
        }, ServiceActions.RemoveMember, ban: true, cancellationToken);
    }

    public async ValueTask<ChatChanged> Handle(LeaveGroupCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return await RemoveAsync(call.ChatId, me, me, (role, _) =>
        {
            if (role == MemberRole.Creator)
            {
                throw MessengerError.Forbidden(GroupErrorNames.ChatCreatorCannotLeave);
            }
        }, ServiceActions.Leave, ban: false, cancellationToken);
    }

    private async Task<ChatChanged> RemoveAsync(
        long chatId, long me, long userId, Action<MemberRole, MemberRole> authorize, string action, bool ban, CancellationToken cancellationToken)
    {
        var changed = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var (_, role) = changes.RequireMember(scope, chatId, me);
            var targetRole = GroupStore.RoleOf(scope, chatId, userId) ?? throw MessengerError.BadRequest(GroupErrorNames.UserNotParticipant);
            authorize(role, targetRole);
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            Editing.LiveLocations.EndAll(scope, changes.Log, chatId, userId, now, appends);
            var result = changes.Record(scope, chatId, me, new ServiceAction(action, [userId]), now, appends, joined: [], left: [],
                members: [new Chats.MemberChange(userId, null)]);
            GroupStore.RemoveMember(scope, chatId, userId);
            if (ban)
            {
                GroupStore.Ban(scope, chatId, userId, me, now);
            }

            var chat = GroupStore.ToChat(scope, chatId, changes.Log);
            appends.Append(userId, new Contracts.Updates.ChatUpdate(chat, IsMember: false), now);
            if (chat.Kind == ChatKind.Channel)
            {
                changes.TellChannelAdmins(scope, chat, [userId], now, appends);
            }

            return result with { Chat = chat };
        }, cancellationToken);

        await bus.Publish(new MemberLeftEvent(chatId, userId), CancellationToken.None);
        return changed;
    }
}

/// <summary>After COMMIT: <see cref="UserId"/> left group <see cref="ChatId"/> or was removed from it (or their account
/// was deleted), for what holds a member outside the database (a voice chat).</summary>
internal sealed record MemberLeftEvent(long ChatId, long UserId) : INotification;
