using FluentValidation;
using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;

namespace Messenger.Session.Admin;

internal sealed class GetAuditLogValidator : AbstractValidator<GetAuditLogCall>
{
    public GetAuditLogValidator()
    {
        RuleFor(c => c.OffsetId).GreaterThanOrEqualTo(0).WithErrorCode(SessionErrorNames.OffsetInvalid);
        RuleFor(c => c.Limit).InclusiveBetween(1, 100).WithErrorCode(SessionErrorNames.LimitInvalid);
    }
}

/// <summary><c>admin.getAuditLog</c>: what admins did, newest first (<c>session_audit</c>, written with each change).</summary>
internal sealed class GetAuditLogHandler(SessionStore store, RpcContext caller) : IRequestHandler<GetAuditLogCall, AuditLog>
{
    public ValueTask<AuditLog> Handle(GetAuditLogCall call, CancellationToken cancellationToken)
    {
        caller.RequireAdmin(store);
        return ValueTask.FromResult(new AuditLog([.. store.AuditLog(call.OffsetId, call.Limit)]));
    }
}
