using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary>The way back for a user who lost their authenticator: an admin turns two-step verification off.</summary>
internal sealed class ResetTwoFactorHandler(SessionStore store, TwoFactorStore twoFactor, RpcContext caller, TimeProvider clock, ILogger<ResetTwoFactorHandler> logger)
    : IRequestHandler<ResetTwoFactorCall, Done>
{
    public async ValueTask<Done> Handle(ResetTwoFactorCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        if (store.GetUser(call.UserId) is not { Deleted: false })
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
        }

        if (!await twoFactor.DeleteTwoFactorAsync(
                call.UserId, new AuditRecord(clock.GetUtcNow().ToUnixTimeSeconds(), adminId, AuditActions.ResetTwoFactor, call.UserId)))
        {
            throw MessengerError.BadRequest(SessionErrorNames.TwoFactorNotEnabled);
        }

        logger.LogInformation("Admin {AdminId} turned off two-step verification of user {UserId}", adminId, call.UserId);
        return new Done();
    }
}
