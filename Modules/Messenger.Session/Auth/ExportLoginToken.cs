using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.LoginTokens;

namespace Messenger.Session.Auth;

internal sealed class ExportLoginTokenValidator : AbstractValidator<ExportLoginTokenCall>
{
    public ExportLoginTokenValidator()
    {
        RuleFor(c => c.DeviceName).DeviceName();
        RuleFor(c => c.Platform).Platform();
    }
}

internal sealed class ExportLoginTokenHandler(LoginTokenStore tokens, RpcContext caller) : IRequestHandler<ExportLoginTokenCall, LoginToken>
{
    public const string QrPrefix = "messenger://login?token=";

    public ValueTask<LoginToken> Handle(ExportLoginTokenCall call, CancellationToken cancellationToken)
    {
        if (caller.UserId is not null)
        {
            throw MessengerError.BadRequest(SessionErrorNames.AlreadySignedIn);
        }

        var (token, expiresAt) = tokens.Issue(caller.DeviceKey, call.DeviceName.Trim(), call.Platform.Trim(), caller.ClientAddress ?? "");
        return ValueTask.FromResult(new LoginToken(token, QrPrefix + token, expiresAt.ToUnixTimeSeconds()));
    }
}
