using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Kernel.Backups;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Admin;

/// <summary><c>admin.getBackups</c> and <c>admin.backupNow</c>: the host's backups, for admins.</summary>
internal sealed class BackupsHandler(SessionStore store, RpcContext caller, IServerBackups backups, TimeProvider clock, ILogger<BackupsHandler> logger)
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
        var asked = clock.GetUtcNow().ToUnixTimeSeconds();
        var list = await backups.BackUpNowAsync(cancellationToken);
        // A failed backup is answered, not thrown (its reason is the list's last failure).
        var taken = list.Backups.Where(b => b.TakenAtUnixSeconds >= asked).MaxBy(b => b.TakenAtUnixSeconds);
        await store.AuditAsync(new AuditRecord(asked, adminId, AuditActions.BackupNow, null, taken?.Name ?? "failed"));
        return list;
    }
}
