using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Limits;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Account;

internal sealed class ChangePasswordValidator : AbstractValidator<ChangePasswordCall>
{
    public ChangePasswordValidator()
    {
        RuleFor(c => c.OldPassword).CurrentPassword();
        RuleFor(c => c.NewPassword).NewPassword();
    }
}

/// <summary>A new password signs out every other device: whoever knew the old one may have signed one in. One chosen
/// after an admin's reset lifts this device's restriction at once: its cached authorization is dropped, so its next call,
/// on the same connection, reads it anew.</summary>
internal sealed class ChangePasswordHandler(
    SessionStore store,
    PasswordHasher hasher,
    AccountPassword password,
    AuthorizationCache authorizations,
    DeviceSignOut signOut,
    RpcContext caller,
    ILogger<ChangePasswordHandler> logger) : IRequestHandler<ChangePasswordCall, Done>
{
    public async ValueTask<Done> Handle(ChangePasswordCall call, CancellationToken cancellationToken)
    {
        var user = await password.ConfirmAsync(caller, call.OldPassword, cancellationToken);
        var userId = user.Id;
        var hash = await hasher.HashAsync(call.NewPassword, cancellationToken,
            [AuthLimits.AccountKey(Rules.UsernameKey(user.Username)), AuthLimits.AddressKey(caller.ClientAddress)]);
        var current = authorizations.Get(caller.DeviceKey)?.AuthorizationId ?? 0;
        var revoked = await store.ChangePasswordAsync(userId, hash, current);
        authorizations.Invalidate(caller.DeviceKey);
        await signOut.SignedOutAsync(revoked, "password changed");
        logger.LogInformation("User {UserId} changed the password; {Count} other devices signed out", userId, revoked.Count);
        return new Done();
    }
}
