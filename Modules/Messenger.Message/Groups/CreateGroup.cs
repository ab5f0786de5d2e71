using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Message.Storage;
using Messenger.Kernel.Text;

namespace Messenger.Message.Groups;

internal sealed class CreateGroupValidator : AbstractValidator<CreateGroupCall>
{
    public const int MaxTitleLength = 128;

    public CreateGroupValidator()
    {
        RuleFor(c => c.Title).Must(IsValidTitle).WithErrorCode(GroupErrorNames.ChatTitleInvalid);
        RuleFor(c => c.UserIds).Must(ids => ids is not null && ids.All(id => id > 0)).WithErrorCode(GroupErrorNames.UserIdsInvalid);
    }

    public static bool IsValidTitle(string? title) => TextRules.IsName(title, MaxTitleLength);
}

/// <summary>Creates the chat with the caller as creator, the members, and the service message that announces it.</summary>
internal sealed class CreateGroupHandler(
    GroupChanges changes, Chats.ChatResolver chats, IBotAccounts botAccounts, LoggedWriter writer, IMediator bus, RpcContext caller, TimeProvider clock)
    : IRequestHandler<CreateGroupCall, ChatChanged>
{
    public async ValueTask<ChatChanged> Handle(CreateGroupCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var members = await GroupUsers.RequireAddableAsync(me, call.UserIds.Where(id => id != me), chats, bus, cancellationToken);
        var kind = call.Broadcast ? ChatKind.Channel : call.Large ? ChatKind.LargeGroup : ChatKind.Group;
        var limit = kind == ChatKind.Group ? changes.SmallGroupLimit : changes.LargeGroupLimit;
        if (members.Count + 1 > limit)
        {
            throw MessengerError.BadRequest(GroupErrorNames.UsersTooMany);
        }

        var bots = members.Where(botAccounts.IsBot).ToHashSet();
        var title = call.Title.Trim();
        var created = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            var chatId = GroupStore.CreateChat(scope, kind, title, me, now);
            GroupStore.AddMember(scope, chatId, me, MemberRole.Creator, now, readInboxMaxId: 0);
            foreach (var member in members)
            {
                GroupStore.AddMember(scope, chatId, member, MemberRole.Member, now, readInboxMaxId: 0, isBot: bots.Contains(member));
            }

            return changes.Record(scope, chatId, me, new ServiceAction(ServiceActions.Create, [.. members], title), now, appends,
                joined: [me, .. members], left: []);
        }, cancellationToken);
        return created;
    }
}

internal static class GroupUsers
{
    /// <summary>
    /// The distinct users <paramref name="me"/> adds, each of which must exist (400 <c>USER_IDS_INVALID</c> otherwise)
    /// and, unless <paramref name="isMember"/> says they are in the chat already, let <paramref name="me"/> add them to
    /// groups (403 <c>USER_PRIVACY_RESTRICTED</c>: they blocked <paramref name="me"/>, or their privacy allows nobody, or
    /// only the users whose private chat is in their chat list, or only their contacts, and <paramref name="me"/> is not
    /// one).
    /// </summary>
    public static async ValueTask<List<long>> RequireAddableAsync(
        long me, IEnumerable<long> userIds, Chats.ChatResolver chats, ISender bus, CancellationToken cancellationToken, Func<long, bool>? isMember = null)
    {
        var distinct = userIds.Distinct().ToList();
        foreach (var userId in distinct)
        {
            if (!await chats.UserExistsAsync(userId, bus, cancellationToken))
            {
                throw MessengerError.BadRequest(GroupErrorNames.UserIdsInvalid);
            }

            if (isMember?.Invoke(userId) != true)
            {
                var rule = (await bus.Send(new GetPrivacyQuery(userId), cancellationToken)).GroupInvites;
                if (rule == PrivacyRule.Nobody || chats.BlockBetween(me, userId) == Block.ByPeer || (rule == PrivacyRule.Chats && !chats.InChatList(userId, me))
                    || (rule == PrivacyRule.Contacts && !await bus.Send(new IsContactQuery(userId, me), cancellationToken)))
                {
                    throw MessengerError.Forbidden(GroupErrorNames.UserPrivacyRestricted);
                }
            }
        }

        return distinct;
    }
}
