using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;

namespace Messenger.Kernel.Users;

/// <summary>Is this account one of the server's admins (and not deleted)? Answered by the Session module, for other
/// modules' <c>admin.*</c> methods.</summary>
public sealed record IsServerAdminQuery(long UserId) : IRequest<bool>;

/// <summary>A server admin did <paramref name="Action"/> (an <c>AuditActions</c> name) through another module's
/// <c>admin.*</c> method, about <paramref name="UserId"/>: the Session module records it in the audit log.</summary>
public sealed record AdminActionTakenEvent(long At, long AdminId, string Action, long? UserId, string? Detail) : INotification;

/// <summary>
/// The server's admins as a writer unit sees them, provided by the Session module: a port rather than a bus query
/// because the Message module tells every admin of a report inside the unit that files or resolves it.
/// </summary>
public interface IServerAdminList
{
    /// <summary>The ids of the admins (not deleted) as <paramref name="scope"/>'s transaction sees them.</summary>
    IReadOnlyList<long> AdminIds(WriteScope scope);
}

/// <summary>
/// The reports waiting for the server's admins, provided by the Message module: the Session module appends them to the
/// log of a user who becomes an admin, inside the unit that makes them one, so a new admin's count is current.
/// </summary>
public interface IOpenReports
{
    /// <summary>How many reports are open and the newest of them, as <paramref name="scope"/>'s transaction sees them.</summary>
    OpenReportsUpdate Summary(WriteScope scope);
}
