using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary>Admins name other admins (or step down, while another admin is left). Admin checks read the account on
/// every call, so the change holds from the user's next call.</summary>
/// <remarks>The user's log gets the open reports in the same unit (<see cref="OpenReportsUpdate"/>): the count as it is
/// for a new admin, none for one who stepped down, so their apps' badge is right at once.</remarks>
internal sealed class SetUserAdminHandler(
    SessionStore store, LoggedWriter writer, IOpenReports reports, IPublisher bus, RpcContext caller, TimeProvider clock,
    ILogger<SetUserAdminHandler> logger)
    : IRequestHandler<SetUserAdminCall, Done>
{
    public async ValueTask<Done> Handle(SetUserAdminCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var audit = new AuditRecord(now, adminId, call.IsAdmin ? AuditActions.GrantAdmin : AuditActions.RevokeAdmin, call.UserId);
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            if (SessionStore.SetAdmin(scope, call.UserId, call.IsAdmin, audit))
            {
                appends.Append(call.UserId, call.IsAdmin ? reports.Summary(scope) : new OpenReportsUpdate(0, null), now);
            }
        }, CancellationToken.None);

        logger.LogInformation("Admin {AdminId} set user {UserId} admin: {IsAdmin}", adminId, call.UserId, call.IsAdmin);
        return new Done();
    }
}
