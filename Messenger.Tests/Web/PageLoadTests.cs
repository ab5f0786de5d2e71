using Messenger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

[Collection(BrowserCollection.Name)]
public sealed class PageLoadTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await WebTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Open_WhenANewVisitorLoadsTheApp_ConnectsAndOffersSignInWithoutErrors()
    {
        await using var visitor = await BrowserPage.OpenAsync(browser.Browser, _host.BaseAddress);

        await Expect(visitor.Page.GetByRole(AriaRole.Tab, new() { Name = "Create account" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await visitor.ScreenshotAsync("01-sign-in");

        (await visitor.Page.TitleAsync()).Should().Be("Messenger");
        visitor.Problems.Should().BeEmpty();
    }
}
