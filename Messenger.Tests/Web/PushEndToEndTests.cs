using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Kernel.Storage;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Messenger.Update.Online;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>
/// Web Push in the built web client: turning notifications on subscribes the browser through its service worker and
/// gives the subscription to the server; with the tab closed, a new message goes through a push service (a local one)
/// to that subscription, and the app's service worker shows it; the link a notification opens shows its chat; another
/// device's sign-in is pushed and shown the same way, and its link opens Settings → Devices; a secret message is pushed
/// to the browser its chat is bound to as a notice without its text, and its link opens the secret chat.
/// Playwright's contexts are incognito, where Chromium has no push service: the page's <c>PushManager.subscribe</c> is
/// replaced by one that answers with a subscription this test made (its endpoint on the local push service, its keys
/// held here), and the pushed body, decrypted here, is handed to the service worker's own code.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PushEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : IAsyncLifetime
{
    private LocalPushService _push = null!;
    private TestHost _host = null!;
    private readonly List<BrowserPage> _pages = [];

    public async Task InitializeAsync()
    {
        _push = await LocalPushService.StartAsync();
        _host = await WebTestKit.StartHostAsync(settings: new Dictionary<string, string?> { ["Messenger:Push:PrivateNetworks"] = "true" });
    }

    public async Task DisposeAsync()
    {
        foreach (var page in _pages)
        {
            foreach (var problem in page.Problems)
            {
                output.WriteLine(problem);
            }

            await page.DisposeAsync();
        }

        await _host.DisposeAsync();
        await _push.DisposeAsync();
    }

    [Fact]
    public async Task WithTheTabClosed_ANewMessage_IsPushedToTheBrowser_AndItsServiceWorkerShowsIt()
    {
        var alice = await OpenAsync();
        var bob = await OpenAsync();
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);

        using var subscription = await SubscribeAsync(bob);
        var device = DeviceOf(subscription.Endpoint);

        await bob.Page.CloseAsync();
        var online = _host.Services.GetRequiredService<OnlineDevices>();
        var bobId = UserIdOf(bobName.Username);
        await SessionTestKit.WaitUntil(() => !online.IsOnline(bobId, device));
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Lunch at noon?");

        var payload = subscription.Decrypt((await _push.NextAsync()).Body);
        var shown = await DeliverToServiceWorkerAsync(bob.Context, payload);
        var aliceId = UserIdOf(aliceName.Username);
        shown.Should().Be($"{aliceName.Display}|Lunch at noon?|u{aliceId}");

        // Another device signs in to Bob's account: his closed browser is told by a push, shown by the service worker.
        await using var laptop = await _host.ConnectAsync();
        var signedIn = await laptop.SignInAsync(bobName.Username, WebUser.Password, "Work laptop", "linux");
        var address = (await laptop.GetAuthorizationsAsync()).Single(a => a.Current).ClientAddress;
        var alert = subscription.Decrypt((await _push.NextAsync()).Body);
        (await DeliverToServiceWorkerAsync(bob.Context, alert, tag: $"sign-in-{signedIn.AuthorizationId}"))
            .Should().Be($"New sign-in to your account: Work laptop from {address}|Not you? Open Settings → Devices and terminate it.|sign-in-{signedIn.AuthorizationId}");

        // Its click with no tab open opens /?settings=devices: Settings, at Devices, which lists the laptop.
        var devices = await bob.Context.NewPageAsync();
        await devices.GotoAsync("/?settings=devices");
        await Expect(devices.GetByRole(AriaRole.Heading, new() { Name = "Devices", Exact = true })).ToBeInViewportAsync();
        await Expect(devices.GetByText("Work laptop").First).ToBeVisibleAsync();
        await Expect(devices).ToHaveURLAsync(new Regex("/$"));
        await devices.CloseAsync();

        // A click with no tab open opens /?chat=u<id>: the app shows that chat.
        var reopened = await bob.Context.NewPageAsync();
        await reopened.GotoAsync($"/?chat=u{aliceId}");
        await Expect(reopened.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);
        // The link's address was taken; the open chat then put its own (Back goes to the chat list).
        await Expect(reopened).ToHaveURLAsync(new Regex($@"/\?chat=u{aliceId}$"));

        // Turned off: the server forgets the subscription.
        await reopened.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await reopened.GetByRole(AriaRole.Button, new() { Name = "Turn off desktop notifications" }).ClickAsync();
        await SessionTestKit.WaitUntil(() => _host.CountRows("update_push_subscriptions") == 0);
        _pages.SelectMany(page => page.Problems).Should().BeEmpty();
    }

    [Fact]
    public async Task WithTheTabClosed_ASecretMessage_IsPushedAsANoticeWithoutItsText_AndItsLinkOpensTheSecretChat()
    {
        var alice = await OpenAsync();
        var bob = await OpenAsync();
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        using var subscription = await SubscribeAsync(bob);
        var device = DeviceOf(subscription.Endpoint);

        // Bob's tab takes Alice's secret chat by itself: this browser is the device the chat is bound to.
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("secret-dialog")).ToContainTextAsync($"{bobName.Display} joined your secret chat");
        await Expect(alice.Page.GetByRole(AriaRole.Region, new() { Name = "Secret chat" }).GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }))
            .ToBeVisibleAsync();

        await bob.Page.CloseAsync();
        var online = _host.Services.GetRequiredService<OnlineDevices>();
        var bobId = UserIdOf(bobName.Username);
        await SessionTestKit.WaitUntil(() => !online.IsOnline(bobId, device));
        var secret = $"Meet at the old mill {Random.Shared.Next(100_000, 999_999)}";
        await alice.SendSecretAsync(secret);

        var payload = subscription.Decrypt((await _push.NextAsync()).Body);
        payload.Should().NotContain("old mill");
        long chatId;
        using (var json = System.Text.Json.JsonDocument.Parse(payload))
        {
            json.RootElement.GetProperty("type").GetString().Should().Be("secret_message");
            chatId = json.RootElement.GetProperty("chat_id").GetInt64();
        }

        (await DeliverToServiceWorkerAsync(bob.Context, payload)).Should().Be($"{aliceName.Display}|🔒 New secret message|s{chatId}");

        // Its click with no tab open opens /?chat=s<id>: the secret chat, with what came while the tab was closed.
        var reopened = await bob.Context.NewPageAsync();
        await reopened.GotoAsync($"/?chat=s{chatId}");
        await Expect(reopened.GetByRole(AriaRole.Region, new() { Name = "Secret chat" })).ToBeVisibleAsync();
        await Expect(reopened.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);
        await Expect(reopened.GetByTestId("secret-message").Filter(new() { HasText = secret })).ToBeVisibleAsync();
        // The link's address was taken; the open chat then put its own (Back goes to the chat list).
        await Expect(reopened).ToHaveURLAsync(new Regex($@"/\?chat=s{chatId}$"));
        _pages.SelectMany(page => page.Problems).Should().BeEmpty();
    }

    /// <summary>Turns on pushes in <paramref name="page"/>'s Settings ("Announce them also while the app is closed"), its
    /// <c>PushManager</c> answering with a new subscription on the local push service.</summary>
    private async Task<BrowserSubscription> SubscribeAsync(BrowserPage page)
    {
        var subscription = _push.Subscribe();
        await page.Context.GrantPermissionsAsync(["notifications"]);
        await page.Context.AddInitScriptAsync($$"""
            (() => {
              const decode = (text) => Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0)).buffer;
              let current = null;
              PushManager.prototype.getSubscription = async function () { return current; };
              PushManager.prototype.subscribe = async function (options) {
                window.__applicationServerKey = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
                current = {
                  endpoint: '{{subscription.Endpoint}}',
                  options: { applicationServerKey: options.applicationServerKey, userVisibleOnly: options.userVisibleOnly },
                  getKey: (name) => decode(name === 'p256dh' ? '{{subscription.P256dh}}' : '{{subscription.Auth}}'),
                  unsubscribe: async () => { current = null; return true; },
                };
                return current;
              };
            })();
            """);
        await page.Page.ReloadWhenSettledAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        // The browser's permission was given before: notifications are on, for open tabs only until asked.
        await Expect(page.Page.GetByTestId("push-status")).ToHaveTextAsync("They are shown only while the app is open.");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Announce them also while the app is closed" }).ClickAsync();
        await Expect(page.Page.GetByTestId("push-status")).ToHaveTextAsync("They reach this browser also while the app is closed.");
        var vapidKey = await page.Page.EvaluateAsync<string>("() => window.__applicationServerKey");
        Convert.FromBase64String(vapidKey).Should().HaveCount(65, "the page subscribed with the server's VAPID key");
        return subscription;
    }

    /// <summary>
    /// Hands <paramref name="payload"/> to the context's service worker as a push message, the way DevTools' "Push"
    /// button does (CDP <c>ServiceWorker.deliverPushMessage</c>: a real <c>push</c> event), and returns the notification it
    /// shows as <c>title|body|tag</c>, read from a page of the same origin that runs none of the app.
    /// </summary>
    private async Task<string> DeliverToServiceWorkerAsync(IBrowserContext context, string payload, string? tag = null)
    {
        var probe = await context.NewPageAsync();
        await probe.GotoAsync("/sw.js");
        var cdp = await context.NewCDPSessionAsync(probe);
        var registration = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var updated in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (updated.GetProperty("scopeURL").GetString() == _host.BaseAddress.ToString() && !updated.GetProperty("isDeleted").GetBoolean())
                {
                    registration.TrySetResult(updated.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var registrationId = await registration.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
        {
            ["origin"] = _host.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["registrationId"] = registrationId,
            ["data"] = payload,
        });
        var shown = await probe.WaitForFunctionAsync("""
            async (tag) => {
              const shown = await (await navigator.serviceWorker.ready).getNotifications();
              const notification = tag ? shown.find((n) => n.tag === tag) : shown[0];
              return notification ? `${notification.title}|${notification.body}|${notification.tag}` : null;
            }
            """, tag);
        var text = await shown.JsonValueAsync<string>();
        await probe.CloseAsync();
        return text;
    }

    private byte[] DeviceOf(string endpoint)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_key FROM update_push_subscriptions WHERE endpoint = @endpoint";
        command.Parameters.AddWithValue("@endpoint", endpoint);
        return (byte[])command.ExecuteScalar()!;
    }

    private long UserIdOf(string username)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM session_users WHERE username = @username";
        command.Parameters.AddWithValue("@username", username);
        return (long)command.ExecuteScalar()!;
    }

    private async Task<BrowserPage> OpenAsync()
    {
        // The headless shell denies notifications: Web Push is turned on in the full Chromium.
        var page = await BrowserPage.OpenAsync(await browser.FullBrowserAsync(), _host.BaseAddress);
        _pages.Add(page);
        return page;
    }
}
