using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary>Admins name other admins (or step down, while another admin is left). Admin checks read the account on
/// every call, so the change holds from the user's next call.</summary>
internal sealed class SetUserAdminHandler(SessionStore store, RpcContext caller, TimeProvider clock, ILogger<SetUserAdminHandler> logger)
    : IRequestHandler<SetUserAdminCall, Done>
{
    public async ValueTask<Done> Handle(SetUserAdminCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        var audit = new AuditRecord(
            clock.GetUtcNow().ToUnixTimeSeconds(), adminId, call.IsAdmin ? AuditActions.GrantAdmin : AuditActions.RevokeAdmin, call.UserId);
        if (!await store.SetAdminAsync(call.UserId, call.IsAdmin, audit))
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
        }

        logger.LogInformation("Admin {AdminId} set user {UserId} admin: {IsAdmin}", adminId, call.UserId, call.IsAdmin);
        return new Done();
    }
}
