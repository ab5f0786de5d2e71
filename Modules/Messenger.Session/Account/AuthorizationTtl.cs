using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Storage;

namespace Messenger.Session.Account;

internal sealed class SetAuthorizationTtlValidator : AbstractValidator<SetAuthorizationTtlCall>
{
    public SetAuthorizationTtlValidator() =>
        RuleFor(c => c.Days).Must(days => AuthorizationTtlDays.Allowed.Contains(days)).WithErrorCode(SessionErrorNames.AuthorizationTtlInvalid);
}

/// <summary>After how many days without a call a device of the account is signed out; a shorter limit applies at once.</summary>
internal sealed class AuthorizationTtlHandlers(SessionStore store, UnusedDevices unused, RpcContext caller)
    : IRequestHandler<GetAuthorizationTtlCall, AuthorizationTtl>, IRequestHandler<SetAuthorizationTtlCall, AuthorizationTtl>
{
    public ValueTask<AuthorizationTtl> Handle(GetAuthorizationTtlCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new AuthorizationTtl(store.AuthorizationTtlDays(caller.RequireUserId()) ?? AuthorizationTtlDays.Default));

    public async ValueTask<AuthorizationTtl> Handle(SetAuthorizationTtlCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        await store.SetAuthorizationTtlAsync(userId, call.Days);
        await unused.SignOutAsync(userId);
        return new AuthorizationTtl(call.Days);
    }
}
