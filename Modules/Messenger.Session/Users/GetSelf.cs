using Mediator;
using Messenger.Contracts.Users;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

internal sealed class GetSelfHandler(SessionStore store, RpcContext caller) : IRequestHandler<GetSelfCall, User>
{
    public ValueTask<User> Handle(GetSelfCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.GetUsers([caller.RequireUserId()]).Single().ToUser());
}
