using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Events;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Session.Storage;

namespace Messenger.Session.Contacts;

/// <summary>
/// A deleted account's contact list goes, and so does the account from every list it was in: in one unit, with a
/// <see cref="ContactUpdate"/> (no contact) in the log of each user who had it, so their devices drop the entry as if
/// they had deleted it themselves. Idempotent (run again at every start, see <c>FinishAccountDeletions</c>): nothing
/// left, nothing logged.
/// </summary>
internal sealed class ForgetDeletedAccount(LoggedWriter writer, IPublisher bus, TimeProvider clock)
    : INotificationHandler<AccountDeletedEvent>
{
    public async ValueTask Handle(AccountDeletedEvent deleted, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            var date = clock.GetUtcNow().ToUnixTimeSeconds();
            var owners = ContactStore.ListsWith(scope, deleted.UserId);
            ContactStore.DeleteAllOf(scope, deleted.UserId);
            foreach (var owner in owners)
            {
                appends.Append(owner.OwnerId, new ContactUpdate(deleted.UserId, null), date);
            }
        }, CancellationToken.None);
    }
}
