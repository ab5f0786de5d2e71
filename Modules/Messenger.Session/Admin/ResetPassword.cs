using System.Security.Cryptography;
using Mediator;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Devices;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Session.Admin;

/// <summary>Temporary passwords an admin (or the <c>reset-password</c> command) hands to a user who forgot theirs: 16
/// characters of an alphabet without look-alikes (≈ 80 bits), easy to read out and type once. It signs in only for
/// <see cref="SessionOptions.TemporaryPasswordHours"/>, and a device signed in with it must change it first.</summary>
internal static class TemporaryPasswords
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, 16);

    /// <summary>Until when (unix seconds) a temporary password set at <paramref name="now"/> signs in.</summary>
    public static long ExpiresAt(DateTimeOffset now, SessionOptions options) => now.AddHours(options.TemporaryPasswordHours).ToUnixTimeSeconds();
}

/// <summary><c>admin.resetPassword</c>: a temporary password for a user who forgot theirs; their devices are signed out.</summary>
internal sealed class ResetPasswordHandler(
    SessionStore store,
    PasswordHasher hasher,
    DeviceSignOut signOut,
    RpcContext caller,
    TimeProvider clock,
    IOptions<SessionOptions> options,
    ILogger<ResetPasswordHandler> logger)
    : IRequestHandler<ResetPasswordCall, TemporaryPassword>
{
    public async ValueTask<TemporaryPassword> Handle(ResetPasswordCall call, CancellationToken cancellationToken)
    {
        var adminId = caller.RequireAdmin(store);
        if (call.UserId == adminId)
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIsSelf);
        }

        if (store.GetUser(call.UserId) is not { Deleted: false, IsBot: false })
        {
            throw MessengerError.BadRequest(SessionErrorNames.UserIdInvalid);
        }

        var password = TemporaryPasswords.New();
        var now = clock.GetUtcNow();
        var expiresAt = TemporaryPasswords.ExpiresAt(now, options.Value);
        var revoked = await store.ChangePasswordAsync(call.UserId, await hasher.HashAsync(password, cancellationToken), keepAuthorizationId: 0,
            new AuditRecord(now.ToUnixTimeSeconds(), adminId, AuditActions.ResetPassword, call.UserId), temporaryUntil: expiresAt);
        await signOut.SignedOutAsync(revoked, "password reset by an admin");
        logger.LogInformation("Admin {AdminId} reset the password of user {UserId}; {Count} devices signed out", adminId, call.UserId, revoked.Count);
        return new TemporaryPassword(password, expiresAt);
    }
}
