using Mediator;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class FindUsersByUsernameHandler(SessionStore store) : IRequestHandler<FindUsersByUsernameQuery, long[]>
{
    public ValueTask<long[]> Handle(FindUsersByUsernameQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(query.Usernames
            .Where(Rules.IsUsername)
            .Select(name => store.FindUserByUsername(Rules.UsernameKey(name)))
            .Where(user => user is { Deleted: false })
            .Select(user => user!.Id)
            .Distinct()
            .ToArray());
}
