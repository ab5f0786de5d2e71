using Mediator;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Events;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Groups;
using Messenger.Message.Storage;

namespace Messenger.Message.Accounts;

/// <summary>
/// A deleted account, in one writer unit: it leaves every group the way a member leaves (the service message tells the
/// others), a creator's role first passing to the longest-standing admin, else member; its own dialogs, hidden
/// messages and blocks go, and so does its update log. Its messages stay where the other side can read them.
/// </summary>
internal sealed class LeaveDeletedAccount(Chats.Chats chats, GroupChanges changes, StorageWriter writer, IMediator bus, TimeProvider clock)
    : INotificationHandler<AccountDeletedEvent>
{
    public async ValueTask Handle(AccountDeletedEvent deleted, CancellationToken cancellationToken)
    {
        var userId = deleted.UserId;
        chats.ForgetUser(userId);
        var appends = new List<LogAppend>();
        await writer.WriteAsync(scope =>
        {
            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            foreach (var (chatId, role) in GroupStore.MembershipsOf(scope, userId))
            {
                if (role == MemberRole.Creator && GroupStore.Successor(scope, chatId, userId) is { } successor)
                {
                    GroupStore.SetCreator(scope, chatId, successor);
                }

                changes.Record(scope, chatId, userId, new ServiceAction(ServiceActions.Leave, [userId]), now, appends, joined: [], left: []);
                GroupStore.RemoveMember(scope, chatId, userId);
            }

            MessageStore.ForgetUser(scope, userId);
            changes.Log.Drop(scope, userId);
            return appends.Count;
        }, CancellationToken.None);

        appends.RemoveAll(append => append.OwnerId == userId);
        if (appends.Count > 0)
        {
            await bus.Publish(new UpdatesAppendedEvent(appends), CancellationToken.None);
        }
    }
}
