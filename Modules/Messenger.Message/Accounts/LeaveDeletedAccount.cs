using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Events;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Chats;
using Messenger.Message.Editing;
using Messenger.Message.Groups;
using Messenger.Message.Scheduling;
using Messenger.Message.Storage;

namespace Messenger.Message.Accounts;

/// <summary>
/// A deleted account leaves every group the way a member leaves (the service message tells the others), a creator's
/// role first passing to the longest-standing admin, else member, one writer unit per group; then its own dialogs,
/// hidden messages and blocks go, and so does its update log. Its messages stay where the other side can read them; its
/// live locations end (in the groups as it leaves each, then in its private chats).
/// </summary>
internal sealed class LeaveDeletedAccount(
    Chats.ChatResolver chats, GroupChanges changes, StorageWriter writer, LoggedWriter logged, IMediaAttachments media, IMediator bus, TimeProvider clock)
    : INotificationHandler<AccountDeletedEvent>
{
    public async ValueTask Handle(AccountDeletedEvent deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        chats.ForgetUser(userId);
        // One unit per group: a small group's leave appends to every member's log, and a user in many groups must not
        // hold the writer, which every other user's sends wait for, through all of them at once.
        foreach (var chatId in await writer.WriteAsync(scope => GroupStore.ChatIdsOf(scope, userId), CancellationToken.None))
        {
            await logged.WriteAsync(bus, (scope, appends) =>
            {
                Leave(scope, chatId, userId, appends);
                appends.RemoveAll(append => append.OwnerId == userId);
            }, CancellationToken.None);
            await bus.Publish(new MemberLeftEvent(chatId, userId), CancellationToken.None);
        }

        // Its live locations in private chats end too (before its dialogs, which list those chats, go).
        await logged.WriteAsync(bus, (scope, ended) =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            foreach (var chatId in MessageStore.PrivateChatsWithLocationsOf(scope, userId))
            {
                LiveLocations.EndAll(scope, changes.Log, chatId, userId, now, ended);
            }

            MessageStore.ForgetUser(scope, userId);
            ScheduledMessagesHandler.ForgetUser(scope, media, userId);
            JoinRequestStore.ForgetUser(scope, userId);
            changes.Log.Drop(scope, userId);
            ended.RemoveAll(append => append.OwnerId == userId);
        }, CancellationToken.None);
    }

    private void Leave(WriteScope scope, long chatId, long userId, List<LogAppend> appends)
    {
        // Read again in the unit: the membership may have changed since it was listed.
        if (GroupStore.RoleOf(scope, chatId, userId) is not { } role)
        {
            return;
        }

        // A new creator changes the chat itself: the cached chat is dropped then, not changed.
        IReadOnlyList<MemberChange>? gone = [new MemberChange(userId, null)];
        if (role == MemberRole.Creator && GroupStore.Successor(scope, chatId, userId) is { } successor)
        {
            GroupStore.SetCreator(scope, chatId, successor);
            gone = null;
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        LiveLocations.EndAll(scope, changes.Log, chatId, userId, now, appends);
        changes.Record(scope, chatId, userId, new ServiceAction(ServiceActions.Leave, [userId]), now, appends, joined: [], left: [], members: gone);
        GroupStore.RemoveMember(scope, chatId, userId);
        if (GroupStore.ToChat(scope, chatId, changes.Log) is { Kind: ChatKind.Channel } chat)
        {
            changes.TellChannelAdmins(scope, chat, [userId], now, appends);
        }
    }
}
