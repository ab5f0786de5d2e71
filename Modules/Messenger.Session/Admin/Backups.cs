using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Kernel.Backups;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary><c>admin.getBackups</c> and <c>admin.backupNow</c>: the host's backups, for admins.</summary>
internal sealed class BackupsHandler(SessionStore store, RpcContext caller, IServerBackups backups, ILogger<BackupsHandler> logger)
    : IRequestHandler<GetBackupsCall, BackupList>, IRequestHandler<BackupNowCall, BackupList>
{
    public ValueTask<BackupList> Handle(GetBackupsCall call, CancellationToken cancellationToken)
    {
        caller.RequireAdmin(store);
        return ValueTask.FromResult(backups.List());
    }

    public async ValueTask<BackupList> Handle(BackupNowCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        logger.LogInformation("Admin {AdminId} asked for a backup now", adminId);
        return await backups.BackUpNowAsync(cancellationToken);
    }
}
