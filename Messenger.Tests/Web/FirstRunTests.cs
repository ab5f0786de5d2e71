using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>The page a visitor lands on: <i>Create account</i> on a server with no account yet (its self-hoster's first
/// step), <i>Sign in</i> once it has one, and a server that takes no new accounts says so on <i>Create account</i>.</summary>
[Collection(BrowserCollection.Name)]
public sealed class FirstRunTests(BrowserFixture browser)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Loaded = new() { Timeout = 20_000 };

    [Fact]
    public async Task Open_OnAServerWithNoAccountYet_OpensOnCreateAccount_AndTheFirstAccountIsTheAdmin()
    {
        await using var host = await WebTestKit.StartHostAsync();
        await using var visitor = await BrowserPage.OpenAsync(browser.Browser, host.BaseAddress);
        var page = visitor.Page;

        await Expect(page.GetByTestId("first-account")).ToBeVisibleAsync(Loaded);
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Create account" })).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.GetByLabel("Display name")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Invite code (if the server asks for one)")).ToHaveCountAsync(0);
        await page.GetByLabel("Username").FillAsync("first_admin");
        await page.GetByLabel("Display name").FillAsync("First Admin");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New chat" })).ToBeVisibleAsync(Loaded);
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToBeVisibleAsync();
        visitor.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Open_OnAServerWithNoAccountYet_AVisitorAlreadyTypingOnSignIn_IsNotMovedToCreateAccount()
    {
        // The answer that says "no account yet" comes while the visitor is typing on Sign in: the form once went from
        // under their typing to Create account, and what they typed went nowhere (a CI flake of a test that typed its
        // username as the answer came).
        var config = new CallGate<GetConfigCall>();
        await using var host = await WebTestKit.StartHostAsync(config.Register);
        await using var visitor = await BrowserPage.OpenAsync(browser.Browser, host.BaseAddress);
        var page = visitor.Page;
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync(Loaded);
        await page.GetByLabel("Username").FillAsync("typing_already");
        config.Count.Should().BeGreaterThan(0);

        config.Release();
        await Expect(page.GetByTestId("first-account")).ToBeVisibleAsync(Loaded);
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.GetByLabel("Username")).ToHaveValueAsync("typing_already");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToHaveValueAsync("typing_already");
        visitor.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Open_OnAServerWithAnAccount_OpensOnSignIn()
    {
        await using var host = await WebTestKit.StartHostAsync();
        await using var admin = await host.SignUpAsync("the_admin", startEvents: false);
        await using var visitor = await BrowserPage.OpenAsync(browser.Browser, host.BaseAddress);
        var page = visitor.Page;

        await Expect(page.Locator("[data-registration=open]")).ToBeVisibleAsync(Loaded);
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("first-account")).ToHaveCountAsync(0);
        visitor.Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task CreateAccount_WhenTheServerTakesNoNewAccounts_SaysSoInsteadOfTheForm()
    {
        await using var host = await WebTestKit.StartHostAsync(settings: new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = "Closed" });
        await using var admin = await host.SignUpAsync("the_admin", startEvents: false);
        await using var visitor = await BrowserPage.OpenAsync(browser.Browser, host.BaseAddress);
        var page = visitor.Page;

        await Expect(page.Locator("[data-registration=closed]")).ToBeVisibleAsync(Loaded);
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToHaveAttributeAsync("aria-selected", "true");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.GetByTestId("registration-closed")).ToHaveTextAsync("This server does not take new accounts. Ask its admin to create one for you.");
        await Expect(page.GetByLabel("Display name")).ToHaveCountAsync(0);
        visitor.Problems.Should().BeEmpty();
    }
}
