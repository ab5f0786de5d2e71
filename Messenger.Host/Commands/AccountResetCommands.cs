using Messenger.Contracts.Admin;
using Messenger.Kernel.Storage;
using Messenger.Session;
using Messenger.Session.Admin;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Messenger.Host.Commands;

/// <summary>
/// The way back for an admin locked out with no other admin to ask (<c>admin.resetPassword</c> and
/// <c>admin.resetTwoFactor</c> are for everyone else), run on the server's machine with the server running or not:
/// <c>Messenger.Host reset-password &lt;username&gt;</c> sets a temporary password, hashed with the configured cost, and
/// prints it (it signs in for <c>TemporaryPasswordHours</c>, and a device signed in with it must change it first);
/// <c>Messenger.Host reset-two-factor &lt;username&gt;</c> turns two-step verification off (its recovery codes go with it).
/// Each change is recorded in the audit log as the console's (actor 0), in its transaction. The account's devices stay
/// signed in, unrestricted: they are the owner's, who may be the locked-out admin (the server caches them until it
/// restarts; Settings → Devices signs them out).
/// </summary>
internal static class AccountResetCommands
{
    /// <summary>0 with the temporary password printed; 2 with a one-line reason.</summary>
    public static Task<int> ResetPasswordAsync(string username, string[] args, TextWriter output, TextWriter error) =>
        ChangeAccountAsync(username, args, output, error, AuditActions.ResetPassword, "reset-password command", async (services, command, userId) =>
        {
            var password = TemporaryPasswords.New();
            var expiresAt = TemporaryPasswords.ExpiresAt(DateTimeOffset.UtcNow, services.GetRequiredService<IOptions<Session.SessionOptions>>().Value);
            // A database the server has not migrated yet has no expiry: its temporary password stays until changed.
            command.CommandText = "SELECT 1 FROM pragma_table_info('session_users') WHERE name = 'temporary_password_expires_at'";
            var expires = await command.ExecuteScalarAsync() is not null;
            command.CommandText = expires
                ? "UPDATE session_users SET password_hash = @hash, temporary_password_expires_at = @until WHERE id = @id"
                : "UPDATE session_users SET password_hash = @hash WHERE id = @id";
            command.Parameters.AddWithValue("@hash", await services.GetRequiredService<PasswordHasher>().HashAsync(password, CancellationToken.None));
            command.Parameters.AddWithValue("@until", expiresAt);
            command.Parameters.AddWithValue("@id", userId);
            await command.ExecuteNonQueryAsync();
            return $"Password of {username} reset. Temporary password: {password}{Environment.NewLine}" +
                (expires ? $"It signs in until {DateTimeOffset.FromUnixTimeSeconds(expiresAt):yyyy-MM-dd HH:mm} UTC; a device signed in with it must choose a new one first." +
                    $"{Environment.NewLine}Devices already signed in stay signed in." :
                    "Sign in with it and choose a new one in Settings → Change password.");
        });

    /// <summary>0 when two-step verification was on and is now off; 2 with a one-line reason.</summary>
    public static Task<int> ResetTwoFactorAsync(string username, string[] args, TextWriter output, TextWriter error) =>
        ChangeAccountAsync(username, args, output, error, AuditActions.ResetTwoFactor, "reset-two-factor command", async (_, command, userId) =>
        {
            command.CommandText = "DELETE FROM session_two_factor WHERE user_id = @user AND enabled = 1";
            command.Parameters.AddWithValue("@user", userId);
            if (await command.ExecuteNonQueryAsync() == 0)
            {
                return null;
            }

            // A database the server has not migrated yet has no recovery codes.
            command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_recovery_codes'";
            if (await command.ExecuteScalarAsync() is not null)
            {
                command.CommandText = TwoFactorStore.DeleteRecoveryCodes;
                await command.ExecuteNonQueryAsync();
            }

            return $"Two-step verification of {username} turned off. Sign in with the password alone and turn it on again in Settings.";
        }, refusal: $"two-step verification is not on for {username}");

    /// <summary>
    /// Finds the person named <paramref name="username"/> and, in one transaction, makes <paramref name="change"/> (its
    /// answer is printed; null refuses with <paramref name="refusal"/>) and records it in the audit log.
    /// </summary>
    private static async Task<int> ChangeAccountAsync(
        string username, string[] args, TextWriter output, TextWriter error, string action, string detail,
        Func<IServiceProvider, SqliteCommand, long, Task<string?>> change, string? refusal = null)
    {
        if (MessengerApp.MissingDatabase(args) is { } missing)
        {
            await error.WriteLineAsync($"Reset failed: no database at {missing}: is Messenger:DataDirectory right?");
            return 2;
        }

        using var app = MessengerApp.Build(args);
        var database = app.Services.GetRequiredService<SqliteDatabase>();

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // People only: a deleted account has no username, and a bot never signs in.
        command.CommandText = "SELECT id FROM session_users WHERE username_key = @key AND username <> '' AND is_bot = 0";
        command.Parameters.AddWithValue("@key", Rules.UsernameKey(username));
        if (await command.ExecuteScalarAsync() is not long userId)
        {
            await error.WriteLineAsync($"Reset failed: no account named {username}");
            return 2;
        }

        command.Parameters.Clear();
        if (await change(app.Services, command, userId) is not { } done)
        {
            await error.WriteLineAsync($"Reset failed: {refusal}");
            return 2;
        }

        // A database the server has not migrated yet has no audit log.
        command.Parameters.Clear();
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_audit'";
        if (await command.ExecuteScalarAsync() is not null)
        {
            command.CommandText = SessionStore.AuditInsert;
            command.Parameters.AddWithValue("@at", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("@actor", 0L);
            command.Parameters.AddWithValue("@action", action);
            command.Parameters.AddWithValue("@user", userId);
            command.Parameters.AddWithValue("@detail", detail);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await output.WriteLineAsync(done);
        return 0;
    }
}
