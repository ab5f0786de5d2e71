using Mediator;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class UserExistsHandler(SessionStore store) : IRequestHandler<UserExistsQuery, bool>
{
    public ValueTask<bool> Handle(UserExistsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(query.UserId > 0 && store.GetUser(query.UserId) is { Deleted: false, IsBot: false });
}
