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

/// <summary>Two people (and a second device) use the built web client in real Chromium against the real host: private chats, media, search, settings.</summary>
[Collection(ChatBrowserCollection.Name)]
public sealed partial class ChatEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserEndToEndTests(browser, output)
{
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
        await box.FillAsync("  ");
        await box.PressAsync("Enter");
        await Expect(alice.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "A message cannot be empty: delete it instead" })).ToBeVisibleAsync();
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

        await bob.Page.ReloadWhenSettledAsync();
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Hello Bob, edited")).ToBeVisibleAsync();
        await Expect(bob.Message("Hi Alice")).ToBeVisibleAsync();
        await Expect(bob.Message("This one will be deleted")).ToHaveCountAsync(0);
        await bob.ScreenshotAsync("05-after-reload");
        AssertNoProblems();
    }

    [Fact]
    public async Task Message_SentWhileThePeersAppWasClosed_TurnsDeliveredWhenThePeerOpensIt()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before you left");
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Before you left" })).ToBeVisibleAsync();
        await Expect(alice.Message("Before you left").Ticks("delivered")).ToBeVisibleAsync();

        await bob.CloseTabAsync();
        await alice.SendAsync("While you were away");
        await Expect(alice.Message("While you were away").Ticks("sent")).ToBeVisibleAsync();

        // The reopened page starts its stream at the server's position: the message comes in the chat list only.
        var reopened = await bob.ReopenAsync();
        Pages[Pages.IndexOf(bob)] = reopened;
        await Expect(reopened.Page.GetByTestId("dialog").Filter(new() { HasText = "While you were away" })).ToBeVisibleAsync();
        await Expect(alice.Message("While you were away").Ticks("delivered")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Chat_OpenedFromTheList_IsInTheAddress_AReloadReopensIt_AndBackClosesIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Where am I?");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Where am I?")).ToBeVisibleAsync();
        await Expect(bob.Page).ToHaveURLAsync(new Regex(@"/\?chat=u\d+$"));

        await bob.Page.ReloadWhenSettledAsync();
        await Expect(bob.Message("Where am I?")).ToBeVisibleAsync();

        await bob.Page.GoBackAsync();
        await Expect(bob.Page.GetByText("Select a chat to start messaging")).ToBeVisibleAsync();
        await Expect(bob.Page).ToHaveURLAsync(new Regex(@"/$"));
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Where am I?" })).ToBeVisibleAsync();
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
        await Expect(bob.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Wrong password" })).ToBeVisibleAsync();
        await bob.Page.GetByLabel("Password to delete").FillAsync(WebUser.Password);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Delete my account" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await bob.ScreenshotAsync("11-account-deleted");

        await alice.Page.ReloadWhenSettledAsync();
        await alice.OpenChatAsync("Deleted Account");
        await Expect(alice.Message("Goodbye Alice")).ToBeVisibleAsync();
        await Expect(alice.Message("Hello Bob")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("deleted account");
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "This account was deleted" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Username_TypedOnSignIn_StaysOnCreateAccount_AndEachPasswordFormInSettingsNamesTheAccount()
    {
        TestName = "UsernameKept";
        var username = WebUser.NewUsername("dora");
        var dora = await OpenAsync();
        var page = dora.Page;
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByLabel("Display name")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Username")).ToHaveValueAsync(username);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToHaveValueAsync(username);

        await dora.RegisterAsync(username, "Dora Explorer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        // Change password, two-step verification, delete account: each with the account's username for password managers.
        var forms = page.Locator("form").Filter(new() { Has = page.Locator("input[type=password]") });
        await Expect(forms).ToHaveCountAsync(3);
        for (var i = 0; i < 3; i++)
        {
            await Expect(forms.Nth(i).Locator("input[autocomplete=username]")).ToHaveValueAsync(username);
        }

        AssertNoProblems();
    }

    [Fact]
    public async Task RecoveryCodes_ShownOnceTwoStepIsTurnedOn_SignANewBrowserIn_AndAreMadeAnew()
    {
        TestName = "RecoveryCodes";
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
        // A step after the one used up: the next (the test was quick) or the step of now (the real clock passed it).
        var later = Math.Max(step + 1, Messenger.Session.Passwords.Totp.StepAt(DateTimeOffset.UtcNow));
        await settings.GetByLabel("Code from the app").FillAsync(Messenger.Session.Passwords.Totp.Code(secret, later));
        await settings.GetByRole(AriaRole.Button, new() { Name = "Make new recovery codes" }).ClickAsync();
        await Expect(shown).ToHaveCountAsync(10);
        await Expect(settings.GetByTestId("recovery-codes-left")).ToHaveTextAsync("10 recovery codes left");
        (await shown.AllTextContentsAsync()).Select(c => c.Trim()).Should().NotIntersectWith(codes);
        AssertNoProblems();
    }

    [Fact]
    public async Task NewSignIn_OnASecondBrowser_IsAnnouncedOnTheFirst_WhichReviewsItsDevices_AndChoosesWhenUnusedOnesGo()
    {
        TestName = "NewSignIn";
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
        // Two tabs of one browser read alike by name and address: each says when it signed in and was last used.
        await Expect(first.Page.GetByTestId("device").First).ToContainTextAsync(new Regex(@"^Chrome \d+ on Linux"));
        await Expect(first.Page.GetByTestId("device-details").Nth(0)).ToHaveTextAsync(new Regex(@"^web · \S+ · signed in .+ · active .+$"));
        await Expect(first.Page.GetByTestId("device-details").Nth(1)).ToHaveTextAsync(new Regex(@"^web · \S+ · signed in .+ · active .+$"));
        await first.ScreenshotAsync("28-devices");
        var autoSignOut = first.Page.GetByLabel("Automatically sign out devices inactive for");
        await Expect(autoSignOut).ToHaveValueAsync("180");
        await autoSignOut.SelectOptionAsync(new SelectOptionValue { Label = "1 week" });
        await Expect(first.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "devices inactive that long are signed out" })).ToBeVisibleAsync();
        await notice.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(notice).ToHaveCountAsync(0);

        var reopened = await first.ReopenAsync();
        Pages[Pages.IndexOf(first)] = reopened;
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
        await page.ReloadWhenSettledAsync();
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
        await Expect(alice.Page.GetByTestId("server-fingerprint")).ToHaveTextAsync(ServerKeyFingerprint.Of(Host.ServerPublicKey));
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
    public async Task SecondDevice_WhenItsQrLinkIsOpenedSignedIn_IsOfferedUnderAddADevice_AndSignedInOnlyByAccept()
    {
        var alice = await OpenAsync();
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        TestName = nameof(SecondDevice_WhenItsQrLinkIsOpenedSignedIn_IsOfferedUnderAddADevice_AndSignedInOnlyByAccept).Split('_')[0];
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        var phone = await OpenAsync();
        await phone.Page.GetByRole(AriaRole.Tab, new() { Name = "Log in by QR code" }).ClickAsync();
        var tokenField = phone.Page.GetByRole(AriaRole.Textbox, new() { Name = "Login token" });
        await Expect(tokenField).Not.ToBeEmptyAsync();
        var token = await tokenField.InputValueAsync();
        await Expect(phone.Page.GetByRole(AriaRole.Img, new() { Name = "Login QR code" })).ToBeVisibleAsync();

        // What the QR code holds (loginLinkOf), as a camera opens it on the signed-in device.
        await alice.Page.GotoAsync($"/?login={Uri.EscapeDataString(token)}");
        var offered = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Login token" });
        await Expect(offered).ToHaveValueAsync(token);
        await Expect(alice.Page.GetByTestId("login-link-note")).ToBeVisibleAsync();
        // The token leaves the address bar (and the history) once read.
        await Expect(alice.Page).Not.ToHaveURLAsync(new Regex("login="));
        await alice.ScreenshotAsync("08-login-link");
        await Task.Delay(1_000);
        await Expect(phone.Page.GetByRole(AriaRole.Tab, new() { Name = "Log in by QR code" })).ToBeVisibleAsync(); // not signed in by the link alone

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Accept", Exact = true }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Signed in" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("login-link-note")).ToHaveCountAsync(0);
        await Expect(phone.Page.GetByRole(AriaRole.Button, new() { Name = "New chat" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("device")).ToHaveCountAsync(2);
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
    public async Task Photo_WhenOfATypeTheAppDoesNotShowOrNotAnImage_ArrivesAsAFileToDownload()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>"u8.ToArray();

        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "logo.svg", MimeType = "image/svg+xml", Buffer = svg });
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Download logo.svg" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display })).ToContainTextAsync("logo.svg");

        chooser = await alice.Page.RunAndWaitForFileChooserAsync(() =>
            alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "notes.png", MimeType = "image/png", Buffer = "not a picture"u8.ToArray() });
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Download notes.png" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("photo-thumb")).ToHaveCountAsync(0);
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

        // Nobody else reads Saved Messages: a note there carries no tick once stored (one's own elsewhere do).
        await bob.SendAsync("Note to self");
        var note = bob.Message("Note to self");
        await Expect(note.Locator("time")).ToBeVisibleAsync();
        await Expect(note.GetByRole(AriaRole.Img, new() { Name = "sending" })).ToHaveCountAsync(0);
        await Expect(note.Locator(".ticks")).ToHaveCountAsync(0);
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
        await page.ReloadWhenSettledAsync();
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
        await bob.Page.ReloadWhenSettledAsync();
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

        await bob.Page.ReloadWhenSettledAsync();
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
        await bob.Page.ReloadWhenSettledAsync();
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

        await bob.Page.ReloadWhenSettledAsync();
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Release is out").GetByRole(AriaRole.Button, new() { Name = "👍 1" })).ToHaveAttributeAsync("aria-pressed", "false");
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
        Pages[Pages.IndexOf(bob)] = reopened;
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
    public async Task AutoDelete_SetInTheHeader_MarksNewMessages_WhichLeaveBothScreensAtTheirTime_AndCanBeTurnedOff()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        Host = await WebTestKit.StartHostAsync(services => services.AddSingleton<TimeProvider>(clock));
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
        await Host.Services.GetRequiredService<Messenger.Message.AutoDelete.MessageExpiry>().DeleteExpiredAsync(CancellationToken.None);
        await Expect(bob.Message("Self-destructing")).ToHaveCountAsync(0);
        await Expect(alice.Message("Self-destructing")).ToHaveCountAsync(0);
        await alice.Page.ReloadWhenSettledAsync();
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
        Host = await WebTestKit.StartHostAsync(settings: new Dictionary<string, string?> { ["Messenger:Message:LinkPreviewsPrivateNetworks"] = "true" });
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
        await Expect(alice.Page.Locator(".composer__error")).ToHaveTextAsync("A message may show at most 4,096 characters (4,097 / 4,096 characters: 1 too many)");
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

        // The laptop signs out right after typing: the draft reaches the server first, nothing of it stays in that
        // browser's storage, and signing in again brings it back from the server.
        await laptopBox.FillAsync("Typed before leaving");
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        (await laptop.Page.EvaluateAsync<string[]>("() => Object.keys(localStorage).filter(k => k.startsWith('messenger.draft.'))"))
            .Should().BeEmpty("a sign-out leaves no draft readable in the browser");
        await laptop.Page.GetByLabel("Username").FillAsync(aliceName.Username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Draft: Typed before leaving");
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

        await page.ReloadWhenSettledAsync();
        await Expect(page.GetByTestId("dialog").First).ToContainTextAsync(bobName.Display);
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display })).ToContainTextAsync("Hello Bob");
        (await bob.Page.GetByTestId("dialog").GetByRole(AriaRole.Img, new() { Name = "pinned" }).CountAsync()).Should().Be(0, "a pin is Alice's own");
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

        await page.ReloadWhenSettledAsync();
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
        var (alice, _, aliceName, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Remind me to answer this");
        var row = page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await using var phone = await Host.ConnectAsync();
        await phone.SignInAsync(aliceName.Username, WebUser.Password, "phone", "tests");
        var toBob = new Peer(PeerKind.User, (await phone.SearchUsersAsync(bobName.Username)).Single().Id);

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveCountAsync(0);
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToBeVisibleAsync();
        await page.ReloadWhenSettledAsync();
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToBeVisibleAsync();

        await alice.OpenChatAsync(bobName.Display);
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToHaveCountAsync(0);
        // The page takes the mark off at once and tells the server (messages.ts openChat; a reload before it answers
        // sends it again: Closing_WhenAChatMarkedUnread...). Her phone sees it gone first.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await phone.GetDialogsAsync()).Items.Single(d => d.Peer == toBob).UnreadMark && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await page.ReloadWhenSettledAsync();
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
        await page.ReloadWhenSettledAsync();
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

    [Fact]
    public async Task Reconnect_WhenTheServerRestarts_ShowsOfflineThenCarriesOnWithoutAReload()
    {
        await UseRestartableHostAsync();
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before the restart");
        await bob.OpenChatAsync(aliceName.Display);

        var port = Host.BaseAddress.Port;
        await Host.DisposeAsync();
        var offline = alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" });
        await Expect(offline).ToBeVisibleAsync();
        await alice.ScreenshotAsync("10-offline");
        var banner = (await offline.BoundingBoxAsync())!;
        foreach (var covered in new[] { alice.Page.Locator(".conversation__header"), alice.Page.Locator(".sidebar__header") })
        {
            var box = (await covered.BoundingBoxAsync())!;
            box.Y.Should().BeGreaterThanOrEqualTo(banner.Y + banner.Height, "the banner is a row above the screen, over no header");
        }

        await StartAgainAsync(port);

        await Expect(offline).ToHaveCountAsync(0);
        await bob.SendAsync("After the restart");
        await Expect(alice.Message("After the restart")).ToBeVisibleAsync();
        await Expect(alice.Message("Before the restart")).ToBeVisibleAsync();
        await alice.SendAsync("Still here");
        await Expect(bob.Message("Still here")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Reconnect_WhenTheLinkGoesSilent_ShowsOfflineWithinTheServerTimeout_ThenCarriesOn()
    {
        // The server pings a quiet link every second and Alice's browser gives one up after 5 s (5 s and 15 s by default,
        // against SignalR's 15 s and 30 s before; SignalR looks at a link's keep-alive once a second, so its pings are 1 to
        // 2 s apart and 3 s left a busy machine one second); her page reaches the host through a relay that can go silent.
        TestName = "Silence";
        Host = await WebTestKit.StartHostAsync(settings: new Dictionary<string, string?> { ["Messenger:Protocol:KeepAliveSeconds"] = "1" });
        await using var relay = new TcpRelay(Host.BaseAddress);
        var alice = await BrowserPage.OpenAsync(Browser, relay.Address);
        Pages.Add(alice);
        await alice.Page.EvaluateAsync("() => localStorage.setItem('messenger.serverTimeoutMs', '5000')");
        await alice.Page.ReloadWhenSettledAsync();
        var bob = await OpenAsync();
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        await alice.RegisterAsync(WebUser.NewUsername("alice"), "Alice Liddell");
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before the silence");
        await bob.OpenChatAsync("Alice Liddell");
        await Expect(bob.Message("Before the silence")).ToBeVisibleAsync();

        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("online");
        relay.Silence().Should().Be(1, "Alice's page holds one WebSocket");
        var offline = alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" });
        await Expect(offline).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("waiting for network…");
        await alice.ScreenshotAsync("10-silent");
        relay.Restore();

        await Expect(offline).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("online");
        await bob.SendAsync("After the silence");
        await Expect(alice.Message("After the silence")).ToBeVisibleAsync();
        await alice.SendAsync("Still here");
        await Expect(bob.Message("Still here")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Outbox_AMessageWrittenWhileTheServerIsDown_IsSentOnceWhenTheTabIsOpenedAgain()
    {
        var (alice, bob, bobName, port) = await ChatThenOutageAsync();
        await alice.SendAsync("Written offline");
        await Expect(alice.Message("Written offline").Ticks("sending")).ToBeVisibleAsync();
        var outbox = await alice.Page.EvaluateAsync<string>("() => Object.keys(localStorage).filter(k => k.startsWith('messenger.outbox.')).map(k => localStorage.getItem(k)).join()");
        outbox.Should().Contain("Written offline", "the unsent message is kept on this browser");
        await alice.Page.CloseAsync();

        await StartAgainAsync(port);
        var reopened = await alice.ReopenAsync();
        Pages[Pages.IndexOf(alice)] = reopened;

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
    public async Task Outbox_AMessageWrittenOffline_IsItsChatsLastInTheList_WithAClock_UntilItIsSent()
    {
        await UseRestartableHostAsync();
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var carol = await OpenAsync();
        var carolName = (Username: WebUser.NewUsername("carol"), Display: "Carol Danvers");
        await carol.RegisterAsync(carolName.Username, carolName.Display);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before the outage");
        await Expect(alice.Message("Before the outage").Ticks("sending")).ToHaveCountAsync(0);
        await alice.StartChatAsync(carolName.Username, carolName.Display);
        await alice.SendAsync("Hello Carol");
        await Expect(alice.Message("Hello Carol").Ticks("sending")).ToHaveCountAsync(0);
        var rows = alice.Page.GetByTestId("dialog");
        var bobRow = rows.Filter(new() { HasText = bobName.Display });
        await Expect(rows.First).ToContainTextAsync(carolName.Display);
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: Before the outage");

        var port = Host.BaseAddress.Port;
        await Host.DisposeAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" })).ToBeVisibleAsync();
        await alice.OpenChatAsync(bobName.Display);
        await alice.SendAsync("Written offline");
        await Expect(alice.Message("Written offline").Ticks("sending")).ToBeVisibleAsync();
        await Expect(rows.First).ToContainTextAsync(bobName.Display);
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: Written offline");
        await Expect(bobRow.GetByRole(AriaRole.Img, new() { Name = "sending" })).ToBeVisibleAsync();
        await Expect(rows.GetByRole(AriaRole.Img, new() { Name = "sending" })).ToHaveCountAsync(1);
        await alice.ScreenshotAsync("10-outbox-in-the-list");

        await StartAgainAsync(port);
        await Expect(bobRow.GetByRole(AriaRole.Img, new() { Name = "sending" })).ToHaveCountAsync(0);
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: Written offline");
        await Expect(rows.First).ToContainTextAsync(bobName.Display);
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Written offline")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Search_EnterOpensTheFirstResult_AndTheArrowsGoThroughTheResults()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Keyboard only");
        await alice.CreateGroupAsync("Keyboard club", bobName.Username);
        var search = alice.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" });

        await search.FillAsync(bobName.Display);
        await Expect(alice.Page.GetByRole(AriaRole.Region, new() { Name = "People" })).ToBeVisibleAsync();
        await search.PressAsync("Enter");
        await Expect(alice.Page.GetByTestId("chat-title")).ToHaveTextAsync(bobName.Display);
        await Expect(search).ToHaveValueAsync("");

        await search.FillAsync("Keyboard");
        var messages = alice.Page.GetByRole(AriaRole.Region, new() { Name = "Messages" });
        await Expect(messages.GetByRole(AriaRole.Button).Filter(new() { HasText = "Keyboard only" })).ToBeVisibleAsync();
        await search.PressAsync("ArrowDown");
        await Expect(alice.Page.GetByRole(AriaRole.Region, new() { Name = "Chats" }).GetByRole(AriaRole.Button)).ToBeFocusedAsync();
        await alice.Page.Keyboard.PressAsync("ArrowDown");
        await Expect(messages.GetByRole(AriaRole.Button).First).ToBeFocusedAsync();
        await alice.Page.Keyboard.PressAsync("ArrowUp");
        await alice.Page.Keyboard.PressAsync("ArrowUp");
        await Expect(search).ToBeFocusedAsync();
        await search.PressAsync("Enter");
        await Expect(alice.Page.GetByTestId("chat-title")).ToHaveTextAsync("Keyboard club");
        AssertNoProblems();
    }

    [Fact]
    public async Task Message_InHebrew_ReadsRightToLeft_ItsFullStopAtItsLeftEnd()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("שלום לכולם.");
        (await box.EvaluateAsync<string>("e => getComputedStyle(e).direction")).Should().Be("rtl");
        await box.PressAsync("Enter");
        await bob.OpenChatAsync(aliceName.Display);

        foreach (var page in new[] { alice, bob })
        {
            var text = page.Message("שלום לכולם").Locator(".bubble__text");
            await Expect(text).ToBeVisibleAsync();
            // Where the full stop is drawn: at the left of the words in a right-to-left line.
            var stopIsLeftmost = await text.EvaluateAsync<bool>(
                """
                e => {
                  const node = [...e.querySelectorAll('*'), e].flatMap(n => [...n.childNodes]).find(n => n.nodeType === 3 && n.data.includes('.'));
                  const range = document.createRange();
                  const at = node.data.indexOf('.');
                  range.setStart(node, at);
                  range.setEnd(node, at + 1);
                  const stop = range.getBoundingClientRect();
                  range.setStart(node, 0);
                  range.setEnd(node, 1);
                  return stop.left < range.getBoundingClientRect().left;
                }
                """);
            stopIsLeftmost.Should().BeTrue();
        }
    }

    [Fact]
    public async Task Send_WhileReadingOlderMessages_ShowsTheSentMessageAtTheBottom()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("The first one");
        await alice.SendAsync("A long message that fills the screen: " + string.Join(' ', Enumerable.Repeat("and more words", 200)));
        await alice.Page.Locator(".messages__scroller").EvaluateAsync("e => e.scrollTop = 0");
        await Expect(alice.Message("The first one")).ToBeInViewportAsync();

        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Sent from up there");
        await box.PressAsync("Enter");
        await Expect(alice.Message("Sent from up there")).ToBeInViewportAsync();
        await Expect(alice.Message("Sent from up there").Ticks("sending")).ToHaveCountAsync(0);
        await Expect(alice.Message("Sent from up there")).ToBeInViewportAsync();
    }

    [Fact]
    public async Task History_ScrolledUpJustBeforeTheAppRendersAgain_StaysWhereTheReaderLeftIt()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("The first one");
        await alice.SendAsync("A long message that fills the screen: " + string.Join(' ', Enumerable.Repeat("and more words", 200)));
        // A draft is kept at once, under the user's id: the script below finds the id there.
        await alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("Typed while reading");
        var scroller = alice.Page.Locator(".messages__scroller");

        // The reader's scroll, and in the same task a change of the app's state, as a receipt or a message that comes
        // before the scroll's event (dispatched with the next frame): here another tab of this browser changing the
        // outbox, which the app reads again. The render that follows once took the history for still at its end, where
        // it was heard of last, and put the reader back at the bottom (a CI flake of the test above).
        await scroller.EvaluateAsync(
            """
            e => {
              const id = Object.keys(localStorage).map(k => /^messenger\.draft\.(\d+)\./.exec(k)?.[1]).find(Boolean);
              if (!id) throw new Error('no draft kept under the user id');
              e.scrollTop = 0;
              window.dispatchEvent(new StorageEvent('storage', { key: `messenger.outbox.${id}` }));
            }
            """);
        await alice.Page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
        (await scroller.EvaluateAsync<double>("e => e.scrollTop")).Should().Be(0);
        await Expect(alice.Message("The first one")).ToBeInViewportAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Scroll to the latest messages" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Upload_WhileItRuns_IsItsChatsLastInTheList_WithAClock_UntilItsMessageIsStored()
    {
        // Four parts of 512 KiB (PART_SIZE in api/media.ts): the host stores the first part that comes, then holds the
        // others until the test lets them through.
        var held = new UploadPartsProbe(passing: 1);
        Host = await WebTestKit.StartHostAsync(held.Register);
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("A report follows");
        var bobRow = alice.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        var clock = bobRow.GetByRole(AriaRole.Img, new() { Name = "sending" });
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: A report follows");
        await Expect(clock).ToHaveCountAsync(0);

        await AttachAsync(alice, "draft.bin", RandomNumberGenerator.GetBytes(4 * 512 * 1024), "The draft");
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: draft.bin, The draft");
        await Expect(clock).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel upload of draft.bin" }).ClickAsync();
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: A report follows");
        await Expect(clock).ToHaveCountAsync(0);

        await AttachAsync(alice, "report.bin", RandomNumberGenerator.GetBytes(4 * 512 * 1024), "The report");
        await Expect(alice.Page.GetByRole(AriaRole.Progressbar, new() { Name = "Uploading report.bin" })).ToBeVisibleAsync();
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: report.bin, The report");
        await Expect(clock).ToBeVisibleAsync();
        await Expect(alice.Message("The report")).ToHaveCountAsync(0);

        held.Release();
        await Expect(alice.Message("The report")).ToBeVisibleAsync();
        await Expect(alice.Message("The report").Ticks("sending")).ToHaveCountAsync(0);
        await Expect(clock).ToHaveCountAsync(0);
        await Expect(bobRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: report.bin, The report");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("The report").GetByRole(AriaRole.Button, new() { Name = "Download report.bin" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Upload_CancelledWhileTheServerIsDown_GivesItsCaptionBackToTheMessageBox()
    {
        var (alice, _, _, port) = await ChatThenOutageAsync();
        var box = await AttachSlidesAsync(alice);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel upload of slides.bin" }).ClickAsync();
        await Expect(box).ToHaveValueAsync("The slides, as promised");

        await StartAgainAsync(port);
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Upload_WhileTheServerIsDown_SurvivesTheTabClosing_AndIsSentOnceWithItsCaption()
    {
        var (alice, bob, bobName, port) = await ChatThenOutageAsync();
        await AttachSlidesAsync(alice);
        await Expect(alice.Page.GetByText("slides.bin", new() { Exact = true })).ToBeVisibleAsync();
        await WaitForKeptUploadsAsync(alice, 1);
        await alice.CloseTabAsync();

        await StartAgainAsync(port);
        var reopened = await alice.ReopenAsync();
        Pages[Pages.IndexOf(alice)] = reopened;

        var sent = bob.Message("The slides, as promised");
        await Expect(sent.GetByRole(AriaRole.Button, new() { Name = "Download slides.bin" })).ToBeVisibleAsync();
        await reopened.OpenChatAsync(bobName.Display);
        await Expect(reopened.Message("The slides, as promised").Ticks("sending")).ToHaveCountAsync(0);
        await WaitForKeptUploadsAsync(reopened, 0);
        await Expect(reopened.Page.GetByRole(AriaRole.Progressbar, new() { Name = "Uploading slides.bin" })).ToHaveCountAsync(0);
        await bob.SendAsync("Got the slides");
        await Expect(reopened.Message("Got the slides")).ToBeVisibleAsync();
        await Expect(sent).ToHaveCountAsync(1);
        await Expect(reopened.Message("The slides, as promised")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Upload_OfAFileOverTheKeptCap_SaysToKeepTheTabOpen_UntilItIsSent()
    {
        var (alice, bob, _, port) = await ChatThenOutageAsync();
        await alice.Page.EvaluateAsync("() => localStorage.setItem('messenger.keptUploadCapBytes', String(1024 * 1024))");
        await AttachSlidesAsync(alice);
        await AttachAsync(alice, "recording.bin", RandomNumberGenerator.GetBytes(2 * 1024 * 1024), "The whole recording");
        await WaitForKeptUploadsAsync(alice, 1);

        var note = alice.Page.GetByTestId("upload-not-kept");
        await Expect(note).ToHaveCountAsync(1);
        await Expect(note).ToHaveTextAsync("Keep this tab open until this file is sent: a reload or a closed tab would lose it.");
        await Expect(alice.Page.Locator(".upload").Filter(new() { HasText = "recording.bin" }).GetByTestId("upload-not-kept")).ToBeVisibleAsync();

        await StartAgainAsync(port);
        await Expect(bob.Message("The whole recording").GetByRole(AriaRole.Button, new() { Name = "Download recording.bin" })).ToBeVisibleAsync();
        await Expect(bob.Message("The slides, as promised")).ToHaveCountAsync(1);
        await Expect(note).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Upload_WhenTheTabClosesHalfWay_SendsOnlyTheMissingPartsAfterwards_AndTheMessageOnce()
    {
        // Eight parts of 512 KiB (PART_SIZE in api/media.ts): the host stores three, then holds the others until it stops.
        var stalled = new UploadPartsProbe(passing: 3);
        await UseRestartableHostAsync(stalled.Register);
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("A report follows");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("A report follows")).ToBeVisibleAsync();

        var content = RandomNumberGenerator.GetBytes(8 * 512 * 1024);
        await AttachAsync(alice, "report.bin", content, "The report, resumed");
        var progress = alice.Page.GetByRole(AriaRole.Progressbar, new() { Name = "Uploading report.bin" });
        await Expect(progress).ToHaveJSPropertyAsync("value", 3 / 8.0);
        await WaitForKeptUploadsAsync(alice, 1);
        await alice.CloseTabAsync();
        var port = Host.BaseAddress.Port;
        await Host.DisposeAsync();
        var stored = stalled.Passed;
        stored.Should().HaveCount(3).And.OnlyContain(p => p.FileId == stored[0].FileId);

        var resumed = new UploadPartsProbe();
        await StartAgainAsync(port, resumed.Register);
        var reopened = await alice.ReopenAsync();
        Pages[Pages.IndexOf(alice)] = reopened;

        var sent = bob.Message("The report, resumed");
        var download = await bob.Page.RunAndWaitForDownloadAsync(() =>
            sent.GetByRole(AriaRole.Button, new() { Name = "Download report.bin" }).ClickAsync());
        SHA256.HashData(await File.ReadAllBytesAsync(await download.PathAsync())).Should().Equal(SHA256.HashData(content));
        resumed.Passed.Where(p => p.FileId == stored[0].FileId).Select(p => p.Part).Should().BeEquivalentTo(
            Enumerable.Range(0, 8).Except(stored.Select(p => p.Part)), "the parts the server had are not sent again");

        await reopened.OpenChatAsync(bobName.Display);
        await bob.SendAsync("Got the report");
        await Expect(reopened.Message("Got the report")).ToBeVisibleAsync();
        await Expect(sent).ToHaveCountAsync(1);
        await Expect(reopened.Message("The report, resumed")).ToHaveCountAsync(1);
    }

    /// <summary>Alice's chat with Bob, open on both sides with her first message, then the host stopped (on a restartable
    /// host: <see cref="BrowserEndToEndTests.StartAgainAsync"/> with the port returned) and Alice's page offline.</summary>
    private async Task<(BrowserPage Alice, BrowserPage Bob, (string Username, string Display) BobName, int Port)> ChatThenOutageAsync(
        [CallerMemberName] string test = "")
    {
        await UseRestartableHostAsync();
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync(test);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Before the outage");
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Message("Before the outage")).ToBeVisibleAsync();

        var port = Host.BaseAddress.Port;
        await Host.DisposeAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Offline" })).ToBeVisibleAsync();
        return (alice, bob, bobName, port);
    }

    /// <summary>Attaches slides.bin (600 KiB) with the caption "The slides, as promised". Returns the box.</summary>
    private static Task<ILocator> AttachSlidesAsync(BrowserPage page) =>
        AttachAsync(page, "slides.bin", RandomNumberGenerator.GetBytes(600 * 1024), "The slides, as promised");

    /// <summary>Types <paramref name="caption"/> and attaches <paramref name="content"/> as <paramref name="name"/>: the
    /// caption leaves the box with the file. Returns the box.</summary>
    private static async Task<ILocator> AttachAsync(BrowserPage page, string name, byte[] content, string caption)
    {
        var box = page.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync(caption);
        var chooser = await page.Page.RunAndWaitForFileChooserAsync(() =>
            page.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = name, MimeType = "application/octet-stream", Buffer = content });
        await Expect(box).ToHaveValueAsync("");
        return box;
    }

    /// <summary>Waits until the web client keeps this many files in IndexedDB for their uploads (keptUploads.ts).</summary>
    private static async Task WaitForKeptUploadsAsync(BrowserPage page, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int kept;
        while ((kept = await KeptUploadsAsync(page)) != count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        kept.Should().Be(count, "the files kept for their uploads");
    }

    private static Task<int> KeptUploadsAsync(BrowserPage page) =>
        page.Page.EvaluateAsync<int>(
            """
            () => new Promise((resolve, reject) => {
              const open = indexedDB.open('messenger.uploads');
              // Not made yet: the probe must not make it (without its store) before the app does.
              open.onupgradeneeded = () => open.transaction.abort();
              open.onerror = () => resolve(0);
              open.onsuccess = () => {
                const db = open.result;
                const counted = db.transaction('uploads').objectStore('uploads').count();
                counted.onsuccess = () => { db.close(); resolve(counted.result); };
                counted.onerror = () => { db.close(); reject(counted.error); };
              };
            })
            """);

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
        await using var phone = await Host.ConnectAsync();
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
        Pages[Pages.IndexOf(alice)] = reopened;
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
        TestName = "MessageActions";
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
        // Once the history is at its end, the scroll that put it there is dispatched in the next frame: two frames later
        // the bar has heard of it (floatingActions.ts listens to scroll events as they come).
        await page.WaitForFunctionAsync("() => { const s = document.querySelector('.messages__scroller'); return s.scrollTop + s.clientHeight >= s.scrollHeight - 2; }");
        await page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
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
}
