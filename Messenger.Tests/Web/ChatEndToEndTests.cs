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

/// <summary>Two people (and a second device) use the built web client in real Chromium against the real host.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ChatEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<BrowserPage> _pages = [];
    private TestHost _host = null!;
    private TempDirectory? _keptData;
    private string _test = "";

    public async Task InitializeAsync() => _host = await WebTestKit.StartHostAsync();

    public async Task DisposeAsync()
    {
        // Where each page ended up, to read a failure by: the last screen of every page and what its console said.
        for (var i = 0; i < _pages.Count; i++)
        {
            try
            {
                await _pages[i].ScreenshotAsync($"last-{_test}-{i + 1}");
            }
            catch (PlaywrightException e)
            {
                output.WriteLine($"page {i + 1}: no screenshot ({e.Message})");
            }

            foreach (var problem in _pages[i].Problems)
            {
                output.WriteLine($"page {i + 1}: {problem}");
            }

            await _pages[i].DisposeAsync();
        }

        await _host.DisposeAsync();
        _keptData?.Dispose();
    }

    [Fact]
    public async Task EditsAndDeletes_InAChatNotOpenedYet_LeaveItsWholeHistoryToLoadWhenOpened()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("First, kept");
        await alice.SendAsync("Second, to be edited");
        await alice.SendAsync("Third, to be deleted");
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Third, to be deleted" })).ToBeVisibleAsync();

        var edited = alice.Message("Second, to be edited");
        await edited.HoverAsync();
        await edited.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Second, edited");
        await box.PressAsync("Enter");
        var doomed = alice.Message("Third, to be deleted");
        await doomed.HoverAsync();
        await doomed.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Delete for me and {bobName.Display}" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Second, edited" })).ToBeVisibleAsync();

        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("First, kept")).ToBeVisibleAsync();
        await Expect(bob.Message("Second, edited")).ToBeVisibleAsync();
        await Expect(bob.Message("Third, to be deleted")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Chat_WhenTwoPeopleTalk_BothSeeMessagesTypingReadTicksEditsAndDeletesAcrossReloads()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();

        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hello Bob");
        await alice.SendAsync("This one will be deleted");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Hello Bob")).ToBeVisibleAsync();
        await Expect(alice.Message("Hello Bob").Ticks("read")).ToBeVisibleAsync();

        await alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("Are you th");
        await Expect(bob.Page.GetByTestId("chat-status")).ToHaveTextAsync("typing…");
        await bob.ScreenshotAsync("03-conversation-typing");
        await alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("");
        await bob.SendAsync("Hi Alice");
        await Expect(alice.Message("Hi Alice")).ToBeVisibleAsync();

        var original = alice.Message("Hello Bob");
        await original.HoverAsync();
        await original.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Hello Bob, edited");
        await box.PressAsync("Enter");
        await Expect(bob.Message("Hello Bob, edited")).ToContainTextAsync("edited");

        var doomed = alice.Message("This one will be deleted");
        await doomed.HoverAsync();
        await doomed.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Delete for me and {bobName.Display}" }).ClickAsync();
        await Expect(bob.Message("This one will be deleted")).ToHaveCountAsync(0);
        await Expect(alice.Message("This one will be deleted")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("04-conversation");

        await bob.Page.ReloadAsync();
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Hello Bob, edited")).ToBeVisibleAsync();
        await Expect(bob.Message("Hi Alice")).ToBeVisibleAsync();
        await Expect(bob.Message("This one will be deleted")).ToHaveCountAsync(0);
        await bob.ScreenshotAsync("05-after-reload");
        AssertNoProblems();
    }

    [Fact]
    public async Task PinnedBar_WithTwoPins_CyclesOnClick_AndUnpinAllClearsItForBoth()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Agenda first");
        await alice.SendAsync("Agenda second");
        await bob.OpenChatAsync(aliceName.Display);
        foreach (var text in new[] { "Agenda first", "Agenda second" })
        {
            var message = alice.Message(text);
            await message.HoverAsync();
            await message.GetByRole(AriaRole.Button, new() { Name = "Pin", Exact = true }).ClickAsync();
        }

        var bar = bob.Page.GetByTestId("pinned-bar");
        await Expect(bar).ToContainTextAsync("Pinned message #2 of 2");
        await Expect(bar).ToContainTextAsync("Agenda second");
        await bar.GetByRole(AriaRole.Button, new() { Name = "Show the pinned message" }).ClickAsync();
        await Expect(bar).ToContainTextAsync("Pinned message #1 of 2");
        await Expect(bar).ToContainTextAsync("Agenda first");
        await bar.GetByRole(AriaRole.Button, new() { Name = "Show the pinned message" }).ClickAsync();
        await Expect(bar).ToContainTextAsync("Agenda second");

        // Escape closes the list (and only the list: the chat stays open), focus back on its button; so does a press elsewhere.
        var listButton = bar.GetByRole(AriaRole.Button, new() { Name = "All pinned messages" });
        await listButton.ClickAsync();
        await Expect(bob.Page.GetByTestId("pinned-list")).ToBeVisibleAsync();
        await bob.Page.Keyboard.PressAsync("Escape");
        await Expect(bob.Page.GetByTestId("pinned-list")).ToHaveCountAsync(0);
        await Expect(listButton).ToBeFocusedAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);
        await listButton.ClickAsync();
        await Expect(bob.Page.GetByTestId("pinned-list")).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByTestId("pinned-list")).ToHaveCountAsync(0);

        await listButton.ClickAsync();
        await Expect(bob.Page.GetByTestId("pinned-list").GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await bob.Page.GetByTestId("pinned-list").GetByRole(AriaRole.Button, new() { Name = "Unpin all messages" }).ClickAsync();
        await Expect(bar).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("pinned-bar")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Account_WhenDeletedInSettings_GoesBackToSignIn_AndThePeerReadsTheChatWithADeletedAccount()
    {
        // Alice registered first and is the server's admin, who may not go: Bob deletes his account.
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hello Bob");
        await bob.OpenChatAsync(aliceName.Display);
        await bob.SendAsync("Goodbye Alice");

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await bob.Page.GetByLabel("Password to delete").FillAsync("not my password");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Password invalid" })).ToBeVisibleAsync();
        await bob.Page.GetByLabel("Password to delete").FillAsync(WebUser.Password);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await bob.ScreenshotAsync("11-account-deleted");

        await alice.Page.ReloadAsync();
        await alice.OpenChatAsync("Deleted Account");
        await Expect(alice.Message("Goodbye Alice")).ToBeVisibleAsync();
        await Expect(alice.Message("Hello Bob")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("deleted account");
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "This account was deleted" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

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
        _keptData = new TempDirectory();
        await _host.DisposeAsync();
        var backups = Path.Combine(_keptData.Path, "backups");
        _host = await WebTestKit.StartHostAsync(
            dataDirectory: Path.Combine(_keptData.Path, "data"), settings: new Dictionary<string, string?> { ["Messenger:Backup:Directory"] = backups });
        await Session.SessionTestKit.WaitUntil(() => Directory.GetDirectories(backups, "messenger-*").Length == 1); // taken at start
        var (alice, _, _, _) = await TwoPeopleAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var usage = alice.Page.GetByTestId("server-stats");
        await Expect(usage).ToContainTextAsync("Accounts2");
        await Expect(usage).ToContainTextAsync("Free disk");
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
    public async Task Administration_ResetsAForgottenPassword_RecordsItInTheAuditLog_AndTheTemporaryOneSignsIn()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Reset password {bobName.Display}" }).ClickAsync();
        var box = alice.Page.GetByTestId("temporary-password");
        await Expect(box).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[A-Za-z2-9]{16}$"));
        var temporary = await box.InputValueAsync();
        var audit = alice.Page.GetByTestId("audit-entry");
        await Expect(audit).ToHaveCountAsync(1);
        await Expect(audit).ToContainTextAsync($"Alice Liddell reset the password of {bobName.Display}");

        await Expect(bob.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await bob.Page.GetByLabel("Username").FillAsync(bobName.Username);
        await bob.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(temporary);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();
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
        await Expect(laptop.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Two factor code invalid");
        // The code that turned it on is used up; the next step's is taken (an app's clock a little ahead).
        await laptop.Page.GetByLabel("Code", new() { Exact = true }).FillAsync(Messenger.Session.Passwords.Totp.Code(secret, step + 1));
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var row = alice.Page.GetByTestId("admin-user").Filter(new() { HasText = bobName.Display });
        await Expect(row).ToContainTextAsync("two-step verification");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Reset two-step {bobName.Display}" }).ClickAsync();
        await Expect(row).Not.ToContainTextAsync("two-step verification");
        AssertNoProblems();
    }

    [Fact]
    public async Task RecoveryCodes_ShownOnceTwoStepIsTurnedOn_SignANewBrowserIn_AndAreMadeAnew()
    {
        _test = "RecoveryCodes";
        var username = WebUser.NewUsername("carol");
        var carol = await OpenAsync();
        await carol.RegisterAsync(username, "Carol Keeper");
        var settings = carol.Page;
        await settings.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await settings.GetByLabel("Password for two-step verification").FillAsync(WebUser.Password);
        await settings.GetByRole(AriaRole.Button, new() { Name = "Set up two-step verification" }).ClickAsync();
        var secret = Messenger.Tests.Session.SessionTestKit.FromBase32(await settings.GetByLabel("Secret key").InputValueAsync());
        var step = Messenger.Session.Passwords.Totp.StepAt(DateTimeOffset.UtcNow);
        await settings.GetByLabel("Code from the app").FillAsync(Messenger.Session.Passwords.Totp.Code(secret, step));
        await settings.GetByRole(AriaRole.Button, new() { Name = "Turn on two-step verification" }).ClickAsync();

        var shown = settings.GetByRole(AriaRole.Region, new() { Name = "Recovery codes" }).GetByTestId("recovery-code");
        await Expect(shown).ToHaveCountAsync(10);
        await Expect(settings.GetByTestId("recovery-codes-left")).ToHaveTextAsync("10 recovery codes left");
        var codes = (await shown.AllTextContentsAsync()).Select(c => c.Trim()).ToList();
        codes.Should().OnlyHaveUniqueItems().And.AllSatisfy(c => c.Should().MatchRegex("^[0-9a-z]{5}-[0-9a-z]{5}$"));
        var download = await settings.RunAndWaitForDownloadAsync(() => settings.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        download.SuggestedFilename.Should().Be($"messenger-recovery-codes-{username}.txt");
        (await File.ReadAllTextAsync(await download.PathAsync())).Should().ContainAll(codes);
        await carol.ScreenshotAsync("26-recovery-codes");
        await settings.GetByRole(AriaRole.Button, new() { Name = "I saved them" }).ClickAsync();
        await Expect(shown).ToHaveCountAsync(0);

        // A new browser, no phone at hand: a recovery code, typed in capitals, stands in for the app's code.
        var laptop = await OpenAsync();
        await laptop.Page.GetByLabel("Username").FillAsync(username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByText("or a recovery code (xxxxx-xxxxx)")).ToBeVisibleAsync();
        await laptop.Page.GetByLabel("Code", new() { Exact = true }).FillAsync(codes[0].ToUpperInvariant());
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByTestId("recovery-notice")).ToContainTextAsync("Signed in with a recovery code: 9 are left.");
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(laptop.Page.GetByTestId("recovery-notice")).ToHaveCountAsync(0);

        // The first browser makes new codes with the password and a code of the app; the count is back to 10.
        await settings.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await settings.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(settings.GetByTestId("recovery-codes-left")).ToHaveTextAsync("9 recovery codes left");
        await settings.GetByRole(AriaRole.Button, new() { Name = "New recovery codes" }).ClickAsync();
        await settings.GetByLabel("Password for new recovery codes").FillAsync(WebUser.Password);
        await settings.GetByLabel("Code from the app").FillAsync(Messenger.Session.Passwords.Totp.Code(secret, step + 1));
        await settings.GetByRole(AriaRole.Button, new() { Name = "Make new recovery codes" }).ClickAsync();
        await Expect(shown).ToHaveCountAsync(10);
        await Expect(settings.GetByTestId("recovery-codes-left")).ToHaveTextAsync("10 recovery codes left");
        (await shown.AllTextContentsAsync()).Select(c => c.Trim()).Should().NotIntersectWith(codes);
        AssertNoProblems();
    }

    [Fact]
    public async Task NewSignIn_OnASecondBrowser_IsAnnouncedOnTheFirst_WhichReviewsItsDevices_AndChoosesWhenUnusedOnesGo()
    {
        _test = "NewSignIn";
        var username = WebUser.NewUsername("dana");
        var first = await OpenAsync();
        await first.RegisterAsync(username, "Dana Scully");

        var second = await OpenAsync();
        await second.Page.GetByLabel("Username").FillAsync(username);
        await second.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await second.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(second.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();

        var notice = first.Page.GetByTestId("sign-in-notice");
        await Expect(notice).ToHaveTextAsync(new Regex(@"^New sign-in: .+ \(web\) from \S+ at .+\. Not you\? Open Settings → Devices\."));
        await Expect(second.Page.GetByTestId("sign-in-notice")).ToHaveCountAsync(0);
        await first.ScreenshotAsync("28-new-sign-in");

        await notice.GetByRole(AriaRole.Button, new() { Name = "Review devices" }).ClickAsync();
        await Expect(first.Page.GetByTestId("device")).ToHaveCountAsync(2);
        var autoSignOut = first.Page.GetByLabel("Automatically sign out devices inactive for");
        await Expect(autoSignOut).ToHaveValueAsync("180");
        await autoSignOut.SelectOptionAsync(new SelectOptionValue { Label = "1 week" });
        await Expect(first.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "devices inactive that long are signed out" })).ToBeVisibleAsync();
        await notice.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(notice).ToHaveCountAsync(0);

        var reopened = await first.ReopenAsync();
        _pages[_pages.IndexOf(first)] = reopened;
        await reopened.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(reopened.Page.GetByLabel("Automatically sign out devices inactive for")).ToHaveValueAsync("7");
        await Expect(reopened.Page.GetByTestId("sign-in-notice")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Contact_AddedFromTheChatHeaderUnderAName_IsListedInContacts_NamesTheChat_AndIsRenamedAndDeletedInItsInfo()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hi Bob, adding you");
        var page = alice.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Add to contacts" }).ClickAsync();
        var add = page.GetByRole(AriaRole.Dialog, new() { Name = "Add to contacts" });
        await Expect(add.GetByLabel("Contact name")).ToHaveValueAsync(bobName.Display);
        await add.GetByLabel("Contact name").FillAsync("Bobby from work");
        await add.GetByRole(AriaRole.Button, new() { Name = "Add contact" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Bobby from work");
        await Expect(page.GetByTestId("dialog").Filter(new() { HasText = "Bobby from work" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add to contacts" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Contacts", Exact = true }).ClickAsync();
        var contact = page.GetByTestId("contact");
        await Expect(contact).ToHaveCountAsync(1);
        await Expect(contact).ToContainTextAsync("Bobby from work");
        await Expect(contact).ToContainTextAsync("online");
        await alice.ScreenshotAsync("29-contacts");
        await contact.ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Bobby from work");

        // Kept on the server: a reload shows the same name; the other side is not told and keeps its own names.
        await page.ReloadAsync();
        await alice.OpenChatAsync("Bobby from work");
        await bob.OpenChatAsync(aliceName.Display);

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(info).ToContainTextAsync(bobName.Display);
        await info.GetByRole(AriaRole.Button, new() { Name = "Edit contact" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog, new() { Name = "Edit contact" });
        await Expect(edit.GetByLabel("Contact name")).ToHaveValueAsync("Bobby from work");
        await edit.GetByLabel("Contact name").FillAsync("Bob B.");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save contact" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Bob B.");

        await info.GetByRole(AriaRole.Button, new() { Name = "Delete contact" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(bobName.Display);
        await Expect(info.GetByRole(AriaRole.Button, new() { Name = "Add to contacts" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Close info" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Contacts", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("contact")).ToHaveCountAsync(0);
        await Expect(page.GetByText("No contacts yet")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task SecondDevice_WhenAddedByLoginToken_SeesTheConversation()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Written on the first device");
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display })).ToBeVisibleAsync();

        var laptop = await OpenAsync();
        await laptop.Page.GetByRole(AriaRole.Tab, new() { Name = "Log in by QR code" }).ClickAsync();
        var tokenField = laptop.Page.GetByRole(AriaRole.Textbox, new() { Name = "Login token" });
        await Expect(tokenField).Not.ToBeEmptyAsync();
        var token = await tokenField.InputValueAsync();
        await laptop.ScreenshotAsync("06-login-token");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByLabel("Login token").FillAsync(token);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Signed in" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("device")).ToHaveCountAsync(2);
        await Expect(alice.Page.GetByTestId("server-fingerprint")).ToHaveTextAsync(ServerKeyFingerprint.Of(_host.ServerPublicKey));
        await alice.ScreenshotAsync("07-settings-devices");
        await laptop.OpenChatAsync(bobName.Display);
        await Expect(alice.Page.GetByTestId("sign-in-notice")).ToHaveCountAsync(0); // the device alice let in herself is no news to her

        await Expect(laptop.Message("Written on the first device")).ToBeVisibleAsync();
        await bob.OpenChatAsync(aliceName.Display);
        await bob.SendAsync("Seen on both devices");
        await Expect(laptop.Message("Seen on both devices")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task File_WhenSentByOne_IsDownloadedByTheOtherWithTheSameBytes_AndItsCaptionEdited()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var content = RandomNumberGenerator.GetBytes(700 * 1024);
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "report.bin", MimeType = "application/octet-stream", Buffer = content });
        await bob.OpenChatAsync(aliceName.Display);
        var download = await bob.Page.RunAndWaitForDownloadAsync(() =>
            bob.Page.GetByRole(AriaRole.Button, new() { Name = "Download report.bin" }).ClickAsync());
        var saved = await download.PathAsync();
        await bob.ScreenshotAsync("08-file-received");

        download.SuggestedFilename.Should().Be("report.bin");
        SHA256.HashData(await File.ReadAllBytesAsync(saved)).Should().Equal(SHA256.HashData(content));

        // The sender gives the file a caption afterwards.
        var sent = alice.Page.GetByTestId("message").Filter(new() { HasText = "report.bin" });
        await sent.HoverAsync();
        await sent.GetByRole(AriaRole.Button, new() { Name = "Edit caption" }).ClickAsync();
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Q3 numbers");
        await box.PressAsync("Enter");
        await Expect(bob.Message("Q3 numbers")).ToContainTextAsync("edited");
        await Expect(bob.Message("Q3 numbers").GetByRole(AriaRole.Button, new() { Name = "Download report.bin" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Photo_WhenSent_ShowsAsAnImageUnderTheContentSecurityPolicy()
    {
        // A 4×3 red PNG.
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==");
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "pic.png", MimeType = "image/png", Buffer = png });
        await bob.OpenChatAsync(aliceName.Display);
        var image = bob.Page.GetByRole(AriaRole.Img, new() { Name = "pic.png", Exact = true });
        await Expect(image).ToBeVisibleAsync();
        await image.EvaluateAsync("image => image.decode()");

        (await image.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(4);
        (await image.GetAttributeAsync("src")).Should().StartWith("blob:");
        AssertNoProblems();
    }

    [Fact]
    public async Task Video_WhenAttached_IsSentWithAFrameOfItAndItsDuration_WhichThePeerSeesOverItsThumbnail()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        // A 2.5 s WebM recorded in the page from a canvas (MediaRecorder): a real video this browser can decode.
        var webm = Convert.FromBase64String(await alice.Page.EvaluateAsync<string>(@"async () => {
            const canvas = document.createElement('canvas');
            canvas.width = 160;
            canvas.height = 120;
            const context = canvas.getContext('2d');
            const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm' });
            const chunks = [];
            recorder.ondataavailable = (e) => chunks.push(e.data);
            const stopped = new Promise((resolve) => (recorder.onstop = resolve));
            recorder.start();
            const start = performance.now();
            await new Promise((resolve) => {
                const timer = setInterval(() => {
                    context.fillStyle = 'red';
                    context.fillRect(0, 0, 160, 120);
                    context.fillStyle = 'blue';
                    context.fillRect(80, 0, 80, 120);
                    if (performance.now() - start > 2500) {
                        clearInterval(timer);
                        resolve();
                    }
                }, 40);
            });
            recorder.stop();
            await stopped;
            const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
            let text = '';
            for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
            return btoa(text);
        }"));

        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "clip.webm", MimeType = "video/webm", Buffer = webm });
        await bob.OpenChatAsync(aliceName.Display);
        var thumb = bob.Page.GetByTestId("video-thumb");
        await Expect(thumb).ToBeVisibleAsync();
        await thumb.EvaluateAsync("image => image.decode()");

        (await thumb.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(160, "the frame, at the video's own size (under 320 px)");
        await Expect(bob.Page.GetByTestId("media-duration")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^0:0[23]$"));
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display }))
            .ToContainTextAsync(new System.Text.RegularExpressions.Regex("Video 0:0[23]"));
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Play clip.webm" }).ClickAsync();
        await Expect(bob.Page.Locator("video.player--video")).ToBeVisibleAsync();

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var shared = bob.Page.GetByTestId("shared-media");
        await shared.GetByRole(AriaRole.Tab, new() { Name = "Videos" }).ClickAsync();
        await Expect(shared.GetByTestId("shared-item")).ToHaveCountAsync(1);
        await Expect(shared.GetByTestId("video-thumb")).ToBeVisibleAsync();
        await Expect(shared.GetByTestId("media-duration")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^0:0[23]$"));
        await shared.GetByRole(AriaRole.Button, new() { Name = "Play clip.webm" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "clip.webm" }).GetByTestId("video-viewer")).ToBeVisibleAsync();
        await bob.ScreenshotAsync("shared-videos");
        AssertNoProblems();
    }

    [Fact]
    public async Task Photo_WhenLarge_ShowsItsThumbnailInThePeersChat_AndTheWholeImageWhenOpened()
    {
        var photo = Media.TestImages.Encode(1000, 500, SkiaSharp.SKEncodedImageFormat.Png);
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "wide.png", MimeType = "image/png", Buffer = photo });
        await bob.OpenChatAsync(aliceName.Display);
        var thumb = bob.Page.GetByTestId("photo-thumb");
        await Expect(thumb).ToBeVisibleAsync();
        await thumb.EvaluateAsync("image => image.decode()");

        (await thumb.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(320, "the bubble shows the thumbnail, not the 1000 px file");
        (await thumb.GetAttributeAsync("src")).Should().StartWith("blob:");
        var box = await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Open wide.png" }).BoundingBoxAsync();
        (box!.Width / box.Height).Should().BeApproximately(2, 0.05f, "the box is sized from the photo's width and height");

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Open wide.png" }).ClickAsync();
        var full = bob.Page.GetByTestId("photo-full");
        await Expect(full).ToBeVisibleAsync();
        await full.EvaluateAsync("image => image.decode()");
        (await full.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(1000);
        AssertNoProblems();
    }

    [Fact]
    public async Task ProfilePhoto_WhenLarge_AvatarsShowItsThumbnail()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        using var files = new TempDirectory();
        var jpeg = Path.Combine(files.Path, "me.jpg");
        await File.WriteAllBytesAsync(jpeg, Media.TestImages.Encode(1200, 1200, SkiaSharp.SKEncodedImageFormat.Jpeg));

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByLabel("Profile photo").SetInputFilesAsync(jpeg);
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo saved" })).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("New photo");

        var avatar = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display }).GetByTestId("avatar-photo");
        await Expect(avatar).ToBeVisibleAsync();
        await avatar.EvaluateAsync("image => image.decode()");
        (await avatar.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(320, "the avatar is the thumbnail, not the 1200 px photo");
        AssertNoProblems();
    }

    [Fact]
    public async Task Message_WhenItLooksLikeMarkup_IsShownAsTextAndRunsNothing()
    {
        const string markup = "<img src=x onerror=alert(1)>";
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        await alice.SendAsync(markup);
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message(markup)).ToBeVisibleAsync();

        (await bob.Message(markup).Locator(".bubble__text").InnerTextAsync()).Should().Be(markup);
        (await bob.Page.Locator("img[src=x]").CountAsync()).Should().Be(0);
        (await alice.Page.Locator("img[src=x]").CountAsync()).Should().Be(0);
        alice.Dialogs.Concat(bob.Dialogs).Should().BeEmpty();
        AssertNoProblems();
    }

    [Fact]
    public async Task Message_WithLinksCodeAndAMention_IsFormatted_AndOnlyHttpAddressesBecomeLinks()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync($"**Docs** at https://example.com/guide. Run `npm ci`, ask @{bobName.Username}, not javascript:alert(1)");
        await box.PressAsync("Enter");

        await bob.OpenChatAsync(aliceName.Display);
        var message = bob.Message("Docs at https://example.com/guide.");
        await Expect(message).ToBeVisibleAsync();
        var link = message.GetByRole(AriaRole.Link, new() { Name = "https://example.com/guide" });
        await Expect(link).ToHaveAttributeAsync("href", "https://example.com/guide");
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        await Expect(message.GetByRole(AriaRole.Link)).ToHaveCountAsync(1);
        await Expect(message.Locator("code")).ToHaveTextAsync("npm ci");
        await Expect(message.Locator("strong")).ToHaveTextAsync("Docs");
        (await message.Locator(".bubble__text").InnerTextAsync()).Should().EndWith("not javascript:alert(1)");

        // A mention opens the chat with that user: here Bob's own, his Saved Messages.
        await message.GetByRole(AriaRole.Button, new() { Name = $"@{bobName.Username}" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Saved Messages");
        bob.Dialogs.Should().BeEmpty();
        AssertNoProblems();
    }

    [Fact]
    public async Task Forward_ToAnotherChat_ShowsTheCopyThereWithItsAuthor()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Meeting moved to 3pm");
        await bob.OpenChatAsync(aliceName.Display);
        var page = bob.Page;
        await bob.CreateGroupAsync("Team room");
        await bob.OpenChatAsync(aliceName.Display);

        var original = bob.Message("Meeting moved to 3pm");
        await original.HoverAsync();
        await original.GetByRole(AriaRole.Button, new() { Name = "Forward", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Forward message" });
        await dialog.GetByLabel("Find a chat").FillAsync("team");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = $"Forward to {aliceName.Display}" })).ToHaveCountAsync(0);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Forward to Team room" }).ClickAsync();

        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Team room");
        var copy = bob.Message("Meeting moved to 3pm");
        await Expect(copy.GetByTestId("forwarded-from")).ToHaveTextAsync($"Forwarded from {aliceName.Display}");
        await page.ReloadAsync();
        await bob.OpenChatAsync("Team room");
        await Expect(bob.Message("Meeting moved to 3pm").GetByTestId("forwarded-from")).ToHaveTextAsync($"Forwarded from {aliceName.Display}");
        AssertNoProblems();
    }

    [Fact]
    public async Task Notifications_AnnounceMessagesOfChatsNotMuted_AndAPinnedMessageShowsToBoth()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        // Bob's browser records notifications instead of showing them, grants the permission when asked, and is in the
        // background (not focused), as a user in another window would be. It has no Push API (this test's contexts are
        // incognito, where Chromium refuses pushes and says so on the console; PushEndToEndTests covers pushes).
        await bob.Context.AddInitScriptAsync("""
            window.PushManager = undefined;
            window.__notifications = [];
            window.Notification = class {
              static permission = 'default';
              static async requestPermission() { window.Notification.permission = 'granted'; return 'granted'; }
              constructor(title, options) { window.__notifications.push({ title, body: options.body, tag: options.tag }); }
              close() {}
            };
            document.hasFocus = () => false;
            """);
        await bob.Page.ReloadAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Turn on desktop notifications" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("notifications-status")).ToContainTextAsync("New messages are announced");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();

        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Ping one");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 1");
        (await Notifications(bob)).Should().Equal($"{aliceName.Display}|Ping one");

        await bob.OpenChatAsync(aliceName.Display);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Unmute", Exact = true })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display }).GetByRole(AriaRole.Img, new() { Name = "muted" }))
            .ToBeVisibleAsync();
        await alice.SendAsync("Ping two");
        await Expect(bob.Message("Ping two")).ToBeVisibleAsync();
        (await Notifications(bob)).Should().HaveCount(1, "the chat is muted: its message arrives unannounced");

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Unmute", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true })).ToBeVisibleAsync();
        await alice.SendAsync("Ping three");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 2");
        (await Notifications(bob)).Should().Equal($"{aliceName.Display}|Ping one", $"{aliceName.Display}|Ping three");

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Unmute", Exact = true })).ToBeVisibleAsync();
        var first = alice.Message("Ping one");
        await first.HoverAsync();
        await first.GetByRole(AriaRole.Button, new() { Name = "Pin", Exact = true }).ClickAsync();
        await Expect(alice.Page.GetByTestId("pinned-bar")).ToContainTextAsync("Ping one");
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasText = "You pinned “Ping one”" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("pinned-bar")).ToContainTextAsync("Ping one");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = $"{aliceName.Display} pinned “Ping one”" })).ToBeVisibleAsync();
        await bob.ScreenshotAsync("12-pinned-and-muted");

        await bob.Page.ReloadAsync();
        // The stand-in Notification starts over with the page: give it the permission the browser would remember.
        await bob.Page.EvaluateAsync("() => { window.Notification.permission = 'granted'; }");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Page.GetByTestId("pinned-bar")).ToContainTextAsync("Ping one");
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Unmute", Exact = true })).ToBeVisibleAsync();
        await bob.Page.GetByTestId("pinned-bar").GetByRole(AriaRole.Button, new() { Name = "Unpin" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("pinned-bar")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("pinned-bar")).ToHaveCountAsync(0);
        (await Notifications(bob)).Should().BeEmpty("the page was reloaded: nothing was announced since, the chat being muted");

        // A call rings even in a muted chat, and is announced while the page is in the background.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 1");
        (await Notifications(bob)).Should().Equal($"{aliceName.Display}|Incoming call");
        await bob.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasText = "Call declined" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task SendWithoutSound_FromTheSendButtonsMenu_ReachesThePeer_AnnouncedQuietly()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        // Bob's browser records notifications (with their silent option) instead of showing them, and is in the background.
        await bob.Context.AddInitScriptAsync("""
            window.PushManager = undefined;
            window.__notifications = [];
            window.Notification = class {
              static permission = 'default';
              static async requestPermission() { window.Notification.permission = 'granted'; return 'granted'; }
              constructor(title, options) { window.__notifications.push({ title, body: options.body, silent: options.silent }); }
              close() {}
            };
            document.hasFocus = () => false;
            """);
        await bob.Page.ReloadAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Turn on desktop notifications" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("notifications-status")).ToContainTextAsync("New messages are announced");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        var send = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true });
        var menu = alice.Page.GetByRole(AriaRole.Menu, new() { Name = "Send options" });

        await box.FillAsync("Changed my mind");
        await send.ClickAsync(new() { Button = MouseButton.Right });
        await Expect(menu.GetByRole(AriaRole.Menuitem, new() { Name = "Schedule message" })).ToBeVisibleAsync();
        await alice.Page.Keyboard.PressAsync("Escape");
        await Expect(menu).ToHaveCountAsync(0);
        await Expect(box).ToHaveValueAsync("Changed my mind"); // closing the menu sends nothing

        await box.FillAsync("Quiet hello");
        await send.ClickAsync(new() { Button = MouseButton.Right });
        await menu.GetByRole(AriaRole.Menuitem, new() { Name = "Send without sound" }).ClickAsync();
        await Expect(menu).ToHaveCountAsync(0);
        await Expect(alice.Message("Quiet hello")).ToBeVisibleAsync();
        await Expect(box).ToHaveValueAsync("");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 1");
        await alice.SendAsync("Loud hello");
        await bob.Page.WaitForFunctionAsync("() => window.__notifications.length === 2");

        (await bob.Page.EvaluateAsync<string[]>("() => window.__notifications.map(n => `${n.title}|${n.body}|${n.silent}`)"))
            .Should().Equal($"{aliceName.Display}|Quiet hello|true", $"{aliceName.Display}|Loud hello|false");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Quiet hello")).ToBeVisibleAsync();
        await Expect(bob.Message("Changed my mind")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Send_ByTheButton_LeavesFocusInTheMessageBox_SoTheNextMessageIsTypedAtOnce()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });

        await box.FillAsync("Sent with the button");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(alice.Message("Sent with the button")).ToBeVisibleAsync();
        await Expect(box).ToBeFocusedAsync();

        await alice.Page.Keyboard.TypeAsync("Typed straight after");
        await alice.Page.Keyboard.PressAsync("Enter");
        await Expect(alice.Message("Typed straight after")).ToBeVisibleAsync();
        await Expect(box).ToHaveValueAsync("");
        AssertNoProblems();
    }

    [Fact]
    public async Task Reactions_ChosenFromTheMenu_AreCountedForBoth_AndAChipTogglesOnesOwn()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Release is out");
        await bob.OpenChatAsync(aliceName.Display);

        var atBob = bob.Message("Release is out");
        await atBob.HoverAsync();
        var react = atBob.GetByRole(AriaRole.Button, new() { Name = "React", Exact = true });
        var menu = atBob.GetByRole(AriaRole.Menu, new() { Name = "Reactions to choose from" });
        await react.ClickAsync();
        await Expect(menu).ToBeVisibleAsync();
        await bob.Page.Keyboard.PressAsync("Escape");
        await Expect(menu).ToHaveCountAsync(0);
        await Expect(react).ToBeFocusedAsync();
        await react.ClickAsync();
        await atBob.GetByRole(AriaRole.Menuitem, new() { Name = "React with 👍" }).ClickAsync();
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "👍 1" })).ToHaveAttributeAsync("aria-pressed", "true");
        var atAlice = alice.Message("Release is out");
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "👍 1" })).ToHaveAttributeAsync("aria-pressed", "false");

        await atAlice.GetByRole(AriaRole.Button, new() { Name = "👍 1" }).ClickAsync();
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "👍 2" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "👍 2" })).ToBeVisibleAsync();
        await bob.ScreenshotAsync("13-reactions");

        await atBob.GetByRole(AriaRole.Button, new() { Name = "👍 2" }).ClickAsync();
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "👍 1" })).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "👍 1" })).ToHaveAttributeAsync("aria-pressed", "true");

        await bob.Page.ReloadAsync();
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Release is out").GetByRole(AriaRole.Button, new() { Name = "👍 1" })).ToHaveAttributeAsync("aria-pressed", "false");
        AssertNoProblems();
    }

    [Fact]
    public async Task Poll_WrittenInAGroup_IsVotedOnLive_ListsItsVoters_AndClosedByItsAuthor()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Lunch club", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "New poll" }).ClickAsync();
        var editor = page.GetByRole(AriaRole.Dialog, new() { Name = "New poll" });
        await editor.GetByLabel("Question").FillAsync("Where to?");
        await editor.GetByLabel("Option 1", new() { Exact = true }).FillAsync("Noodles");
        await editor.GetByLabel("Option 2", new() { Exact = true }).FillAsync("Curry");
        await editor.GetByLabel("Option 3", new() { Exact = true }).FillAsync("Salad");
        await editor.GetByLabel("Show who voted for what").CheckAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Create poll" }).ClickAsync();
        await Expect(editor).ToHaveCountAsync(0);
        var atAlice = page.GetByRole(AriaRole.Group, new() { Name = "Poll: Where to?" });
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "Salad" })).ToBeVisibleAsync();

        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Lunch club" });
        await Expect(row).ToContainTextAsync("📊 Where to?");
        await bob.OpenChatAsync("Lunch club");
        var atBob = bob.Page.GetByRole(AriaRole.Group, new() { Name = "Poll: Where to?" });
        await atBob.GetByRole(AriaRole.Button, new() { Name = "Curry" }).ClickAsync();
        await Expect(atBob.GetByLabel("Curry: 1 vote, 100%, your choice")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");
        await Expect(atAlice.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "Curry" })).ToBeVisibleAsync(); // results show once one has voted
        await atAlice.GetByRole(AriaRole.Button, new() { Name = "Noodles" }).ClickAsync();
        await Expect(atAlice.GetByLabel("Curry: 1 vote, 50%")).ToBeVisibleAsync();
        await Expect(atBob.GetByLabel("Noodles: 1 vote, 50%")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("poll-voters")).ToHaveTextAsync("2 votes");
        await bob.ScreenshotAsync("21-poll");

        await atAlice.GetByRole(AriaRole.Button, new() { Name = "Voters" }).ClickAsync();
        var voters = page.GetByRole(AriaRole.Dialog, new() { Name = "Voters" });
        await Expect(voters.GetByRole(AriaRole.Region, new() { Name = "Curry" })).ToContainTextAsync(bobName.Display);
        await Expect(voters.GetByRole(AriaRole.Region, new() { Name = "Salad" })).ToContainTextAsync("Nobody");
        await voters.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await atBob.GetByRole(AriaRole.Button, new() { Name = "Retract vote" }).ClickAsync();
        await Expect(atAlice.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");
        await atBob.GetByRole(AriaRole.Button, new() { Name = "Salad" }).ClickAsync();
        (await atBob.GetByRole(AriaRole.Button, new() { Name = "Close poll" }).CountAsync()).Should().Be(0, "only its author closes it");
        await atAlice.GetByRole(AriaRole.Button, new() { Name = "Close poll" }).ClickAsync();
        await Expect(atBob.GetByText("Final results")).ToBeVisibleAsync();
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "Retract vote" })).ToHaveCountAsync(0);

        await bob.Page.ReloadAsync();
        await bob.OpenChatAsync("Lunch club");
        await Expect(atBob.GetByLabel("Salad: 1 vote, 50%, your choice")).ToBeVisibleAsync();
        await Expect(atBob.GetByText("Final results")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Quiz_AnsweredOnce_ShowsTheRightAnswerAndTheExplanation_OnlyAfterAnswering()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Quiz night", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "New poll" }).ClickAsync();
        var editor = page.GetByRole(AriaRole.Dialog, new() { Name = "New poll" });
        await editor.GetByLabel("Question").FillAsync("Capital of France?");
        await editor.GetByLabel("Option 1", new() { Exact = true }).FillAsync("Lyon");
        await editor.GetByLabel("Option 2", new() { Exact = true }).FillAsync("Paris");
        await editor.GetByLabel("Option 3", new() { Exact = true }).FillAsync("Nice");
        await editor.GetByLabel("Quiz: one right answer").CheckAsync();
        await Expect(editor.GetByRole(AriaRole.Button, new() { Name = "Create quiz" })).ToBeDisabledAsync();
        await editor.GetByLabel("Option 2 is the right answer").CheckAsync();
        await editor.GetByLabel("Explanation (optional, shown after answering)").FillAsync("Paris has been the capital since 987.");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Create quiz" }).ClickAsync();
        await Expect(editor).ToHaveCountAsync(0);

        await bob.OpenChatAsync("Quiz night");
        var atBob = bob.Page.GetByRole(AriaRole.Group, new() { Name = "Poll: Capital of France?" });
        await Expect(atBob).ToContainTextAsync("Anonymous quiz");
        await Expect(atBob.GetByTestId("quiz-solution")).ToHaveCountAsync(0);
        await atBob.GetByRole(AriaRole.Button, new() { Name = "Lyon" }).ClickAsync();

        await Expect(atBob.GetByLabel("Lyon: 1 vote, 100%, your choice, wrong")).ToBeVisibleAsync();
        await Expect(atBob.GetByLabel("Paris: 0 votes, 0%, the right answer")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("quiz-solution")).ToHaveTextAsync("Paris has been the capital since 987.");
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "Retract vote" })).ToHaveCountAsync(0);
        var atAlice = page.GetByRole(AriaRole.Group, new() { Name = "Poll: Capital of France?" });
        await Expect(atAlice.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");

        await bob.Page.ReloadAsync();
        await bob.OpenChatAsync("Quiz night");
        await Expect(atBob.GetByLabel("Paris: 0 votes, 0%, the right answer")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("quiz-solution")).ToHaveTextAsync("Paris has been the capital since 987.");
        AssertNoProblems();
    }

    [Fact]
    public async Task MentionsMarkedRead_LeaveTheChatUnread_AndStayReadAfterAReload()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Standup", bobName.Username);
        for (var i = 0; i < 25; i++)
        {
            await alice.SendAsync($"Update line {i}");
        }

        await alice.SendAsync($"@{bobName.Username} your turn");
        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Standup" });
        await Expect(row.GetByTestId("mention-badge")).ToBeVisibleAsync();
        await bob.OpenChatAsync("Standup");
        await Expect(bob.Page.GetByTestId("next-mention")).ToBeVisibleAsync();

        await bob.Page.GetByTestId("read-mentions").ClickAsync();

        await Expect(bob.Page.GetByTestId("next-mention")).ToHaveCountAsync(0);
        await Expect(row.GetByTestId("mention-badge")).ToHaveCountAsync(0);
        var reopened = await bob.ReopenAsync();
        _pages[_pages.IndexOf(bob)] = reopened;
        row = reopened.Page.GetByTestId("dialog").Filter(new() { HasText = "Standup" });
        await Expect(row).ToContainTextAsync("your turn");
        await Expect(row.GetByTestId("mention-badge")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task VoiceMessage_RecordedFromTheMicrophone_IsPlayedByThePeer_AndACancelledOneIsNotSent()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Listen to this");

        await page.GetByRole(AriaRole.Button, new() { Name = "Record voice message" }).ClickAsync();
        var recorder = page.GetByRole(AriaRole.Group, new() { Name = "Recording a voice message" });
        await Expect(recorder.GetByRole(AriaRole.Timer)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("0:0[2-9]"));
        await alice.ScreenshotAsync("22-recording");
        await recorder.GetByRole(AriaRole.Button, new() { Name = "Send voice message" }).ClickAsync();
        await Expect(recorder).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Play Voice message" })).ToBeVisibleAsync();

        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display })).ToContainTextAsync("Voice message");
        await bob.OpenChatAsync(aliceName.Display);
        var id = await bob.Page.GetByTestId("message").Filter(new() { Has = bob.Page.GetByRole(AriaRole.Button, new() { Name = "Play Voice message" }) })
            .GetAttributeAsync("data-message-id");
        var voice = bob.Page.Locator($"[data-message-id='{id}']");
        await voice.GetByRole(AriaRole.Button, new() { Name = "Play Voice message" }).ClickAsync();
        var audio = voice.Locator("audio");
        await Expect(audio).ToBeVisibleAsync();
        var loaded = await audio.EvaluateAsync<string>(
            "a => new Promise(done => { const report = () => done(a.error ? 'error ' + a.error.code : 'ready ' + a.readyState); " +
            "if (a.readyState >= 1 || a.error) report(); else { a.addEventListener('loadedmetadata', report); a.addEventListener('error', report); } })");
        loaded.Should().StartWith("ready", "the browser decoded the recording the peer made");
        await bob.ScreenshotAsync("23-voice-message");

        await page.GetByRole(AriaRole.Button, new() { Name = "Record voice message" }).ClickAsync();
        await Expect(recorder.GetByRole(AriaRole.Timer)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("0:0[1-9]"));
        await recorder.GetByRole(AriaRole.Button, new() { Name = "Cancel recording" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
        await alice.SendAsync("That was all");
        await Expect(bob.Message("That was all")).ToBeVisibleAsync();
        (await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Play Voice message" }).CountAsync()).Should().Be(0, "the one played is open, the cancelled one never came");
        (await bob.Page.Locator("audio").CountAsync()).Should().Be(1);
        AssertNoProblems();
    }

    [Fact]
    public async Task Webhook_MadeInChatInfo_PostsAsItsBot_UntilDeleted()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Releases", bobName.Username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var section = page.GetByRole(AriaRole.Region, new() { Name = "Webhooks" });
        await section.GetByLabel("Webhook name").FillAsync("CI");
        await section.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        var urlBox = section.GetByLabel("URL of CI (shown only now)");
        await Expect(urlBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/hooks/[A-Za-z0-9_-]{43}$"));
        var url = await urlBox.InputValueAsync();
        url.Should().StartWith(_host.BaseAddress.ToString().TrimEnd('/'));
        await Expect(section.GetByText("curl -H")).ToBeVisibleAsync();
        await alice.ScreenshotAsync("24-webhook");

        using var http = new HttpClient();
        (await http.PostAsync(url, new StringContent("{\"text\": \"v1.4.0 is out\"}", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        await bob.OpenChatAsync("Releases");
        var posted = bob.Message("v1.4.0 is out");
        await Expect(posted.Locator(".bubble__author")).ToHaveTextAsync("CIbot");
        await Expect(posted.Locator(".bot-badge")).ToBeVisibleAsync();

        await section.GetByRole(AriaRole.Button, new() { Name = "Delete webhook CI" }).ClickAsync();
        await Expect(section.GetByRole(AriaRole.Button, new() { Name = "Delete webhook CI" })).ToHaveCountAsync(0);
        (await http.PostAsync(url, new StringContent("still there?", System.Text.Encoding.UTF8, "text/plain")))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        await Expect(bob.Message("v1.4.0 is out")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Bot_MadeInSettings_ReadsWhatAPersonWritesIt_AndAnswersOverHttp()
    {
        var (alice, bob, _, _) = await TwoPeopleAsync();
        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await page.GetByLabel("Bot username").FillAsync("helper_bot");
        await page.GetByLabel("Bot name").FillAsync("Helper");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create bot" }).ClickAsync();
        var tokenBox = page.GetByLabel("Token of @helper_bot (shown only now)");
        await Expect(tokenBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[0-9]+:[A-Za-z0-9_-]{43}$"));
        var token = await tokenBox.InputValueAsync();
        await Expect(page.GetByTestId("my-bot")).ToHaveCountAsync(1);
        await alice.ScreenshotAsync("bots");

        await bob.StartChatAsync("helper_bot", "Helper");
        await Expect(bob.Page.GetByTestId("chat-status")).ToHaveTextAsync("bot");
        await bob.SendAsync("what time is it?");
        using var http = _host.CreateHttpClient();
        var updates = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/bot/{token}/getUpdates?timeout=10");
        var message = updates.GetProperty("result").EnumerateArray().Single().GetProperty("message");
        message.GetProperty("text").GetString().Should().Be("what time is it?");
        (await http.PostAsJsonAsync($"/bot/{token}/sendMessage", new { chat_id = message.GetProperty("chat").GetProperty("id").GetInt64(), text = "Tea time" }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        var answer = bob.Message("Tea time");
        await Expect(answer).ToBeVisibleAsync();
        await Expect(bob.Message("what time is it?").Ticks("delivered")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete bot Helper" }).ClickAsync();
        await Expect(page.GetByTestId("my-bot")).ToHaveCountAsync(0);
        (await http.GetAsync($"/bot/{token}/getMe")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        AssertNoProblems();
    }

    [Fact]
    public async Task BotCommandsAndButtons_AreOfferedAfterASlash_ShowUnderItsMessage_AndAPressShowsTheBotsAnswer()
    {
        var (alice, _, aliceName, _) = await TwoPeopleAsync();
        await using var device = await _host.ConnectAsync();
        await device.SignInAsync(aliceName.Username, WebUser.Password, "bot maker", "tests");
        var bot = await device.CreateBotAsync("deployer_bot", "Deployer");
        using var http = _host.CreateHttpClient();

        var commands = new[] { new { command = "start", description = "Say hello" }, new { command = "status", description = "What runs now" } };
        (await http.PostAsJsonAsync($"/bot/{bot.Token}/setMyCommands", new { commands })).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        // The bot's commands are offered after a slash, narrowed as one types; a click sends one.
        await alice.StartChatAsync("deployer_bot", "Deployer");
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("/");
        var offered = alice.Page.GetByTestId("bot-commands").GetByRole(AriaRole.Button);
        await Expect(offered).ToHaveCountAsync(2);
        await box.FillAsync("/sta");
        await Expect(offered).ToHaveCountAsync(2);
        await box.FillAsync("/star");
        await Expect(offered).ToHaveTextAsync(["/startSay hello"]);
        await alice.ScreenshotAsync("bot-commands");
        await offered.ClickAsync();
        await Expect(alice.Message("/start")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("bot-commands")).ToHaveCountAsync(0);
        var start = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/bot/{bot.Token}/getUpdates?timeout=10"))
            .GetProperty("result").EnumerateArray().Single();
        var chatId = start.GetProperty("message").GetProperty("chat").GetProperty("id").GetInt64();
        var offset = start.GetProperty("update_id").GetInt64() + 1;
        var keyboard = new
        {
            inline_keyboard = new object[][]
            {
                [new { text = "Deploy", callback_data = "deploy" }, new { text = "Cancel", callback_data = "cancel" }],
                [new { text = "Changelog", url = "https://example.org/changes" }],
            },
        };
        (await http.PostAsJsonAsync($"/bot/{bot.Token}/sendMessage", new { chat_id = chatId, text = "Deploy v2 to production?", reply_markup = keyboard }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        var buttons = alice.Message("Deploy v2 to production?").GetByTestId("bot-keyboard");
        await Expect(buttons.GetByRole(AriaRole.Link, new() { Name = "Changelog" })).ToHaveAttributeAsync("href", "https://example.org/changes");
        await Expect(buttons.GetByRole(AriaRole.Link, new() { Name = "Changelog" })).ToHaveAttributeAsync("target", "_blank");
        await buttons.GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        var press = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/bot/{bot.Token}/getUpdates?timeout=10&offset={offset}"))
            .GetProperty("result").EnumerateArray().Single().GetProperty("callback_query");
        press.GetProperty("data").GetString().Should().Be("deploy");
        (await http.PostAsJsonAsync($"/bot/{bot.Token}/answerCallbackQuery", new { callback_query_id = press.GetProperty("id").GetString(), text = "Deploying v2…" }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        await Expect(alice.Message("Deploy v2 to production?").GetByTestId("bot-answer")).ToHaveTextAsync("Deploying v2…");
        await alice.ScreenshotAsync("bot-buttons");

        await alice.Page.ReloadAsync();
        await alice.OpenChatAsync("Deployer");
        await Expect(alice.Message("Deploy v2 to production?").GetByTestId("bot-keyboard").GetByRole(AriaRole.Button)).ToHaveCountAsync(2);
        AssertNoProblems();
    }

    [Fact]
    public async Task AutoDelete_SetInTheHeader_MarksNewMessages_WhichLeaveBothScreensAtTheirTime_AndCanBeTurnedOff()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await _host.DisposeAsync();
        _host = await WebTestKit.StartHostAsync(services => services.AddSingleton<TimeProvider>(clock));
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Written before");
        await bob.OpenChatAsync(aliceName.Display);

        var timer = alice.Page.GetByTestId("auto-delete");
        await Expect(timer).ToHaveAttributeAsync("aria-pressed", "false");
        await timer.ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "1 day" }).ClickAsync();
        await Expect(timer).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(bob.Page.GetByTestId("service-message").GetByText("Alice Liddell set messages to auto-delete after 1 day")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("auto-delete")).ToHaveAttributeAsync("title", "Messages are deleted after 1 day");
        await alice.SendAsync("Self-destructing");
        await Expect(bob.Message("Self-destructing").GetByTestId("msg-ttl")).ToBeVisibleAsync();
        await Expect(bob.Message("Written before").GetByTestId("msg-ttl")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("auto-delete");

        clock.Advance(TimeSpan.FromDays(1));
        await _host.Services.GetRequiredService<Messenger.Message.AutoDelete.MessageExpiry>().DeleteExpiredAsync(CancellationToken.None);
        await Expect(bob.Message("Self-destructing")).ToHaveCountAsync(0);
        await Expect(alice.Message("Self-destructing")).ToHaveCountAsync(0);
        await alice.Page.ReloadAsync();
        await alice.OpenChatAsync(bobName.Display);
        await Expect(alice.Message("Written before")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("auto-delete")).ToHaveAttributeAsync("aria-pressed", "true");

        // Bob picks "Off" and goes straight to the message box: the dialog closes after the server's answer, and must
        // not take the focus back to its opener then (his next keys would go to the header's button).
        await bob.Page.GetByTestId("auto-delete").ClickAsync();
        var messageBox = bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await bob.Page.EvaluateAsync("""
            () => {
              [...document.querySelectorAll('[role=dialog] button')].find((b) => b.textContent === 'Off').click();
              document.querySelector('textarea[aria-label="Message"]').focus();
            }
            """);
        await Expect(bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "Auto-delete messages" })).ToHaveCountAsync(0);
        await Expect(messageBox).ToBeFocusedAsync();
        await Expect(alice.Page.GetByTestId("service-message").GetByText("Bob Builder turned off auto-delete")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("auto-delete")).ToHaveAttributeAsync("aria-pressed", "false");
        AssertNoProblems();
    }

    [Fact]
    public async Task ALinkPreview_ShowsUnderTheMessage_OnBothScreens_AsTextAndALink()
    {
        await using var site = await LocalWebSite.StartAsync(app => app.MapGet("/news", () => Microsoft.AspNetCore.Http.Results.Content(
            "<html><head><meta property=\"og:site_name\" content=\"Local News\"><meta property=\"og:title\" content=\"<img src=x onerror=alert(1)>Big story\">" +
            "<meta property=\"og:description\" content=\"Something happened nearby.\"></head></html>", "text/html")));
        await _host.DisposeAsync();
        _host = await WebTestKit.StartHostAsync(settings: new Dictionary<string, string?> { ["Messenger:Message:LinkPreviewsPrivateNetworks"] = "true" });
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        await alice.SendAsync($"Read {site.Origin}/news");
        await bob.OpenChatAsync(aliceName.Display);

        foreach (var page in new[] { alice, bob })
        {
            var card = page.Message($"Read {site.Origin}/news").GetByTestId("web-page");
            await Expect(card).ToContainTextAsync("Local News");
            await Expect(card).ToContainTextAsync("<img src=x onerror=alert(1)>Big story");
            await Expect(card).ToContainTextAsync("Something happened nearby.");
            await Expect(card).ToHaveAttributeAsync("href", $"{site.Origin}/news");
            await Expect(card).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        }

        await Expect(bob.Message($"Read {site.Origin}/news")).Not.ToContainTextAsync("edited");
        await bob.ScreenshotAsync("link-preview");
        AssertNoProblems();
    }

    [Fact]
    public async Task Composer_WhenTheMarkupIsLongerThan4096_SendsIt_AndKeepsAVisibleTextOver4096WithASay()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });

        // 4519 characters typed, 2519 shown: the limit counts what is shown (the box once stopped at 4096 typed).
        await box.FillAsync(string.Join(' ', Enumerable.Repeat("**bold**", 500)) + " end of the long one");
        await box.PressAsync("Enter");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("bold bold bold")).ToContainTextAsync("end of the long one");

        var tooLong = new string('x', 4097);
        await box.FillAsync(tooLong);
        await box.PressAsync("Enter");
        await Expect(alice.Page.Locator(".composer__error")).ToHaveTextAsync("A message may show at most 4096 characters");
        await Expect(box).ToHaveValueAsync(tooLong);
        AssertNoProblems();
    }

    [Fact]
    public async Task SharedMedia_InChatInfo_ListsPhotosFilesAndLinks_ByTab()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        // A 4×3 red PNG.
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==");
        foreach (var file in new[]
                 {
                     new FilePayload { Name = "pic.png", MimeType = "image/png", Buffer = png },
                     new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "some notes"u8.ToArray() },
                 })
        {
            var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
                alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
            await chooser.SetFilesAsync(file);
            await Expect(alice.Page.Locator(".msg--pending")).ToHaveCountAsync(0);
        }

        await alice.SendAsync("Docs at https://docs.example.test/start");
        await bob.OpenChatAsync(aliceName.Display);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var shared = bob.Page.GetByTestId("shared-media");
        await Expect(shared.GetByRole(AriaRole.Img, new() { Name = "pic.png", Exact = true })).ToBeVisibleAsync();
        await Expect(shared.GetByTestId("shared-item")).ToHaveCountAsync(1);

        await shared.GetByRole(AriaRole.Tab, new() { Name = "Files" }).ClickAsync();
        await Expect(shared.GetByRole(AriaRole.Button, new() { Name = "Download notes.txt" })).ToBeVisibleAsync();
        await Expect(shared.GetByTestId("shared-item")).ToHaveCountAsync(1);

        await shared.GetByRole(AriaRole.Tab, new() { Name = "Links" }).ClickAsync();
        await Expect(shared.GetByRole(AriaRole.Link, new() { Name = "https://docs.example.test/start" })).ToBeVisibleAsync();

        await shared.GetByRole(AriaRole.Tab, new() { Name = "Videos" }).ClickAsync();
        await Expect(shared).ToContainTextAsync("No videos yet");
        await bob.ScreenshotAsync("shared-media");
        AssertNoProblems();
    }

    [Fact]
    public async Task ExportChat_SavesTheWholeHistoryAsJson_OldestFirst_WithAuthors()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("First words");
        await bob.OpenChatAsync(aliceName.Display);
        await bob.SendAsync("An answer");
        await Expect(alice.Message("An answer")).ToBeVisibleAsync();
        await alice.SendAsync("Last words");
        // Stored, not only shown as sending: the export reads the history from the server.
        await Expect(alice.Message("Last words").GetByRole(AriaRole.Img, new() { Name = "sending" })).ToHaveCountAsync(0);

        var download = await alice.Page.RunAndWaitForDownloadAsync(
            () => alice.Page.GetByRole(AriaRole.Button, new() { Name = "Export chat" }).ClickAsync());
        download.SuggestedFilename.Should().MatchRegex($"^{bobName.Display.Replace(" ", "_")}-\\d{{4}}-\\d{{2}}-\\d{{2}}\\.json$");
        using var exported = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(await download.PathAsync()));

        var root = exported.RootElement;
        root.GetProperty("chat").GetString().Should().Be(bobName.Display);
        var messages = root.GetProperty("messages").EnumerateArray().ToList();
        messages.Select(m => m.GetProperty("text").GetString()).Should().Equal("First words", "An answer", "Last words");
        messages.Select(m => m.GetProperty("from").GetString()).Should().Equal(aliceName.Display, bobName.Display, aliceName.Display);
        DateTimeOffset.Parse(messages[0].GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        AssertNoProblems();
    }

    [Fact]
    public async Task ExportAllChats_SavesEveryChatOfTheListInOneJsonFile()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Private hello");
        await alice.CreateGroupAsync("Book club", bobName.Username);
        await alice.SendAsync("Chapter one tonight");
        await bob.OpenChatAsync("Book club");
        await bob.SendAsync("Read it already");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        var download = await alice.Page.RunAndWaitForDownloadAsync(
            () => alice.Page.GetByRole(AriaRole.Button, new() { Name = "Export all chats" }).ClickAsync());
        download.SuggestedFilename.Should().MatchRegex($"^messenger-{aliceName.Username}-\\d{{4}}-\\d{{2}}-\\d{{2}}\\.json$");
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Exported 4 messages from 2 chats" })).ToBeVisibleAsync();
        using var exported = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(await download.PathAsync()));

        var root = exported.RootElement;
        root.GetProperty("account").GetProperty("username").GetString().Should().Be(aliceName.Username);
        var chats = root.GetProperty("chats").EnumerateArray().ToDictionary(c => c.GetProperty("chat").GetString()!);
        chats.Keys.Should().BeEquivalentTo([bobName.Display, "Book club"]);
        chats["Book club"].GetProperty("messages").EnumerateArray()
            .Select(m => m.TryGetProperty("text", out var text) ? text.GetString() : "(service)")
            .Should().Equal("(service)", "Chapter one tonight", "Read it already");
        chats[bobName.Display].GetProperty("messages").EnumerateArray().Single().GetProperty("text").GetString().Should().Be("Private hello");
        AssertNoProblems();
    }

    [Fact]
    public async Task ProfilePhoto_SetInSettings_ShowsBesideTheNameForThePeer_AndChangesReachThePeerLive()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        using var files = new TempDirectory();
        var png = Path.Combine(files.Path, "me.png");
        await File.WriteAllBytesAsync(png, Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="));

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByLabel("Profile photo").SetInputFilesAsync(png);
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo saved" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("avatar-photo")).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Do you like my photo?");

        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display });
        await Expect(row.GetByTestId("avatar-photo")).ToBeVisibleAsync();
        (await row.GetByTestId("avatar-photo").EvaluateAsync<int>("img => img.naturalWidth")).Should().Be(1, "the image was downloaded and decoded");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Page.Locator(".conversation__header").GetByTestId("avatar-photo")).ToBeVisibleAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Remove photo" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo removed" })).ToBeVisibleAsync();
        // Bob's page hears of the change live (an ephemeral user update), with no reload.
        await Expect(bob.Page.GetByTestId("avatar-photo")).ToHaveCountAsync(0);
        await alice.Page.GetByLabel("Display name").FillAsync("Alice Pleasance");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Alice Pleasance");
        AssertNoProblems();
    }

    [Fact]
    public async Task GroupPermissions_SetByTheCreator_ShapeAMembersComposer_SlowModeFirst_ThenReadOnly()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Notices", bobName.Username);
        await bob.OpenChatAsync("Notices");
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var permissions = page.GetByTestId("permissions");
        await permissions.GetByLabel("Send files").UncheckAsync();
        await permissions.GetByLabel("Slow mode").SelectOptionAsync("30");
        await permissions.GetByRole(AriaRole.Button, new() { Name = "Save permissions" }).ClickAsync();

        await Expect(bob.Page.GetByTestId("service-message")
            .Filter(new() { HasText = "changed what members may do; slow mode: one message every 30 seconds" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" })).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByTestId("slow-mode")).ToContainTextAsync("one message every 30 seconds");
        await bob.SendAsync("One for now");
        await Expect(bob.Page.GetByTestId("slow-mode")).ToContainTextAsync("you can send again in");
        var box = bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Too soon");
        await box.PressAsync("Enter");
        await Expect(bob.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Slow mode: you can send again in" })).ToBeVisibleAsync();
        await Expect(box).ToHaveValueAsync("Too soon");
        await Expect(page.GetByTestId("message").Filter(new() { HasText = "Too soon" })).ToHaveCountAsync(0);

        await permissions.GetByLabel("Send messages").UncheckAsync();
        await permissions.GetByLabel("Slow mode").SelectOptionAsync("0");
        await permissions.GetByRole(AriaRole.Button, new() { Name = "Save permissions" }).ClickAsync();

        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Only admins can send messages in this group" })).ToBeVisibleAsync();
        await Expect(box).ToHaveCountAsync(0);
        await alice.SendAsync("Office closed on Friday");
        await Expect(bob.Message("Office closed on Friday")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task AMention_MarksTheGroupInTheChatList_AcrossAReload_UntilTheMemberReadsIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Reviews", bobName.Username);
        await alice.SendAsync("No mention here");
        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Reviews" });
        await Expect(row).ToContainTextAsync("No mention here");
        await Expect(row.GetByTestId("mention-badge")).ToHaveCountAsync(0);

        await alice.SendAsync($"@{bobName.Username} please review the draft");

        await Expect(row.GetByTestId("mention-badge")).ToBeVisibleAsync();
        var reopened = await bob.ReopenAsync();
        _pages[_pages.IndexOf(bob)] = reopened;
        row = reopened.Page.GetByTestId("dialog").Filter(new() { HasText = "Reviews" });
        await Expect(row.GetByTestId("mention-badge")).ToHaveAttributeAsync("aria-label", "1 unread mentions");
        await reopened.OpenChatAsync("Reviews");
        await Expect(reopened.Message("please review the draft")).ToBeVisibleAsync();
        await Expect(row.GetByTestId("mention-badge")).ToHaveCountAsync(0);
        await Expect(reopened.Page.GetByTestId("next-mention")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Privacy_ChosenInSettings_HidesThePresence_AndKeepsOthersFromAddingToGroups()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Are you around?");
        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("online");

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await bob.Page.GetByLabel("Who sees when I am online").SelectOptionAsync(new SelectOptionValue { Label = "Nobody" });
        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Privacy saved" })).ToBeVisibleAsync();
        await bob.Page.GetByLabel("Who may add me to groups").SelectOptionAsync(new SelectOptionValue { Label = "Nobody" });
        await Expect(bob.Page.GetByLabel("Who may add me to groups")).ToHaveValueAsync("2");

        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("last seen recently");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await alice.Page.GetByLabel("Group name").FillAsync("Surprise party");
        await alice.Page.GetByLabel("Add members").FillAsync(bobName.Username);
        await alice.Page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Button).First.ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Their privacy settings do not let you add them: send them an invite link");

        var reopened = await bob.ReopenAsync();
        _pages[_pages.IndexOf(bob)] = reopened;
        await reopened.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(reopened.Page.GetByLabel("Who sees when I am online")).ToHaveValueAsync("2");
        AssertNoProblems();
    }

    [Fact]
    public async Task AVoiceCall_RingsThePeer_ConnectsTheTwoBrowsers_AndIsRecordedWhenHungUp()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Can I call you?");
        await bob.OpenChatAsync(aliceName.Display);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();

        var ringing = bob.Page.GetByTestId("call");
        await Expect(ringing).ToHaveAttributeAsync("data-phase", "ringing");
        await Expect(ringing).ToContainTextAsync(aliceName.Display);
        await Expect(alice.Page.GetByTestId("call-status")).ToHaveTextAsync("Calling…");
        await ringing.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // WebRTC between the two pages, Chromium's fake microphone on both sides; the server carried the signalling.
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await Expect(page.GetByTestId("call")).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
            await Expect(page.GetByTestId("call-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+:\d\d$"));
        }

        await bob.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();

        await Expect(alice.Page.GetByTestId("call-status")).ToHaveTextAsync("Call ended");
        await Expect(alice.Page.GetByTestId("call")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"Outgoing call \(0:\d\d\)") })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"Incoming call \(0:\d\d\)") })).ToBeVisibleAsync();

        // A call declined reads so on both sides.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
        await alice.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "Call declined" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasText = "Declined call" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task ACallRingingWhenATabOpens_RingsThere_AndIsAnsweredFromIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Picking up?");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByTestId("call")).ToHaveAttributeAsync("data-phase", "ringing");

        var reopened = await bob.ReopenAsync();
        _pages[_pages.IndexOf(bob)] = reopened;

        var ringing = reopened.Page.GetByTestId("call");
        await Expect(ringing).ToHaveAttributeAsync("data-phase", "ringing");
        await Expect(ringing).ToContainTextAsync(aliceName.Display);
        await ringing.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        foreach (var page in new[] { alice.Page, reopened.Page })
        {
            await Expect(page.GetByTestId("call")).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
        }

        await alice.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Expect(reopened.Page.GetByTestId("call")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task AVideoCall_ShowsEachSidesCameraToTheOther()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Video?");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByTestId("call-status")).ToHaveTextAsync("Incoming video call");
        await bob.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // Chromium's fake camera on each side: the other's frames decode in the remote video element.
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await Expect(page.GetByTestId("call")).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
            await page.WaitForFunctionAsync(
                "() => document.querySelector('[data-testid=remote-video]')?.videoWidth > 0", null, new() { Timeout = 20_000 });
        }

        await alice.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("call")).ToHaveCountAsync(0);
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Page.GetByTestId("service-message")
            .Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"Incoming video call \(0:\d\d\)") })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task GroupPhotoAndDescription_SetByTheCreator_ShowForMembers_AndThePhotosRemovalToo()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        using var files = new TempDirectory();
        var png = Path.Combine(files.Path, "group.png");
        await File.WriteAllBytesAsync(png, Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="));
        var page = alice.Page;
        await alice.CreateGroupAsync("Hikers", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByLabel("Description").FillAsync("Weekend walks, all levels.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save description" }).ClickAsync();
        await Expect(page.GetByTestId("chat-about")).ToHaveTextAsync("Weekend walks, all levels.");
        await page.GetByLabel("Group photo").SetInputFilesAsync(png);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo saved" })).ToBeVisibleAsync();
        await Expect(page.Locator(".conversation__header").GetByTestId("avatar-photo")).ToBeVisibleAsync();

        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Hikers" });
        await Expect(row.GetByTestId("avatar-photo")).ToBeVisibleAsync();
        (await row.GetByTestId("avatar-photo").EvaluateAsync<int>("img => img.naturalWidth")).Should().Be(1, "the member downloaded and decoded it");
        await bob.OpenChatAsync("Hikers");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "changed the group photo" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "changed the group description" })).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-about")).ToHaveTextAsync("Weekend walks, all levels.");
        (await bob.Page.GetByLabel("Group photo").CountAsync()).Should().Be(0, "only admins change it");
        (await bob.Page.GetByLabel("Description").CountAsync()).Should().Be(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove photo" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo removed" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "removed the group photo" })).ToBeVisibleAsync();
        await Expect(row.GetByTestId("avatar-photo")).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator(".conversation__header").GetByTestId("avatar-photo")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Username_ChangedInSettings_IsHowOthersFindTheAccount()
    {
        var (alice, bob, aliceName, _) = await TwoPeopleAsync();
        var renamed = WebUser.NewUsername("alicia");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await alice.Page.GetByLabel("Username", new() { Exact = true }).FillAsync(renamed);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save username" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Username saved" })).ToBeVisibleAsync();
        await Expect(alice.Page.Locator(".profile").GetByText($"@{renamed}")).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();

        await bob.StartChatAsync(renamed, aliceName.Display);
        await bob.SendAsync("Found you under your new name");
        await Expect(alice.Page.GetByTestId("dialog").Filter(new() { HasText = "Found you under your new name" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Draft_TypedOnOneDevice_WaitsInTheComposerOfAnother_AndSendingClearsItThere()
    {
        var (alice, _, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("First line");
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Half-written thought");

        // Alice's laptop: another browser, signed in with her password.
        var laptop = await OpenAsync();
        await laptop.Page.GetByLabel("Username").FillAsync(aliceName.Username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var row = laptop.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await Expect(row).ToContainTextAsync("Draft: Half-written thought");
        await laptop.OpenChatAsync(bobName.Display);
        var laptopBox = laptop.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await Expect(laptopBox).ToHaveValueAsync("Half-written thought");

        await box.PressAsync("Enter");
        await Expect(laptop.Message("Half-written thought")).ToBeVisibleAsync();
        await Expect(laptopBox).ToHaveValueAsync("");
        AssertNoProblems();
    }

    [Fact]
    public async Task DeleteChat_WithMyMessagesForThePeer_EmptiesItForMeOnEveryDevice_AndTheNextMessageBringsItBack()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Keep or go");
        await bob.OpenChatAsync(aliceName.Display);
        await bob.SendAsync("Bob's reply");
        await Expect(alice.Message("Bob's reply")).ToBeVisibleAsync();
        var laptop = await OpenAsync();
        await laptop.Page.GetByLabel("Username").FillAsync(aliceName.Username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var laptopRow = laptop.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await Expect(laptopRow).ToContainTextAsync("Bob's reply");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Delete chat" }).ClickAsync();
        var confirm = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete chat?" });
        await confirm.GetByRole(AriaRole.Button, new() { Name = $"Delete, and my messages for {bobName.Display} too" }).ClickAsync();

        await Expect(confirm).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("chat-title")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display })).ToHaveCountAsync(0);
        await Expect(laptopRow).ToHaveCountAsync(0);
        await Expect(bob.Message("Keep or go")).ToHaveCountAsync(0);
        await Expect(bob.Message("Bob's reply")).ToBeVisibleAsync();

        await bob.SendAsync("Anyone there?");
        await Expect(alice.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display })).ToContainTextAsync("Anyone there?");
        await alice.OpenChatAsync(bobName.Display);
        await Expect(alice.Message("Anyone there?")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("message")).ToHaveCountAsync(1);
        AssertNoProblems();
    }

    [Fact]
    public async Task PinnedChat_StaysAtTheTopOfTheList_AcrossNewMessagesAndReloads()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hello Bob");
        var page = alice.Page;
        await alice.CreateGroupAsync("Busy group");
        await alice.SendAsync("Newer than Bob's chat");
        await Expect(page.GetByTestId("dialog").First).ToContainTextAsync("Busy group");

        await alice.OpenChatAsync(bobName.Display);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pin chat" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unpin chat" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dialog").First).ToContainTextAsync(bobName.Display);
        await alice.OpenChatAsync("Busy group");
        await alice.SendAsync("Even newer");
        await Expect(page.GetByTestId("dialog").First).ToContainTextAsync(bobName.Display);
        await Expect(page.GetByTestId("dialog").First.GetByRole(AriaRole.Img, new() { Name = "pinned" })).ToBeVisibleAsync();

        await page.ReloadAsync();
        await Expect(page.GetByTestId("dialog").First).ToContainTextAsync(bobName.Display);
        (await bob.Page.GetByTestId("dialog").GetByRole(AriaRole.Img, new() { Name = "pinned" }).CountAsync()).Should().Be(0, "a pin is Alice's own");
        AssertNoProblems();
    }

    [Fact]
    public async Task InviteLink_OpenedByAnotherUser_OffersTheGroup_AndJoinsItWithOneClick()
    {
        var (alice, bob, _, _) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Book club");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invite code" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Invite link", Exact = true }).InputValueAsync();
        link.Should().StartWith($"{_host.BaseAddress.ToString().TrimEnd('/')}/join/");

        await bob.Page.GotoAsync(link);
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "New chat" });
        await Expect(dialog.GetByText("You were invited to a group")).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("Invite code")).ToHaveValueAsync(link.Split('/')[^1]);
        (await bob.Page.EvaluateAsync<string>("() => location.pathname")).Should().Be("/", "the link leaves no trace in the address");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Book club");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "joined by an invite link" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task AnInviteLinkNeedingApproval_ShowsTheGroupFirst_AndTheAdminLetsTheRequesterIn_ThenRevokesIt()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Book club");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByLabel("Admins approve new members").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invite code" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Invite link", Exact = true }).InputValueAsync();
        await Expect(page.GetByTestId("invite-row")).ToContainTextAsync("0 joined · approval");

        await bob.Page.GotoAsync(link);
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "New chat" });
        await Expect(dialog.GetByTestId("invite-preview")).ToHaveTextAsync("Book club · group · 1 member · its admins approve new members");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Request to join" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Status).Filter(new() { HasText = "Your request to join was sent" })).ToBeVisibleAsync();

        // The admin sees the request come in, opens it from the chat's header and approves it.
        var chip = page.GetByTestId("join-requests-chip");
        await Expect(chip).ToHaveTextAsync("1 request to join");
        var requests = page.GetByTestId("join-requests");
        await Expect(requests).ToContainTextAsync(bobName.Display);
        await requests.GetByRole(AriaRole.Button, new() { Name = $"Approve {bobName.Display}" }).ClickAsync();
        await Expect(chip).ToHaveCountAsync(0);
        await Expect(requests).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("service-message").Filter(new() { HasText = $"{bobName.Display} joined, approved by an admin" })).ToBeVisibleAsync();

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await bob.OpenChatAsync("Book club");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "You joined, approved by an admin" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke invite") }).ClickAsync();
        await Expect(page.GetByTestId("invite-row")).ToContainTextAsync("revoked");
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke invite") })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task RemovedMember_CannotRejoinByTheLink_UntilAnAdminLetsThemBack()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Quiet room", bobName.Username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invite code" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Invite link", Exact = true }).InputValueAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {bobName.Display} from the group" }).ClickAsync();
        var removed = page.GetByRole(AriaRole.Region, new() { Name = "Removed members" });
        await Expect(removed).ToContainTextAsync(bobName.Display);

        await bob.Page.GotoAsync(link);
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "New chat" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("An admin removed you from this group");

        await removed.GetByRole(AriaRole.Button, new() { Name = $"Let {bobName.Display} back" }).ClickAsync();
        await Expect(removed).ToHaveCountAsync(0);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Quiet room");
        AssertNoProblems();
    }

    [Fact]
    public async Task SeenBy_OnOnesOwnMessageInAGroup_ListsTheMembersWhoReadIt()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Lunch", bobName.Username);
        await alice.SendAsync("Noon at the usual place?");
        var mine = alice.Message("Noon at the usual place?");
        await mine.HoverAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "Seen by", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Seen by" });
        await Expect(dialog).ToContainTextAsync("Nobody has read it yet");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await bob.OpenChatAsync("Lunch");
        await Expect(bob.Message("Noon at the usual place?")).ToBeVisibleAsync();
        await Expect(mine.Ticks("read")).ToBeVisibleAsync();
        await mine.HoverAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "Seen by", Exact = true }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Read by" })).ToHaveTextAsync(bobName.Display);
        await bob.Message("Noon at the usual place?").HoverAsync();
        (await bob.Message("Noon at the usual place?").GetByRole(AriaRole.Button, new() { Name = "Seen by", Exact = true }).CountAsync())
            .Should().Be(0, "only for one's own messages");
        AssertNoProblems();
    }

    [Fact]
    public async Task ArchivedChat_LeavesTheMainList_StaysArchivedWhenMessagesCome_AndComesBack()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Send me the weekly digest");
        var mainList = page.GetByRole(AriaRole.List, new() { Name = "Chat list" });
        await Expect(mainList.GetByTestId("dialog").Filter(new() { HasText = bobName.Display })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Archive chat" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unarchive chat" })).ToBeVisibleAsync();
        await Expect(mainList.GetByTestId("dialog").Filter(new() { HasText = bobName.Display })).ToHaveCountAsync(0);
        await bob.OpenChatAsync(aliceName.Display);
        await bob.SendAsync("Digest #1");
        await Expect(alice.Message("Digest #1")).ToBeVisibleAsync();
        var archiveRow = page.GetByRole(AriaRole.Button, new() { Name = "Archived chats (1)" });
        await Expect(archiveRow).ToBeVisibleAsync();
        await Expect(mainList.GetByTestId("dialog").Filter(new() { HasText = bobName.Display })).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await archiveRow.ClickAsync();
        var archive = page.GetByRole(AriaRole.List, new() { Name = "Archived chats" });
        await archive.GetByTestId("dialog").Filter(new() { HasText = bobName.Display }).ClickAsync();
        await Expect(alice.Message("Digest #1")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Unarchive chat" }).ClickAsync();
        await Expect(archive.GetByTestId("dialog")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Archived chats" }).ClickAsync();
        await Expect(mainList.GetByTestId("dialog").Filter(new() { HasText = bobName.Display })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task MarkAsUnread_ClosesTheChatWithADot_ThatOpeningItTakesOff_AlsoAfterAReload()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Remind me to answer this");
        var row = page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveCountAsync(0);
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToBeVisibleAsync();

        await alice.OpenChatAsync(bobName.Display);
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(row).ToContainTextAsync("Remind me to answer this");
        (await row.GetByRole(AriaRole.Img, new() { Name = "marked unread" }).CountAsync()).Should().Be(0, "opening took it off on the server");
        AssertNoProblems();
    }

    [Fact]
    public async Task SearchInChat_FindsItsMessagesOnly_AndShowsTheOnePicked()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("The invoice for March is attached");
        for (var i = 0; i < 60; i++)
        {
            await alice.SendAsync($"Filler line {i}");
        }

        await bob.CreateGroupAsync("Accounts", aliceName.Username);
        await bob.SendAsync("Another invoice, in the group");
        await bob.OpenChatAsync(aliceName.Display);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Search in chat" }).ClickAsync();
        await bob.Page.GetByLabel("Search in this chat").FillAsync("invoice");
        var results = bob.Page.GetByRole(AriaRole.List, new() { Name = "Results in this chat" });
        await Expect(results.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("The invoice for March is attached");
        await results.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(bob.Message("The invoice for March is attached")).ToBeInViewportAsync();

        await bob.Page.GetByLabel("Search in this chat").FillAsync("nowhere-to-be-found");
        await Expect(bob.Page.GetByText("No messages found")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task SearchInChat_BySenderAndKind_ListsOnlyThoseMessages_EvenWithoutWords()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Lunch club", bobName.Username);
        await alice.SendAsync("Lunch at noon?");
        await alice.SendAsync("The menu: https://example.com/menu");
        await bob.OpenChatAsync("Lunch club");
        await bob.SendAsync("Lunch works for me");
        await bob.SendAsync("I will bring snacks");
        await Expect(alice.Message("I will bring snacks")).ToBeVisibleAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Search in chat" }).ClickAsync();
        var results = alice.Page.GetByRole(AriaRole.List, new() { Name = "Results in this chat" });
        var from = alice.Page.GetByLabel("From", new() { Exact = true });
        await Expect(from.Locator("option", new() { HasText = bobName.Display })).ToHaveCountAsync(1);
        await Expect(from.Locator("option")).ToHaveCountAsync(3);
        // Typing a name asks the server for the members it finds (a large group's are not all listed): any word, any
        // accents and case.
        var findMember = alice.Page.GetByLabel("Find member");
        await findMember.FillAsync("BOB B");
        await Expect(from.Locator("option")).ToHaveTextAsync(["Anyone", bobName.Display]);
        await findMember.FillAsync("bÜild");
        await Expect(from.Locator("option")).ToHaveTextAsync(["Anyone", bobName.Display]);
        await findMember.FillAsync("nobody here");
        await Expect(from.Locator("option")).ToHaveTextAsync(["Anyone"]);
        await findMember.FillAsync("");
        await Expect(from.Locator("option")).ToHaveCountAsync(3);
        await from.SelectOptionAsync(new SelectOptionValue { Label = bobName.Display });
        await Expect(results.GetByRole(AriaRole.Button)).ToHaveCountAsync(2);
        await Expect(results.GetByRole(AriaRole.Button).Nth(0)).ToContainTextAsync("I will bring snacks");
        await Expect(results.GetByRole(AriaRole.Button).Nth(1)).ToContainTextAsync("Lunch works for me");

        await alice.Page.GetByLabel("Search in this chat").FillAsync("lunch");
        await Expect(results.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("Lunch works for me");
        await from.SelectOptionAsync(new SelectOptionValue { Label = "You" });
        await Expect(results).ToContainTextAsync("Lunch at noon?");
        await Expect(results.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);

        await alice.Page.GetByLabel("Search in this chat").FillAsync("");
        await from.SelectOptionAsync(new SelectOptionValue { Label = "Anyone" });
        await alice.Page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Links" });
        await Expect(results.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("The menu: https://example.com/menu");
        await alice.ScreenshotAsync("26-search-filters");
        await alice.Page.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Photos" });
        await Expect(alice.Page.GetByText("No messages found")).ToBeVisibleAsync();

        await alice.Page.GetByLabel("Search", new() { Exact = true }).FillAsync("lunch");
        var messages = alice.Page.GetByRole(AriaRole.Region, new() { Name = "Messages" });
        await Expect(messages.GetByRole(AriaRole.Button)).ToHaveCountAsync(2);
        await messages.GetByLabel("Message kind").SelectOptionAsync(new SelectOptionValue { Label = "Links" });
        await Expect(messages.GetByText("No messages found")).ToBeVisibleAsync();
        await alice.Page.GetByLabel("Search", new() { Exact = true }).FillAsync("menu");
        await Expect(messages.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await Expect(messages).ToContainTextAsync("The menu: https://example.com/menu");
        await alice.ScreenshotAsync("27-search-kind");

        // The chat list matches chats' names as the server matches people's: word starts, accents and case folded.
        var chats = alice.Page.GetByRole(AriaRole.Region, new() { Name = "Chats" });
        await alice.Page.GetByLabel("Search", new() { Exact = true }).FillAsync("CLÚB");
        await Expect(chats.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await Expect(chats).ToContainTextAsync("Lunch club");
        await alice.Page.GetByLabel("Search", new() { Exact = true }).FillAsync("unch");
        await Expect(chats.GetByText("No chats match")).ToBeVisibleAsync();
        await alice.Page.GetByLabel("Search", new() { Exact = true }).FillAsync("builder");
        await Expect(alice.Page.GetByRole(AriaRole.Region, new() { Name = "People" })).ToContainTextAsync(bobName.Display);
        AssertNoProblems();
    }

    [Fact]
    public async Task Files_DroppedOnTheChat_OrPastedIntoTheBox_AreSent_WithTheTypedTextAsCaption()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        // What a browser hands the page when a file is dropped on it, or pasted (a copied file or screenshot).
        await alice.Page.EvaluateAsync("""
            () => {
              const data = new DataTransfer();
              data.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
              const target = document.querySelector('.conversation');
              target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data }));
              target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));
            }
            """);
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Download dropped.txt" })).ToBeVisibleAsync();

        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("the screenshot");
        await box.EvaluateAsync("""
            box => {
              const data = new DataTransfer();
              data.items.add(new File(['pasted bytes'], 'pasted.txt', { type: 'text/plain' }));
              box.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: data }));
            }
            """);
        await Expect(bob.Message("the screenshot").GetByRole(AriaRole.Button, new() { Name = "Download pasted.txt" })).ToBeVisibleAsync();
        await Expect(box).ToHaveValueAsync("");
        AssertNoProblems();
    }

    [Fact]
    public async Task ScheduleMessage_WaitsInTheScheduledList_OfEachOfTheAuthorsDevices_AndCanBeCancelled_BeforeThePeerSeesIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Morning!");
        var box = page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Standup starts in 5 minutes");

        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule message" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Schedule message" });
        await Expect(dialog.GetByLabel("Send at")).Not.ToHaveValueAsync("");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(box).ToHaveValueAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Scheduled messages" })).ToContainTextAsync("Standup starts in 5 minutes");
        await page.ReloadAsync();
        await alice.OpenChatAsync(bobName.Display);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" })).ToBeVisibleAsync();

        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Morning!")).ToBeVisibleAsync();
        (await bob.Message("Standup starts in 5 minutes").CountAsync()).Should().Be(0, "not before its time");

        // Alice's laptop: the chat's waiting messages are hers on every device, and follow changes made on another.
        var laptop = await OpenAsync();
        await laptop.Page.GetByLabel("Username").FillAsync(aliceName.Username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await laptop.OpenChatAsync(bobName.Display);
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" })).ToBeVisibleAsync();
        await box.FillAsync("Retro at four");
        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule message" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "2 scheduled" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "2 scheduled" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel scheduled “Standup starts in 5 minutes”" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel scheduled “Retro at four”" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" })).ToHaveCountAsync(0);
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" })).ToHaveCountAsync(0);
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "2 scheduled" })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task ScheduleFile_IsUploadedNow_AndWaitsInTheList_UntilCancelled()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        using var files = new TempDirectory();
        var plan = Path.Combine(files.Path, "plan.txt");
        await File.WriteAllTextAsync(plan, "Q1 plan: ship the thing.");
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Plan comes Monday");

        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule message" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Schedule message" });
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Schedule" })).ToBeDisabledAsync(); // nothing to send yet
        await dialog.GetByLabel("File").SetInputFilesAsync(plan);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Scheduled messages" })).ToContainTextAsync("📎 plan.txt");

        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Plan comes Monday")).ToBeVisibleAsync();
        (await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Download plan.txt" }).CountAsync()).Should().Be(0, "not before its time");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel scheduled “plan.txt”" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "1 scheduled" })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    private static async Task<string[]> Notifications(BrowserPage page) =>
        await page.Page.EvaluateAsync<string[]>("() => window.__notifications.map(n => n.title + '|' + n.body)");

    [Fact]
    public async Task Channel_WhenASubscriberOpensIt_ShowsThePostsAndNoMessageBox()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();

        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await page.GetByLabel("Group name").FillAsync("Announcements");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Channel", Exact = true }).CheckAsync();
        await page.GetByLabel("Add members").FillAsync(bobName.Username);
        await page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Button).First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Announcements");
        await alice.SendAsync("Release on Friday");

        await bob.OpenChatAsync("Announcements");
        await Expect(bob.Message("Release on Friday")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByText("Only admins can post in this channel")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveCountAsync(0);
        await bob.ScreenshotAsync("09-channel-subscriber");
        AssertNoProblems();
    }

    [Fact]
    public async Task Group_WhenItsCreatorMakesAMemberTheOwner_TheFormerCreatorMayLeave()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Handover", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(info.GetByRole(AriaRole.Button, new() { Name = "Leave group" })).ToHaveCountAsync(0);
        await info.GetByRole(AriaRole.Button, new() { Name = $"Make {bobName.Display} the owner" }).ClickAsync();

        await Expect(page.GetByTestId("service-message").Filter(new() { HasText = $"You made {bobName.Display} the owner" })).ToBeVisibleAsync();
        await Expect(info.GetByTestId("member").Filter(new() { HasText = bobName.Display })).ToContainTextAsync("owner");
        await info.GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await bob.OpenChatAsync("Handover");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "left the group" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Reconnect_WhenTheServerRestarts_ShowsOfflineThenCarriesOnWithoutAReload()
    {
        _keptData = new TempDirectory();
        await _host.DisposeAsync();
        _host = await WebTestKit.StartHostAsync(dataDirectory: _keptData.Path);
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before the restart");
        await bob.OpenChatAsync(aliceName.Display);

        var port = _host.BaseAddress.Port;
        await _host.DisposeAsync();
        var offline = alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" });
        await Expect(offline).ToBeVisibleAsync();
        await alice.ScreenshotAsync("10-offline");
        _host = await WebTestKit.StartHostAsync(dataDirectory: _keptData.Path, port: port);

        await Expect(offline).ToHaveCountAsync(0);
        await bob.SendAsync("After the restart");
        await Expect(alice.Message("After the restart")).ToBeVisibleAsync();
        await Expect(alice.Message("Before the restart")).ToBeVisibleAsync();
        await alice.SendAsync("Still here");
        await Expect(bob.Message("Still here")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Outbox_AMessageWrittenWhileTheServerIsDown_IsSentOnceWhenTheTabIsOpenedAgain()
    {
        _keptData = new TempDirectory();
        await _host.DisposeAsync();
        _host = await WebTestKit.StartHostAsync(dataDirectory: _keptData.Path);
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before the outage");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Before the outage")).ToBeVisibleAsync();

        var port = _host.BaseAddress.Port;
        await _host.DisposeAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" })).ToBeVisibleAsync();
        await alice.SendAsync("Written offline");
        await Expect(alice.Message("Written offline").Ticks("sending")).ToBeVisibleAsync();
        var outbox = await alice.Page.EvaluateAsync<string>("() => Object.keys(localStorage).filter(k => k.startsWith('messenger.outbox.')).map(k => localStorage.getItem(k)).join()");
        outbox.Should().Contain("Written offline", "the unsent message is kept on this browser");
        await alice.Page.CloseAsync();

        _host = await WebTestKit.StartHostAsync(dataDirectory: _keptData.Path, port: port);
        var reopened = await alice.ReopenAsync();
        _pages[_pages.IndexOf(alice)] = reopened;

        await Expect(bob.Message("Written offline")).ToHaveCountAsync(1);
        await reopened.OpenChatAsync(bobName.Display);
        await Expect(reopened.Message("Written offline")).ToHaveCountAsync(1);
        await Expect(reopened.Message("Written offline").Ticks("sending")).ToHaveCountAsync(0);
        var left = await reopened.Page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('messenger.outbox.')).length");
        left.Should().Be(0, "a message the server stored leaves the outbox");
        await bob.SendAsync("Got it");
        await Expect(reopened.Message("Got it")).ToBeVisibleAsync();
        (await bob.Page.GetByTestId("message").Filter(new() { HasText = "Written offline" }).CountAsync()).Should().Be(1);
    }

    [Fact]
    public async Task ChatFolders_MadeInSettings_ShowAsTabs_FollowOtherDevices_AndCountUnreadChats()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hi Bob");
        await alice.CreateGroupAsync("Lunch club", bobName.Username);
        var page = alice.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New folder" }).ClickAsync();
        var editor = page.GetByTestId("folder-editor");
        await editor.GetByLabel("Folder name").FillAsync("Groups");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save folder" }).ClickAsync();
        await Expect(editor.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Choose the kinds of chats or the chats the folder holds.");
        await editor.GetByLabel("Groups", new() { Exact = true }).CheckAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save folder" }).ClickAsync();
        await Expect(page.GetByTestId("folder-row")).ToHaveTextAsync(new[] { new System.Text.RegularExpressions.Regex("^Groups") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Back to chats" }).ClickAsync();

        var tabs = page.GetByTestId("folder-tab");
        await Expect(tabs).ToHaveTextAsync(["All chats", "Groups"]);
        await tabs.Filter(new() { HasText = "Groups" }).ClickAsync();
        await Expect(page.GetByTestId("dialog")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("dialog")).ToContainTextAsync("Lunch club");

        // Another device of Alice's adds a folder: the tab comes to the open page at once.
        await using var phone = await _host.ConnectAsync();
        await phone.SignInAsync(aliceName.Username, WebUser.Password, "phone", "tests");
        var groups = (await phone.GetDialogFiltersAsync()).Single();
        groups.Should().Match<DialogFilter>(f => f.Title == "Groups" && f.Groups && !f.PrivateChats);
        await phone.SaveDialogFilterAsync(new DialogFilter(DialogFolders.FreeId([groups])!.Value, "People", PrivateChats: true));
        await Expect(tabs).ToHaveTextAsync(["All chats", "Groups", "People"]);
        await tabs.Filter(new() { HasText = "People" }).ClickAsync();
        await Expect(page.GetByTestId("dialog")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("dialog")).ToContainTextAsync(bobName.Display);

        // Bob writes in the group while Alice reads her chat with him: the Groups tab counts one chat with unread messages.
        await alice.OpenChatAsync(bobName.Display);
        await bob.OpenChatAsync("Lunch club");
        await bob.SendAsync("Noodles?");
        await Expect(tabs.Filter(new() { HasText = "Groups" })).ToHaveTextAsync("Groups1");

        // Reordered on the page, seen by the other device; kept across a reload.
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Move People up" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Folders reordered" })).ToBeVisibleAsync();
        (await phone.GetDialogFiltersAsync()).Select(f => f.Title).Should().Equal("People", "Groups");
        var reopened = await alice.ReopenAsync();
        _pages[_pages.IndexOf(alice)] = reopened;
        await Expect(reopened.Page.GetByTestId("folder-tab")).ToHaveTextAsync(["All chats", "People", "Groups1"]);

        await phone.DeleteDialogFilterAsync(groups.Id);
        await Expect(reopened.Page.GetByTestId("folder-tab")).ToHaveTextAsync(["All chats", "People"]);

        // The group's header puts it in a folder by name: the People tab holds it too, and the other device sees why.
        await reopened.OpenChatAsync("Lunch club");
        await reopened.Page.GetByRole(AriaRole.Button, new() { Name = "Folders", Exact = true }).ClickAsync();
        var picker = reopened.Page.GetByRole(AriaRole.Dialog, new() { Name = "Folders" });
        await picker.GetByLabel("People").CheckAsync();
        await Expect(picker.GetByLabel("People")).ToBeCheckedAsync();
        await picker.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await reopened.Page.GetByTestId("folder-tab").Filter(new() { HasText = "People" }).ClickAsync();
        await Expect(reopened.Page.GetByTestId("dialog")).ToHaveCountAsync(2);
        (await phone.GetDialogFiltersAsync()).Single().IncludePeers.Should().ContainSingle().Which.Kind.Should().Be(PeerKind.Chat);
        AssertNoProblems();
    }

    [Fact]
    public async Task AGroupVoiceChat_ConnectsEachPairOfBrowsers_FollowsWhoLeaves_AndIsRecordedWhenItEnds()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var carol = await OpenAsync();
        var carolName = (Username: WebUser.NewUsername("carol"), Display: "Carol Singer");
        await carol.RegisterAsync(carolName.Username, carolName.Display);
        await alice.CreateGroupAsync("Standup", bobName.Username, carolName.Username);
        await alice.SendAsync("Voice chat in a minute");
        await bob.OpenChatAsync("Standup");
        await carol.OpenChatAsync("Standup");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start voice chat" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("group-call-peer")).ToHaveTextAsync(["You"]);
        await Expect(bob.Page.GetByTestId("group-call-bar")).ToContainTextAsync("Voice chat · 1 in it");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "Alice Liddell started a voice chat" })).ToBeVisibleAsync();

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Join voice chat" }).ClickAsync();
        await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Join voice chat" }).ClickAsync();

        // A mesh of three: each page holds a WebRTC connection to each of the two others (Chromium's fake microphones).
        foreach (var page in new[] { alice.Page, bob.Page, carol.Page })
        {
            var others = page.GetByTestId("group-call-peer").And(page.Locator(":not([data-connection='self'])"));
            await Expect(others).ToHaveCountAsync(2);
            foreach (var other in await others.AllAsync())
            {
                await Expect(other).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
            }
        }

        await carol.Page.GetByTestId("group-call").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await Expect(carol.Page.GetByTestId("group-call-bar")).ToContainTextAsync("Voice chat · 2 in it");
        await Expect(alice.Page.GetByTestId("group-call-peer")).ToHaveCountAsync(2);
        await Expect(bob.Page.GetByTestId("group-call-peer")).ToHaveCountAsync(2);

        await bob.Page.GetByTestId("group-call").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await alice.Page.GetByTestId("group-call").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        foreach (var page in new[] { alice.Page, bob.Page, carol.Page })
        {
            await Expect(page.GetByTestId("service-message").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^Voice chat ended \(\d+:\d\d\)$") }))
                .ToBeVisibleAsync();
            await Expect(page.GetByTestId("group-call-bar")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start voice chat" })).ToBeEnabledAsync();
        }

        AssertNoProblems();
    }

    [Fact]
    public async Task AThreadsNewAnswers_ShowBesideItsCount_UntilItIsOpened_AlsoAfterAReload()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Plans", bobName.Username);
        await alice.SendAsync("Friday?");
        await bob.OpenChatAsync("Plans");
        var question = bob.Message("Friday?");
        async Task AnswerAsync(string text)
        {
            await question.HoverAsync();
            await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
            await bob.SendAsync(text);
        }

        await AnswerAsync("Cinema");
        var replies = alice.Message("Friday?").GetByTestId("replies-button");
        await Expect(replies).ToHaveTextAsync("1 reply · 1 new", new() { Timeout = 10_000 });
        await Expect(bob.Message("Friday?").GetByTestId("replies-new")).ToHaveCountAsync(0, new() { Timeout = 2_000 });

        await replies.ClickAsync();
        var thread = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Thread" });
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(1);
        await Expect(replies).ToHaveTextAsync("1 reply");
        await AnswerAsync("Or dinner");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(2);
        await Expect(replies).ToHaveTextAsync("2 replies", new() { Timeout = 2_000 });
        await thread.GetByRole(AriaRole.Button, new() { Name = "Close thread" }).ClickAsync();

        await AnswerAsync("Both");
        await Expect(replies).ToHaveTextAsync("3 replies · 1 new");
        await alice.Page.ReloadAsync();
        await alice.OpenChatAsync("Plans");
        await Expect(alice.Message("Friday?").GetByTestId("replies-button")).ToHaveTextAsync("3 replies · 1 new", new() { Timeout = 10_000 });
        AssertNoProblems();
    }

    [Fact]
    public async Task AGroupMessagesReplies_ShowAsACount_AndOpenAsAThreadThatTakesAnswers()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Design", bobName.Username);
        await alice.SendAsync("Blue or green?");
        await alice.SendAsync("Lunch later?");
        await bob.OpenChatAsync("Design");

        var question = bob.Message("Blue or green?");
        await question.HoverAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await bob.SendAsync("Sky tones win");

        var replies = alice.Message("Blue or green?").GetByTestId("replies-button");
        await Expect(replies).ToHaveTextAsync("1 reply · 1 new");
        await Expect(alice.Message("Lunch later?").GetByTestId("replies-button")).ToHaveCountAsync(0);
        await replies.ClickAsync();
        var thread = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Thread" });
        await Expect(thread.GetByTestId("thread-root")).ToContainTextAsync("Blue or green?");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(1);
        await Expect(thread.GetByTestId("thread-reply")).ToContainTextAsync($"{bobName.Display}Sky tones win");

        await thread.GetByLabel("Reply in thread").FillAsync("Why blue?");
        await thread.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(2);
        await Expect(thread.GetByLabel("Reply in thread")).ToBeFocusedAsync();
        await Expect(thread.GetByTestId("thread-reply").Nth(1)).ToContainTextAsync("YouWhy blue?");
        await Expect(bob.Message("Blue or green?").GetByTestId("replies-button")).ToHaveTextAsync("2 replies · 1 new", new() { Timeout = 10_000 });
        await Expect(bob.Message("Why blue?")).ToBeVisibleAsync();

        // A thread follows new answers while open.
        await bob.SendAsync("Calmer");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(2, new() { Timeout = 2_000 });
        await question.HoverAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await bob.SendAsync("Because calm");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(3);
        await thread.GetByRole(AriaRole.Button, new() { Name = "Close thread" }).ClickAsync();
        await Expect(thread).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task AGroupMessagesLink_OpensTheChatAtThatMessage_ForAnotherMember()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Decisions", bobName.Username);
        await alice.SendAsync("We go with blue");
        for (var i = 1; i <= 3; i++)
        {
            await alice.SendAsync($"Follow-up {i}");
        }

        await alice.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var decision = alice.Message("We go with blue");
        await decision.HoverAsync();
        await decision.GetByRole(AriaRole.Button, new() { Name = "Copy link" }).ClickAsync();
        var link = await alice.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        var id = await decision.GetAttributeAsync("data-message-id");
        link.Should().MatchRegex($@"/\?chat=c\d+&msg={id}$");

        await bob.Page.GotoAsync(link);
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Decisions");
        await Expect(bob.Page.Locator(".messages__row--highlight")).ToContainTextAsync("We go with blue");
        (await bob.Page.EvaluateAsync<string>("() => location.search")).Should().BeEmpty("the link leaves no trace in the address");
        await Expect(bob.Message("Follow-up 1").GetByRole(AriaRole.Button, new() { Name = "Copy link" })).ToHaveCountAsync(1);
        AssertNoProblems();
    }

    [Fact]
    public async Task QuoteReply_WhenPartOfAMessageIsSelected_ShowsThatPartInTheComposerAndTheReply_AndKeepsItAfterTheOriginalIsEdited()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Shall we meet at the station at noon, or at the museum at two?");
        await bob.OpenChatAsync(aliceName.Display);
        var question = bob.Message("Shall we meet");
        await Expect(question).ToBeVisibleAsync();
        var questionId = await question.GetAttributeAsync("data-message-id");

        // As a mouse drag would leave it: a selection inside the bubble's text, with the space before it.
        await SelectInBubbleAsync(bob, questionId!, " the museum at two");
        await question.HoverAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByTestId("composer-quote")).ToHaveTextAsync("the museum at two");
        await bob.ScreenshotAsync("quote-reply-composer");
        await bob.SendAsync("Museum, definitely");

        var reply = alice.Message("Museum, definitely");
        await Expect(reply.GetByTestId("reply-quote")).ToHaveTextAsync("the museum at two");
        await Expect(bob.Message("Museum, definitely").GetByTestId("reply-quote")).ToHaveTextAsync("the museum at two");
        await alice.ScreenshotAsync("quote-reply-bubble");
        var original = alice.Message("Shall we meet");
        await original.HoverAsync();
        await original.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Shall we meet at the station?");
        await box.PressAsync("Enter");
        await Expect(bob.Message("Shall we meet at the station?")).ToContainTextAsync("edited");
        await Expect(bob.Message("Museum, definitely").GetByTestId("reply-quote")).ToHaveTextAsync("the museum at two");

        await bob.Message("Museum, definitely").GetByRole(AriaRole.Button, new() { Name = "Go to the replied message" }).ClickAsync();
        await Expect(bob.Page.Locator(".messages__row--highlight")).ToContainTextAsync("Shall we meet at the station?");
        await bob.Page.EvaluateAsync("() => getSelection().removeAllRanges()");
        var edited = bob.Message("Shall we meet at the station?");
        await edited.HoverAsync();
        await edited.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await Expect(bob.Page.Locator(".composer__context")).ToContainTextAsync($"Reply to {aliceName.Display}");
        await Expect(bob.Page.GetByTestId("composer-quote")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task MessageActions_OnAPhone_ShowOnATap_BelowTheTopMessage_AndHideOnScrollOrATapElsewhere()
    {
        _test = "MessageActions";
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        var alice = await OpenAsync();
        var bob = await OpenAsync(phone: true);
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        for (var i = 1; i <= 10; i++)
        {
            await alice.SendAsync($"Note {i:00}\nsecond line\nthird line\nfourth line");
        }

        await bob.OpenChatAsync(aliceName.Display);
        var page = bob.Page;
        var scroller = page.Locator(".messages__scroller");
        var last = bob.Message("Note 10");
        var lastBar = last.Locator(".msg__actions");
        await Expect(last).ToBeVisibleAsync();

        // A tap shows the bar above the message; a tap on another message moves it there, and nothing is left over the first.
        await Expect(lastBar).ToHaveCSSAsync("opacity", "0");
        await last.Locator(".bubble__text").TapAsync();
        await Expect(lastBar).ToHaveCSSAsync("opacity", "1");
        (await lastBar.BoundingBoxAsync())!.Y.Should().BeLessThan((await last.BoundingBoxAsync())!.Y);

        // A message arriving meanwhile: the app keeps the history at its end, a scroll that is not the reader's, and the bar stays.
        await alice.SendAsync("Note 11");
        await Expect(bob.Message("Note 11")).ToBeVisibleAsync();
        await page.EvaluateAsync("() => new Promise(done => setTimeout(done, 300))");
        await Expect(lastBar).ToHaveCSSAsync("opacity", "1");
        var previous = bob.Message("Note 09");
        await previous.Locator(".bubble__text").TapAsync();
        await Expect(lastBar).ToHaveCSSAsync("opacity", "0");
        await Expect(lastBar).ToHaveCSSAsync("pointer-events", "none");
        await Expect(previous.Locator(".msg__actions")).ToHaveCSSAsync("opacity", "1");

        // Scrolling the history hides it.
        await scroller.EvaluateAsync("e => e.scrollBy(0, -120)");
        await Expect(previous.Locator(".msg__actions")).ToHaveCSSAsync("opacity", "0");

        // A message at the very top of the history has no room above it: the bar and the reactions menu drop below it.
        var first = bob.Message("Note 02");
        await scroller.EvaluateAsync("e => e.scrollTop = 0");
        await first.EvaluateAsync("m => m.closest('.messages__scroller').scrollTop = m.closest('.messages__row').offsetTop");
        var firstBar = first.Locator(".msg__actions");
        await first.Locator(".bubble__text").TapAsync();
        await Expect(firstBar).ToHaveCSSAsync("opacity", "1");
        var top = (await scroller.BoundingBoxAsync())!.Y;
        (await firstBar.BoundingBoxAsync())!.Y.Should().BeGreaterThanOrEqualTo(top);
        await first.GetByRole(AriaRole.Button, new() { Name = "React", Exact = true }).TapAsync();
        var menu = first.GetByRole(AriaRole.Menu, new() { Name = "Reactions to choose from" });
        await Expect(menu).ToBeVisibleAsync();
        (await menu.BoundingBoxAsync())!.Y.Should().BeGreaterThanOrEqualTo(top);
        (await firstBar.BoundingBoxAsync())!.Y.Should().BeGreaterThan((await first.Locator(".bubble").BoundingBoxAsync())!.Y);
        await menu.GetByRole(AriaRole.Menuitem).First.TapAsync();
        await Expect(first.GetByRole(AriaRole.Group, new() { Name = "Reactions" })).ToBeVisibleAsync();
        await Expect(firstBar).ToHaveCSSAsync("opacity", "0");
        AssertNoProblems();
    }

    [Fact]
    public async Task QuoteReply_OnATouchScreen_WhenTheTapClearsTheSelection_StillQuotesWhatWasSelectedInThatMessage()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync(bobOnPhone: true);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Shall we meet at the station at noon, or at the museum at two?");
        await alice.SendAsync("Or tomorrow?");
        await bob.OpenChatAsync(aliceName.Display);
        var question = bob.Message("Shall we meet");
        await Expect(question).ToBeVisibleAsync();
        var questionId = await question.GetAttributeAsync("data-message-id");
        var actions = question.Locator(".msg__actions");
        await Expect(actions).Not.ToHaveClassAsync(new Regex("msg__actions--shown"));

        // As a long press leaves it: a selection inside the bubble's text. It shows the message's buttons (no hover here).
        await SelectInBubbleAsync(bob, questionId!, "the station at noon");
        await Expect(actions).ToHaveClassAsync(new Regex("msg__actions--shown"));
        // The tap that reaches the buttons clears the selection on a phone.
        await bob.Page.EvaluateAsync("() => getSelection().removeAllRanges()");
        await TapAsync(bob, question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }));
        await Expect(bob.Page.GetByTestId("composer-quote")).ToHaveTextAsync("the station at noon");
        await bob.ScreenshotAsync("quote-reply-phone");
        await bob.SendAsync("Noon works");
        await Expect(alice.Message("Noon works").GetByTestId("reply-quote")).ToHaveTextAsync("the station at noon");

        // The remembered selection quotes once, and only in its own message.
        var other = bob.Message("Or tomorrow?");
        await TapAsync(bob, other.Locator(".bubble"));
        await TapAsync(bob, other.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }));
        await Expect(bob.Page.Locator(".composer__context")).ToContainTextAsync($"Reply to {aliceName.Display}");
        await Expect(bob.Page.GetByTestId("composer-quote")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    /// <summary>Selects <paramref name="part"/> inside message <paramref name="messageId"/>'s text, as a mouse drag or a
    /// long press leaves it.</summary>
    private static async Task SelectInBubbleAsync(BrowserPage page, string messageId, string part) =>
        (await page.Page.EvaluateAsync<bool>(
            """
            ([id, part]) => {
              const text = document.querySelector(`[data-message-id="${id}"] .bubble__text`);
              const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(part);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + part.length);
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                return true;
              }
              return false;
            }
            """,
            new object[] { messageId, part })).Should().BeTrue();

    /// <summary>A finger's tap at the middle of <paramref name="target"/> (touch events, as a phone sends them).</summary>
    private static async Task TapAsync(BrowserPage page, ILocator target)
    {
        await Expect(target).ToBeVisibleAsync();
        var box = (await target.BoundingBoxAsync())!;
        await page.Page.Touchscreen.TapAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
    }

    private async Task<(BrowserPage Alice, BrowserPage Bob, (string Username, string Display) AliceName, (string Username, string Display) BobName)> TwoPeopleAsync(
        [CallerMemberName] string test = "", bool bobOnPhone = false)
    {
        _test = test.Split('_')[0];
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        var alice = await OpenAsync();
        var bob = await OpenAsync(bobOnPhone);
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        return (alice, bob, aliceName, bobName);
    }

    private async Task<BrowserPage> OpenAsync(bool phone = false)
    {
        var page = await BrowserPage.OpenAsync(browser.Browser, _host.BaseAddress, phone);
        _pages.Add(page);
        return page;
    }

    private void AssertNoProblems() => _pages.SelectMany(page => page.Problems).Should().BeEmpty();
}
