using System.Globalization;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Messages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>A text longer than one message allows: counted and refused in every box that sends, and offered as several
/// messages by the composer and a thread's reply box.</summary>
public sealed partial class ChatEndToEndTests
{
    /// <summary>About 4,800 characters as shown (with a five-letter word): a line, then a bold span of two long paragraphs (the cut goes at the
    /// break between them, inside the bold), then a link.</summary>
    private static string LongFormattedText(string word) =>
        $"Opening line.\n\n**{string.Join(' ', Enumerable.Repeat(word, 500))}.\n\n{string.Join(' ', Enumerable.Repeat(word, 300))}** and [the docs](https://example.org/docs) end it.";

    [Fact]
    public async Task LongText_PastTheLimit_IsCountedRefusedAndSentAsSeveralMessages_ThatArriveInOrderWithTheirFormatting()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var text = LongFormattedText("alpha");
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync(text);
        var shown = MessageMarkup.Parse(text).Text;
        string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        await Expect(alice.Page.GetByTestId("too-long")).ToHaveTextAsync($"{Count(shown.Length)} / 4,096 characters: {Count(shown.Length - 4096)} too many");
        var split = alice.Page.GetByTestId("send-split");
        await Expect(split).ToHaveTextAsync("Send as 2 messages");

        // Send refuses it as one message; the offer stays.
        await box.PressAsync("Enter");
        await Expect(alice.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "A message may show at most 4,096 characters" })).ToBeVisibleAsync();
        await Expect(box).ToHaveValueAsync(text);
        await split.ClickAsync();
        await Expect(box).ToHaveValueAsync("");
        await Expect(split).ToHaveCountAsync(0);

        // An edit is counted and refused alike, but never split.
        var first = alice.Page.GetByTestId("message").Filter(new() { HasText = "Opening line." });
        await first.HoverAsync();
        await first.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await box.FillAsync(text);
        await Expect(alice.Page.GetByTestId("too-long")).ToHaveTextAsync($"{Count(shown.Length)} / 4,096 characters: {Count(shown.Length - 4096)} too many");
        await Expect(split).ToHaveCountAsync(0);
        await box.PressAsync("Enter");
        await Expect(alice.Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "A message may show at most 4,096 characters" })).ToBeVisibleAsync();
        await box.PressAsync("Escape");
        await Expect(box).ToHaveValueAsync("");

        // Bob's browser shows both bold, the second with the link.
        await bob.OpenChatAsync(aliceName.Display);
        var bubbles = bob.Page.GetByTestId("message").Filter(new() { Has = bob.Page.Locator("strong", new() { HasTextString = "alpha alpha" }) });
        await Expect(bubbles).ToHaveCountAsync(2);
        await Expect(bubbles.Nth(1).GetByRole(AriaRole.Link, new() { Name = "the docs", Exact = true })).ToHaveAttributeAsync("href", "https://example.org/docs");

        await using var bobsPhone = await Host.ConnectAsync();
        await bobsPhone.SignInAsync(bobName.Username, WebUser.Password, "phone", "tests");
        var fromAlice = new Peer(PeerKind.User, (await bobsPhone.SearchUsersAsync(aliceName.Username)).Single().Id);
        var received = (await bobsPhone.GetHistoryAsync(fromAlice)).Reverse().ToArray();
        received.Should().HaveCount(2, "the text went as two messages");
        received[0].Id.Should().BeLessThan(received[1].Id, "the parts are stored in order");
        var parts = received.Select(m => MessageMarkup.Parse(m.Text)).ToArray();
        parts.Should().AllSatisfy(p => p.Text.Length.Should().BeLessThanOrEqualTo(4096));
        (parts[0].Text + "\n\n" + parts[1].Text).Should().Be(shown, "joined at the paragraph break where it was cut, nothing is lost");
        parts[0].Text.Should().StartWith("Opening line.");
        parts[0].Entities.Should().ContainSingle(e => e.Type == "bold").Which.Length.Should().Be(parts[0].Text.Length - "Opening line.\n\n".Length);
        parts[1].Entities.Should().ContainSingle(e => e.Type == "bold").Which.Offset.Should().Be(0, "the bold cut in two goes on in the second part");
        parts[1].Entities.Should().ContainSingle(e => e.Type == "text_link").Which.Url.Should().Be("https://example.org/docs");
        AssertNoProblems();
    }

    [Fact]
    public async Task LongText_InAThreadsReplyBox_IsCounted_AndItsPartsAllAnswerTheThread()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Essays", bobName.Username);
        await alice.SendAsync("Thoughts?");
        await bob.OpenChatAsync("Essays");
        var question = bob.Message("Thoughts?");
        await question.HoverAsync();
        await question.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true }).ClickAsync();
        await bob.SendAsync("Short ones first");

        var replies = alice.Message("Thoughts?").GetByTestId("replies-button");
        await replies.ClickAsync();
        var thread = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Thread" });
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(1);
        var box = thread.GetByLabel("Reply in thread");
        await box.FillAsync(string.Join(' ', Enumerable.Repeat("word", 820)));
        await Expect(thread.GetByTestId("too-long")).ToHaveTextAsync("4,099 / 4,096 characters: 3 too many");
        await box.PressAsync("Backspace");
        await box.PressAsync("Backspace");
        await box.PressAsync("Backspace");
        await Expect(thread.GetByTestId("too-long")).ToHaveCountAsync(0);
        await box.PressAsync("d");
        await Expect(thread.GetByTestId("too-long")).ToHaveTextAsync("4,097 / 4,096 characters: 1 too many");
        await thread.GetByRole(AriaRole.Button, new() { Name = "Send reply" }).ClickAsync();
        await Expect(thread.GetByRole(AriaRole.Alert).Filter(new() { HasText = "A message may show at most 4,096 characters" })).ToBeVisibleAsync();
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(1);

        await box.FillAsync(LongFormattedText("gamma"));
        await thread.GetByTestId("send-split").ClickAsync();
        await Expect(box).ToHaveValueAsync("");
        await Expect(thread.GetByTestId("thread-reply")).ToHaveCountAsync(3);
        await Expect(thread.GetByTestId("thread-reply").Nth(1)).ToContainTextAsync("YouOpening line.");
        await Expect(thread.GetByTestId("thread-reply").Nth(2).Locator("strong")).ToContainTextAsync("gamma gamma");
        await Expect(thread.GetByTestId("thread-reply").Nth(2).GetByRole(AriaRole.Link, new() { Name = "the docs", Exact = true })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("message").Filter(new() { Has = bob.Page.Locator("strong", new() { HasTextString = "gamma gamma" }) })).ToHaveCountAsync(2);
        AssertNoProblems();
    }
}
