using Microsoft.Playwright;

namespace Messenger.Tests.Web;

/// <summary>
/// The system's headless Chromium, shared by the end-to-end tests (Playwright's own browser download is not used).
/// <list type="bullet">
/// <item><see cref="Browser"/> is Debian's headless shell (package chromium-headless-shell: the same Chromium build
/// without the desktop browser around it) when it is installed, else /usr/bin/chromium. A new context and a page load
/// cost the shell about a third of the CPU time the full browser spends on them, and the browser tests are most of the
/// suite's time on two cores.</item>
/// <item><see cref="FullBrowserAsync"/> is /usr/bin/chromium, started on first use, for what the shell does not have:
/// its notification permission is always denied, so Web Push cannot be turned on in it.</item>
/// </list>
/// A missing browser fails every test that needs it with the reason, never skips them.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string HeadlessShellPath = "/usr/bin/chromium-headless-shell";

    public const string FullBrowserPath = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",

        // A microphone for voice messages: Chromium's fake device (a tone), allowed without a prompt.
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    ];

    private readonly SemaphoreSlim _fullBrowserStart = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowser? _fullBrowser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser was not started.");

    public async Task InitializeAsync()
    {
        var executable = File.Exists(HeadlessShellPath) ? HeadlessShellPath
            : File.Exists(FullBrowserPath) ? FullBrowserPath
            : throw new InvalidOperationException(
                $"The end-to-end tests need Chromium at {HeadlessShellPath} or {FullBrowserPath}: apt-get install -y chromium chromium-headless-shell (.ci/run does it).");

        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchAsync(executable);
    }

    /// <summary>The full Chromium, for Web Push; one for the whole collection.</summary>
    public async Task<IBrowser> FullBrowserAsync()
    {
        if (!File.Exists(FullBrowserPath))
        {
            throw new InvalidOperationException(
                $"This test needs the full Chromium at {FullBrowserPath} (the headless shell has no notifications): apt-get install -y chromium (.ci/run does it).");
        }

        await _fullBrowserStart.WaitAsync();
        try
        {
            return _fullBrowser ??= await LaunchAsync(FullBrowserPath);
        }
        finally
        {
            _fullBrowserStart.Release();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var browser in new[] { _browser, _fullBrowser })
        {
            if (browser is not null)
            {
                await browser.CloseAsync();
            }
        }

        _playwright?.Dispose();
        _fullBrowserStart.Dispose();
    }

    private Task<IBrowser> LaunchAsync(string executable) =>
        _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true, Args = Arguments });
}

/// <summary>The browser tests other than the chat ones: one browser, one test at a time.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}

/// <summary>
/// The chat tests, half of the browser tests' time, in a collection of their own with its own browser: they run beside
/// the other browser tests instead of after them, where each waited for the one before while the rest of the suite had
/// finished (the suite's last three minutes ran one test at a time on two cores).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ChatBrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser (chat)";
}
