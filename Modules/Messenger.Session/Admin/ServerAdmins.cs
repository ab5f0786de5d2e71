using Mediator;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Admin;

internal sealed class IsServerAdminHandler(SessionStore store) : IRequestHandler<IsServerAdminQuery, bool>
{
    public ValueTask<bool> Handle(IsServerAdminQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.GetUser(query.UserId) is { IsAdmin: true, Deleted: false });
}

/// <summary>Another module's admin action goes into the audit log (in a unit of its own, after the action's).</summary>
internal sealed class RecordInAuditLog(SessionStore store) : INotificationHandler<AdminActionTakenEvent>
{
    public async ValueTask Handle(AdminActionTakenEvent action, CancellationToken cancellationToken) =>
        await store.AuditAsync(new AuditRecord(action.At, action.AdminId, action.Action, action.UserId, action.Detail));
}

internal sealed class ServerAdminList : IServerAdminList
{
    public IReadOnlyList<long> AdminIds(WriteScope scope) => SessionStore.AdminIds(scope);
}
