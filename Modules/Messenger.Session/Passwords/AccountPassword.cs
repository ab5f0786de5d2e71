using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Limits;
using Messenger.Session.Storage;

namespace Messenger.Session.Passwords;

/// <summary>
/// A signed-in user confirming an account change with their password (a new password, deleting the account): a wrong
/// one is 400 <c>PASSWORD_INVALID</c> and counts like a failed sign-in from this device (against the account, or the
/// device's own key when it is known to it: <see cref="KnownDevices"/>), so a stolen device cannot guess its way in; while
/// that key is locked out even the right one waits (420 <c>FLOOD_WAIT</c>).
/// </summary>
internal sealed class AccountPassword(SessionStore store, PasswordHasher hasher, AuthLimits limits, KnownDevices knownDevices)
{
    /// <summary>The signed-in caller's account, once <paramref name="password"/> is found to be its password.</summary>
    public async Task<UserRecord> ConfirmAsync(RpcContext caller, string password, CancellationToken cancellationToken)
    {
        using var confirmed = await StartAsync(caller, password, cancellationToken);
        return confirmed.User;
    }

    /// <summary>As <see cref="ConfirmAsync"/>, for a change that also takes a two-step code: the attempt is held until
    /// disposed, so the code is checked within it and a wrong one is counted (<see cref="PasswordAttempt.Failed"/>).
    /// A right password alone counts nothing and clears nothing.</summary>
    public async Task<ConfirmedPassword> StartAsync(RpcContext caller, string password, CancellationToken cancellationToken)
    {
        var user = store.GetUser(caller.RequireUserId()) ?? throw MessengerError.Unauthorized(ErrorNames.AuthKeyUnregistered);
        var usernameKey = Rules.UsernameKey(user.Username);
        // Counted on the key its sign-ins count on: a known device's own (others' guesses do not hold its owner's checks
        // back); the account's share of the hasher's line stays the account's.
        var limited = knownDevices.SignedInKey(user.Id, usernameKey, caller.DeviceKey);
        limits.ThrowIfLockedOut(limited);
        using var slot = await hasher.TakeSlotAsync([AuthLimits.AccountKey(usernameKey), AuthLimits.AddressKey(caller.ClientAddress)], cancellationToken);
        // Taken once the hash can start, like a sign-in's: checks sent at once get no more guesses than checks one after
        // another, and waiting in line holds no place.
        var attempt = limits.StartPasswordAttempt(limited);
        try
        {
            if (!await slot.VerifyAsync(user.PasswordHash, password, cancellationToken))
            {
                attempt.Failed();
                throw MessengerError.BadRequest(SessionErrorNames.PasswordInvalid);
            }

            return new ConfirmedPassword(user, attempt);
        }
        catch
        {
            attempt.Dispose();
            throw;
        }
    }
}

/// <summary>The account whose password was confirmed, with the attempt it holds until disposed.</summary>
internal sealed class ConfirmedPassword(UserRecord user, PasswordAttempt attempt) : IDisposable
{
    public UserRecord User { get; } = user;

    public PasswordAttempt Attempt { get; } = attempt;

    public void Dispose() => Attempt.Dispose();
}
