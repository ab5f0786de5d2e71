using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;

namespace Messenger.Session.Storage;

/// <summary>An account's two-step verification: its TOTP secret, whether a code confirmed it (on), the last step used.</summary>
internal sealed record TwoFactorRecord(byte[] Secret, bool Enabled, long LastStep);

/// <summary>
/// Two-step verification's SQL: an account's TOTP secret (waiting for its first code, or on), the last time step used
/// (a code is good once), and the hashes of its one-time recovery codes. Reads open their own pooled connection; writes
/// are units of the group-commit writer, so a code or a recovery code checked and used in one unit cannot be used twice
/// by two sign-ins at once.
/// </summary>
internal sealed class TwoFactorStore(SqliteDatabase database, StorageWriter writer)
{
    /// <summary>Forgets the account's recovery codes (also the <c>reset-two-factor</c> command's, on its own connection).</summary>
    public const string DeleteRecoveryCodes = "DELETE FROM session_recovery_codes WHERE user_id = @user";

    public TwoFactorRecord? GetTwoFactor(long userId)
    {
        using var connection = database.Open();
        using var command = SessionStore.Command(connection, "SELECT secret, enabled, last_step FROM session_two_factor WHERE user_id = @user", ("@user", userId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new TwoFactorRecord((byte[])reader.GetValue(0), reader.GetInt64(1) != 0, reader.GetInt64(2)) : null;
    }

    /// <summary>Keeps a new secret waiting for its first code (replacing one that waits); refused while it is on.</summary>
    public Task SetPendingTwoFactorAsync(long userId, byte[] secret, long nowMs) =>
        writer.WriteAsync(scope =>
        {
            if (scope.Scalar("SELECT 1 FROM session_two_factor WHERE user_id = @user AND enabled = 1", ("@user", userId)) is not null)
            {
                throw MessengerError.BadRequest(SessionErrorNames.TwoFactorEnabled);
            }

            scope.Execute("INSERT OR REPLACE INTO session_two_factor (user_id, secret, enabled, last_step, created_at) VALUES (@user, @secret, 0, 0, @now)",
                ("@user", userId), ("@secret", secret), ("@now", nowMs));
        });

    /// <summary>Turns it on with the step of the code that confirmed it, with the hashes of its recovery codes; false
    /// when that step was used meanwhile (or another enable came first).</summary>
    public Task<bool> EnableTwoFactorAsync(long userId, byte[] secret, long step, byte[][] recoveryCodeHashes) =>
        writer.WriteAsync(scope =>
        {
            if (scope.Execute(
                    "UPDATE session_two_factor SET enabled = 1, last_step = @step WHERE user_id = @user AND enabled = 0 AND secret = @secret AND last_step < @step",
                    ("@step", step), ("@user", userId), ("@secret", secret)) == 0)
            {
                return false;
            }

            SetRecoveryCodes(scope, userId, recoveryCodeHashes);
            return true;
        });

    /// <summary>How many unused recovery codes the account has (none while two-step verification is off).</summary>
    public int RecoveryCodesLeft(long userId)
    {
        using var connection = database.Open();
        using var command = SessionStore.Command(connection, "SELECT count(*) FROM session_recovery_codes WHERE user_id = @user", ("@user", userId));
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Replaces every recovery code of the account by new ones; false when two-step verification is off.</summary>
    public Task<bool> ReplaceRecoveryCodesAsync(long userId, byte[][] codeHashes) =>
        writer.WriteAsync(scope =>
        {
            if (scope.Scalar("SELECT 1 FROM session_two_factor WHERE user_id = @user AND enabled = 1", ("@user", userId)) is null)
            {
                return false;
            }

            SetRecoveryCodes(scope, userId, codeHashes);
            return true;
        });

    /// <summary>Uses up the recovery code with this hash: how many are left after it, or null when the account has no
    /// such code (wrong, or used already). Checked and deleted in one statement of the writer, so two sign-ins sending
    /// the same code at once cannot both have it.</summary>
    public Task<int?> UseRecoveryCodeAsync(long userId, byte[] codeHash) =>
        writer.WriteAsync(scope =>
        {
            if (scope.Execute(
                    "DELETE FROM session_recovery_codes WHERE user_id = @user AND code_hash = @hash " +
                    "AND EXISTS (SELECT 1 FROM session_two_factor WHERE user_id = @user AND enabled = 1)",
                    ("@user", userId), ("@hash", codeHash)) == 0)
            {
                return (int?)null;
            }

            return Convert.ToInt32(scope.Scalar("SELECT count(*) FROM session_recovery_codes WHERE user_id = @user", ("@user", userId)));
        });

    private static void SetRecoveryCodes(WriteScope scope, long userId, byte[][] codeHashes)
    {
        scope.Execute("DELETE FROM session_recovery_codes WHERE user_id = @user", ("@user", userId));
        foreach (var hash in codeHashes)
        {
            scope.Execute("INSERT INTO session_recovery_codes (user_id, code_hash) VALUES (@user, @hash)", ("@user", userId), ("@hash", hash));
        }
    }

    /// <summary>Uses the code of <paramref name="step"/>: false when it (or a later one) was used already, so a code
    /// seen by someone else cannot be played again, even by two sign-ins at once.</summary>
    public Task<bool> UseTwoFactorStepAsync(long userId, long step) =>
        writer.WriteAsync(scope => scope.Execute(
            "UPDATE session_two_factor SET last_step = @step WHERE user_id = @user AND enabled = 1 AND last_step < @step",
            ("@step", step), ("@user", userId)) > 0);

    /// <summary>Turns it off (and forgets the secret and the recovery codes); false when it was not on.</summary>
    public Task<bool> DeleteTwoFactorAsync(long userId, AuditRecord? audit = null) =>
        writer.WriteAsync(scope =>
        {
            if (scope.Execute("DELETE FROM session_two_factor WHERE user_id = @user AND enabled = 1", ("@user", userId)) == 0)
            {
                return false;
            }

            scope.Execute(DeleteRecoveryCodes, ("@user", userId));
            SessionStore.Audit(scope, audit);
            return true;
        });
}
