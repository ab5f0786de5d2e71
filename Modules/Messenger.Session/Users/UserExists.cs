using Mediator;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

/// <summary>A person or a bot of the Bot HTTP API that is not deleted: someone to write to and add to groups (a
/// webhook's poster is neither).</summary>
internal sealed class UserExistsHandler(SessionStore store, BotStore bots) : IRequestHandler<UserExistsQuery, bool>
{
    public ValueTask<bool> Handle(UserExistsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(query.UserId > 0 && store.GetUser(query.UserId) is { Deleted: false } user && (!user.IsBot || bots.IsApiBot(user.Id)));
}

/// <summary>Blocked by a server admin: what the account left behind to run later (its scheduled messages) stops too.</summary>
internal sealed class IsUserBlockedHandler(SessionStore store) : IRequestHandler<IsUserBlockedQuery, bool>
{
    public ValueTask<bool> Handle(IsUserBlockedQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.GetUser(query.UserId) is { IsBlocked: true });
}
