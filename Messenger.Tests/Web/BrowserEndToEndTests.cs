using System.Runtime.CompilerServices;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>
/// What the end-to-end test classes share: a host of its own for each test, pages opened in the collection's
/// Chromium, and, after each test, the last screen of every page and what its console said, to read a failure by.
/// The host starts with the test's first page, so a test that needs another (a restartable one, other settings) sets
/// its own first and no default host is started and stopped for nothing.
/// </summary>
public abstract class BrowserEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private protected List<BrowserPage> Pages { get; } = [];

    private TestHost? _host;
    private Task<TestHost>? _defaultHost;

    /// <summary>The test's host: the default one once a page is open (<see cref="OpenAsync"/>), or the one the test set.</summary>
    private protected TestHost Host
    {
        get => _host ?? throw new InvalidOperationException("The test has no host yet: open a page first, or set Host (UseRestartableHostAsync).");
        set => _host = value;
    }

    /// <summary>A data directory the test keeps across a restart of its host; deleted after the test.</summary>
    private protected TempDirectory? KeptData { get; set; }

    /// <summary>Names the pages' last screenshots.</summary>
    private protected string TestName { get; set; } = "";

    private protected IBrowser Browser => browser.Browser;

    private protected ITestOutputHelper Output => output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = 0; i < Pages.Count; i++)
        {
            try
            {
                await Pages[i].ScreenshotAsync($"last-{TestName}-{i + 1}");
            }
            catch (PlaywrightException e)
            {
                output.WriteLine($"page {i + 1}: no screenshot ({e.Message})");
            }

            foreach (var problem in Pages[i].Problems)
            {
                output.WriteLine($"page {i + 1}: {problem}");
            }

            await Pages[i].DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        KeptData?.Dispose();
    }

    /// <summary>Replaces the test's host with one it can stop and start again at the same address on the same data
    /// (<see cref="KeptData"/>, <see cref="WebTestKit.RestartablePort"/>): pages keep their origin across the restart.</summary>
    private protected async Task UseRestartableHostAsync(Action<IServiceCollection>? configureServices = null)
    {
        KeptData = new TempDirectory();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Host = await WebTestKit.StartHostAsync(configureServices, KeptData.Path, WebTestKit.RestartablePort());
    }

    /// <summary>Starts the host again, after <see cref="UseRestartableHostAsync"/> and a stop, on its data and port.</summary>
    private protected async Task StartAgainAsync(int port, Action<IServiceCollection>? configureServices = null) =>
        Host = await WebTestKit.StartHostAsync(
            configureServices, (KeptData ?? throw new InvalidOperationException("UseRestartableHostAsync first")).Path, port);

    private protected async Task<(BrowserPage Alice, BrowserPage Bob, (string Username, string Display) AliceName, (string Username, string Display) BobName)> TwoPeopleAsync(
        [CallerMemberName] string test = "", bool bobOnPhone = false)
    {
        TestName = test.Split('_')[0];
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        var alice = await OpenAsync();
        var bob = await OpenAsync(bobOnPhone);
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        return (alice, bob, aliceName, bobName);
    }

    private protected async Task<BrowserPage> OpenAsync(bool phone = false)
    {
        // Two pages opened at once share the one default host.
        _host ??= await (_defaultHost ??= WebTestKit.StartHostAsync());
        var page = await BrowserPage.OpenAsync(browser.Browser, Host.BaseAddress, phone);
        Pages.Add(page);
        return page;
    }

    private protected void AssertNoProblems() => Pages.SelectMany(page => page.Problems).Should().BeEmpty();

    private protected static async Task<string[]> Notifications(BrowserPage page) =>
        await page.Page.EvaluateAsync<string[]>("() => window.__notifications.map(n => n.title + '|' + n.body)");

    /// <summary>Selects <paramref name="part"/> inside message <paramref name="messageId"/>'s text, as a mouse drag or a
    /// long press leaves it.</summary>
    private protected static async Task SelectInBubbleAsync(BrowserPage page, string messageId, string part) =>
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
    private protected static async Task TapAsync(BrowserPage page, ILocator target)
    {
        await Expect(target).ToBeVisibleAsync();
        var box = (await target.BoundingBoxAsync())!;
        await page.Page.Touchscreen.TapAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
    }
}
