using Messenger.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Messenger.Tests.Web;

/// <summary>
/// One browser context (one device: its own storage, so its own device key) with one page, recording what a person
/// would not want to see: console errors, uncaught exceptions and dialogs.
/// </summary>
internal sealed class BrowserPage : IAsyncDisposable
{
    private readonly List<string> _problems = [];
    private readonly List<string> _dialogs = [];

    private BrowserPage(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console error: {message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => Record($"uncaught: {error}");
        page.Dialog += async (_, dialog) =>
        {
            lock (_dialogs)
            {
                _dialogs.Add($"{dialog.Type}: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return _problems.ToList();
            }
        }
    }

    public IReadOnlyList<string> Dialogs
    {
        get
        {
            lock (_dialogs)
            {
                return _dialogs.ToList();
            }
        }
    }

    /// <param name="phone">A phone's touch screen, 390 by 844 (no hover, taps), instead of a desktop's 1200 by 800.</param>
    public static async Task<BrowserPage> OpenAsync(IBrowser browser, Uri baseAddress, bool phone = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            AcceptDownloads = true,
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1200, Height = 800 },
            HasTouch = phone,
            IsMobile = phone,
        });
        context.SetDefaultTimeout(20_000);
        context.SetDefaultNavigationTimeout(20_000);
        // Back after a restart of the test's server within about 1.5 s instead of the back-off's 10–15 s (a test may
        // set its own value before a reload).
        await context.AddInitScriptAsync(
            "try { if (localStorage.getItem('messenger.reconnectMaxDelayMs') === null) localStorage.setItem('messenger.reconnectMaxDelayMs', '1000'); } catch { }");
        var page = await context.NewPageAsync();
        var opened = new BrowserPage(context, page);
        await page.GotoAsync("/");
        return opened;
    }

    /// <summary>Closes this page and opens the app again in a new page of the same context: the same device, as after
    /// closing the tab and coming back. The new page owns the context from now on.</summary>
    public async Task<BrowserPage> ReopenAsync()
    {
        if (!Page.IsClosed)
        {
            await Page.CloseAsync();
        }

        var page = await Context.NewPageAsync();
        var reopened = new BrowserPage(Context, page);
        await page.GotoAsync("/");
        return reopened;
    }

    /// <summary>Closes the tab and keeps the context (the device and its storage): <see cref="ReopenAsync"/> comes back.</summary>
    public Task CloseTabAsync() => Page.CloseAsync();

    public async Task ScreenshotAsync(string name)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    private void Record(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }
}
