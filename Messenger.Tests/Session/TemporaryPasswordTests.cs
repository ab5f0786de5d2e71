using Messenger.Client;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Help;
using Messenger.Contracts.Rpc;
using Messenger.Tests.Infrastructure;
using Messenger.Update.Online;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>An admin's temporary password is for one thing: choosing a new one, within <c>TemporaryPasswordHours</c>.</summary>
public sealed class TemporaryPasswordTests
{
    [Fact]
    public async Task SignIn_WithATemporaryPassword_IsRestrictedUntilChangePassword_ThenTheSameConnectionWorks()
    {
        await using var host = await StartHostAsync();
        await using var admin = await host.SignedInClientAsync("founder");
        await using var bystander = await host.SignedInClientAsync("bystander");
        await using var setup = await host.ConnectAsync();
        var userId = (await setup.RegisterAsync("forgetful", Password, "Forgetful")).User.Id;
        var temporary = await admin.ResetPasswordAsync(userId);

        await using var phone = await host.ConnectAsync();
        var signedIn = await phone.SignInAsync("forgetful", temporary, "Phone", "android");

        signedIn.PasswordChangeRequired.Should().BeTrue();
        signedIn.User.Id.Should().Be(userId);
        var refused = await FailsWith(() => phone.GetSelfAsync(), ErrorNames.PasswordChangeRequired);
        refused.Code.Should().Be(403);
        await FailsWith(() => phone.SearchUsersAsync("bystander"), ErrorNames.PasswordChangeRequired);
        await FailsWith(() => phone.GetAuthorizationsAsync(), ErrorNames.PasswordChangeRequired);
        (await phone.CallAsync(new GetConfigCall())).Should().NotBeNull("help.* stays open");
        await FailsWith(() => phone.ChangePasswordAsync("not the temporary one", "my own password"), SessionErrorNames.PasswordInvalid);
        await FailsWith(() => phone.ChangePasswordAsync(temporary, "short"), SessionErrorNames.PasswordTooShort);
        (await bystander.GetSelfAsync()).Username.Should().Be("bystander", "another account is not restricted");
        var online = host.Services.GetRequiredService<OnlineDevices>();
        online.IsOnline(userId).Should().BeFalse("a restricted device gets no updates: whoever else knows the password would read them");

        await phone.ChangePasswordAsync(temporary, "my own password");

        await WaitUntil(() => online.IsOnline(userId));

        (await phone.GetSelfAsync()).Id.Should().Be(userId, "the same connection is no longer restricted");
        (await phone.SearchUsersAsync("bystander")).Should().ContainSingle();
        await using var laptop = await host.ConnectAsync();
        await FailsWith(() => laptop.SignInAsync("forgetful", temporary, "Laptop", "linux"), SessionErrorNames.CredentialsInvalid);
        (await laptop.SignInAsync("forgetful", "my own password", "Laptop", "linux")).PasswordChangeRequired.Should().BeFalse();
        (await laptop.GetSelfAsync()).Id.Should().Be(userId);
    }

    [Fact]
    public async Task SignIn_AfterAPasswordTheUserChose_IsNeverRestricted()
    {
        await using var host = await StartHostAsync();
        await using var admin = await host.SignedInClientAsync("founder");
        await using var phone = await host.SignedInClientAsync("chooser");

        await phone.ChangePasswordAsync(Password, "a password of my own");
        await using var laptop = await host.ConnectAsync();
        var signedIn = await laptop.SignInAsync("chooser", "a password of my own", "Laptop", "linux");

        signedIn.PasswordChangeRequired.Should().BeFalse();
        (await laptop.GetSelfAsync()).Username.Should().Be("chooser");
        (await phone.GetSelfAsync()).Username.Should().Be("chooser");
    }

    [Fact]
    public async Task SignIn_WithAnExpiredTemporaryPassword_FailsPasswordExpired_WhileAWrongOneStaysCredentialsInvalid()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:TemporaryPasswordHours"] = "2" }, clock);
        await using var admin = await host.SignedInClientAsync("founder");
        await using var setup = await host.ConnectAsync();
        var userId = (await setup.RegisterAsync("slowpoke", Password, "Slowpoke")).User.Id;
        var reset = await admin.CallAsync(new ResetPasswordCall(userId));
        reset.ExpiresAt.Should().Be(clock.GetUtcNow().AddHours(2).ToUnixTimeSeconds());

        clock.Advance(TimeSpan.FromMinutes(119));
        await using var early = await host.ConnectAsync();
        (await early.SignInAsync("slowpoke", reset.Password, "Early", "android")).PasswordChangeRequired.Should().BeTrue();
        clock.Advance(TimeSpan.FromMinutes(1));
        await using var late = await host.ConnectAsync();

        var expired = await FailsWith(() => late.SignInAsync("slowpoke", reset.Password, "Late", "android"), SessionErrorNames.PasswordExpired);
        expired.Code.Should().Be(401);
        await FailsWith(() => late.SignInAsync("slowpoke", "a wrong guess", "Late", "android"), SessionErrorNames.CredentialsInvalid);
        await FailsWith(() => late.SignInAsync("slowpoke", Password, "Late", "android"), SessionErrorNames.CredentialsInvalid);

        var again = await admin.ResetPasswordAsync(userId);
        (await late.SignInAsync("slowpoke", again, "Late", "android")).PasswordChangeRequired.Should().BeTrue("a new reset starts a new time");
    }

    [Fact]
    public async Task TheResetPasswordCommand_OnARunningServer_RestrictsNewSignInsOnly_NotTheDevicesItKeeps()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        await using var host = await StartHostAsync(dataDirectory: data);
        await using var desktop = await host.SignedInClientAsync("lone_admin");

        var reset = await HostProcess.RunAsync(
            ["reset-password", "lone_admin", $"--Messenger:DataDirectory={data}", "--Messenger:Session:PasswordHash:MemoryKiB=1024"]);

        reset.ExitCode.Should().Be(0, reset.Output);
        var temporary = System.Text.RegularExpressions.Regex.Match(reset.Output, "Temporary password: (\\S+)").Groups[1].Value;
        await using var laptop = await host.ConnectAsync();
        (await laptop.SignInAsync("lone_admin", temporary, "Laptop", "linux")).PasswordChangeRequired.Should().BeTrue();
        await FailsWith(() => laptop.GetAuditLogAsync(), ErrorNames.PasswordChangeRequired);
        (await desktop.GetAuditLogAsync()).Should().ContainSingle(e => e.Action == AuditActions.ResetPassword,
            "a device signed in before the command is its owner's, and stays as it was");

        await laptop.ChangePasswordAsync(temporary, "the admin's own again");

        (await laptop.GetAuditLogAsync()).Should().NotBeEmpty();
    }
}
