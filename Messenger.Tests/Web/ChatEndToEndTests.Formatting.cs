using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

public sealed partial class ChatEndToEndTests
{
    [Fact]
    public async Task Formatting_TypedWithTheShortcuts_ShowsBoldItalicStrikeAHiddenSpoilerAndASafeLink_AndThePreviewHidesTheSpoiler()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        // Ctrl+K asks for the address with the browser's prompt: answered here as a user would type it.
        await alice.Page.EvaluateAsync("() => { window.prompt = () => 'https://example.org/docs' }");
        await box.FillAsync("bold italic gone secret docs [bad](javascript:alert(1))");

        async Task SelectAndPressAsync(string word, string keys)
        {
            await box.EvaluateAsync("(box, word) => { const at = box.value.indexOf(word); box.focus(); box.setSelectionRange(at, at + word.length); }", word);
            await box.PressAsync(keys);
        }

        await SelectAndPressAsync("bold", "Control+b");
        await SelectAndPressAsync("italic", "Control+i");
        await SelectAndPressAsync("gone", "Control+Shift+X");
        await SelectAndPressAsync("secret", "Control+Shift+P");
        await SelectAndPressAsync("docs", "Control+k");
        await Expect(box).ToHaveValueAsync("**bold** __italic__ ~~gone~~ ||secret|| [docs](https://example.org/docs) [bad](javascript:alert(1))");
        // The same keys again take the markers away, and once more put them back.
        await SelectAndPressAsync("bold", "Control+b");
        await Expect(box).ToHaveValueAsync(new Regex(@"^bold __italic__"));
        await SelectAndPressAsync("bold", "Control+b");
        await box.PressAsync("Enter");
        await Expect(box).ToHaveValueAsync("");

        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display });
        await Expect(row).ToContainTextAsync("bold italic gone ▒▒▒ docs [bad](javascript:alert(1))");
        await bob.OpenChatAsync(aliceName.Display);
        var message = bob.Page.GetByTestId("message").Filter(new() { Has = bob.Page.Locator("strong", new() { HasTextString = "bold" }) });
        await Expect(message.Locator("strong")).ToHaveTextAsync("bold");
        await Expect(message.Locator("em")).ToHaveTextAsync("italic");
        await Expect(message.Locator("s")).ToHaveTextAsync("gone");

        var spoiler = message.GetByRole(AriaRole.Button, new() { Name = "Spoiler: hidden text, press to reveal" });
        await Expect(spoiler).ToHaveAttributeAsync("tabindex", "0");
        await Expect(spoiler).Not.ToHaveClassAsync(new Regex("spoiler--revealed"));
        (await spoiler.Locator(".spoiler__text").EvaluateAsync<string>("text => getComputedStyle(text).filter")).Should().Contain("blur");
        await spoiler.ClickAsync();
        var revealed = message.GetByTestId("spoiler");
        await Expect(revealed).ToHaveClassAsync(new Regex("spoiler--revealed"));
        await Expect(revealed).ToHaveTextAsync("secret");
        (await revealed.EvaluateAsync<string>("s => getComputedStyle(s.firstElementChild ?? s).filter")).Should().Be("none");

        var link = message.GetByRole(AriaRole.Link, new() { Name = "docs", Exact = true });
        await Expect(link).ToHaveAttributeAsync("href", "https://example.org/docs");
        await Expect(link).ToHaveAttributeAsync("title", "https://example.org/docs");
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        await Expect(link).ToHaveAttributeAsync("rel", new Regex(@"\bnoopener\b.*\bnoreferrer\b"));
        await Expect(message.GetByRole(AriaRole.Link)).ToHaveCountAsync(1, new() { Timeout = 1000 });
        await Expect(message.Locator(".bubble__text")).ToContainTextAsync("[bad](javascript:alert(1))");

        // Revealed in the bubble, still hidden in the chat list.
        await Expect(row).ToContainTextAsync("▒▒▒");
        (await row.InnerTextAsync()).Should().NotContain("secret");
        alice.Dialogs.Concat(bob.Dialogs).Should().BeEmpty();
        AssertNoProblems();
    }

    [Fact]
    public async Task Formatting_AHiddenSpoilersLinkAndMention_AreOutOfTheTabOrder_UntilRevealed()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync($"before ||see https://hidden.example/x and @{bobName.Username}|| after");
        await box.PressAsync("Enter");
        await Expect(box).ToHaveValueAsync("");

        await bob.OpenChatAsync(aliceName.Display);
        var message = bob.Page.GetByTestId("message").Filter(new() { HasText = "before" });
        var spoiler = message.GetByRole(AriaRole.Button, new() { Name = "Spoiler: hidden text, press to reveal" });
        await Expect(spoiler.Locator(".spoiler__text")).ToHaveAttributeAsync("inert", "");
        await spoiler.FocusAsync();
        await bob.Page.Keyboard.PressAsync("Tab");
        (await spoiler.EvaluateAsync<bool>("s => s.contains(document.activeElement) && document.activeElement !== s"))
            .Should().BeFalse("Tab must not reach the hidden link or mention");

        await spoiler.ClickAsync();
        var revealed = message.GetByTestId("spoiler");
        await Expect(revealed).ToHaveClassAsync(new Regex("spoiler--revealed"));
        await Expect(revealed.GetByRole(AriaRole.Link, new() { Name = "https://hidden.example/x" })).ToBeVisibleAsync();
        await Expect(revealed.Locator("[inert]")).ToHaveCountAsync(0);
        alice.Dialogs.Concat(bob.Dialogs).Should().BeEmpty();
        AssertNoProblems();
    }
}
