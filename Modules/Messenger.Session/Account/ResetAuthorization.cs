using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Storage;

namespace Messenger.Session.Account;

internal sealed class ResetAuthorizationHandler(SessionStore store, DeviceSignOut signOut, RpcContext caller)
    : IRequestHandler<ResetAuthorizationCall, Done>
{
    public async ValueTask<Done> Handle(ResetAuthorizationCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        var revoked = await store.DeleteAuthorizationAsync(userId, call.Id)
            ?? throw MessengerError.NotFound(SessionErrorNames.AuthorizationNotFound);
        await signOut.SignedOutAsync([revoked], "authorization reset", caller.DeviceKey);
        return new Done();
    }
}

internal sealed class ResetOtherAuthorizationsHandler(SessionStore store, AuthorizationCache authorizations, DeviceSignOut signOut, RpcContext caller)
    : IRequestHandler<ResetOtherAuthorizationsCall, Done>
{
    public async ValueTask<Done> Handle(ResetOtherAuthorizationsCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        var current = authorizations.Get(caller.DeviceKey)?.AuthorizationId ?? 0;
        var revoked = await store.DeleteOtherAuthorizationsAsync(userId, current);
        await signOut.SignedOutAsync(revoked, "other authorizations reset");
        return new Done();
    }
}
