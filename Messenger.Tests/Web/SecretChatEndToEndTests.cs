using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Messenger.Client;
using Messenger.Contracts.Secret;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>Secret chats in the built web client, in real Chromium against the real host: between two browsers, and
/// between the browser and the SDK, with key changes, files and what the server may never see.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class SecretChatEndToEndTests(BrowserFixture browser, ITestOutputHelper output) : BrowserEndToEndTests(browser, output)
{
    [Fact]
    public async Task SecretChat_StartedFromTheHeader_IsAcceptedByThePeersTab_ShowsOneKey_SelfDestructs_EndsForBoth_AndNoTextReachesTheServer()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var tag = Random.Shared.Next(100_000, 999_999);
        var control = $"Plain control {tag}";
        var greeting = $"Secret greeting {tag}";
        var answer = $"Secret answer {tag}";
        var burning = $"Self-destructing {tag}";
        var unsaid = $"Said then unsaid {tag}";

        // An ordinary message: the server stores its text (the scan below finds it, so it would find a secret one).
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync(control);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Region, new() { Name = "Secret chat" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("chat-title")).ToHaveTextAsync(bobName.Display);
        await Expect(alice.Page.GetByTestId("chat-title").GetByRole(AriaRole.Img, new() { Name = "secret chat" })).ToBeVisibleAsync();

        // Bob's tab takes the request by itself: the chat shows in his list with the lock, and Alice can write.
        var bobRow = bob.Page.GetByTestId("secret-dialog");
        await Expect(bobRow).ToContainTextAsync(aliceName.Display);
        await Expect(bobRow).ToContainTextAsync("You joined a secret chat");
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("secret-dialog")).ToContainTextAsync($"{bobName.Display} joined your secret chat");
        await bobRow.ClickAsync();
        await Expect(bob.Page.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);

        var aliceCode = await VerificationCodeAsync(alice);
        var bobCode = await VerificationCodeAsync(bob);
        aliceCode.Should().MatchRegex("^([0-9a-f]{4} ){7}[0-9a-f]{4}$").And.Be(bobCode);
        await bob.ScreenshotAsync("40-secret-key");

        await alice.SendSecretAsync(greeting);
        await Expect(bob.SecretMessage(greeting)).ToBeVisibleAsync();
        await Expect(alice.SecretMessage(greeting).Ticks("read")).ToBeVisibleAsync();
        // Typed as a person types (the server forwards one typing per 2 s, the app tells it at most every 4 s).
        await alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).PressSequentiallyAsync("Are you there", new() { Delay = 400 });
        await Expect(bob.Page.GetByTestId("chat-status")).ToHaveTextAsync("typing…");
        await Expect(bob.Page.GetByTestId("secret-dialog")).ToContainTextAsync("typing…");
        await alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("");
        await bob.SendSecretAsync(answer);
        await Expect(alice.SecretMessage(answer)).ToBeVisibleAsync();
        await Expect(bob.SecretMessage(answer).Ticks("read")).ToBeVisibleAsync();

        // "Delete for both" on a received message takes it from the sender too.
        await alice.SendSecretAsync(unsaid);
        var received = bob.SecretMessage(unsaid);
        await received.HoverAsync();
        await received.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = $"Delete for me and {aliceName.Display}" }).ClickAsync();
        await Expect(bob.SecretMessage(unsaid)).ToHaveCountAsync(0);
        await Expect(alice.SecretMessage(unsaid)).ToHaveCountAsync(0);

        // A 5 s timer: the message shows its timer, then goes on both sides once read (Bob has the chat open).
        await alice.Page.GetByTestId("secret-timer").ClickAsync();
        var timers = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Self-destruct timer" });
        await timers.GetByRole(AriaRole.Button, new() { Name = "5 s" }).ClickAsync();
        // The dialog closes once the choice is saved; a user types after that. (Typing before it raced with the dialog
        // giving the focus back to the timer's button: once in CI the Enter reopened the dialog instead of sending.)
        await Expect(timers).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByTestId("secret-timer")).ToContainTextAsync("5 s");
        await alice.SendSecretAsync(burning);
        await Expect(bob.SecretMessage(burning).GetByTestId("msg-self-destruct")).ToBeVisibleAsync();
        await bob.ScreenshotAsync("41-secret-chat");
        await Expect(bob.SecretMessage(burning)).ToHaveCountAsync(0);
        await Expect(alice.SecretMessage(burning)).ToHaveCountAsync(0);
        await Expect(alice.SecretMessage(greeting)).ToBeVisibleAsync();

        // Ended with the history: gone from Alice's list, ended and emptied on Bob's side.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Delete secret chat" }).ClickAsync();
        var ending = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete secret chat?" });
        await ending.GetByLabel($"Also delete the history for {bobName.Display}").CheckAsync();
        await ending.GetByRole(AriaRole.Button, new() { Name = "Delete secret chat" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("secret-dialog")).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByTestId("secret-state")).ToHaveTextAsync("Secret chat ended");
        await Expect(bob.SecretMessage(greeting)).ToHaveCountAsync(0);
        await Expect(bob.SecretMessage(answer)).ToHaveCountAsync(0);
        await Expect(bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveCountAsync(0);
        await Expect(bobRow).ToContainTextAsync("Secret chat ended");

        // The server relayed ciphertext only: no file of its data directory holds a secret text (the plain one is there).
        var found = ScanDataDirectory(control, greeting, answer, burning, unsaid);
        found.Should().Contain(control);
        found.Should().NotContain([greeting, answer, burning, unsaid]);
        AssertNoProblems();
    }

    [Fact]
    public async Task SecretChat_WithThePeersTabClosed_WaitsForThem_WhatCameMeanwhileArrivesWhenTheyReturn_AndOtherDevicesDoNotShowIt()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var tag = Random.Shared.Next(100_000, 999_999);
        var first = $"First secret {tag}";
        var second = $"Sent while away {tag}";
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await bob.CloseTabAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" }).GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("secret-state")).ToHaveTextAsync($"Waiting for {bobName.Display} to get online…");
        await Expect(alice.Page.GetByTestId("secret-dialog")).ToContainTextAsync($"Waiting for {bobName.Display} to get online…");
        await alice.ScreenshotAsync("42-secret-waiting");

        // Bob's browser comes back, reads the request from his log and takes it.
        var back = await bob.ReopenAsync();
        Pages[Pages.IndexOf(bob)] = back;
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
        await alice.SendSecretAsync(first);
        var row = back.Page.GetByTestId("secret-dialog");
        await Expect(row).ToContainTextAsync(first);
        await Expect(row.GetByLabel("1 unread")).ToBeVisibleAsync();
        await row.ClickAsync();
        await Expect(back.SecretMessage(first)).ToBeVisibleAsync();
        await Expect(alice.SecretMessage(first).Ticks("read")).ToBeVisibleAsync();

        // Closed again: what Alice sends meanwhile waits in his log (the server keeps no history) and comes with him.
        await back.CloseTabAsync();
        await alice.SendSecretAsync(second);
        await Expect(alice.SecretMessage(second).Ticks("sent")).ToBeVisibleAsync();
        var again = await back.ReopenAsync();
        Pages[Pages.IndexOf(back)] = again;
        row = again.Page.GetByTestId("secret-dialog");
        await Expect(row).ToContainTextAsync(second);
        await row.ClickAsync();
        await Expect(again.SecretMessage(first)).ToBeVisibleAsync();
        await Expect(again.SecretMessage(second)).ToBeVisibleAsync();
        await Expect(again.SecretMessage(second)).ToHaveCountAsync(1);
        await Expect(alice.SecretMessage(second).Ticks("read")).ToBeVisibleAsync();

        // Alice's other browser knows the person but not the secret chat: its keys live on her first one.
        var laptop = await OpenAsync();
        await laptop.Page.GetByLabel("Username").FillAsync(aliceName.Username);
        await laptop.Page.GetByLabel("Password", new() { Exact = true }).FillAsync(WebUser.Password);
        await laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(laptop.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" })).ToBeVisibleAsync();
        // Once its secret chats caught up (the log read back, secret.getChats listing the chat handled), the list
        // shows what they made of it: no row.
        await Expect(laptop.Page.Locator(".chat-list[data-secret-synced='true']")).ToHaveCountAsync(1);
        await Expect(laptop.Page.GetByTestId("secret-dialog")).ToHaveCountAsync(0);
        await alice.SendSecretAsync($"Still only here {tag}");
        await Expect(again.SecretMessage($"Still only here {tag}")).ToBeVisibleAsync();

        // Bob signs out in that browser: the keys and the history go with the sign-in, and the chat ends for Alice.
        await again.Page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await again.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(again.Page.GetByRole(AriaRole.Tab, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await again.Page.WaitForFunctionAsync("async () => !(await indexedDB.databases()).some(d => d.name.startsWith('messenger-secret-'))");
        await Expect(alice.Page.GetByTestId("secret-state")).ToHaveTextAsync("Secret chat ended: a device was signed out");
        await Expect(alice.SecretMessage(first)).ToBeVisibleAsync();
        AssertNoProblems();
    }

    [Fact]
    public async Task SecretChat_BetweenTheWebClientAndTheSdk_CarriesMessagesBothWaysWithOneKey_WhicheverSideStartsIt()
    {
        var tag = Random.Shared.Next(100_000, 999_999);
        var (alice, aliceId, bob, bobUsername) = await BrowserAndSdkAsync("SecretInterop");
        await using var _ = bob;

        // The browser asks; the SDK's device takes it by itself (AutoAcceptSecretChats).
        await alice.StartChatAsync(bobUsername, bobUsername.ToUpperInvariant());
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
        var first = (await bob.NextAsync<SecretChatChanged>(e => e.Chat.State == SecretChatState.Ready)).Chat.Id;
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
        (await VerificationCodeAsync(alice)).Should().Be(bob.Client.GetSecretChatVerification(first));

        await alice.SendSecretAsync($"From the browser {tag}");
        var fromBrowser = (await bob.NextAsync<SecretMessageReceived>()).Message;
        fromBrowser.Should().Match<SecretMessage>(m => m.Text == $"From the browser {tag}" && m.FromId == aliceId && m.ChatId == first);
        await bob.Client.ReadSecretHistoryAsync(first);
        await Expect(alice.SecretMessage($"From the browser {tag}").Ticks("read")).ToBeVisibleAsync();

        // The SDK answers it with a 5 s timer: shown with its timer and the quote, read at once (the chat is open), gone on both.
        var fromSdk = await bob.Client.SendSecretMessageAsync(first, $"From the **SDK** {tag}", ttl: 5, replyTo: fromBrowser.RandomId);
        var shown = alice.SecretMessage($"From the SDK {tag}");
        await Expect(shown.Locator("strong")).ToHaveTextAsync("SDK");
        await Expect(shown.GetByTestId("msg-self-destruct")).ToBeVisibleAsync();
        await Expect(shown.GetByRole(AriaRole.Button, new() { Name = "Go to the replied message" })).ToContainTextAsync($"From the browser {tag}");
        (await bob.NextAsync<SecretMessagesRead>(r => r.ChatId == first)).MaxDate.Should().BeGreaterThanOrEqualTo(fromSdk.Date);
        await Expect(shown).ToHaveCountAsync(0);
        (await bob.NextAsync<SecretMessagesDeleted>(d => d.Expired)).RandomIds.Should().Equal(fromSdk.RandomId);

        // A body of the browser's the SDK's device never got (its log entry passed over, as a server that drops one would
        // do): 5 s later the SDK asks for it again, and the browser's tab sends it again under its number and random_id.
        var before = bob.Client.Events.Pts;
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            await alice.SendSecretAsync($"Dropped on the way {tag}");
            await Expect(alice.SecretMessage($"Dropped on the way {tag}").Ticks("sent")).ToBeVisibleAsync();
            await alice.SendSecretAsync($"After the drop {tag}");
            await Expect(alice.SecretMessage($"After the drop {tag}").Ticks("sent")).ToBeVisibleAsync();
        }, before + 1);
        await using var __ = bob;
        var repaired = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: var text } && text.StartsWith("Dropped on the way", StringComparison.Ordinal));
        repaired.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal($"After the drop {tag}", $"Dropped on the way {tag}");
        repaired.Should().NotContain(e => e is SecretMessagesMissing);
        bob.Client.GetLocalSecretChat(first).Should().Match<LocalSecretChat>(c => c.Missing == 0 && c.ReceivedInOrder == c.Received);
        await Expect(alice.SecretMessage($"Dropped on the way {tag}")).ToHaveCountAsync(1);

        // The SDK asks; the browser's tab takes it by itself.
        var second = (await bob.Client.RequestSecretChatAsync(aliceId)).Id;
        await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == second && e.Chat.State == SecretChatState.Ready);
        await alice.Page.GetByTestId("secret-dialog").Filter(new() { HasText = "You joined a secret chat" }).ClickAsync();
        (await VerificationCodeAsync(alice)).Should().Be(bob.Client.GetSecretChatVerification(second));
        await bob.Client.SendSecretMessageAsync(second, $"The SDK asked {tag}");
        await Expect(alice.SecretMessage($"The SDK asked {tag}")).ToBeVisibleAsync();
        await alice.SendSecretAsync($"The browser answers {tag}");
        var answer = (await bob.NextAsync<SecretMessageReceived>(r => r.Message.ChatId == second)).Message;
        answer.Text.Should().Be($"The browser answers {tag}");
        // The list names the sender of the newest message as an ordinary chat's row does, and a Hebrew text after
        // "You:" still reads right to left.
        var secondRow = alice.Page.GetByTestId("secret-dialog").Filter(new() { HasText = $"The browser answers {tag}" });
        await Expect(secondRow.GetByTestId("dialog-preview")).ToHaveTextAsync($"You: The browser answers {tag}");
        await alice.SendSecretAsync($"שלום {tag}");
        var hebrew = alice.Page.GetByTestId("secret-dialog").Filter(new() { HasText = $"שלום {tag}" }).GetByTestId("dialog-preview");
        await Expect(hebrew).ToHaveTextAsync($"You: שלום {tag}");
        await Expect(hebrew).ToHaveCSSAsync("direction", "rtl");

        // Deleted for both from the SDK, then ended with the history: the browser follows.
        await bob.Client.DeleteSecretMessagesAsync(second, [answer.RandomId]);
        await Expect(alice.SecretMessage($"The browser answers {tag}")).ToHaveCountAsync(0);
        await Expect(alice.SecretMessage($"The SDK asked {tag}")).ToBeVisibleAsync();
        await bob.Client.DiscardSecretChatAsync(second, deleteHistory: true);
        await Expect(alice.Page.GetByTestId("secret-state")).ToHaveTextAsync("Secret chat ended");
        await Expect(alice.SecretMessage($"The SDK asked {tag}")).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task SecretChat_BetweenTheWebClientAndTheSdk_WhenTheSdkStartsTheKeyChanges_BothSidesChangeKeysTogether_AndEveryMessageArrivesOnce() =>
        await ChatAcrossKeyChangesAsync("RekeySdkStarts", sdkRekeyAfter: 3, browserRekeyAfter: 5, sdkAsks: false, startWithATie: false);

    [Fact]
    public async Task SecretChat_BetweenTheWebClientAndTheSdk_WhenTheBrowserStartsTheKeyChanges_BothSidesChangeKeysTogether_AndEveryMessageArrivesOnce() =>
        await ChatAcrossKeyChangesAsync("RekeyBrowserStarts", sdkRekeyAfter: 5, browserRekeyAfter: 3, sdkAsks: true, startWithATie: false);

    [Fact]
    public async Task SecretChat_BetweenTheWebClientAndTheSdk_WhenBothStartAKeyChangeAtOnce_OneExchangeWins_AndEveryMessageArrivesOnce() =>
        await ChatAcrossKeyChangesAsync("RekeyBothStart", sdkRekeyAfter: 4, browserRekeyAfter: 4, sdkAsks: false, startWithATie: true);

    [Fact]
    public async Task SecretChat_WithALowReKeyingThreshold_ChangesItsKeysAgainAndAgain_EveryMessageArrives_AndTheKeyDialogCountsTheChanges()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var tag = Random.Shared.Next(100_000, 999_999);
        // The test knob (docs/web-client.md): keys change after 3 messages instead of 100, in both browsers.
        foreach (var page in new[] { alice, bob })
        {
            await page.Page.EvaluateAsync("() => localStorage.setItem('messenger.secretRekeyAfterMessages', '3')");
            await page.Page.ReloadWhenSettledAsync();
            await Expect(page.Page.GetByRole(AriaRole.Button, new() { Name = "New chat" })).ToBeVisibleAsync();
        }

        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
        var bobRow = bob.Page.GetByTestId("secret-dialog");
        await Expect(bobRow).ToContainTextAsync("You joined a secret chat");
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
        await bobRow.ClickAsync();
        var code = await VerificationCodeAsync(alice);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Encryption key" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("secret-verification")).ToBeVisibleAsync();
        await Expect(alice.Page.GetByTestId("secret-key-changes")).ToHaveCountAsync(0);
        await alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Encryption key" }).GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();

        // Bursts from each side in turn, sent without waiting for the other side: key changes overlap messages on the way.
        var sent = new List<(BrowserPage From, BrowserPage To, string Text)>();
        for (var round = 0; round < 6; round++)
        {
            var (from, to) = round % 2 == 0 ? (alice, bob) : (bob, alice);
            for (var i = 0; i < 3; i++)
            {
                var text = $"Round {round} message {i} {tag}";
                await from.SendSecretAsync(text);
                sent.Add((from, to, text));
            }

            foreach (var (_, receiver, text) in sent.Where(s => s.From == from))
            {
                await Expect(receiver.SecretMessage(text)).ToBeVisibleAsync();
            }

            if (round == 3)
            {
                // Bob's tab closes and comes back: the keys of the latest generation are read from his browser's storage.
                var back = await bob.ReopenAsync();
                Pages[Pages.IndexOf(bob)] = back;
                sent = sent.Select(s => (s.From == bob ? back : s.From, s.To == bob ? back : s.To, s.Text)).ToList();
                bob = back;
                await bob.Page.GetByTestId("secret-dialog").ClickAsync();
            }
        }

        // Every message on both sides once, none of the key changes shown, nothing undecryptable.
        foreach (var (from, to, text) in sent)
        {
            await Expect(from.SecretMessage(text)).ToHaveCountAsync(1);
            await Expect(to.SecretMessage(text)).ToHaveCountAsync(1);
        }

        foreach (var page in new[] { alice, bob })
        {
            await Expect(page.Page.GetByTestId("secret-message")).ToHaveCountAsync(sent.Count);
            await Expect(page.Page.GetByTestId("secret-undecryptable")).ToHaveCountAsync(0);
        }

        // The dialog counts the changes (both sides agree once the last exchange finished); the code is the first key's.
        var changes = new Regex(@"^Key changed ([2-9]|\d{2,}) times$");
        foreach (var page in new[] { alice, bob })
        {
            await page.Page.GetByRole(AriaRole.Button, new() { Name = "Encryption key" }).ClickAsync();
            await Expect(page.Page.GetByTestId("secret-key-changes")).ToHaveTextAsync(changes);
            (string.Join(' ', await page.Page.GetByTestId("secret-verification").Locator("span").AllInnerTextsAsync())).Should().Be(code);
        }

        await bob.ScreenshotAsync("44-secret-key-changed");
        string? agreed = null;
        for (var attempt = 0; attempt < 80 && agreed is null; attempt++)
        {
            var seen = await alice.Page.GetByTestId("secret-key-changes").InnerTextAsync();
            agreed = seen == await bob.Page.GetByTestId("secret-key-changes").InnerTextAsync() ? seen : null;
            if (agreed is null)
            {
                await Task.Delay(250);
            }
        }

        agreed.Should().MatchRegex(changes.ToString());

        // And on it goes under the newest keys.
        foreach (var page in new[] { alice, bob })
        {
            await page.Page.GetByRole(AriaRole.Dialog, new() { Name = "Encryption key" }).GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        }

        await bob.SendSecretAsync($"After the changes {tag}");
        await Expect(alice.SecretMessage($"After the changes {tag}")).ToBeVisibleAsync();
        AssertNoProblems();
    }

    /// <summary>Alice in the browser (its re-keying test knob at <paramref name="browserRekeyAfter"/> messages when given)
    /// and Bob on the SDK (its secret chats in memory, re-keying as <paramref name="sdkRekey"/> says), who found her.</summary>
    private async Task<(BrowserPage Alice, long AliceId, SecretDevice Bob, string BobUsername)> BrowserAndSdkAsync(
        string test, SecretRekeyKnobs? sdkRekey = null, int? browserRekeyAfter = null)
    {
        TestName = test;
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var alice = await OpenAsync();
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        if (browserRekeyAfter is { } after)
        {
            await alice.Page.EvaluateAsync("after => localStorage.setItem('messenger.secretRekeyAfterMessages', String(after))", after);
            await alice.Page.ReloadWhenSettledAsync();
            await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "New chat" })).ToBeVisibleAsync();
        }

        var bobUsername = WebUser.NewUsername("sdkbob");
        var bob = await SecretDevice.SignUpAsync(Host, bobUsername, rekey: sdkRekey);
        var aliceId = (await bob.Client.SearchUsersAsync(aliceName.Username)).Single(u => u.Username == aliceName.Username).Id;
        return (alice, aliceId, bob, bobUsername);
    }

    /// <summary>
    /// Alice's browser and Bob's SDK, each re-keying after its own number of messages, chat in bursts: one side's, the
    /// other's, both at once (the SDK's pipelined), sent without waiting for the other side, so key changes overlap
    /// messages on the way (and,
    /// with <paramref name="startWithATie"/>, the first change is asked for by both before either saw the other's).
    /// Every message arrives once on each side, none is undecryptable, and both end on the same keys, generation and
    /// verification code.
    /// </summary>
    private async Task ChatAcrossKeyChangesAsync(string test, int sdkRekeyAfter, int browserRekeyAfter, bool sdkAsks, bool startWithATie)
    {
        var tag = Random.Shared.Next(100_000, 999_999);
        var (alice, aliceId, bob, bobUsername) = await BrowserAndSdkAsync(test, new SecretRekeyKnobs(AfterMessages: sdkRekeyAfter), browserRekeyAfter);
        try
        {
            long chatId;
            if (sdkAsks)
            {
                chatId = (await bob.Client.RequestSecretChatAsync(aliceId)).Id;
                await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Ready);
                await alice.Page.GetByTestId("secret-dialog").Filter(new() { HasText = "You joined a secret chat" }).ClickAsync();
            }
            else
            {
                await alice.StartChatAsync(bobUsername, bobUsername.ToUpperInvariant());
                await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
                chatId = (await bob.NextAsync<SecretChatChanged>(e => e.Chat.State == SecretChatState.Ready)).Chat.Id;
            }

            await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
            var code = await VerificationCodeAsync(alice);
            code.Should().Be(bob.Client.GetSecretChatVerification(chatId));

            var fromBrowser = new List<string>();
            var fromSdk = new List<string>();
            var sdkReceived = new List<string>();
            if (startWithATie)
            {
                (alice, bob) = await BothAskForNewKeysAtOnceAsync(alice, aliceId, bob, chatId, browserRekeyAfter, tag, fromBrowser, fromSdk, sdkReceived);
                (await SettledGenerationAsync(alice, aliceId, bob, chatId)).Should().Be(1, "one of the two exchanges went on, the other was dropped");
            }

            for (var round = 0; round < 9; round++)
            {
                var (sdkCount, browserCount) = (round % 3) switch { 0 => (4, 0), 1 => (0, 4), _ => (3, 3) };
                var sdkBurst = Enumerable.Range(0, sdkCount).Select(i => $"SDK {round}.{i} {tag}").ToList();
                var browserBurst = Enumerable.Range(0, browserCount).Select(i => $"Browser {round}.{i} {tag}").ToList();
                await Task.WhenAll(SendFromSdkAsync(bob, chatId, sdkBurst, pipelined: browserCount > 0), SendFromBrowserAsync(alice, browserBurst));
                fromSdk.AddRange(sdkBurst);
                fromBrowser.AddRange(browserBurst);
                await ReceiveOnSdkAsync(bob, chatId, browserBurst, sdkReceived);
                foreach (var text in sdkBurst)
                {
                    await Expect(alice.SecretMessage(text)).ToBeVisibleAsync();
                }
            }

            // A last word each way: whatever was still to come (a duplicate, an undecryptable one) came before it.
            await SendFromBrowserAsync(alice, [$"Browser last {tag}"]);
            fromBrowser.Add($"Browser last {tag}");
            await ReceiveOnSdkAsync(bob, chatId, [$"Browser last {tag}"], sdkReceived);
            await SendFromSdkAsync(bob, chatId, [$"SDK last {tag}"]);
            fromSdk.Add($"SDK last {tag}");
            await Expect(alice.SecretMessage($"SDK last {tag}")).ToBeVisibleAsync();

            sdkReceived.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(fromBrowser);
            bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo([.. fromBrowser, .. fromSdk], "each message once, no key change shown");
            foreach (var text in fromBrowser.Concat(fromSdk))
            {
                await Expect(alice.SecretMessage(text)).ToHaveCountAsync(1);
            }

            await Expect(alice.Page.GetByTestId("secret-message")).ToHaveCountAsync(fromBrowser.Count + fromSdk.Count);
            await Expect(alice.Page.GetByTestId("secret-undecryptable")).ToHaveCountAsync(0);

            // Sequence numbers across the two clients: every body the browser sent (its texts and its key changes' steps)
            // came, in order or filling its gap (a step still on its way may come after the last text), and the browser
            // reports nothing missing either.
            await SessionTestKit.WaitUntil(() => bob.Client.GetLocalSecretChat(chatId) is { } c && c.ReceivedInOrder == c.Received);
            bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(
                c => c.Missing == 0 && c.Received > fromBrowser.Count && c.Sent > fromSdk.Count, "the steps are numbered with the texts");
            await Expect(alice.Page.GetByTestId("secret-missing")).ToHaveCountAsync(0);

            // Both on the same keys: the browser's dialog counts as many changes as the SDK's generation, under the first code.
            var generation = await SettledGenerationAsync(alice, aliceId, bob, chatId);
            Output.WriteLine($"{test}: {generation} key changes over {fromBrowser.Count + fromSdk.Count} messages");
            generation.Should().BeGreaterThanOrEqualTo(3, $"{fromBrowser.Count + fromSdk.Count} messages at {Math.Max(sdkRekeyAfter, browserRekeyAfter)} at most per generation");
            bob.Client.GetLocalSecretChat(chatId)!.KeyGeneration.Should().Be(generation);
            bob.Client.GetSecretChatVerification(chatId).Should().Be(code);
            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Encryption key" }).ClickAsync();
            await Expect(alice.Page.GetByTestId("secret-key-changes")).ToHaveTextAsync($"Key changed {generation} times");
            (string.Join(' ', await alice.Page.GetByTestId("secret-verification").Locator("span").AllInnerTextsAsync())).Should().Be(code);
            await alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Encryption key" }).GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
            AssertNoProblems();
        }
        finally
        {
            await bob.DisposeAsync();
        }
    }

    /// <summary>
    /// Each side sends <paramref name="count"/> messages (its threshold) from the chat's first keys, and so asks for new
    /// ones, before it has seen anything of the other's: the SDK is offline while the browser sends, the browser's tab
    /// closed while the SDK sends. Then both read what the other sent: two requests cross. Answers the browser's new tab
    /// and the SDK's new client.
    /// </summary>
    private async Task<(BrowserPage Alice, SecretDevice Bob)> BothAskForNewKeysAtOnceAsync(
        BrowserPage alice, long aliceId, SecretDevice bob, long chatId, int count, int tag, List<string> fromBrowser, List<string> fromSdk,
        List<string> sdkReceived)
    {
        var browserBurst = Enumerable.Range(0, count).Select(i => $"Browser first {i} {tag}").ToList();
        var sdkBurst = Enumerable.Range(0, count).Select(i => $"SDK first {i} {tag}").ToList();
        var bobsPts = bob.Client.Events.Pts;
        long browsersExchange = 0;
        var sdkSending = await bob.ReconnectLaterAsync(async () =>
        {
            await SendFromBrowserAsync(alice, browserBurst);
            var asked = await BrowserKeysWhenAsync(alice, aliceId, chatId, k => k is { Outgoing: not 0, Sends: 0 });
            asked.Generation.Should().Be(0);
            browsersExchange = asked.Outgoing;
            await Expect(alice.Page.GetByTestId("secret-undecryptable")).ToHaveCountAsync(0);
            await alice.CloseTabAsync();
        }, pts: null);
        await SendFromSdkAsync(sdkSending, chatId, sdkBurst);
        await SessionTestKit.WaitUntil(() => sdkSending.SecretState().Chats[chatId] is { Outgoing: not null, Outbox: [] });
        sdkSending.SecretState().Chats[chatId].Outgoing!.Id.Should().NotBe(browsersExchange);
        fromBrowser.AddRange(browserBurst);
        fromSdk.AddRange(sdkBurst);

        var sdkBack = await sdkSending.ReconnectLaterAsync(() => Task.CompletedTask, bobsPts);
        var browserBack = await alice.ReopenAsync();
        Pages[Pages.IndexOf(alice)] = browserBack;
        await browserBack.Page.GetByTestId("secret-dialog").ClickAsync();
        await ReceiveOnSdkAsync(sdkBack, chatId, browserBurst, sdkReceived);
        foreach (var text in fromBrowser.Concat(fromSdk))
        {
            await Expect(browserBack.SecretMessage(text)).ToBeVisibleAsync();
        }

        return (browserBack, sdkBack);
    }

    /// <param name="pipelined">All sent at once, not each after the last one's answer: they may reach the log in another
    /// order, some under keys the browser already left.</param>
    private static async Task SendFromSdkAsync(SecretDevice sdk, long chatId, IEnumerable<string> texts, bool pipelined = false)
    {
        if (pipelined)
        {
            await Task.WhenAll(texts.Select(text => sdk.Client.SendSecretMessageAsync(chatId, text)));
            return;
        }

        foreach (var text in texts)
        {
            await sdk.Client.SendSecretMessageAsync(chatId, text);
        }
    }

    private static async Task SendFromBrowserAsync(BrowserPage page, IEnumerable<string> texts)
    {
        foreach (var text in texts)
        {
            await page.SendSecretAsync(text);
        }
    }

    /// <summary>Reads the SDK's events until all of <paramref name="expected"/> came, each text received added to
    /// <paramref name="received"/>; fails on a message that did not decrypt.</summary>
    private static async Task ReceiveOnSdkAsync(SecretDevice sdk, long chatId, IReadOnlyCollection<string> expected, List<string> received)
    {
        while (!expected.All(received.Contains))
        {
            var e = (await sdk.ReadUntilAsync(e => e is SecretMessageReceived or SecretMessageUndecryptable))[^1];
            e.Should().BeOfType<SecretMessageReceived>("every message from the browser opens under a key the SDK holds");
            var message = ((SecretMessageReceived)e).Message;
            message.ChatId.Should().Be(chatId);
            received.Add(message.Text);
        }
    }

    /// <summary>What the browser's store holds of the chat's keys: the generation, its exchange's id (0: none), whether an
    /// accepted exchange waits, how many key-change messages wait to be sent, and the current keys (hex).</summary>
    private sealed record BrowserKeys(int Generation, long Outgoing, bool Accepted, int Sends, string Keys);

    private static async Task<BrowserKeys> BrowserKeysAsync(BrowserPage page, long userId, long chatId)
    {
        const string read = """
            async ({ name, id }) => {
              const db = await new Promise((resolve, reject) => {
                const open = indexedDB.open(name);
                open.onsuccess = () => resolve(open.result);
                open.onerror = () => reject(open.error);
              });
              try {
                const chat = await new Promise((resolve, reject) => {
                  const get = db.transaction('chats').objectStore('chats').get(id);
                  get.onsuccess = () => resolve(get.result);
                  get.onerror = () => reject(get.error);
                });
                const hex = (bytes) => Array.from(bytes ?? [], (b) => b.toString(16).padStart(2, '0')).join('');
                return [chat.generation ?? 0, chat.rekeyOutgoing?.id ?? 0, !!chat.rekeyAccepted, (chat.rekeySends ?? []).length,
                  hex(chat.keyAdmin) + hex(chat.keyParticipant)].join(' ');
              } finally {
                db.close();
              }
            }
            """;
        var fields = (await page.Page.EvaluateAsync<string>(read, new { name = $"messenger-secret-{userId}", id = chatId })).Split(' ');
        return new BrowserKeys(int.Parse(fields[0]), long.Parse(fields[1]), fields[2] == "true", int.Parse(fields[3]), fields[4]);
    }

    private static async Task<BrowserKeys> BrowserKeysWhenAsync(BrowserPage page, long userId, long chatId, Func<BrowserKeys, bool> condition)
    {
        var keys = await BrowserKeysAsync(page, userId, chatId);
        for (var attempt = 0; attempt < 80 && !condition(keys); attempt++)
        {
            await Task.Delay(250);
            keys = await BrowserKeysAsync(page, userId, chatId);
        }

        condition(keys).Should().BeTrue($"the browser's store should come to that; it holds {keys}");
        return keys;
    }

    /// <summary>Waits until neither side has an exchange under way or a step still to send and both hold the same keys;
    /// answers their generation.</summary>
    private static async Task<int> SettledGenerationAsync(BrowserPage browser, long browserUserId, SecretDevice sdk, long chatId)
    {
        string? seen = null;
        for (var attempt = 0; attempt < 80; attempt++)
        {
            var web = await BrowserKeysAsync(browser, browserUserId, chatId);
            var local = sdk.SecretState().Chats[chatId];
            var sdkKeys = Convert.ToHexStringLower([.. local.AdminKey!, .. local.ParticipantKey!]);
            if (web is { Outgoing: 0, Accepted: false, Sends: 0 } && local is { Outgoing: null, Accepted: null, Outbox: [] }
                && web.Generation == local.KeyGeneration && web.Keys == sdkKeys)
            {
                return local.KeyGeneration;
            }

            seen = $"browser: {web with { Keys = web.Keys[..8] }}; SDK: generation {local.KeyGeneration}, exchange {local.Outgoing?.Id ?? 0}, "
                + $"accepted {local.Accepted is not null}, sends {local.Outbox.Count}, keys {sdkKeys[..8]}";
            await Task.Delay(250);
        }

        throw new Xunit.Sdk.XunitException($"The two sides did not settle on the same keys: {seen}");
    }

    private static async Task<string> VerificationCodeAsync(BrowserPage page)
    {
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Encryption key" }).ClickAsync();
        var dialog = page.Page.GetByRole(AriaRole.Dialog, new() { Name = "Encryption key" });
        var code = page.Page.GetByTestId("secret-verification");
        await Expect(code).ToHaveTextAsync(new Regex("^[0-9a-f]{32}$"));
        var groups = await code.Locator("span").AllInnerTextsAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        return string.Join(' ', groups);
    }

    /// <summary>Which of the texts any file under the host's data directory holds (UTF-8), read while the host runs.</summary>
    private HashSet<string> ScanDataDirectory(params string[] texts)
    {
        var encoded = texts.Select(Encoding.UTF8.GetBytes).ToArray();
        var found = ScanDataDirectoryForBytes(encoded);
        return texts.Where((_, i) => found.Contains(encoded[i])).ToHashSet();
    }

    /// <summary>Which of the byte sequences any file under the host's data directory holds, read while the host runs.</summary>
    private List<byte[]> ScanDataDirectoryForBytes(params byte[][] needles)
    {
        var found = new List<byte[]>();
        foreach (var file in Directory.EnumerateFiles(Host.DataDirectory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            catch (IOException)
            {
                continue;
            }

            found.AddRange(needles.Where(needle => !found.Contains(needle) && bytes.AsSpan().IndexOf(needle) >= 0));
        }

        return found;
    }
}
