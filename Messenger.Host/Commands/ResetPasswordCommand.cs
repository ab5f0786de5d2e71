using Messenger.Contracts.Admin;
using Messenger.Kernel.Storage;
using Messenger.Session;
using Messenger.Session.Admin;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;

namespace Messenger.Host.Commands;

/// <summary>
/// <c>Messenger.Host reset-password &lt;username&gt;</c>: the way back for an admin who forgot their password and has no
/// other admin to ask (<c>admin.resetPassword</c> is for everyone else). Sets a temporary password, hashed with the
/// configured cost, and prints it; run it on the server's machine, with the server running or not. The account's
/// devices stay signed in (the server caches them until it restarts; Settings → Devices signs them out).
/// </summary>
internal static class ResetPasswordCommand
{
    /// <summary>0 with the temporary password printed; 2 with a one-line reason.</summary>
    public static async Task<int> RunAsync(string username, string[] args, TextWriter output, TextWriter error)
    {
        using var app = MessengerApp.Build(args);
        var database = app.Services.GetRequiredService<SqliteDatabase>();
        if (!File.Exists(database.Path))
        {
            await error.WriteLineAsync($"Reset failed: no database at {database.Path}: is Messenger:DataDirectory right?");
            return 2;
        }

        var password = TemporaryPasswords.New();
        var hash = await app.Services.GetRequiredService<PasswordHasher>().HashAsync(password, CancellationToken.None);
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // People only: a deleted account has no username, and a bot never signs in.
        command.CommandText = "UPDATE session_users SET password_hash = @hash WHERE username_key = @key AND username <> '' AND is_bot = 0 RETURNING id";
        command.Parameters.AddWithValue("@hash", hash);
        command.Parameters.AddWithValue("@key", Rules.UsernameKey(username));
        if (await command.ExecuteScalarAsync() is not long userId)
        {
            await error.WriteLineAsync($"Reset failed: no account named {username}");
            return 2;
        }

        // In the audit log as the console's (actor 0), with the change (a database the server has not migrated yet has no log).
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_audit'";
        if (await command.ExecuteScalarAsync() is not null)
        {
            command.Parameters.Clear();
            command.CommandText = SessionStore.AuditInsert;
            command.Parameters.AddWithValue("@at", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            command.Parameters.AddWithValue("@actor", 0L);
            command.Parameters.AddWithValue("@action", AuditActions.ResetPassword);
            command.Parameters.AddWithValue("@user", userId);
            command.Parameters.AddWithValue("@detail", "reset-password command");
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();

        await output.WriteLineAsync($"Password of {username} reset. Temporary password: {password}");
        await output.WriteLineAsync("Sign in with it and choose a new one in Settings → Change password.");
        return 0;
    }
}
