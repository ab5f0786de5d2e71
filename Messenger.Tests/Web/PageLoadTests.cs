using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Web;

[Collection(BrowserCollection.Name)]
public sealed class PageLoadTests(BrowserFixture browser) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await WebTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Open_WhenANewVisitorLoadsTheApp_ShowsItWithoutErrors()
    {
        await using var visitor = await BrowserPage.OpenAsync(browser.Browser, _host.BaseAddress);

        await visitor.Page.Locator("#app *").First.WaitForAsync();
        await visitor.ScreenshotAsync("01-first-visit");

        (await visitor.Page.TitleAsync()).Should().Be("Messenger");
        visitor.Problems.Should().BeEmpty();
    }
}
