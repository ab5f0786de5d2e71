using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Account;

internal sealed class SetupTwoFactorValidator : AbstractValidator<SetupTwoFactorCall>
{
    public SetupTwoFactorValidator() => RuleFor(c => c.Password).CurrentPassword();
}

internal sealed class EnableTwoFactorValidator : AbstractValidator<EnableTwoFactorCall>
{
    public EnableTwoFactorValidator() => RuleFor(c => c.Code).Must(Totp.IsCodeShape).WithErrorCode(SessionErrorNames.TwoFactorCodeInvalid);
}

internal sealed class DisableTwoFactorValidator : AbstractValidator<DisableTwoFactorCall>
{
    public DisableTwoFactorValidator()
    {
        RuleFor(c => c.Password).CurrentPassword();
        RuleFor(c => c.Code).Must(c => Totp.IsCodeShape(c) || RecoveryCode.IsShape(c)).WithErrorCode(SessionErrorNames.TwoFactorCodeInvalid);
    }
}

internal sealed class RegenerateRecoveryCodesValidator : AbstractValidator<RegenerateRecoveryCodesCall>
{
    public RegenerateRecoveryCodesValidator()
    {
        RuleFor(c => c.Password).CurrentPassword();
        RuleFor(c => c.Code).Must(Totp.IsCodeShape).WithErrorCode(SessionErrorNames.TwoFactorCodeInvalid);
    }
}

/// <summary>
/// Two-step verification: a TOTP secret for the user's authenticator app, set up with the password, turned on by its
/// first code, then asked for by <c>auth.signIn</c>. Turning it on makes one-time recovery codes, told once and kept as
/// hashes, which stand in for a code of the app; new ones take the password and a code of the app. Turning it off takes
/// the password and a code (or a recovery code); an admin may turn it off for a user who lost their phone
/// (<c>admin.resetTwoFactor</c>).
/// </summary>
internal sealed class TwoFactorHandlers(
    TwoFactorStore twoFactor, AccountPassword password, RpcContext caller, TimeProvider clock, ILogger<TwoFactorHandlers> logger)
    : IRequestHandler<GetTwoFactorCall, TwoFactorStatus>, IRequestHandler<SetupTwoFactorCall, TwoFactorSetup>,
        IRequestHandler<EnableTwoFactorCall, TwoFactorStatus>, IRequestHandler<DisableTwoFactorCall, TwoFactorStatus>,
        IRequestHandler<RegenerateRecoveryCodesCall, TwoFactorStatus>
{
    public const string Issuer = "Messenger";

    public ValueTask<TwoFactorStatus> Handle(GetTwoFactorCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        return ValueTask.FromResult(twoFactor.GetTwoFactor(me) is { Enabled: true }
            ? new TwoFactorStatus(true, twoFactor.RecoveryCodesLeft(me))
            : new TwoFactorStatus(false));
    }

    public async ValueTask<TwoFactorSetup> Handle(SetupTwoFactorCall call, CancellationToken cancellationToken)
    {
        var user = await password.ConfirmAsync(caller, call.Password, cancellationToken);
        var secret = RandomNumberGenerator.GetBytes(Totp.SecretBytes);
        await twoFactor.SetPendingTwoFactorAsync(user.Id, secret, clock.GetUtcNow().ToUnixTimeMilliseconds());
        var encoded = Totp.Base32(secret);
        var label = Uri.EscapeDataString($"{Issuer}:{user.Username}");
        return new TwoFactorSetup(encoded, $"otpauth://totp/{label}?secret={encoded}&issuer={Issuer}&algorithm=SHA1&digits={Totp.Digits}&period={Totp.StepSeconds}");
    }

    public async ValueTask<TwoFactorStatus> Handle(EnableTwoFactorCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var pending = twoFactor.GetTwoFactor(me) ?? throw MessengerError.BadRequest(SessionErrorNames.TwoFactorNotSetUp);
        if (pending.Enabled)
        {
            throw MessengerError.BadRequest(SessionErrorNames.TwoFactorEnabled);
        }

        // A second setup meanwhile replaced the secret: the code was for the old one.
        var recoveryCodes = RecoveryCode.NewCodes();
        if (Totp.Match(pending.Secret, call.Code, clock.GetUtcNow(), pending.LastStep) is not { } step
            || !await twoFactor.EnableTwoFactorAsync(me, pending.Secret, step, RecoveryCode.Hashes(recoveryCodes)))
        {
            throw MessengerError.BadRequest(SessionErrorNames.TwoFactorCodeInvalid);
        }

        logger.LogInformation("User {UserId} turned on two-step verification", me);
        return new TwoFactorStatus(true, recoveryCodes.Length, recoveryCodes);
    }

    public async ValueTask<TwoFactorStatus> Handle(DisableTwoFactorCall call, CancellationToken cancellationToken)
    {
        using var confirmed = await password.StartAsync(caller, call.Password, cancellationToken);
        var user = confirmed.User;
        var current = twoFactor.GetTwoFactor(user.Id) is { Enabled: true } on ? on : throw MessengerError.BadRequest(SessionErrorNames.TwoFactorNotEnabled);
        // Someone who lost their phone signs in with a recovery code, and turns it off with another to set up a new phone.
        var passed = RecoveryCode.Normalize(call.Code) is { } recoveryCode
            ? await twoFactor.UseRecoveryCodeAsync(user.Id, RecoveryCode.Hash(recoveryCode)) is not null
            : await UseAppCodeAsync(user.Id, current, call.Code);
        if (!passed)
        {
            throw WrongCode(confirmed);
        }

        await twoFactor.DeleteTwoFactorAsync(user.Id);
        logger.LogInformation("User {UserId} turned off two-step verification", user.Id);
        return new TwoFactorStatus(false);
    }

    public async ValueTask<TwoFactorStatus> Handle(RegenerateRecoveryCodesCall call, CancellationToken cancellationToken)
    {
        using var confirmed = await password.StartAsync(caller, call.Password, cancellationToken);
        var user = confirmed.User;
        var current = twoFactor.GetTwoFactor(user.Id) is { Enabled: true } on ? on : throw MessengerError.BadRequest(SessionErrorNames.TwoFactorNotEnabled);
        if (!await UseAppCodeAsync(user.Id, current, call.Code))
        {
            throw WrongCode(confirmed);
        }

        var recoveryCodes = RecoveryCode.NewCodes();
        if (!await twoFactor.ReplaceRecoveryCodesAsync(user.Id, RecoveryCode.Hashes(recoveryCodes)))
        {
            throw MessengerError.BadRequest(SessionErrorNames.TwoFactorNotEnabled); // turned off meanwhile
        }

        logger.LogInformation("User {UserId} made new recovery codes", user.Id);
        return new TwoFactorStatus(true, recoveryCodes.Length, recoveryCodes);
    }

    private async Task<bool> UseAppCodeAsync(long userId, TwoFactorRecord current, string code) =>
        Totp.Match(current.Secret, code, clock.GetUtcNow(), current.LastStep) is { } step && await twoFactor.UseTwoFactorStepAsync(userId, step);

    // A stolen signed-in device with the password still cannot guess its way past the code.
    private static MessengerError WrongCode(ConfirmedPassword confirmed)
    {
        confirmed.Attempt.Failed();
        return MessengerError.BadRequest(SessionErrorNames.TwoFactorCodeInvalid);
    }
}
