using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>An admin and the people they look after, in the built web client: invites, reports, backups, password and two-step resets.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdministrationEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserEndToEndTests(browser, output)
{
    [Fact]
    public async Task Administration_InSettings_CreatesInvites_BlocksAndUnblocks_AndNamesAnotherAdmin()
    {
        // Alice registered first: she is the server's admin; Bob is not and sees no administration.
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Heading, new() { Name = "Delete account" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToHaveCountAsync(0);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByLabel("Invite uses").FillAsync("2");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create invite" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Invite for 2 people created" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("invite-code")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[A-Za-z0-9_-]{16,}$"));
        await Expect(alice.Page.GetByTestId("admin-user")).ToHaveCountAsync(2);
        await alice.ScreenshotAsync("12-administration");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Block {bobName.Display}" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("admin-user").Filter(new() { HasText = bobName.Display })).ToContainTextAsync("blocked");
        await Expect(bob.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Unblock {bobName.Display}" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Make admin {bobName.Display}" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Remove admin {bobName.Display}" })).ToBeVisibleAsync();

        await bob.Page.GetByLabel("Username").FillAsync(bobName.Username);
        await bob.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task AReportedMessage_ReachesTheAdmin_WhoDeletesItForEveryone_AndTheAuditLogSaysSo()
    {
        // Alice registered first: she is the server's admin.
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await bob.CreateGroupAsync("Market", aliceName.Username);
        await bob.SendAsync("Cheap watches, DM me");
        await bob.SendAsync("Also selling phones");
        await alice.OpenChatAsync("Market");
        var offending = alice.Message("Cheap watches, DM me");
        await offending.HoverAsync();
        await Expect(bob.Message("Cheap watches, DM me").GetByRole(AriaRole.Button, new() { Name = "Report" })).ToHaveCountAsync(0);
        await offending.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        var dialog = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Report message" });
        await dialog.GetByLabel("Reason").SelectOptionAsync("spam");
        await dialog.GetByLabel("Comment (optional)").FillAsync("Posts this everywhere");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Status)).ToContainTextAsync("Reported");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var reports = alice.Page.GetByTestId("admin-reports");
        await Expect(reports.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Reports (1 open)");
        var report = reports.GetByTestId("report");
        await Expect(report).ToContainTextAsync($"Spam: {bobName.Display} in Market");
        await Expect(report).ToContainTextAsync("Cheap watches, DM me");
        await Expect(report).ToContainTextAsync("Posts this everywhere");
        await alice.ScreenshotAsync("27-reports");
        await report.GetByRole(AriaRole.Button, new() { Name = "Delete message" }).ClickAsync();

        await Expect(reports).ToContainTextAsync("No open reports.");
        await Expect(alice.Page.GetByTestId("audit-entry").First).ToContainTextAsync($"deleted a reported message of {bobName.Display}");
        await Expect(bob.Message("Cheap watches, DM me")).ToHaveCountAsync(0);

        // The clean-up after a spammer: everything they posted, everywhere, once confirmed.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Delete messages {bobName.Display}" }).ClickAsync();
        var confirm = alice.Page.GetByTestId("purge-confirm");
        await Expect(confirm).ToContainTextAsync($"Delete every message {bobName.Display} posted");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete all" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"1 message of {bobName.Display} deleted" })).ToBeVisibleAsync();
        await Expect(bob.Message("Also selling phones")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task AReportOfADeletedGroupsMessage_StaysForTheAdmin_SayingTheGroupIsDeleted_WithNothingToDelete()
    {
        // Alice registered first: she is the server's admin.
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await bob.CreateGroupAsync("Doomed", aliceName.Username);
        await bob.SendAsync("Gold coins, cheap");
        await alice.OpenChatAsync("Doomed");
        var offending = alice.Message("Gold coins, cheap");
        await offending.HoverAsync();
        await offending.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        var dialog = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Report message" });
        await dialog.GetByLabel("Reason").SelectOptionAsync("spam");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Status)).ToContainTextAsync("Reported");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Delete group" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete Doomed?" }).GetByRole(AriaRole.Button, new() { Name = "Delete group" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("dialog").Filter(new() { HasText = "Doomed" })).ToHaveCountAsync(0);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var reports = alice.Page.GetByTestId("admin-reports");
        var report = reports.GetByTestId("report");
        await Expect(report).ToContainTextAsync($"Spam: {bobName.Display} in a deleted group");
        await Expect(report).ToContainTextAsync("Gold coins, cheap");
        await Expect(report.GetByRole(AriaRole.Button, new() { Name = "Delete message" })).ToHaveCountAsync(0);
        await report.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(reports).ToContainTextAsync("No open reports.");
        AssertNoProblems();
    }

    [Fact]
    public async Task AReportFiledByAnotherUser_ShowsTheAdminItsCountLive_WhoseNoticeOpensTheReports()
    {
        // Alice registered first: she is the server's admin.
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Garden", bobName.Username);
        await alice.SendAsync("Buy my seeds at seeds.example");
        await Expect(alice.Page.GetByTestId("reports-notice")).ToHaveCountAsync(0);

        await bob.OpenChatAsync("Garden");
        var offending = bob.Message("Buy my seeds at seeds.example");
        await offending.HoverAsync();
        await offending.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "Report message" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Status)).ToContainTextAsync("Reported");

        var notice = alice.Page.GetByTestId("reports-notice");
        await Expect(notice).ToHaveTextAsync("1 report to review");
        await Expect(alice.Page.GetByTestId("settings-reports-badge")).ToHaveTextAsync("1");
        await Expect(bob.Page.GetByTestId("reports-notice")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("27b-reports-notice");

        await notice.ClickAsync();
        await Expect(alice.Page.GetByTestId("admin-reports-badge")).ToHaveTextAsync("1");
        var reports = alice.Page.GetByTestId("admin-reports");
        await Expect(reports.GetByRole(AriaRole.Heading)).ToHaveTextAsync("Reports (1 open)");
        await reports.GetByTestId("report").GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(reports).ToContainTextAsync("No open reports.");
        await Expect(alice.Page.GetByTestId("admin-reports-badge")).ToHaveCountAsync(0);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("reports-notice")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("settings-reports-badge")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task UsageAndBackups_InAdministration_ListWhatTheServerHoldsAndKept_BackUpNow_AndShowAFailure()
    {
        KeptData = new TempDirectory();
        var backups = Path.Combine(KeptData.Path, "backups");
        Host = await WebTestKit.StartHostAsync(
            dataDirectory: Path.Combine(KeptData.Path, "data"), settings: new Dictionary<string, string?> { ["Messenger:Backup:Directory"] = backups });
        await Session.SessionTestKit.WaitUntil(() => Directory.GetDirectories(backups, "messenger-*").Length == 1); // taken at start
        var (alice, _, _, _) = await TwoPeopleAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var usage = alice.Page.GetByTestId("server-stats");
        await Expect(usage).ToContainTextAsync("Accounts2");
        await Expect(usage).ToContainTextAsync("Free disk");
        await Expect(alice.Page.GetByTestId("registration-mode")).ToContainTextAsync(
            "Registration is open: anyone who can reach this server can create an account.");
        await Expect(alice.Page.GetByTestId("registration-mode")).ToContainTextAsync("Messenger:Session:RegistrationMode");
        var section = alice.Page.GetByTestId("backups");
        await Expect(section).ToContainTextAsync($"Every 24 h into {backups}; the newest 7 are kept.");
        await Expect(section.GetByTestId("backup")).ToHaveCountAsync(1);
        await section.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();
        await Expect(section.GetByTestId("backup")).ToHaveCountAsync(2);
        Directory.GetDirectories(backups, "messenger-*").Should().HaveCount(2);
        await alice.ScreenshotAsync("backups");

        Directory.Delete(backups, recursive: true);
        await File.WriteAllTextAsync(backups, "in the way");
        await section.GetByRole(AriaRole.Button, new() { Name = "Back up now" }).ClickAsync();
        await Expect(section.GetByRole(AriaRole.Alert)).ToContainTextAsync("The last backup failed");
        await Expect(section.GetByTestId("backup")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Administration_ResetsAForgottenPassword_RecordsItInTheAuditLog_AndTheTemporaryOneAsksForANewPasswordFirst()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Reset password {bobName.Display}" }).ClickAsync();
        var box = alice.Page.GetByTestId("temporary-password");
        await Expect(box).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[A-Za-z2-9]{16}$"));
        var temporary = await box.InputValueAsync();
        await Expect(alice.Page.GetByText("Signs in until")).ToContainTextAsync("after that they ask you again");
        var audit = alice.Page.GetByTestId("audit-entry");
        await Expect(audit).ToHaveCountAsync(1);
        await Expect(audit).ToContainTextAsync($"Alice Liddell reset the password of {bobName.Display}");

        await Expect(bob.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await bob.Page.GetByLabel("Username").FillAsync(bobName.Username);
        await bob.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(temporary);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // Nothing loads before a password of Bob's own replaces the one the admin knows; a reload comes back here.
        var page = bob.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToHaveCountAsync(0);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("short");
        await page.GetByLabel("New password again").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The password is too short: use at least 8 characters");
        await page.ReloadWhenSettledAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await page.GetByLabel("Temporary password").FillAsync(temporary);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("bob's own password");
        await page.GetByLabel("New password again").FillAsync("bob's own pasword");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The two new passwords are not the same: type it again");
        await page.GetByLabel("New password again").FillAsync("bob's own password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();
        await page.ReloadWhenSettledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task TwoStepVerification_SetUpInSettings_AsksANewDeviceForACode_AndAnAdminCanTurnItOff()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var settings = bob.Page;
        await settings.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(settings.GetByTestId("two-step-status")).ToContainTextAsync("Off");
        await settings.GetByLabel("Password for two-step verification").FillAsync(WebUser.Password);
        await settings.GetByRole(AriaRole.Button, new() { Name = "Set up two-step verification" }).ClickAsync();
        await Expect(settings.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" })).ToBeVisibleAsync();
        var secret = Messenger.Tests.Session.SessionTestKit.FromBase32(await settings.GetByLabel("Secret key").InputValueAsync());
        var step = Messenger.Session.Passwords.Totp.StepAt(DateTimeOffset.UtcNow);
        await settings.GetByLabel("Code from the app").FillAsync(Messenger.Session.Passwords.Totp.Code(secret, step));
        await settings.GetByRole(AriaRole.Button, new() { Name = "Turn on two-step verification" }).ClickAsync();
        await Expect(settings.GetByTestId("two-step-status")).ToContainTextAsync("On");
        await bob.ScreenshotAsync("25-two-step");

        // Bob's laptop: the password is not enough any more.
        var laptop = await OpenAsync();
        await laptop.Page.GetByLabel("Username").FillAsync(bobName.Username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Enter the code from your authenticator app, or one of your recovery codes.");
        await laptop.Page.GetByLabel("Code", new() { Exact = true }).FillAsync("000000");
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong code: enter the current code from your authenticator app");
        // The code that turned it on is used up; the next step's is taken (an app's clock a little ahead) — or, on a machine
        // slow enough that the real clock passed it, the step of now.
        var later = Math.Max(step + 1, Messenger.Session.Passwords.Totp.StepAt(DateTimeOffset.UtcNow));
        await laptop.Page.GetByLabel("Code", new() { Exact = true }).FillAsync(Messenger.Session.Passwords.Totp.Code(secret, later));
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var row = alice.Page.GetByTestId("admin-user").Filter(new() { HasText = bobName.Display });
        await Expect(row).ToContainTextAsync("two-step verification");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Reset two-step {bobName.Display}" }).ClickAsync();
        await Expect(row).Not.ToContainTextAsync("two-step verification");
        AssertNoProblems();
    }
}
