using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Kernel.Updates;

namespace Messenger.Session.Account;

/// <summary>
/// Tells the online devices that show a user's profile that it changed (ephemeral <c>user</c>, never logged): the
/// user's own and those of the users sharing a private chat or a small group with them. Others (members of a shared
/// large group or channel only, offline devices) see the change at their next lookup of the user: a channel's
/// subscribers number in the hundreds of thousands, and one rename must not push to all of them.
/// </summary>
internal sealed class ProfileAnnouncer(IMediator bus)
{
    public async Task AnnounceAsync(User user, CancellationToken cancellationToken)
    {
        var peers = await bus.Send(new GetProfileAudienceQuery(user.Id), cancellationToken);
        await bus.Publish(new EphemeralUpdateEvent([user.Id, .. peers.Where(id => id != user.Id)], new UserUpdate(user)), CancellationToken.None);
    }
}
