using Messenger.Contracts.Auth;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Limits;
using Messenger.Session.Storage;

namespace Messenger.Session.Passwords;

/// <summary>
/// A signed-in user confirming an account change with their password (a new password, deleting the account): a wrong
/// one is 400 <c>PASSWORD_INVALID</c> and counts against the account like a failed sign-in, so a stolen device cannot
/// guess its way in; while the account is locked out even the right one waits (420 <c>FLOOD_WAIT</c>).
/// </summary>
internal sealed class AccountPassword(SessionStore store, PasswordHasher hasher, AuthLimits limits)
{
    /// <summary>The signed-in caller's account, once <paramref name="password"/> is found to be its password.</summary>
    public async Task<UserRecord> ConfirmAsync(RpcContext caller, string password, CancellationToken cancellationToken)
    {
        var user = store.GetUser(caller.RequireUserId()) ?? throw MessengerError.Unauthorized(ErrorNames.AuthKeyUnregistered);
        var account = AuthLimits.AccountKey(Rules.UsernameKey(user.Username));
        if (limits.FailuresPerAccount.RetryAfter(account) is { } wait)
        {
            throw MessengerError.FloodWait(wait);
        }

        if (!await hasher.VerifyAsync(user.PasswordHash, password, cancellationToken))
        {
            limits.FailuresPerAccount.Record(account);
            throw MessengerError.BadRequest(SessionErrorNames.PasswordInvalid);
        }

        return user;
    }
}
