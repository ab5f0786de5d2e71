using Messenger.Client;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>A forgotten password: <c>admin.resetPassword</c> for a user, <c>Messenger.Host reset-password</c> for the admin.</summary>
public sealed class PasswordResetTests
{
    [Fact]
    public async Task AnAdmin_ResetsAUsersPassword_SigningOutTheirDevices_AndTheTemporaryOneSignsIn()
    {
        await using var host = await StartHostAsync();
        await using var admin = await host.SignedInClientAsync("founder");
        await using var phone = await host.ConnectWithoutReconnectAsync();
        await phone.RegisterAsync("forgetful", Password, "Forgetful");
        var userId = (await phone.SignInAsync("forgetful", Password, "Phone", "android")).User.Id;
        var adminId = (await admin.SearchUsersAsync("founder")).Single().Id;

        var temporary = await admin.ResetPasswordAsync(userId);

        temporary.Should().MatchRegex("^[A-Za-z2-9]{16}$");
        await WaitUntil(() => !phone.IsConnected);
        await using var again = await host.ConnectAsync();
        await FailsWith(() => again.SignInAsync("forgetful", Password, "Phone", "android"), SessionErrorNames.CredentialsInvalid);
        await again.SignInAsync("forgetful", temporary, "Phone", "android");
        await again.ChangePasswordAsync(temporary, "my own password again");

        await FailsWith(() => again.ResetPasswordAsync(adminId), SessionErrorNames.AdminRequired);
        await FailsWith(() => admin.ResetPasswordAsync(adminId), SessionErrorNames.UserIsSelf);
        await FailsWith(() => admin.ResetPasswordAsync(999_999), SessionErrorNames.UserIdInvalid);
        var bot = await admin.CreateBotAsync("nopassword_bot", "No password");
        await FailsWith(() => admin.ResetPasswordAsync(bot.Bot.Id), SessionErrorNames.UserIdInvalid);
    }

    [Fact]
    public async Task TheResetTwoFactorCommand_LetsTheAdminWhoLostTheirAuthenticatorSignInWithThePassword()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using (var host = await StartHostAsync(clock: clock, dataDirectory: data))
        {
            await using var admin = await host.SignedInClientAsync("phone_loser");
            var secret = FromBase32((await admin.SetupTwoFactorAsync(Password)).Secret);
            await admin.EnableTwoFactorAsync(Messenger.Session.Passwords.Totp.Code(secret, Messenger.Session.Passwords.Totp.StepAt(clock.GetUtcNow())));
            host.CountRows("session_recovery_codes").Should().Be(10);
        }

        var settings = new[] { $"--Messenger:DataDirectory={data}" };
        var reset = await HostProcess.RunAsync(["reset-two-factor", "Phone_Loser", .. settings]);
        var again = await HostProcess.RunAsync(["reset-two-factor", "phone_loser", .. settings]);
        var unknown = await HostProcess.RunAsync(["reset-two-factor", "nobody_here", .. settings]);

        reset.ExitCode.Should().Be(0, reset.Output);
        reset.Output.Should().Contain("Two-step verification of Phone_Loser turned off");
        again.ExitCode.Should().Be(2);
        again.Output.Should().Contain("two-step verification is not on for phone_loser");
        unknown.ExitCode.Should().Be(2);
        unknown.Output.Should().Contain("no account named nobody_here");

        await using var restarted = await StartHostAsync(dataDirectory: data);
        restarted.CountRows("session_recovery_codes").Should().Be(0, "the recovery codes go with two-step verification");
        await using var client = await restarted.ConnectAsync();
        var signedIn = await client.SignInAsync("phone_loser", Password, "New phone", "android");
        (await client.GetAuditLogAsync()).Should().ContainSingle().Which.Should().Match<AuditEntry>(e =>
            e.ActorId == 0 && e.Action == AuditActions.ResetTwoFactor && e.UserId == signedIn.User.Id && e.Detail == "reset-two-factor command");
    }

    [Fact]
    public async Task TheResetPasswordCommand_GivesTheLockedOutAdminATemporaryPassword()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        await using (var host = await StartHostAsync(dataDirectory: data))
        {
            await using var admin = await host.SignedInClientAsync("lone_admin");
        }

        var settings = new[] { $"--Messenger:DataDirectory={data}", "--Messenger:Session:PasswordHash:Iterations=3", "--Messenger:Session:PasswordHash:MemoryKiB=1024" };
        var reset = await HostProcess.RunAsync(["reset-password", "Lone_Admin", .. settings]);
        var unknown = await HostProcess.RunAsync(["reset-password", "nobody_here", .. settings]);
        var missing = Path.Combine(directory.Path, "missing");
        var nowhere = await HostProcess.RunAsync(["reset-password", "lone_admin", $"--Messenger:DataDirectory={missing}"]);

        reset.ExitCode.Should().Be(0, reset.Output);
        var temporary = System.Text.RegularExpressions.Regex.Match(reset.Output, "Temporary password: (\\S+)").Groups[1].Value;
        temporary.Should().HaveLength(16);
        unknown.ExitCode.Should().Be(2);
        unknown.Output.Should().Contain("no account named nobody_here");
        nowhere.ExitCode.Should().Be(2);
        nowhere.Output.Should().Contain("no database at");
        Directory.Exists(missing).Should().BeFalse("a mistyped data directory is refused, not created empty");

        await using var restarted = await StartHostAsync(dataDirectory: data);
        await using var client = await restarted.ConnectAsync();
        await FailsWith(() => client.SignInAsync("lone_admin", Password, "Laptop", "linux"), SessionErrorNames.CredentialsInvalid);
        var signedIn = await client.SignInAsync("lone_admin", temporary, "Laptop", "linux");
        signedIn.User.Username.Should().Be("lone_admin");
        await client.ChangePasswordAsync(temporary, "the admin's own again");
        (await client.GetAuditLogAsync()).Should().ContainSingle().Which.Should().Match<AuditEntry>(e =>
            e.ActorId == 0 && e.Action == AuditActions.ResetPassword && e.UserId == signedIn.User.Id && e.Detail == "reset-password command");
    }
}
