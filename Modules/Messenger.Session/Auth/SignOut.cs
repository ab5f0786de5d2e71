using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Storage;

namespace Messenger.Session.Auth;

internal sealed class SignOutHandler(SessionStore store, AuthorizationCache authorizations, DeviceSignOut signOut, RpcContext caller)
    : IRequestHandler<SignOutCall, Done>
{
    public async ValueTask<Done> Handle(SignOutCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        if (authorizations.Get(caller.DeviceKey) is { } current
            && await store.DeleteAuthorizationAsync(userId, current.AuthorizationId) is { } revoked)
        {
            await signOut.SignedOutAsync([revoked], "signed out", caller.DeviceKey);
        }

        return new Done();
    }
}
