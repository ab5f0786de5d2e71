using System.Net;
using System.Text;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Net;
using Messenger.Message.Previews;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>
/// Link previews: the server fetches the first link of a text message from a real local web server and adds the
/// preview to the message for everyone in the chat. Fetches to loopback are allowed here by
/// <c>LinkPreviewsPrivateNetworks</c>; one test checks that without it they are refused.
/// </summary>
public sealed class LinkPreviewTests : IAsyncLifetime
{
    private const string Article = """
        <!doctype html><html><head>
        <meta charset="utf-8">
        <title>Fallback title</title>
        <meta property="og:site_name" content="The Local Times">
        <meta property='og:title' content="Tom &amp; Jerry&#39;s   new
          show">
        <meta content="A cat, a mouse, and a <b>lot</b> of running." property="og:description">
        <script>alert('never run')</script>
        </head><body>Hello</body></html>
        """;

    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _counted = new();
    private LocalWebSite _site = null!;
    private int _articleRequests;
    private int _heldRequests;

    private string Origin => _site.Origin;

    public async Task InitializeAsync() => _site = await LocalWebSite.StartAsync(site =>
    {
        site.MapGet("/article", () =>
        {
            Interlocked.Increment(ref _articleRequests);
            return Results.Content(Article, "text/html; charset=utf-8");
        });
        site.MapGet("/titled", () => Results.Content(
            "<html><head><title>Only a title</title><meta name=\"description\" content=\"and a description\"></head></html>", "text/html"));
        site.MapGet("/plain", () => Results.Text("<title>not html</title>", "text/plain"));
        site.MapGet("/bare", () => Results.Content("<html><body>nothing to show</body></html>", "text/html"));
        site.MapGet("/missing", () => Results.NotFound());
        site.MapGet("/moved", () => Results.Redirect("/article"));
        site.MapGet("/loop", () => Results.Redirect("/loop"));
        site.MapGet("/held/{name}", async (string name, CancellationToken cancellationToken) =>
        {
            Interlocked.Increment(ref _heldRequests);
            await _released.Task.WaitAsync(cancellationToken);
            return Results.Content($"<html><head><title>Held {name}</title></head></html>", "text/html");
        });
        site.MapGet("/counted/{name}", (string name) =>
        {
            _counted.AddOrUpdate(name, 1, (_, count) => count + 1);
            return Results.Content($"<html><head><title>Counted {name}</title></head></html>", "text/html");
        });
        site.MapGet("/slow", async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return Results.Content(Article, "text/html");
        });
        site.MapGet("/drip", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync("<html><head>", http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
        });
        site.MapGet("/huge", () => Results.Content(
            "<html><head><title>Huge page</title></head><body>" + new string('x', 4 * 1024 * 1024) + "</body></html>", "text/html"));
    });

    public async Task DisposeAsync()
    {
        _released.TrySetResult();
        await _site.DisposeAsync();
    }

    private static Task<TestHost> StartHostAsync(bool privateNetworks = true) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:LinkPreviewsPrivateNetworks"] = privateNetworks ? "true" : "false",
        });

    [Fact]
    public async Task ALinkInAMessage_GetsItsPagesPreview_ForEveryoneInTheChat_AsPlainText()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_preview");
        await using var alicePhone = await host.SignInAnotherDeviceAsync("alice_preview");
        await using var bob = await host.SignUpAsync("bob_preview");

        var sent = await alice.SendAsync(bob, $"have you seen this? {Origin}/article.");

        var edited = await bob.NextAsync<MessageEdited>(e => e.Message.Id == sent.Message.Id);
        edited.Message.EditDate.Should().BeNull("a preview is not an edit by its author");
        edited.Message.Text.Should().Be(sent.Message.Text);
        edited.Message.WebPage.Should().Be(new WebPage($"{Origin}/article", "The Local Times", "Tom & Jerry's new show", "A cat, a mouse, and a <b>lot</b> of running."));
        (await alicePhone.NextAsync<MessageEdited>(e => e.Message.Id == sent.Message.Id)).Message.WebPage!.Title.Should().Be("Tom & Jerry's new show");
        (await alice.NextAsync<MessageEdited>(e => e.Message.Id == sent.Message.Id)).Message.WebPage.Should().NotBeNull("the sender's own device too");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single().WebPage!.SiteName.Should().Be("The Local Times");

        var again = await bob.SendAsync(alice, $"{Origin}/article is great");
        (await alice.NextAsync<MessageEdited>(e => e.Message.Id == again.Message.Id)).Message.WebPage!.Url.Should().Be($"{Origin}/article");
        _articleRequests.Should().Be(1, "a page's preview is remembered for a while");

        var moved = await alice.Client.EditMessageAsync(bob.Peer, sent.Message.Id, $"sorry, I meant {Origin}/titled");
        moved.Message.WebPage.Should().BeNull("a new text drops the old link's preview");
        var replaced = await bob.NextAsync<MessageEdited>(e => e.Message.Id == sent.Message.Id && e.Message.WebPage is not null);
        replaced.Message.WebPage.Should().Be(new WebPage($"{Origin}/titled", null, "Only a title", "and a description"));
        replaced.Message.EditDate.Should().Be(moved.Message.EditDate);
    }

    [Fact]
    public async Task Pages_WithNothingToShow_TooSlow_TooBig_OrRedirected_AreReadAsFarAsTheyGo()
    {
        await using var host = await StartHostAsync();
        var fetcher = host.Services.GetRequiredService<PageFetcher>();

        (await fetcher.FetchAsync(new Uri($"{Origin}/plain"), CancellationToken.None)).Should().BeNull("only HTML is read");
        (await fetcher.FetchAsync(new Uri($"{Origin}/bare"), CancellationToken.None)).Should().BeNull("no title, no description");
        (await fetcher.FetchAsync(new Uri($"{Origin}/missing"), CancellationToken.None)).Should().BeNull();
        (await fetcher.FetchAsync(new Uri($"{Origin}/moved"), CancellationToken.None))!.Title.Should().Be("Tom & Jerry's new show");
        (await fetcher.FetchAsync(new Uri($"{Origin}/huge"), CancellationToken.None))!.Title.Should().Be("Huge page", "the head is in the first bytes read");
        (await fetcher.FetchAsync(new Uri($"{Origin}/loop"), CancellationToken.None)).Should().BeNull("three redirects at most");
        await FluentActions.Awaiting(() => fetcher.FetchAsync(new Uri($"{Origin}/slow"), CancellationToken.None)).Should().ThrowAsync<TaskCanceledException>();
        await FluentActions.Awaiting(() => fetcher.FetchAsync(new Uri($"{Origin}/drip"), CancellationToken.None))
            .Should().ThrowAsync<OperationCanceledException>("the 5 s are for all of the page, its body too");

        await using var alice = await host.SignUpAsync("alice_nopreview");
        await using var bob = await host.SignUpAsync("bob_nopreview");
        var plain = await alice.SendAsync(bob, $"{Origin}/plain");
        var article = await alice.SendAsync(bob, $"and {Origin}/article");
        (await bob.NextAsync<MessageEdited>()).Message.Id.Should().Be(article.Message.Id);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == plain.Message.Id).WebPage.Should().BeNull();
    }

    [Fact]
    public async Task WithoutPrivateNetworks_ALinkCannotLeadTheServerToLoopbackPrivateOrMetadataAddresses()
    {
        await using var host = await StartHostAsync(privateNetworks: false);
        var fetcher = host.Services.GetRequiredService<PageFetcher>();

        var refused = await FluentActions.Awaiting(() => fetcher.FetchAsync(new Uri($"{Origin}/article"), CancellationToken.None))
            .Should().ThrowAsync<HttpRequestException>();
        refused.Which.Message.Should().Contain("not a public address");
        (await FluentActions.Awaiting(() => fetcher.FetchAsync(new Uri($"http://localhost:{new Uri(Origin).Port}/article"), CancellationToken.None))
            .Should().ThrowAsync<HttpRequestException>()).Which.Message.Should().Contain("not a public address");
        _articleRequests.Should().Be(0);

        foreach (var address in new[]
                 {
                     "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1",
                     "fd00::1", "::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe",
                     // 6to4 of 127.0.0.1 and of 169.254.169.254, IPv4-compatible, NAT64 for local use, Teredo.
                     "2002:7f00:1::1", "2002:a9fe:a9fe::", "::a9fe:a9fe", "::10.0.0.1", "64:ff9b:1::a9fe:a9fe", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::ffff:0:a9fe:a9fe",
                 })
        {
            PublicNetwork.IsPublic(IPAddress.Parse(address)).Should().BeFalse(address);
        }

        foreach (var address in new[] { "93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "2001:db9::1" })
        {
            PublicNetwork.IsPublic(IPAddress.Parse(address)).Should().BeTrue(address);
        }
    }

    [Fact]
    public async Task ASendersLinks_WhenFourOfTheirPreviewsAreQueued_GoWithout_WhileOthersPreviewsAreMade()
    {
        await using var host = await StartHostAsync();
        await using var mallory = await host.SignUpAsync("mallory_queue");
        await using var alice = await host.SignUpAsync("alice_queue");
        await using var bob = await host.SignUpAsync("bob_queue");

        for (var i = 1; i <= LinkPreviews.PerSender; i++)
        {
            await mallory.SendAsync(bob, $"{Origin}/held/{i}");
        }

        await SessionTestKit.WaitUntil(() => Volatile.Read(ref _heldRequests) == LinkPreviews.PerSender);
        var skipped = await mallory.SendAsync(bob, $"{Origin}/counted/mallory5");
        var others = await alice.SendAsync(bob, $"{Origin}/counted/alice");
        _released.SetResult();

        (await bob.NextAsync<MessageEdited>(e => e.Message.Id == others.Message.Id)).Message.WebPage!.Title.Should().Be("Counted alice");
        var later = await mallory.SendAsync(bob, $"{Origin}/counted/mallory6");
        (await bob.NextAsync<MessageEdited>(e => e.Message.Id == later.Message.Id)).Message.WebPage!.Title.Should().Be("Counted mallory6", "the sender's share is free again");

        _counted.Should().NotContainKey("mallory5", "the sender's fifth link was never fetched");
        (await bob.Client.GetHistoryAsync(mallory.Peer)).Single(m => m.Id == skipped.Message.Id).WebPage.Should().BeNull();
    }

    [Fact]
    public async Task WithoutPrivateNetworks_OnlyPorts80And443AreDialled_EvenOnAPublicAddress()
    {
        await using var host = await StartHostAsync(privateNetworks: false);
        var fetcher = host.Services.GetRequiredService<PageFetcher>();

        foreach (var url in new[] { "http://93.184.216.34:25/", "https://93.184.216.34:8443/" })
        {
            (await FluentActions.Awaiting(() => fetcher.FetchAsync(new Uri(url), CancellationToken.None)).Should().ThrowAsync<HttpRequestException>())
                .Which.Message.Should().Contain("is not one the server connects to", url);
        }

        await using var privateHost = await StartHostAsync();
        (await privateHost.Services.GetRequiredService<PageFetcher>().FetchAsync(new Uri($"{Origin}/article"), CancellationToken.None))!.Title
            .Should().Be("Tom & Jerry's new show", "an intranet's pages (LinkPreviewsPrivateNetworks) may be on any port");
    }

    [Theory]
    [InlineData("no link here", null)]
    [InlineData("see https://example.com/a?b=c#d, then", "https://example.com/a?b=c#d")]
    [InlineData("(http://example.com/x)", "http://example.com/x")]
    [InlineData("ftp://example.com/file and http://second.example/", "http://second.example/")]
    [InlineData("javascript://alert(1)", null)]
    [InlineData("http://", null)]
    [InlineData("||the answer: https://secret.example/|| and https://open.example/", "https://open.example/")]
    [InlineData("||[the answer](https://secret.example/)||", null)]
    [InlineData("**https://x.org**", "https://x.org")]
    [InlineData("__read https://x.org/a__b__ now", "https://x.org/a__b")]
    [InlineData("`https://code.example/` then [docs](https://docs.example/d)", "https://docs.example/d")]
    [InlineData(":-[ see https://x.org/", "https://x.org/")]
    [InlineData("git clone https://alice:s3cret@git.example/team/repo.git", "https://git.example/team/repo.git")]
    public void FirstLink_IsTheFirstHttpLink_WithoutTrailingPunctuation(string text, string? expected) =>
        PageMeta.FirstLink(text)?.OriginalString.Should().Be(expected!);

    [Fact]
    public void PageMeta_PrefersOpenGraph_DecodesEntities_AndCutsLongValues()
    {
        var url = new Uri("https://example.com/");
        var long_ = new string('a', 2000);
        var page = PageMeta.Read(url, $"<title>T</title><meta name=twitter:title content=Twitter><meta name=\"description\" content=\"{long_}\">");
        page!.Title.Should().Be("Twitter");
        page.Description!.Length.Should().Be(512);
        page.Description.Should().EndWith("…");
        PageMeta.Read(url, "<meta property=\"og:title\" content=\"\u0007Bell&#10;and&nbsp;space\">")!.Title.Should().Be("Bell and space");
        PageMeta.Read(url, Encoding.UTF8.GetString(new byte[] { 0x3c, 0x74, 0x69 })).Should().BeNull();
        var hostile = string.Concat(Enumerable.Repeat("<meta content=\"", 40_000));
        var started = System.Diagnostics.Stopwatch.StartNew();
        PageMeta.Read(url, hostile).Should().BeNull();
        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "unbalanced quotes end in the time limit, not in a hang");
    }
}
