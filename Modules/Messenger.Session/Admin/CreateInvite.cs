using System.Buffers.Text;
using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;

namespace Messenger.Session.Admin;

internal sealed class CreateInviteValidator : AbstractValidator<CreateInviteCall>
{
    public CreateInviteValidator()
    {
        RuleFor(c => c.Uses).InclusiveBetween(1, 1000).WithErrorCode(SessionErrorNames.UsesInvalid);
        RuleFor(c => c.ExpiresInSeconds).InclusiveBetween(60, 365 * 86_400).When(c => c.ExpiresInSeconds is not null)
            .WithErrorCode(SessionErrorNames.ExpiresInvalid);
    }
}

internal sealed class CreateInviteHandler(SessionStore store, RpcContext caller, TimeProvider clock) : IRequestHandler<CreateInviteCall, Invite>
{
    public async ValueTask<Invite> Handle(CreateInviteCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var now = clock.GetUtcNow();
        var expiresAt = call.ExpiresInSeconds is { } seconds ? now.AddSeconds(seconds) : (DateTimeOffset?)null;
        var detail = expiresAt is { } until ? $"{call.Uses} uses, until {until:yyyy-MM-dd HH:mm} UTC" : $"{call.Uses} uses, no expiry";
        await store.InsertInviteAsync(code, adminId, call.Uses, expiresAt?.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(),
            new AuditRecord(now.ToUnixTimeSeconds(), adminId, AuditActions.CreateInvite, null, detail));
        return new Invite(code, call.Uses, expiresAt?.ToUnixTimeSeconds());
    }
}
