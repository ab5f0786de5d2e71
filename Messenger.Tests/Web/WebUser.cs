using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>What a person does in the web client, by the names a screen reader would announce.</summary>
internal static class WebUser
{
    public const string Password = "correct horse battery";

    static WebUser() => SetDefaultExpectTimeout(20_000);

    public static string NewUsername(string name) => $"{name}_{Random.Shared.Next(100_000, 999_999)}";

    public static async Task RegisterAsync(this BrowserPage browser, string username, string displayName)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Tab, new() { Name = "Create account" }).ClickAsync();
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Display name").FillAsync(displayName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New chat" })).ToBeVisibleAsync();
    }

    public static async Task StartChatAsync(this BrowserPage browser, string username, string displayName)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await page.GetByLabel("Find people by name or username").FillAsync(username);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Message {displayName} (@{username})" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(displayName);
    }

    /// <summary>Creates a small group from <i>New group</i>, with the users found by these usernames, and opens it.</summary>
    public static async Task CreateGroupAsync(this BrowserPage browser, string title, params string[] memberUsernames)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await page.GetByLabel("Group name").FillAsync(title);
        foreach (var username in memberUsernames)
        {
            await page.GetByLabel("Add members").FillAsync(username);
            await page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Button).First.ClickAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(title);
    }

    public static async Task OpenChatAsync(this BrowserPage browser, string title)
    {
        await browser.Page.GetByTestId("dialog").Filter(new() { HasText = title }).ClickAsync();
        await Expect(browser.Page.GetByTestId("chat-title")).ToHaveTextAsync(title);
    }

    public static async Task SendAsync(this BrowserPage browser, string text)
    {
        await NoModalOpenAsync(browser);
        var box = browser.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
        await Expect(browser.Message(text)).ToBeVisibleAsync();
    }

    public static ILocator Message(this BrowserPage browser, string text) =>
        browser.Page.GetByTestId("message").Filter(new() { Has = browser.Page.Locator(".bubble__text", new() { HasTextString = text }) });

    /// <summary>Sends a text in the open secret chat and waits for it to show.</summary>
    public static async Task SendSecretAsync(this BrowserPage browser, string text)
    {
        await NoModalOpenAsync(browser);
        var box = browser.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
        await Expect(browser.SecretMessage(text)).ToBeVisibleAsync();
    }

    // A user types once the dialog they used has closed. Typing while one still finished an asynchronous step raced with
    // its giving the focus back to its opener (once in CI the Enter reopened the self-destruct timer's dialog).
    private static Task NoModalOpenAsync(BrowserPage browser) =>
        Expect(browser.Page.Locator("[role=dialog][aria-modal=true]")).ToHaveCountAsync(0);

    public static ILocator SecretMessage(this BrowserPage browser, string text) =>
        browser.Page.GetByTestId("secret-message").Filter(new() { Has = browser.Page.Locator(".bubble__text", new() { HasTextString = text }) });

    public static ILocator Ticks(this ILocator message, string status) =>
        message.GetByRole(AriaRole.Img, new() { Name = status, Exact = true });

    /// <summary>
    /// Reloads once the address shows what the page shows. Closing a chat goes Back from the entry opening it pushed
    /// (address.ts), and the browser takes that step after the click returns: a reload before it lands is aborted
    /// ("net::ERR_ABORTED; maybe frame was detached?"). A page still opening the chat a reload's address names settles
    /// when the chat is shown.
    /// </summary>
    public static async Task ReloadWhenSettledAsync(this IPage page)
    {
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=chat-title]') !== null || !/[?&]chat=/.test(location.search)");
        await page.ReloadAsync();
    }
}
