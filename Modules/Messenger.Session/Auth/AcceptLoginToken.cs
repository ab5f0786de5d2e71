using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Events;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.LoginTokens;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Auth;

internal sealed class AcceptLoginTokenValidator : AbstractValidator<AcceptLoginTokenCall>
{
    public AcceptLoginTokenValidator()
    {
        RuleFor(c => c.Token).NotEmpty().WithErrorCode(SessionErrorNames.LoginTokenInvalid)
            .MaximumLength(128).WithErrorCode(SessionErrorNames.LoginTokenInvalid);
    }
}

internal sealed class AcceptLoginTokenHandler(
    LoginTokenStore tokens,
    SessionStore store,
    AuthorizationCache authorizations,
    NewAuthorizations newAuthorizations,
    IPublisher bus,
    RpcContext caller,
    TimeProvider clock,
    ILogger<AcceptLoginTokenHandler> logger) : IRequestHandler<AcceptLoginTokenCall, Authorization>
{
    public async ValueTask<Authorization> Handle(AcceptLoginTokenCall call, CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        var token = call.Token.StartsWith(ExportLoginTokenHandler.QrPrefix, StringComparison.Ordinal)
            ? call.Token[ExportLoginTokenHandler.QrPrefix.Length..]
            : call.Token.Trim();
        switch (tokens.Redeem(token, out var login))
        {
            case Redemption.Invalid:
                throw MessengerError.BadRequest(SessionErrorNames.LoginTokenInvalid);
            case Redemption.Expired:
                throw MessengerError.BadRequest(SessionErrorNames.LoginTokenExpired);
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        long authorizationId;
        try
        {
            authorizationId = await newAuthorizations.AddAsync(userId, login!.DeviceKey, login.DeviceName, login.Platform, login.ClientAddress, now);
        }
        catch (MessengerError e) when (e.Name == SessionErrorNames.AlreadySignedIn)
        {
            throw MessengerError.BadRequest(SessionErrorNames.LoginTokenInvalid);
        }

        authorizations.Invalidate(login.DeviceKey);
        var user = store.GetUser(userId)!;
        var signedIn = new SignedIn(user.ToUser(), authorizationId, user.IsAdmin);
        await bus.Publish(new DeviceUpdateEvent(
            login.DeviceKey, UpdateKinds.LoginTokenAccepted, WireSerializer.Serialize(new LoginTokenAcceptedUpdate(signedIn))), cancellationToken);
        logger.LogInformation("User {UserId} signed in a device by login token as authorization {AuthorizationId}", userId, authorizationId);
        var seconds = Mapping.UnixSeconds(now);
        return new Authorization(authorizationId, login.DeviceName, login.Platform, login.ClientAddress, seconds, seconds, Current: false);
    }
}
