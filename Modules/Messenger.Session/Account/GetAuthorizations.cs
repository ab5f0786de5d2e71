using Mediator;
using Messenger.Contracts.Account;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Storage;

namespace Messenger.Session.Account;

internal sealed class GetAuthorizationsHandler(SessionStore store, AuthorizationCache authorizations, LastActiveTracker lastActive, RpcContext caller)
    : IRequestHandler<GetAuthorizationsCall, Authorizations>
{
    public ValueTask<Authorizations> Handle(GetAuthorizationsCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        var current = authorizations.Get(caller.DeviceKey)?.AuthorizationId;
        var items = store.ListAuthorizations(userId)
            .Select(a => new Authorization(
                a.Id,
                a.DeviceName,
                a.Platform,
                a.ClientAddress,
                Mapping.UnixSeconds(a.CreatedAt),
                Mapping.UnixSeconds(Math.Max(a.LastActiveAt, lastActive.Pending(a.Id) ?? 0)),
                a.Id == current))
            .ToArray();
        return ValueTask.FromResult(new Authorizations(items));
    }
}
