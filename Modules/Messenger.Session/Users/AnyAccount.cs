using Mediator;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

/// <summary>One row is enough: a deleted account keeps its row (its id stays taken), so this never turns false again.</summary>
internal sealed class AnyAccountHandler(SessionStore store) : IRequestHandler<AnyAccountQuery, bool>
{
    public ValueTask<bool> Handle(AnyAccountQuery query, CancellationToken cancellationToken) => ValueTask.FromResult(store.HasUsers());
}
