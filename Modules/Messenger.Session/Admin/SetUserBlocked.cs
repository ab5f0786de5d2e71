using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary>Blocking deletes the user's authorizations (their devices are disconnected) and refuses new sign-ins;
/// unblocking lets the user sign in again.</summary>
internal sealed class SetUserBlockedHandler(
    SessionStore store, DeviceSignOut signOut, RpcContext caller, TimeProvider clock, ILogger<SetUserBlockedHandler> logger)
    : IRequestHandler<SetUserBlockedCall, Done>
{
    public async ValueTask<Done> Handle(SetUserBlockedCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        if (call.UserId == adminId)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIsSelf);
        }

        var (found, revoked) = await store.SetBlockedAsync(call.UserId, call.Blocked, new AuditRecord(
            clock.GetUtcNow().ToUnixTimeSeconds(), adminId, call.Blocked ? AuditActions.BlockUser : AuditActions.UnblockUser, call.UserId));
        if (!found)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
        }

        await signOut.SignedOutAsync(revoked, "account blocked");
        logger.LogInformation("Admin {AdminId} set user {UserId} blocked: {Blocked}", adminId, call.UserId, call.Blocked);
        return new Done();
    }
}
