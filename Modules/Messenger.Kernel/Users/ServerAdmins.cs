using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>Is this account one of the server's admins (and not deleted)? Answered by the Session module, for other
/// modules' <c>admin.*</c> methods.</summary>
public sealed record IsServerAdminQuery(long UserId) : IRequest<bool>;

/// <summary>A server admin did <paramref name="Action"/> (an <c>AuditActions</c> name) through another module's
/// <c>admin.*</c> method, about <paramref name="UserId"/>: the Session module records it in the audit log.</summary>
public sealed record AdminActionTakenEvent(long At, long AdminId, string Action, long? UserId, string? Detail) : INotification;
