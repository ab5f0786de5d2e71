using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>Groups, channels, threads, polls, calls and bots in the built web client, in real Chromium against the real host.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class GroupEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserEndToEndTests(browser, output)
{
    [Fact]
    public async Task Poll_WrittenInAGroup_IsVotedOnLive_ListsItsVoters_AndClosedByItsAuthor()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Lunch club", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "New poll" }).ClickAsync();
        var editor = page.GetByRole(AriaRole.Dialog, new() { Name = "New poll" });
        await editor.GetByLabel("Question").FillAsync("Where to?");
        await editor.GetByLabel("Option 1", new() { Exact = true }).FillAsync("Noodles");
        await editor.GetByLabel("Option 2", new() { Exact = true }).FillAsync("Curry");
        await editor.GetByLabel("Option 3", new() { Exact = true }).FillAsync("Salad");
        await editor.GetByLabel("Show who voted for what").CheckAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Create poll" }).ClickAsync();
        await Expect(editor).ToHaveCountAsync(0);
        var atAlice = page.GetByRole(AriaRole.Group, new() { Name = "Poll: Where to?" });
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "Salad" })).ToBeVisibleAsync();

        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Lunch club" });
        await Expect(row).ToContainTextAsync("📊 Where to?");
        await bob.OpenChatAsync("Lunch club");
        var atBob = bob.Page.GetByRole(AriaRole.Group, new() { Name = "Poll: Where to?" });
        await atBob.GetByRole(AriaRole.Button, new() { Name = "Curry" }).ClickAsync();
        await Expect(atBob.GetByLabel("Curry: 1 vote, 100%, your choice")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");
        await Expect(atAlice.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");
        await Expect(atAlice.GetByRole(AriaRole.Button, new() { Name = "Curry" })).ToBeVisibleAsync(); // results show once one has voted
        await atAlice.GetByRole(AriaRole.Button, new() { Name = "Noodles" }).ClickAsync();
        await Expect(atAlice.GetByLabel("Curry: 1 vote, 50%")).ToBeVisibleAsync();
        await Expect(atBob.GetByLabel("Noodles: 1 vote, 50%")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("poll-voters")).ToHaveTextAsync("2 votes");
        await bob.ScreenshotAsync("21-poll");

        await atAlice.GetByRole(AriaRole.Button, new() { Name = "Voters" }).ClickAsync();
        var voters = page.GetByRole(AriaRole.Dialog, new() { Name = "Voters" });
        await Expect(voters.GetByRole(AriaRole.Region, new() { Name = "Curry" })).ToContainTextAsync(bobName.Display);
        await Expect(voters.GetByRole(AriaRole.Region, new() { Name = "Salad" })).ToContainTextAsync("Nobody");
        await voters.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await atBob.GetByRole(AriaRole.Button, new() { Name = "Retract vote" }).ClickAsync();
        await Expect(atAlice.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");
        await atBob.GetByRole(AriaRole.Button, new() { Name = "Salad" }).ClickAsync();
        (await atBob.GetByRole(AriaRole.Button, new() { Name = "Close poll" }).CountAsync()).Should().Be(0, "only its author closes it");
        await atAlice.GetByRole(AriaRole.Button, new() { Name = "Close poll" }).ClickAsync();
        await Expect(atBob.GetByText("Final results")).ToBeVisibleAsync();
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "Retract vote" })).ToHaveCountAsync(0);

        await bob.Page.ReloadWhenSettledAsync();
        await bob.OpenChatAsync("Lunch club");
        await Expect(atBob.GetByLabel("Salad: 1 vote, 50%, your choice")).ToBeVisibleAsync();
        await Expect(atBob.GetByText("Final results")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Quiz_AnsweredOnce_ShowsTheRightAnswerAndTheExplanation_OnlyAfterAnswering()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Quiz night", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "New poll" }).ClickAsync();
        var editor = page.GetByRole(AriaRole.Dialog, new() { Name = "New poll" });
        await editor.GetByLabel("Question").FillAsync("Capital of France?");
        await editor.GetByLabel("Option 1", new() { Exact = true }).FillAsync("Lyon");
        await editor.GetByLabel("Option 2", new() { Exact = true }).FillAsync("Paris");
        await editor.GetByLabel("Option 3", new() { Exact = true }).FillAsync("Nice");
        await editor.GetByLabel("Quiz: one right answer").CheckAsync();
        await Expect(editor.GetByRole(AriaRole.Button, new() { Name = "Create quiz" })).ToBeDisabledAsync();
        await editor.GetByLabel("Option 2 is the right answer").CheckAsync();
        await editor.GetByLabel("Explanation (optional, shown after answering)").FillAsync("Paris has been the capital since 987.");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Create quiz" }).ClickAsync();
        await Expect(editor).ToHaveCountAsync(0);

        await bob.OpenChatAsync("Quiz night");
        var atBob = bob.Page.GetByRole(AriaRole.Group, new() { Name = "Poll: Capital of France?" });
        await Expect(atBob).ToContainTextAsync("Anonymous quiz");
        await Expect(atBob.GetByTestId("quiz-solution")).ToHaveCountAsync(0);
        await atBob.GetByRole(AriaRole.Button, new() { Name = "Lyon" }).ClickAsync();

        await Expect(atBob.GetByLabel("Lyon: 1 vote, 100%, your choice, wrong")).ToBeVisibleAsync();
        await Expect(atBob.GetByLabel("Paris: 0 votes, 0%, the right answer")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("quiz-solution")).ToHaveTextAsync("Paris has been the capital since 987.");
        await Expect(atBob.GetByRole(AriaRole.Button, new() { Name = "Retract vote" })).ToHaveCountAsync(0);
        var atAlice = page.GetByRole(AriaRole.Group, new() { Name = "Poll: Capital of France?" });
        await Expect(atAlice.GetByTestId("poll-voters")).ToHaveTextAsync("1 vote");

        await bob.Page.ReloadWhenSettledAsync();
        await bob.OpenChatAsync("Quiz night");
        await Expect(atBob.GetByLabel("Paris: 0 votes, 0%, the right answer")).ToBeVisibleAsync();
        await Expect(atBob.GetByTestId("quiz-solution")).ToHaveTextAsync("Paris has been the capital since 987.");
        AssertNoProblems();
    }

    [Fact]
    public async Task Webhook_MadeInChatInfo_PostsAsItsBot_UntilDeleted()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Releases", bobName.Username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var section = page.GetByRole(AriaRole.Region, new() { Name = "Webhooks" });
        await section.GetByLabel("Webhook name").FillAsync("CI");
        await section.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        var urlBox = section.GetByLabel("URL of CI (shown only now)");
        await Expect(urlBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/hooks/[A-Za-z0-9_-]{43}$"));
        var url = await urlBox.InputValueAsync();
        url.Should().StartWith(Host.BaseAddress.ToString().TrimEnd('/'));
        await Expect(section.GetByText("curl -H")).ToBeVisibleAsync();
        await alice.ScreenshotAsync("24-webhook");

        using var http = new HttpClient();
        (await http.PostAsync(url, new StringContent("{\"text\": \"v1.4.0 is out\"}", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        await bob.OpenChatAsync("Releases");
        var posted = bob.Message("v1.4.0 is out");
        await Expect(posted.Locator(".bubble__author")).ToHaveTextAsync("CIbot");
        await Expect(posted.Locator(".bot-badge")).ToBeVisibleAsync();

        await section.GetByRole(AriaRole.Button, new() { Name = "Delete webhook CI" }).ClickAsync();
        await Expect(section.GetByRole(AriaRole.Button, new() { Name = "Delete webhook CI" })).ToHaveCountAsync(0);
        (await http.PostAsync(url, new StringContent("still there?", System.Text.Encoding.UTF8, "text/plain")))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        await Expect(bob.Message("v1.4.0 is out")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Bot_MadeInSettings_ReadsWhatAPersonWritesIt_AndAnswersOverHttp()
    {
        var (alice, bob, _, _) = await TwoPeopleAsync();
        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await page.GetByLabel("Bot username").FillAsync("helper_bot");
        await page.GetByLabel("Bot name").FillAsync("Helper");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create bot" }).ClickAsync();
        var tokenBox = page.GetByLabel("Token of @helper_bot (shown only now)");
        await Expect(tokenBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^[0-9]+:[A-Za-z0-9_-]{43}$"));
        var token = await tokenBox.InputValueAsync();
        await Expect(page.GetByTestId("my-bot")).ToHaveCountAsync(1);
        await alice.ScreenshotAsync("bots");

        await bob.StartChatAsync("helper_bot", "Helper");
        await Expect(bob.Page.GetByTestId("chat-status")).ToHaveTextAsync("bot");
        await bob.SendAsync("what time is it?");
        using var http = Host.CreateHttpClient();
        var updates = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/bot/{token}/getUpdates?timeout=10");
        var message = updates.GetProperty("result").EnumerateArray().Single().GetProperty("message");
        message.GetProperty("text").GetString().Should().Be("what time is it?");
        (await http.PostAsJsonAsync($"/bot/{token}/sendMessage", new { chat_id = message.GetProperty("chat").GetProperty("id").GetInt64(), text = "Tea time" }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        var answer = bob.Message("Tea time");
        await Expect(answer).ToBeVisibleAsync();
        await Expect(bob.Message("what time is it?").Ticks("delivered")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete bot Helper" }).ClickAsync();
        await Expect(page.GetByTestId("my-bot")).ToHaveCountAsync(0);
        (await http.GetAsync($"/bot/{token}/getMe")).StatusCode.Should().Be(System.Net.HttpStatusCode.Unauthorized);
        AssertNoProblems();
    }

    [Fact]
    public async Task BotCommandsAndButtons_AreOfferedAfterASlash_ShowUnderItsMessage_AndAPressShowsTheBotsAnswer()
    {
        var (alice, _, aliceName, _) = await TwoPeopleAsync();
        await using var device = await Host.ConnectAsync();
        await device.SignInAsync(aliceName.Username, WebUser.Password, "bot maker", "tests");
        var bot = await device.CreateBotAsync("deployer_bot", "Deployer");
        using var http = Host.CreateHttpClient();

        var commands = new[] { new { command = "start", description = "Say hello" }, new { command = "status", description = "What runs now" } };
        (await http.PostAsJsonAsync($"/bot/{bot.Token}/setMyCommands", new { commands })).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        // The bot's commands are offered after a slash, narrowed as one types; a click sends one.
        await alice.StartChatAsync("deployer_bot", "Deployer");
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("/");
        var offered = alice.Page.GetByTestId("bot-commands").GetByRole(AriaRole.Button);
        await Expect(offered).ToHaveCountAsync(2);
        await box.FillAsync("/sta");
        await Expect(offered).ToHaveCountAsync(2);
        await box.FillAsync("/star");
        await Expect(offered).ToHaveTextAsync(["/startSay hello"]);
        await alice.ScreenshotAsync("bot-commands");
        await offered.ClickAsync();
        await Expect(alice.Message("/start")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("bot-commands")).ToHaveCountAsync(0);
        var start = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/bot/{bot.Token}/getUpdates?timeout=10"))
            .GetProperty("result").EnumerateArray().Single();
        var chatId = start.GetProperty("message").GetProperty("chat").GetProperty("id").GetInt64();
        var offset = start.GetProperty("update_id").GetInt64() + 1;
        var keyboard = new
        {
            inline_keyboard = new object[][]
            {
                [new { text = "Deploy", callback_data = "deploy" }, new { text = "Cancel", callback_data = "cancel" }],
                [new { text = "Changelog", url = "https://example.org/changes" }],
            },
        };
        (await http.PostAsJsonAsync($"/bot/{bot.Token}/sendMessage", new { chat_id = chatId, text = "Deploy v2 to production?", reply_markup = keyboard }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        var buttons = alice.Message("Deploy v2 to production?").GetByTestId("bot-keyboard");
        await Expect(buttons.GetByRole(AriaRole.Link, new() { Name = "Changelog" })).ToHaveAttributeAsync("href", "https://example.org/changes");
        await Expect(buttons.GetByRole(AriaRole.Link, new() { Name = "Changelog" })).ToHaveAttributeAsync("target", "_blank");
        await buttons.GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        var press = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/bot/{bot.Token}/getUpdates?timeout=10&offset={offset}"))
            .GetProperty("result").EnumerateArray().Single().GetProperty("callback_query");
        press.GetProperty("data").GetString().Should().Be("deploy");
        (await http.PostAsJsonAsync($"/bot/{bot.Token}/answerCallbackQuery", new { callback_query_id = press.GetProperty("id").GetString(), text = "Deploying v2…" }))
            .StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        await Expect(alice.Message("Deploy v2 to production?").GetByTestId("bot-answer")).ToHaveTextAsync("Deploying v2…");
        await alice.ScreenshotAsync("bot-buttons");

        await alice.Page.ReloadWhenSettledAsync();
        await alice.OpenChatAsync("Deployer");
        await Expect(alice.Message("Deploy v2 to production?").GetByTestId("bot-keyboard").GetByRole(AriaRole.Button)).ToHaveCountAsync(2);
        AssertNoProblems();
    }

    [Fact]
    public async Task GroupPermissions_SetByTheCreator_ShapeAMembersComposer_SlowModeFirst_ThenReadOnly()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Notices", bobName.Username);
        await bob.OpenChatAsync("Notices");
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var permissions = page.GetByTestId("permissions");
        await permissions.GetByLabel("Send files").UncheckAsync();
        await permissions.GetByLabel("Slow mode").SelectOptionAsync("30");
        await permissions.GetByRole(AriaRole.Button, new() { Name = "Save permissions" }).ClickAsync();

        await Expect(bob.Page.GetByTestId("service-message")
            .Filter(new() { HasText = "changed what members may do; slow mode: one message every 30 seconds" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" })).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByTestId("slow-mode")).ToContainTextAsync("one message every 30 seconds");
        await bob.SendAsync("One for now");
        await Expect(bob.Page.GetByTestId("slow-mode")).ToContainTextAsync("you can send again in");
        var box = bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Too soon");
        await box.PressAsync("Enter");
        await Expect(bob.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Slow mode: you can send again in" })).ToBeVisibleAsync();
        await Expect(box).ToHaveValueAsync("Too soon");
        await Expect(page.GetByTestId("message").Filter(new() { HasText = "Too soon" })).ToHaveCountAsync(0);

        await permissions.GetByLabel("Send messages").UncheckAsync();
        await permissions.GetByLabel("Slow mode").SelectOptionAsync("0");
        await permissions.GetByRole(AriaRole.Button, new() { Name = "Save permissions" }).ClickAsync();

        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Only admins can send messages in this group" })).ToBeVisibleAsync();
        await Expect(box).ToHaveCountAsync(0);
        await alice.SendAsync("Office closed on Friday");
        await Expect(bob.Message("Office closed on Friday")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task AMention_MarksTheGroupInTheChatList_AcrossAReload_UntilTheMemberReadsIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Reviews", bobName.Username);
        await alice.SendAsync("No mention here");
        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Reviews" });
        await Expect(row).ToContainTextAsync("No mention here");
        await Expect(row.GetByTestId("mention-badge")).ToHaveCountAsync(0);

        await alice.SendAsync($"@{bobName.Username} please review the draft");

        await Expect(row.GetByTestId("mention-badge")).ToBeVisibleAsync();
        var reopened = await bob.ReopenAsync();
        Pages[Pages.IndexOf(bob)] = reopened;
        row = reopened.Page.GetByTestId("dialog").Filter(new() { HasText = "Reviews" });
        await Expect(row.GetByTestId("mention-badge")).ToHaveAttributeAsync("aria-label", "1 unread mentions");
        await reopened.OpenChatAsync("Reviews");
        await Expect(reopened.Message("please review the draft")).ToBeVisibleAsync();
        await Expect(row.GetByTestId("mention-badge")).ToHaveCountAsync(0);
        await Expect(reopened.Page.GetByTestId("next-mention")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Privacy_ChosenInSettings_HidesThePresence_AndKeepsOthersFromAddingToGroups()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Are you around?");
        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("online");

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await bob.Page.GetByLabel("Who sees when I am online").SelectOptionAsync(new SelectOptionValue { Label = "Nobody" });
        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Privacy saved" })).ToBeVisibleAsync();
        await bob.Page.GetByLabel("Who may add me to groups").SelectOptionAsync(new SelectOptionValue { Label = "Nobody" });
        await Expect(bob.Page.GetByLabel("Who may add me to groups")).ToHaveValueAsync("2");

        await Expect(alice.Page.GetByTestId("chat-status")).ToHaveTextAsync("last seen recently");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await alice.Page.GetByLabel("Group name").FillAsync("Surprise party");
        await alice.Page.GetByLabel("Add members").FillAsync(bobName.Username);
        await alice.Page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Button).First.ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Their privacy settings do not let you add them: send them an invite link");

        var reopened = await bob.ReopenAsync();
        Pages[Pages.IndexOf(bob)] = reopened;
        await reopened.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(reopened.Page.GetByLabel("Who sees when I am online")).ToHaveValueAsync("2");
        AssertNoProblems();
    }

    [Fact]
    public async Task AVoiceCall_RingsThePeer_ConnectsTheTwoBrowsers_AndIsRecordedWhenHungUp()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Can I call you?");
        await bob.OpenChatAsync(aliceName.Display);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();

        var ringing = bob.Page.GetByTestId("call");
        await Expect(ringing).ToHaveAttributeAsync("data-phase", "ringing");
        await Expect(ringing).ToContainTextAsync(aliceName.Display);
        await Expect(alice.Page.GetByTestId("call-status")).ToHaveTextAsync("Calling…");
        await ringing.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // WebRTC between the two pages, Chromium's fake microphone on both sides; the server carried the signalling.
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await Expect(page.GetByTestId("call")).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
            await Expect(page.GetByTestId("call-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+:\d\d$"));
        }

        await bob.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();

        await Expect(alice.Page.GetByTestId("call-status")).ToHaveTextAsync("Call ended");
        await Expect(alice.Page.GetByTestId("call")).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"Outgoing call \(0:\d\d\)") })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"Incoming call \(0:\d\d\)") })).ToBeVisibleAsync();

        // A call declined reads so on both sides.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
        await alice.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "Call declined" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasText = "Declined call" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task ACallRingingWhenATabOpens_RingsThere_AndIsAnsweredFromIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Picking up?");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Call", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByTestId("call")).ToHaveAttributeAsync("data-phase", "ringing");

        var reopened = await bob.ReopenAsync();
        Pages[Pages.IndexOf(bob)] = reopened;

        var ringing = reopened.Page.GetByTestId("call");
        await Expect(ringing).ToHaveAttributeAsync("data-phase", "ringing");
        await Expect(ringing).ToContainTextAsync(aliceName.Display);
        await ringing.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        foreach (var page in new[] { alice.Page, reopened.Page })
        {
            await Expect(page.GetByTestId("call")).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
        }

        await alice.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Expect(reopened.Page.GetByTestId("call")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task AVideoCall_ShowsEachSidesCameraToTheOther()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Video?");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Video call", Exact = true }).ClickAsync();
        await Expect(bob.Page.GetByTestId("call-status")).ToHaveTextAsync("Incoming video call");
        await bob.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // Chromium's fake camera on each side: the other's frames decode in the remote video element.
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await Expect(page.GetByTestId("call")).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
            await page.WaitForFunctionAsync(
                "() => document.querySelector('[data-testid=remote-video]')?.videoWidth > 0", null, new() { Timeout = 20_000 });
        }

        await alice.Page.GetByTestId("call").GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("call")).ToHaveCountAsync(0);
        await bob.OpenChatAsync(aliceName.Display);
        await Expect(bob.Page.GetByTestId("service-message")
            .Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"Incoming video call \(0:\d\d\)") })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task GroupPhotoAndDescription_SetByTheCreator_ShowForMembers_AndThePhotosRemovalToo()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        using var files = new TempDirectory();
        var png = Path.Combine(files.Path, "group.png");
        await File.WriteAllBytesAsync(png, Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="));
        var page = alice.Page;
        await alice.CreateGroupAsync("Hikers", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByLabel("Description").FillAsync("Weekend walks, all levels.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save description" }).ClickAsync();
        await Expect(page.GetByTestId("chat-about")).ToHaveTextAsync("Weekend walks, all levels.");
        await page.GetByLabel("Group photo").SetInputFilesAsync(png);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo saved" })).ToBeVisibleAsync();
        await Expect(page.Locator(".conversation__header").GetByTestId("avatar-photo")).ToBeVisibleAsync();

        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Hikers" });
        await Expect(row.GetByTestId("avatar-photo")).ToBeVisibleAsync();
        (await row.GetByTestId("avatar-photo").EvaluateAsync<int>("img => img.naturalWidth")).Should().Be(1, "the member downloaded and decoded it");
        await bob.OpenChatAsync("Hikers");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "changed the group photo" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "changed the group description" })).ToBeVisibleAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-about")).ToHaveTextAsync("Weekend walks, all levels.");
        (await bob.Page.GetByLabel("Group photo").CountAsync()).Should().Be(0, "only admins change it");
        (await bob.Page.GetByLabel("Description").CountAsync()).Should().Be(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove photo" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Photo removed" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "removed the group photo" })).ToBeVisibleAsync();
        await Expect(row.GetByTestId("avatar-photo")).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator(".conversation__header").GetByTestId("avatar-photo")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task InviteLink_OpenedByAnotherUser_OffersTheGroup_AndJoinsItWithOneClick()
    {
        var (alice, bob, _, _) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Book club");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invite code" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Invite link", Exact = true }).InputValueAsync();
        link.Should().StartWith($"{Host.BaseAddress.ToString().TrimEnd('/')}/join/");

        await bob.Page.GotoAsync(link);
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "New chat" });
        await Expect(dialog.GetByText("You were invited to a group")).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("Invite code")).ToHaveValueAsync(link.Split('/')[^1]);
        // The link leaves no trace in the address.
        await Expect(bob.Page).ToHaveURLAsync(new Regex(@"^https?://[^/]+/([?#].*)?$"));
        // A mistyped code is told in words, not as the server's error name.
        await dialog.GetByLabel("Invite code").FillAsync("nosuchcode123");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToHaveTextAsync("There is no group or channel with this invite: check the link or code");
        await dialog.GetByLabel("Invite code").FillAsync(link.Split('/')[^1]);
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0); // the error was the old code's
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Book club");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "joined by an invite link" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task AnInviteLinkNeedingApproval_ShowsTheGroupFirst_AndTheAdminLetsTheRequesterIn_ThenRevokesIt()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Book club");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByLabel("Admins approve new members").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invite code" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Invite link", Exact = true }).InputValueAsync();
        await Expect(page.GetByTestId("invite-row")).ToContainTextAsync("0 joined · approval");

        await bob.Page.GotoAsync(link);
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "New chat" });
        await Expect(dialog.GetByTestId("invite-preview")).ToHaveTextAsync("Book club · group · 1 member · its admins approve new members");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Request to join" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Status).Filter(new() { HasText = "Your request to join was sent" })).ToBeVisibleAsync();

        // The admin sees the request come in, opens it from the chat's header and approves it.
        var chip = page.GetByTestId("join-requests-chip");
        await Expect(chip).ToHaveTextAsync("1 request to join");
        var requests = page.GetByTestId("join-requests");
        await Expect(requests).ToContainTextAsync(bobName.Display);
        await requests.GetByRole(AriaRole.Button, new() { Name = $"Approve {bobName.Display}" }).ClickAsync();
        await Expect(chip).ToHaveCountAsync(0);
        await Expect(requests).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("service-message").Filter(new() { HasText = $"{bobName.Display} joined, approved by an admin" })).ToBeVisibleAsync();

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await bob.OpenChatAsync("Book club");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "You joined, approved by an admin" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke invite") }).ClickAsync();
        await Expect(page.GetByTestId("invite-row")).ToContainTextAsync("revoked");
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke invite") })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task DeleteGroup_FromTheCreatorsInfoPanel_AsksFirst_ThenTakesTheChatFromEveryonesList_AndClosesItForTheMember()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Short-lived", bobName.Username);
        await alice.SendAsync("Last words");
        await bob.OpenChatAsync("Short-lived");
        await Expect(bob.Message("Last words")).ToBeVisibleAsync();
        var alicesRow = page.GetByTestId("dialog").Filter(new() { HasText = "Short-lived" });
        var bobsRow = bob.Page.GetByTestId("dialog").Filter(new() { HasText = "Short-lived" });

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete group" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete Short-lived?" });
        await Expect(confirm).ToContainTextAsync("cannot be undone");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToHaveCountAsync(0);
        await Expect(alicesRow).ToHaveCountAsync(1);
        // Bob's own info panel, once it shows what a member may do: no Delete.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Leave group" })).ToBeVisibleAsync();
        (await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Delete group" }).CountAsync()).Should().Be(0, "only its creator deletes it");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete group" }).ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete group" }).ClickAsync();

        await Expect(alicesRow).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("chat-title")).ToHaveCountAsync(0);
        await Expect(bobsRow).ToHaveCountAsync(0);
        await Expect(bob.Message("Last words")).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task RemovedMember_CannotRejoinByTheLink_UntilAnAdminLetsThemBack()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Quiet room", bobName.Username);
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invite code" }).ClickAsync();
        var link = await page.GetByRole(AriaRole.Textbox, new() { Name = "Invite link", Exact = true }).InputValueAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {bobName.Display} from the group" }).ClickAsync();
        var removed = page.GetByRole(AriaRole.Region, new() { Name = "Removed members" });
        await Expect(removed).ToContainTextAsync(bobName.Display);

        await bob.Page.GotoAsync(link);
        var dialog = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "New chat" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("An admin removed you from this group");

        await removed.GetByRole(AriaRole.Button, new() { Name = $"Let {bobName.Display} back" }).ClickAsync();
        await Expect(removed).ToHaveCountAsync(0);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Join group" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Quiet room");
        AssertNoProblems();
    }

    [Fact]
    public async Task SeenBy_OnOnesOwnMessageInAGroup_ListsTheMembersWhoReadIt()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Lunch", bobName.Username);
        await alice.SendAsync("Noon at the usual place?");
        var mine = alice.Message("Noon at the usual place?");
        await mine.HoverAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "Seen by", Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Seen by" });
        await Expect(dialog).ToContainTextAsync("Nobody has read it yet");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await bob.OpenChatAsync("Lunch");
        await Expect(bob.Message("Noon at the usual place?")).ToBeVisibleAsync();
        await Expect(mine.Ticks("read")).ToBeVisibleAsync();
        await mine.HoverAsync();
        await mine.GetByRole(AriaRole.Button, new() { Name = "Seen by", Exact = true }).ClickAsync();
        await Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Read by" })).ToHaveTextAsync(bobName.Display);
        await bob.Message("Noon at the usual place?").HoverAsync();
        (await bob.Message("Noon at the usual place?").GetByRole(AriaRole.Button, new() { Name = "Seen by", Exact = true }).CountAsync())
            .Should().Be(0, "only for one's own messages");
        AssertNoProblems();
    }

    [Fact]
    public async Task Channel_WhenASubscriberOpensIt_ShowsThePostsAndNoMessageBox()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();

        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await page.GetByLabel("Group name").FillAsync("Announcements");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Channel", Exact = true }).CheckAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "New channel" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Channel name")).ToHaveValueAsync("Announcements");
        await page.GetByLabel("Add subscribers").FillAsync(bobName.Username);
        await page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Button).First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create channel" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Announcements");
        await alice.SendAsync("Release on Friday");

        await bob.OpenChatAsync("Announcements");
        await Expect(bob.Message("Release on Friday")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByText("Only admins can post in this channel")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveCountAsync(0);
        await bob.ScreenshotAsync("09-channel-subscriber");
        AssertNoProblems();
    }

    [Fact]
    public async Task ChannelInfo_ShowsASubscriberItsAdmins_AndItsAdminTheComingsAndGoingsLive()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "New group" }).ClickAsync();
        await page.GetByLabel("Group name").FillAsync("Bulletin");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Channel", Exact = true }).CheckAsync();
        await page.GetByLabel("Add subscribers").FillAsync(bobName.Username);
        await page.GetByRole(AriaRole.List, new() { Name = "Search results" }).GetByRole(AriaRole.Button).First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create channel" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Bulletin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var atAlice = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(atAlice.GetByRole(AriaRole.Heading, new() { Name = "Channel info" })).ToBeVisibleAsync();
        await Expect(atAlice.GetByLabel("Channel title")).ToHaveValueAsync("Bulletin");
        await Expect(atAlice.GetByTestId("member-count")).ToHaveTextAsync("2 subscribers");
        await Expect(atAlice.GetByRole(AriaRole.Region, new() { Name = "Subscribers" }).GetByTestId("member")).ToHaveCountAsync(2);

        // The subscriber is shown the admins (the list the server gives them), not "Members" over a part of them.
        await bob.OpenChatAsync("Bulletin");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var atBob = bob.Page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(atBob.GetByTestId("member-count")).ToHaveTextAsync("2 subscribers");
        var admins = atBob.GetByRole(AriaRole.Region, new() { Name = "Admins" });
        await Expect(admins.GetByTestId("member")).ToHaveCountAsync(1);
        await Expect(admins.GetByTestId("member")).ToContainTextAsync(aliceName.Display);
        await Expect(atBob.GetByRole(AriaRole.Region, new() { Name = "Members" })).ToHaveCountAsync(0);

        // A channel posts nothing when someone joins or leaves: the admin's open list follows by the chat update.
        await using var alicesPhone = await Host.ConnectAsync();
        await alicesPhone.SignInAsync(aliceName.Username, WebUser.Password, "phone", "tests");
        var chatId = (await alicesPhone.GetDialogsAsync()).Items.Single(d => d.Peer.Kind == PeerKind.Chat).Peer.Id;
        var invite = await alicesPhone.ExportInviteAsync(chatId);
        var carolName = WebUser.NewUsername("carol");
        await using var carol = await Host.SignedInClientAsync(carolName);
        await carol.JoinByInviteAsync(invite.Code);
        await Expect(atAlice.GetByTestId("member-count")).ToHaveTextAsync("3 subscribers");
        await Expect(atAlice.GetByTestId("member").Filter(new() { HasText = carolName.ToUpperInvariant() })).ToHaveCountAsync(1);
        await Expect(atBob.GetByTestId("member")).ToHaveCountAsync(1);
        await carol.LeaveGroupAsync(chatId);
        await Expect(atAlice.GetByTestId("member-count")).ToHaveTextAsync("2 subscribers");
        await Expect(atAlice.GetByTestId("member").Filter(new() { HasText = carolName.ToUpperInvariant() })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task LeaveGroup_AsksFirst_AndCancellingKeepsTheMemberIn()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Stay or go", bobName.Username);
        await bob.OpenChatAsync("Stay or go");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = bob.Page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });

        await info.GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        var asking = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "Leave Stay or go?" });
        await asking.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(asking).ToHaveCountAsync(0);
        await bob.SendAsync("Still here");
        await alice.OpenChatAsync("Stay or go");
        await Expect(alice.Message("Still here")).ToBeVisibleAsync();

        await info.GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await asking.GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("service-message").Filter(new() { HasText = "left the group" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task Group_WhenItsCreatorMakesAMemberTheOwner_TheFormerCreatorMayLeave()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Handover", bobName.Username);

        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(info.GetByRole(AriaRole.Button, new() { Name = "Delete group" })).ToBeVisibleAsync();
        await Expect(info.GetByRole(AriaRole.Button, new() { Name = "Leave group" })).ToHaveCountAsync(0);
        await info.GetByRole(AriaRole.Button, new() { Name = $"Make {bobName.Display} the owner" }).ClickAsync();

        await Expect(page.GetByTestId("service-message").Filter(new() { HasText = $"You made {bobName.Display} the owner" })).ToBeVisibleAsync();
        await Expect(info.GetByTestId("member").Filter(new() { HasText = bobName.Display })).ToContainTextAsync("owner");
        await info.GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Leave Handover?" }).GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await bob.OpenChatAsync("Handover");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "left the group" })).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task AGroupVoiceChat_ConnectsEachPairOfBrowsers_FollowsWhoLeaves_AndIsRecordedWhenItEnds()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        var carol = await OpenAsync();
        var carolName = (Username: WebUser.NewUsername("carol"), Display: "Carol Singer");
        await carol.RegisterAsync(carolName.Username, carolName.Display);
        await alice.CreateGroupAsync("Standup", bobName.Username, carolName.Username);
        await alice.SendAsync("Voice chat in a minute");
        await bob.OpenChatAsync("Standup");
        await carol.OpenChatAsync("Standup");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start voice chat" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("group-call-peer")).ToHaveTextAsync(["You"]);
        await Expect(bob.Page.GetByTestId("group-call-bar")).ToContainTextAsync("Voice chat · 1 in it");
        await Expect(bob.Page.GetByTestId("service-message").Filter(new() { HasText = "Alice Liddell started a voice chat" })).ToBeVisibleAsync();

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Join voice chat" }).ClickAsync();
        await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Join voice chat" }).ClickAsync();

        // A mesh of three: each page holds a WebRTC connection to each of the two others (Chromium's fake microphones).
        foreach (var page in new[] { alice.Page, bob.Page, carol.Page })
        {
            var others = page.GetByTestId("group-call-peer").And(page.Locator(":not([data-connection='self'])"));
            await Expect(others).ToHaveCountAsync(2);
            foreach (var other in await others.AllAsync())
            {
                await Expect(other).ToHaveAttributeAsync("data-connection", "connected", new() { Timeout = 20_000 });
            }
        }

        await carol.Page.GetByTestId("group-call").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await Expect(carol.Page.GetByTestId("group-call-bar")).ToContainTextAsync("Voice chat · 2 in it");
        await Expect(alice.Page.GetByTestId("group-call-peer")).ToHaveCountAsync(2);
        await Expect(bob.Page.GetByTestId("group-call-peer")).ToHaveCountAsync(2);

        await bob.Page.GetByTestId("group-call").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await alice.Page.GetByTestId("group-call").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        foreach (var page in new[] { alice.Page, bob.Page, carol.Page })
        {
            await Expect(page.GetByTestId("service-message").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^Voice chat ended \(\d+:\d\d\)$") }))
                .ToBeVisibleAsync();
            await Expect(page.GetByTestId("group-call-bar")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start voice chat" })).ToBeEnabledAsync();
        }

        AssertNoProblems();
    }

    [Fact]
    public async Task AThreadsNewAnswers_ShowBesideItsCount_UntilItIsOpened_AlsoAfterAReload()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Plans", bobName.Username);
        await alice.SendAsync("Friday?");
        await bob.OpenChatAsync("Plans");
        var question = bob.Message("Friday?");
        async Task AnswerAsync(string text)
        {
            await question.HoverAsync();
            await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
            await bob.SendAsync(text);
        }

        await AnswerAsync("Cinema");
        var replies = alice.Message("Friday?").GetByTestId("replies-button");
        await Expect(replies).ToHaveTextAsync("1 reply · 1 new");
        await Expect(bob.Message("Friday?").GetByTestId("replies-new")).ToHaveCountAsync(0, new() { Timeout = 2_000 });

        await replies.ClickAsync();
        var thread = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Thread" });
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(1);
        await Expect(replies).ToHaveTextAsync("1 reply");
        await AnswerAsync("Or dinner");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(2);
        await Expect(replies).ToHaveTextAsync("2 replies");
        await thread.GetByRole(AriaRole.Button, new() { Name = "Close thread" }).ClickAsync();

        await AnswerAsync("Both");
        await Expect(replies).ToHaveTextAsync("3 replies · 1 new");
        await alice.Page.ReloadWhenSettledAsync();
        await alice.OpenChatAsync("Plans");
        await Expect(alice.Message("Friday?").GetByTestId("replies-button")).ToHaveTextAsync("3 replies · 1 new");
        AssertNoProblems();
    }

    [Fact]
    public async Task AGroupMessagesReplies_ShowAsACount_AndOpenAsAThreadThatTakesAnswers()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Design", bobName.Username);
        await alice.SendAsync("Blue or green?");
        await alice.SendAsync("Lunch later?");
        await bob.OpenChatAsync("Design");

        var question = bob.Message("Blue or green?");
        await question.HoverAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await bob.SendAsync("Sky tones win");

        var replies = alice.Message("Blue or green?").GetByTestId("replies-button");
        await Expect(replies).ToHaveTextAsync("1 reply · 1 new");
        await Expect(alice.Message("Lunch later?").GetByTestId("replies-button")).ToHaveCountAsync(0);
        await replies.ClickAsync();
        var thread = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Thread" });
        await Expect(thread.GetByTestId("thread-root")).ToContainTextAsync("Blue or green?");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(1);
        await Expect(thread.GetByTestId("thread-reply")).ToContainTextAsync($"{bobName.Display}Sky tones win");

        await thread.GetByLabel("Reply in thread").FillAsync("Why blue?");
        await thread.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(2);
        await Expect(thread.GetByLabel("Reply in thread")).ToBeFocusedAsync();
        await Expect(thread.GetByTestId("thread-reply").Nth(1)).ToContainTextAsync("YouWhy blue?");
        await Expect(bob.Message("Blue or green?").GetByTestId("replies-button")).ToHaveTextAsync("2 replies · 1 new");
        await Expect(bob.Message("Why blue?")).ToBeVisibleAsync();

        // A thread follows new answers while open.
        await bob.SendAsync("Calmer");
        // A message that answers nothing stays out of the thread (counted once it reached Alice).
        await Expect(alice.Message("Calmer")).ToBeVisibleAsync();
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(2);
        await question.HoverAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await bob.SendAsync("Because calm");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(3);
        await thread.GetByRole(AriaRole.Button, new() { Name = "Close thread" }).ClickAsync();
        await Expect(thread).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task AGroupMessagesLink_OpensTheChatAtThatMessage_ForAnotherMember()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Decisions", bobName.Username);
        await alice.SendAsync("We go with blue");
        for (var i = 1; i <= 3; i++)
        {
            await alice.SendAsync($"Follow-up {i}");
        }

        await alice.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var decision = alice.Message("We go with blue");
        await decision.HoverAsync();
        await decision.GetByRole(AriaRole.Button, new() { Name = "Copy link" }).ClickAsync();
        var link = await alice.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        var id = await decision.GetAttributeAsync("data-message-id");
        link.Should().MatchRegex($@"/\?chat=c\d+&msg={id}$");

        await bob.Page.GotoAsync(link);
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync("Decisions");
        await Expect(bob.Page.Locator(".messages__row--highlight")).ToContainTextAsync("We go with blue");
        // The link's message leaves the address, the open chat's own entry stays.
        await Expect(bob.Page).ToHaveURLAsync(new Regex(@"^https?://[^/]+/\?chat=c\d+$"));
        await Expect(bob.Message("Follow-up 1").GetByRole(AriaRole.Button, new() { Name = "Copy link" })).ToHaveCountAsync(1);
        AssertNoProblems();
    }
}
