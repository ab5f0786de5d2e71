using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

/// <summary>Incoming webhooks: <c>groups.createWebhook</c> and friends, and <c>POST /hooks/&lt;token&gt;</c> over real HTTP.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await GroupTestKit.StartHostAsync();
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AWebhook_PostsToItsGroupAsItsBot_OncePerIdempotencyKey_UntilDeleted(bool channel)
    {
        await using var alice = await _host.MemberAsync($"alice_hook{(channel ? 1 : 0)}");
        await using var bob = await _host.MemberAsync($"bob_hook{(channel ? 1 : 0)}", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Builds", [bob.Id], large: channel, broadcast: channel)).Chat;
        var peer = Peer.Chat(chat.Id);

        var created = await alice.Client.CreateWebhookAsync(chat.Id, "  CI  ");
        created.Path.Should().MatchRegex("^/hooks/[A-Za-z0-9_-]{43}$");
        created.Webhook.Should().Match<Webhook>(w => w.Name == "CI" && w.ChatId == chat.Id && w.CreatedBy == alice.Id);
        var bot = (await bob.Client.GetUsersAsync([created.Webhook.BotUserId])).Single();
        bot.Should().Match<Messenger.Contracts.Users.User>(u => u.Bot && u.DisplayName == "CI" && u.Username.EndsWith("_bot"));

        var posted = await PostJsonAsync(created.Path, new { text = "Build #41 passed" });
        posted.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = await posted.Content.ReadFromJsonAsync<JsonElement>();
        answer.GetProperty("ok").GetBoolean().Should().BeTrue();
        var received = await bob.NextAsync<MessageReceived>(e => e.Message.Text == "Build #41 passed");
        received.Message.Should().Match<Messenger.Contracts.Messages.Message>(m => m.FromId == bot.Id && m.Id == answer.GetProperty("message_id").GetInt64());
        received.ChannelId.Should().Be(channel ? chat.Id : null);

        (await PostTextAsync(created.Path, "Build #42 failed: see the log", key: "build-42")).StatusCode.Should().Be(HttpStatusCode.OK);
        var again = await PostTextAsync(created.Path, "Build #42 failed: see the log", key: "build-42");
        again.StatusCode.Should().Be(HttpStatusCode.OK, "a retried request is answered");
        (await bob.Client.GetHistoryAsync(peer)).Count(m => m.Text.StartsWith("Build #42")).Should().Be(1, "the same Idempotency-Key posts once");

        (await alice.Client.GetWebhooksAsync(chat.Id)).Should().ContainSingle().Which.Should().Be(created.Webhook);
        await alice.Client.DeleteWebhookAsync(chat.Id, created.Webhook.Id);
        (await ErrorOf(await PostJsonAsync(created.Path, new { text = "too late" }))).Should().Be((HttpStatusCode.NotFound, WebhookErrorNames.WebhookNotFound));
        (await alice.Client.GetWebhooksAsync(chat.Id)).Should().BeEmpty();
        (await bob.Client.GetHistoryAsync(peer)).Should().Contain(m => m.FromId == bot.Id, "what it posted stays, by its bot");
    }

    [Fact]
    public async Task BadRequests_AreRefusedByName_AndPostNothing()
    {
        await using var alice = await _host.MemberAsync("alice_hookbad");
        var chat = (await alice.Client.CreateGroupAsync("Alerts", [])).Chat;
        var path = (await alice.Client.CreateWebhookAsync(chat.Id, "Monitor")).Path;
        var before = (await alice.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Length;

        (await ErrorOf(await PostJsonAsync("/hooks/" + new string('A', 43), new { text = "hi" }))).Should().Be((HttpStatusCode.NotFound, WebhookErrorNames.WebhookNotFound));
        (await ErrorOf(await PostJsonAsync(path, new { text = "   " }))).Should().Be((HttpStatusCode.BadRequest, MessageErrorNames.MessageEmpty));
        (await ErrorOf(await PostJsonAsync(path, new { text = new string('x', 4097) }))).Should().Be((HttpStatusCode.BadRequest, MessageErrorNames.MessageTooLong));
        (await ErrorOf(await PostJsonAsync(path, new { message = "no text key" }))).Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.WebhookBodyInvalid));
        (await ErrorOf(await PostJsonAsync(path, new { text = 42 }))).Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.WebhookBodyInvalid));
        (await ErrorOf(await PostRawAsync(path, Encoding.UTF8.GetBytes("{\"text\": \"unterminated"), "application/json"))).Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.WebhookBodyInvalid));
        (await ErrorOf(await PostRawAsync(path, [0x66, 0xC3, 0x28], "text/plain"))).Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.WebhookBodyInvalid));
        (await ErrorOf(await PostRawAsync(path, Encoding.UTF8.GetBytes("<xml/>"), "application/xml"))).Should().Be((HttpStatusCode.UnsupportedMediaType, WebhookErrorNames.WebhookBodyInvalid));
        (await ErrorOf(await PostRawAsync(path, new byte[WebhookLimits.MaxBodyBytes + 1], "text/plain"))).Should().Be((HttpStatusCode.RequestEntityTooLarge, WebhookErrorNames.WebhookBodyTooLarge));
        (await ErrorOf(await PostTextAsync(path, "keyed", key: new string('k', WebhookLimits.MaxIdempotencyKeyLength + 1)))).Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.IdempotencyKeyInvalid));
        (await ErrorOf(await PostTextAsync(path, "keyed", key: "tab\tkey"))).Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.IdempotencyKeyInvalid));

        (await alice.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Should().HaveCount(before, "nothing was posted");
        (await PostTextAsync(path, "still works")).StatusCode.Should().Be(HttpStatusCode.OK, "a bad request disturbs nothing");
    }

    [Fact]
    public async Task OnlyAdminsManageWebhooks_WithinTheirLimits()
    {
        await using var alice = await _host.MemberAsync("alice_hookrights");
        await using var bob = await _host.MemberAsync("bob_hookrights");
        await using var carol = await _host.MemberAsync("carol_hookrights");
        var chat = (await alice.Client.CreateGroupAsync("Ops", [bob.Id])).Chat;
        var created = await alice.Client.CreateWebhookAsync(chat.Id, "Pager");

        await SessionTestKit.FailsWith(() => bob.Client.CreateWebhookAsync(chat.Id, "Mine"), GroupErrorNames.ChatAdminRequired);
        await SessionTestKit.FailsWith(() => bob.Client.GetWebhooksAsync(chat.Id), GroupErrorNames.ChatAdminRequired);
        await SessionTestKit.FailsWith(() => bob.Client.DeleteWebhookAsync(chat.Id, created.Webhook.Id), GroupErrorNames.ChatAdminRequired);
        await SessionTestKit.FailsWith(() => carol.Client.CreateWebhookAsync(chat.Id, "Intruder"), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.CreateWebhookAsync(chat.Id, " "), WebhookErrorNames.WebhookNameInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.CreateWebhookAsync(chat.Id, new string('n', WebhookLimits.MaxNameLength + 1)), WebhookErrorNames.WebhookNameInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.CreateWebhookAsync(chat.Id, "bell\u0007"), WebhookErrorNames.WebhookNameInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.DeleteWebhookAsync(chat.Id, created.Webhook.Id + 1000), WebhookErrorNames.WebhookNotFound);
        for (var i = 1; i < WebhookLimits.PerChat; i++)
        {
            await alice.Client.CreateWebhookAsync(chat.Id, $"Hook {i}");
        }

        await SessionTestKit.FailsWith(() => alice.Client.CreateWebhookAsync(chat.Id, "One too many"), WebhookErrorNames.WebhooksTooMany);
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, true);
        await bob.Client.DeleteWebhookAsync(chat.Id, created.Webhook.Id);
        (await alice.Client.GetWebhooksAsync(chat.Id)).Should().HaveCount(WebhookLimits.PerChat - 1);
    }

    [Fact]
    public async Task AWebhook_PostsOnlyWhileTheAdminWhoMadeItIsOne()
    {
        await using var alice = await _host.MemberAsync("alice_hookmaker");
        await using var bob = await _host.MemberAsync("bob_hookmaker");
        var chat = (await alice.Client.CreateGroupAsync("Ops", [bob.Id], large: true, broadcast: true)).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, true);
        var bobs = await bob.Client.CreateWebhookAsync(chat.Id, "Bob's script");
        (await PostTextAsync(bobs.Path, "while an admin")).StatusCode.Should().Be(HttpStatusCode.OK);

        await alice.Client.SetAdminAsync(chat.Id, bob.Id, false);
        (await ErrorOf(await PostTextAsync(bobs.Path, "demoted"))).Should().Be((HttpStatusCode.Forbidden, WebhookErrorNames.WebhookCreatorNotAdmin));
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, true);
        (await PostTextAsync(bobs.Path, "an admin again")).StatusCode.Should().Be(HttpStatusCode.OK);
        await alice.Client.RemoveMemberAsync(chat.Id, bob.Id);
        (await ErrorOf(await PostTextAsync(bobs.Path, "removed"))).Should().Be((HttpStatusCode.Forbidden, WebhookErrorNames.WebhookCreatorNotAdmin));

        (await alice.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Select(m => m.Text).Should().Contain(["while an admin", "an admin again"])
            .And.NotContain(["demoted", "removed"]);
    }

    [Fact]
    public async Task AWebhook_PostsNoMoreOnceAServerAdminBlockedItsMaker()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        using var http = host.CreateHttpClient();
        await using var admin = await host.MemberAsync("admin_hookblock");
        await using var bob = await host.MemberAsync("bob_hookblock");
        var chat = (await bob.Client.CreateGroupAsync("Bob's", [admin.Id])).Chat;
        var hook = await bob.Client.CreateWebhookAsync(chat.Id, "Spam");
        (await http.PostAsync(hook.Path, new StringContent("before", Encoding.UTF8, "text/plain"))).StatusCode.Should().Be(HttpStatusCode.OK);

        await admin.Client.SetUserBlockedAsync(bob.Id, blocked: true);

        (await ErrorOf(await http.PostAsync(hook.Path, new StringContent("after", Encoding.UTF8, "text/plain"))))
            .Should().Be((HttpStatusCode.Forbidden, WebhookErrorNames.WebhookCreatorNotAdmin));
        (await admin.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Select(m => m.Text).Should().Contain("before").And.NotContain("after");
    }

    [Fact]
    public async Task ABot_CannotBeWrittenTo_Added_FoundOrSignedInto_AndItsNamesAreNobodyElses()
    {
        await using var alice = await _host.MemberAsync("alice_hookbot");
        var chat = (await alice.Client.CreateGroupAsync("Deploys", [])).Chat;
        var bot = (await alice.Client.CreateWebhookAsync(chat.Id, "Deployer")).Webhook.BotUserId;
        var botName = (await alice.Client.GetUsersAsync([bot])).Single().Username;

        await SessionTestKit.FailsWith(() => alice.Client.SendMessageAsync(Peer.User(bot), "hello?"), MessageErrorNames.PeerIdInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.AddMembersAsync(chat.Id, [bot]), GroupErrorNames.UserIdsInvalid);
        (await alice.Client.SearchUsersAsync("hook_")).Should().NotContain(u => u.Id == bot);

        await using var stranger = await _host.ConnectAsync();
        await SessionTestKit.FailsWith(() => stranger.SignInAsync(botName, "", "Laptop", "test"), SessionErrorNames.CredentialsInvalid);
        await SessionTestKit.FailsWith(() => stranger.SignInAsync(botName, "password123", "Laptop", "test"), SessionErrorNames.CredentialsInvalid);
        await SessionTestKit.FailsWith(() => stranger.RegisterAsync("mallory_bot", "password123", "Mallory"), SessionErrorNames.UsernameInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.UpdateUsernameAsync("alice_BOT"), SessionErrorNames.UsernameInvalid);
    }

    [Fact]
    public async Task ABotPostingTooFast_GetsTooManyRequests_WithRetryAfter()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Message:PostBurst"] = "100",
            ["Messenger:Message:PostsPerSecond"] = "1",
        });
        using var http = host.CreateHttpClient();
        var alice = await host.SignedInClientAsync("alice_hookflood");
        await using var _ = alice;
        var chat = (await alice.CreateGroupAsync("Noisy", [])).Chat;
        var path = (await alice.CreateWebhookAsync(chat.Id, "Chatty")).Path;

        var posted = 0;
        while ((await http.PostAsync(path, new StringContent($"tick {posted}", Encoding.UTF8, "text/plain"))).StatusCode == HttpStatusCode.OK && posted < 200)
        {
            posted++;
        }

        posted.Should().BeInRange(100, 110, "the bucket holds PostBurst posts, refilled at one a second");
        var refused = await http.PostAsync(path, new StringContent("one more", Encoding.UTF8, "text/plain"));
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter!.Delta.Should().BeGreaterThan(TimeSpan.Zero);
        (await ErrorOf(refused)).Error.Should().Be("FLOOD_WAIT");
    }

    [Fact]
    public async Task AWebhook_PostsIntoTheForumTopicItNames_ClosedToo_AndAnUnknownOneIsRefusedByName()
    {
        await using var alice = await _host.MemberAsync("alice_hooktopic");
        await using var bob = await _host.MemberAsync("bob_hooktopic");
        var chat = (await alice.Client.CreateGroupAsync("Deploys", [bob.Id])).Chat;
        var plain = (await alice.Client.CreateGroupAsync("Plain", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var builds = (await alice.Client.CreateTopicAsync(peer, "Builds")).Message.Id;
        var hook = await alice.Client.CreateWebhookAsync(chat.Id, "CI");
        var plainHook = await alice.Client.CreateWebhookAsync(plain.Id, "CI");

        (await PostJsonAsync(hook.Path, new { text = "Build #7 passed", message_thread_id = builds })).StatusCode.Should().Be(HttpStatusCode.OK);
        await alice.Client.EditTopicAsync(peer, builds, closed: true);
        (await PostJsonAsync(hook.Path, new { text = "Build #8 passed", message_thread_id = builds })).StatusCode.Should().Be(HttpStatusCode.OK,
            "a webhook posts as its group's admin made it");
        (await PostJsonAsync(hook.Path, new { text = "General news", message_thread_id = 0 })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PostTextAsync(hook.Path, "plain text goes to General")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await ErrorOf(await PostJsonAsync(hook.Path, new { text = "x", message_thread_id = 999_999 }))).Should().Be((HttpStatusCode.BadRequest, TopicErrorNames.TopicIdInvalid));
        (await ErrorOf(await PostJsonAsync(hook.Path, new { text = "x", message_thread_id = -1 }))).Should().Be((HttpStatusCode.BadRequest, TopicErrorNames.TopicIdInvalid));
        (await ErrorOf(await PostJsonAsync(hook.Path, new { text = "x", message_thread_id = "builds" })))
            .Should().Be((HttpStatusCode.BadRequest, WebhookErrorNames.WebhookBodyInvalid));
        (await ErrorOf(await PostJsonAsync(plainHook.Path, new { text = "x", message_thread_id = builds })))
            .Should().Be((HttpStatusCode.BadRequest, TopicErrorNames.TopicIdInvalid));

        (await bob.Client.GetTopicHistoryAsync(peer, builds)).Messages.Where(m => m.Action is null).Select(m => m.Text)
            .Should().Equal("Build #8 passed", "Build #7 passed");
        (await bob.Client.GetTopicHistoryAsync(peer, 0)).Messages.Where(m => m.Action is null).Select(m => m.Text)
            .Should().Equal("plain text goes to General", "General news");
        (await bob.Client.GetHistoryAsync(Peer.Chat(plain.Id))).Should().NotContain(m => m.Text == "x");
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, object body) => _http.PostAsJsonAsync(path, body);

    private Task<HttpResponseMessage> PostTextAsync(string path, string text, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(text, Encoding.UTF8, "text/plain") };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostRawAsync(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return _http.PostAsync(path, content);
    }

    private static async Task<(HttpStatusCode Status, string Error)> ErrorOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("ok").GetBoolean().Should().BeFalse();
        return (response.StatusCode, body.GetProperty("error").GetString()!);
    }
}
