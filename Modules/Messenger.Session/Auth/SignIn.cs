using FluentValidation;
using Mediator;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Limits;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Session.Auth;

internal sealed class SignInValidator : AbstractValidator<SignInCall>
{
    public SignInValidator()
    {
        // Sign-in checks only what it must: a username of the wrong shape is simply an unknown user.
        RuleFor(c => c.Username).NotNull().WithErrorCode(SessionErrorNames.UsernameInvalid)
            .MaximumLength(64).WithErrorCode(SessionErrorNames.UsernameInvalid);
        RuleFor(c => c.Password).NotNull().WithErrorCode(SessionErrorNames.CredentialsInvalid)
            .Must(p => p is null || System.Text.Encoding.UTF8.GetByteCount(p) <= Rules.PasswordMaxBytes).WithErrorCode(SessionErrorNames.PasswordTooLong);
        RuleFor(c => c.DeviceName).DeviceName();
        RuleFor(c => c.Platform).Platform();
        RuleFor(c => c.Code).Must(c => c is null || Totp.IsCodeShape(c) || RecoveryCode.IsShape(c)).WithErrorCode(SessionErrorNames.TwoFactorCodeInvalid);
    }
}

/// <summary>
/// A sign-in takes its attempt's places (<see cref="AuthLimits.StartPasswordAttempt"/>) once its hash can start, not
/// before waiting in the hasher's line: calls sent at once get no more guesses than calls one after another (the checks
/// running hold places like failures), and a long line, anybody's, holds no place of an address whose users are only
/// waiting their turn (the address's share of the line is capped by the hasher instead). The places go back as soon as
/// the password is known right, not after the bind: they are the account's few, and a bind waits for a write, so right
/// sign-ins at once for one account would be refused for holding them.
/// </summary>
internal sealed class SignInHandler(
    SessionStore store,
    TwoFactorStore twoFactors,
    PasswordHasher hasher,
    AuthLimits limits,
    KnownDevices knownDevices,
    AuthorizationCache authorizations,
    NewAuthorizations newAuthorizations,
    RpcContext caller,
    TimeProvider clock,
    ILogger<SignInHandler> logger) : IRequestHandler<SignInCall, SignedIn>
{
    public async ValueTask<SignedIn> Handle(SignInCall call, CancellationToken cancellationToken)
    {
        if (caller.UserId is not null)
        {
            throw MessengerError.BadRequest(SessionErrorNames.AlreadySignedIn);
        }

        var usernameKey = Rules.UsernameKey(call.Username);
        // A device that signed in to this account by password before counts on its own key, so others' guesses at the
        // name do not lock it out; any other device counts on the account's.
        var limited = Rules.IsUsername(call.Username) ? knownDevices.SignInKey(usernameKey, caller.DeviceKey) : AuthLimits.AccountKey(usernameKey);
        var address = AuthLimits.AddressKey(caller.ClientAddress);
        limits.ThrowIfLockedOut(limited, address);
        using var slot = await hasher.TakeSlotAsync([address], cancellationToken);
        using var attempt = limits.StartPasswordAttempt(limited, address);

        // An unknown user is verified against a decoy hash: same work, same time, same answer as a wrong password.
        var user = Rules.IsUsername(call.Username) ? store.FindUserByUsername(usernameKey) : null;
        // A bot has no password: it is verified against the decoy too, and never signs in.
        var verified = await slot.VerifyAsync(user is { IsBot: false } ? user.PasswordHash : null, call.Password, cancellationToken);
        slot.Dispose();
        if (!verified)
        {
            throw Failed("sign-in", SessionErrorNames.CredentialsInvalid);
        }

        // Only the right password learns that it has expired; it counts as no failure (it is no guess).
        var temporary = user!.TemporaryPasswordExpiresAt is not null;
        if (user.TemporaryPasswordExpiresAt <= clock.GetUtcNow().ToUnixTimeSeconds())
        {
            logger.LogInformation("User {UserId} tried an expired temporary password", user.Id);
            throw MessengerError.Unauthorized(SessionErrorNames.PasswordExpired);
        }

        int? recoveryCodesLeft = null;
        if (twoFactors.GetTwoFactor(user.Id) is { Enabled: true } twoFactor)
        {
            // The password was right: without the code nothing is counted; a wrong code is a failed sign-in.
            if (call.Code is null)
            {
                throw MessengerError.BadRequest(SessionErrorNames.TwoFactorCodeRequired);
            }

            if (RecoveryCode.Normalize(call.Code) is { } recoveryCode)
            {
                // A code is used up once taken: not for a sign-in that is refused anyway.
                if (user.IsBlocked)
                {
                    throw MessengerError.Forbidden(SessionErrorNames.UserBlocked);
                }

                recoveryCodesLeft = await twoFactors.UseRecoveryCodeAsync(user.Id, RecoveryCode.Hash(recoveryCode))
                    ?? throw Failed("recovery code", SessionErrorNames.TwoFactorCodeInvalid);
                logger.LogInformation("User {UserId} used a recovery code, {RecoveryCodesLeft} left", user.Id, recoveryCodesLeft);
            }
            else if (Totp.Match(twoFactor.Secret, call.Code, clock.GetUtcNow(), twoFactor.LastStep) is not { } step
                || !await twoFactors.UseTwoFactorStepAsync(user.Id, step))
            {
                throw Failed("two-step code", SessionErrorNames.TwoFactorCodeInvalid);
            }
        }

        attempt.Succeeded();
        if (user.IsBlocked)
        {
            throw MessengerError.Forbidden(SessionErrorNames.UserBlocked);
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var passwordHash = user.PasswordHash;
        long authorizationId;
        try
        {
            authorizationId = await BindAsync(passwordHash);
        }
        catch (MessengerError e) when (e.Name == SessionErrorNames.CredentialsInvalid)
        {
            // The hash changed between the check and the bind. Another sign-in may have rehashed this very password (a
            // new cost): the password is checked once more against the hash now stored, so a right one is not turned
            // away; one changed or an account deleted meanwhile still fails. This check holds no attempt place: only a
            // password just found right gets here, and it can match only a hash of itself.
            if (store.GetUser(user.Id)?.PasswordHash is not { Length: > 0 } current || current == passwordHash
                || !await hasher.VerifyAsync(current, call.Password, cancellationToken, [address]))
            {
                throw;
            }

            passwordHash = current;
            authorizationId = await BindAsync(passwordHash);
        }

        authorizations.Invalidate(caller.DeviceKey);
        if (hasher.NeedsRehash(passwordHash))
        {
            await store.RehashPasswordAsync(user.Id, passwordHash, await hasher.HashAsync(call.Password, cancellationToken, [address]));
        }

        logger.LogInformation("User {UserId} signed in a device as authorization {AuthorizationId}{Temporary}", user.Id, authorizationId,
            temporary ? " with a temporary password" : "");
        return new SignedIn(user.ToUser(), authorizationId, user.IsAdmin, recoveryCodesLeft, PasswordChangeRequired: temporary);

        // The bind refuses a hash changed since it was read, and whether the password is temporary changes only with it.
        Task<long> BindAsync(string checkedHash) => newAuthorizations.AddAsync(
            user.Id, caller.DeviceKey, call.DeviceName.Trim(), call.Platform.Trim(), caller.ClientAddress ?? "", now, checkedHash,
            passwordChangeRequired: temporary);

        // A failed attempt counts against the account (or the known device) and the address; the log says whether it
        // locked them out.
        MessengerError Failed(string what, string error)
        {
            var lockout = attempt.Failed();
            logger.LogInformation("Failed {What} from {ClientAddress}{Lockout}", what, caller.ClientAddress,
                lockout is { } seconds ? $", locked out for {seconds} s" : "");
            return MessengerError.BadRequest(error);
        }
    }
}
