using Messenger.Client;
using Messenger.Contracts.Messages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>The photo viewer's previous and next, the chat header in a narrow window, and the chat list's previews
/// (their text's direction, a refused message's chat opening at its Retry).</summary>
public sealed partial class ChatEndToEndTests
{
    [Fact]
    public async Task PhotoViewer_GoesToThePreviousAndNextPhotoByButtonsAndArrowKeys_ReadingOlderHistoryForTheFirst()
    {
        var (bob, aliceName) = await PhotosBeforeAndAfterAFullPageAsync();
        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName });
        await Expect(row).ToContainTextAsync("Photo");
        await Expect(row.Locator(".badge")).ToHaveCountAsync(0);
        await bob.OpenChatAsync(aliceName);
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Open newest.png" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Open oldest.png" })).ToHaveCountAsync(0);

        var page = bob.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Open middle.png" }).ClickAsync();
        var previous = page.GetByRole(AriaRole.Button, new() { Name = "Previous photo" });
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next photo" });
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "middle.png" })).ToBeVisibleAsync();
        await Expect(previous).ToBeEnabledAsync();
        await Expect(next).ToBeEnabledAsync();

        // The right arrow goes to the newest, where Next is disabled; Previous comes back.
        await page.Keyboard.PressAsync("ArrowRight");
        var newest = page.GetByRole(AriaRole.Dialog, new() { Name = "newest.png" });
        await Expect(newest).ToBeVisibleAsync();
        await Expect(next).ToBeDisabledAsync();
        var full = newest.GetByTestId("photo-full");
        await Expect(full).ToBeVisibleAsync();
        await full.EvaluateAsync("image => image.decode()");
        (await full.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(600, "the viewer shows the whole file of the photo it names");
        await previous.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "middle.png" })).ToBeVisibleAsync();

        // The left arrow at the first loaded photo reads older pages until it finds one; at the history's first photo
        // Previous is disabled.
        await page.Keyboard.PressAsync("ArrowLeft");
        var oldest = page.GetByRole(AriaRole.Dialog, new() { Name = "oldest.png" });
        await Expect(oldest).ToBeVisibleAsync();
        await Expect(previous).ToBeDisabledAsync();
        await Expect(next).ToBeEnabledAsync();
        await Expect(oldest.GetByTestId("photo-full")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(aliceName);
        AssertNoProblems();
    }

    /// <summary>
    /// Alice's phone sends Bob a photo, 55 texts, then two more photos: the first is older than the history's first page.
    /// Bob reads them all on his phone, so his browser, reloaded, opens the chat at its end with that page alone.
    /// </summary>
    /// <returns>Bob's browser, and Alice's display name (her chat's title there).</returns>
    private async Task<(BrowserPage Bob, string AliceName)> PhotosBeforeAndAfterAFullPageAsync()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Photos follow");
        await using var phone = await Host.ConnectAsync();
        await phone.SignInAsync(aliceName.Username, WebUser.Password, "phone", "tests");
        var toBob = new Peer(PeerKind.User, (await phone.SearchUsersAsync(bobName.Username)).Single().Id);
        async Task<long> SendPhotoAsync(string name, int width)
        {
            var png = Media.TestImages.Encode(width, 300, SkiaSharp.SKEncodedImageFormat.Png);
            var media = await phone.UploadFileAsync(new MemoryStream(png), name, "image/png");
            return (await phone.SendMediaAsync(toBob, media)).Message.Id;
        }

        await SendPhotoAsync("oldest.png", 400);
        for (var i = 1; i <= 55; i++)
        {
            await phone.SendMessageAsync(toBob, $"Filler {i:00}\nsecond line");
        }

        await SendPhotoAsync("middle.png", 500);
        var last = await SendPhotoAsync("newest.png", 600);
        await using var bobsPhone = await Host.ConnectAsync();
        await bobsPhone.SignInAsync(bobName.Username, WebUser.Password, "phone", "tests");
        await bobsPhone.ReadHistoryAsync(new Peer(PeerKind.User, (await bobsPhone.SearchUsersAsync(aliceName.Username)).Single().Id), last);
        await bob.Page.ReloadWhenSettledAsync();
        return (bob, aliceName.Display);
    }

    [Fact]
    public async Task Header_InA380PxWideWindow_FitsWithItsTitleCut_AndTheLessUsedButtonsInMore()
    {
        TestName = "NarrowHeader";
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bartholomew Montgomery-Featherstonehaugh the Third");
        var alice = await OpenAsync();
        var bob = await OpenAsync();
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        await alice.Page.SetViewportSizeAsync(380, 800);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hello from a narrow window");
        var page = alice.Page;

        var header = page.Locator(".conversation__header");
        await Expect(header).ToBeVisibleAsync();
        (await header.EvaluateAsync<bool>("h => h.scrollWidth <= h.clientWidth")).Should().BeTrue("the header fits the window");
        (await page.Locator(".conversation__actions").EvaluateAsync<bool>("a => a.scrollWidth <= a.clientWidth"))
            .Should().BeTrue("its buttons do not scroll sideways");
        var title = page.GetByTestId("chat-title");
        (await title.EvaluateAsync<bool>("t => t.scrollWidth > t.clientWidth && getComputedStyle(t).textOverflow === 'ellipsis'"))
            .Should().BeTrue("the long name is cut with an ellipsis");
        (await header.BoundingBoxAsync())!.Width.Should().BeLessThanOrEqualTo(380);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Search in chat" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pin chat" })).ToHaveCountAsync(0);

        // More holds the rest: Pin chat and Mute work from it, and it closes after each.
        var more = page.GetByRole(AriaRole.Button, new() { Name = "More", Exact = true });
        var menu = page.GetByRole(AriaRole.Menu, new() { Name = "More actions" });
        await more.ClickAsync();
        await Expect(menu).ToBeVisibleAsync();
        await menu.GetByRole(AriaRole.Menuitem, new() { Name = "Pin chat" }).ClickAsync();
        await Expect(menu).ToHaveCountAsync(0);
        await more.ClickAsync();
        await Expect(menu.GetByRole(AriaRole.Menuitem, new() { Name = "Unpin chat" })).ToBeVisibleAsync();
        await menu.GetByRole(AriaRole.Menuitem, new() { Name = "Mute", Exact = true }).ClickAsync();
        await more.ClickAsync();
        await Expect(menu.GetByRole(AriaRole.Menuitem, new() { Name = "Unmute", Exact = true })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(menu).ToHaveCountAsync(0);
        await Expect(more).ToBeFocusedAsync();

        // A dialog opened from it (Delete chat) opens over the page, and its Cancel leaves the chat as it was.
        await more.ClickAsync();
        await menu.GetByRole(AriaRole.Menuitem, new() { Name = "Delete chat" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete chat?" });
        await Expect(confirm).ToBeInViewportAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Back" }).ClickAsync();
        var row = page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "pinned" })).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "muted" })).ToBeVisibleAsync();
        await alice.ScreenshotAsync("narrow-header");
        AssertNoProblems();
    }

    [Fact]
    public async Task ChatList_PreviewsReadInTheirTextsDirection_AndARefusedMessagesChatOpensAtItsRetry()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("שלום, מה שלומך?");

        // A Hebrew preview reads right to left, also after "You:".
        var bobsRow = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display });
        var preview = bobsRow.GetByTestId("dialog-preview");
        await Expect(preview).ToHaveTextAsync("שלום, מה שלומך?");
        await Expect(preview).ToHaveCSSAsync("direction", "rtl");
        await bob.OpenChatAsync(aliceName.Display);
        await bob.SendAsync("תודה, טוב");
        await Expect(preview).ToHaveTextAsync("You: תודה, טוב");
        await Expect(preview).ToHaveCSSAsync("direction", "rtl");
        await bob.SendAsync("And you?");
        await Expect(preview).ToHaveCSSAsync("direction", "ltr");
        // Alice, in the chat, has read both (her read reached the server): only what comes later is unread for her.
        await Expect(bob.Message("And you?").Ticks("read")).ToBeVisibleAsync();

        // Bob (on his phone) blocks Alice: her next message is refused, and waits with its Retry through a reload.
        await using var phone = await Host.ConnectAsync();
        await phone.SignInAsync(bobName.Username, WebUser.Password, "phone", "tests");
        var aliceId = (await phone.SearchUsersAsync(aliceName.Username)).Single().Id;
        await phone.BlockUserAsync(aliceId);
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true });
        await box.FillAsync("Are you there?");
        await box.PressAsync("Enter");
        await Expect(alice.Message("Are you there?").Ticks("not sent")).ToBeVisibleAsync();
        await alice.Page.ReloadWhenSettledAsync();
        // The reload reopened the chat (its address): Back closes it, so what comes next stays unread.
        await Expect(alice.Message("Are you there?").Ticks("not sent")).ToBeVisibleAsync();
        await alice.Page.GoBackAsync();
        await Expect(alice.Page.GetByText("Select a chat to start messaging")).ToBeVisibleAsync();

        // Unblocked, he writes a long screenful Alice has not read; her list shows the refused message's "!".
        await phone.UnblockUserAsync(aliceId);
        var toAlice = new Peer(PeerKind.User, aliceId);
        for (var i = 1; i <= 30; i++)
        {
            await phone.SendMessageAsync(toAlice, $"Unread {i:00}\nsecond line\nthird line\nfourth line");
        }

        var alicesRow = alice.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await Expect(alicesRow.GetByLabel("30 unread")).ToBeVisibleAsync();
        await Expect(alicesRow.GetByRole(AriaRole.Img, new() { Name = "not sent" })).ToBeVisibleAsync();
        await Expect(alicesRow.GetByTestId("dialog-preview")).ToHaveTextAsync("You: Are you there?");

        // The chat opens at the refused message, not at the first unread one far above it, and its Retry sends it.
        await alicesRow.ClickAsync();
        var refused = alice.Message("Are you there?");
        var retry = refused.GetByRole(AriaRole.Button, new() { Name = "Retry" });
        await Expect(retry).ToBeInViewportAsync();
        await retry.ClickAsync();
        await Expect(bob.Message("Are you there?")).ToBeVisibleAsync();
        await Expect(alicesRow.GetByRole(AriaRole.Img, new() { Name = "not sent" })).ToHaveCountAsync(0);
        AssertNoProblems();
    }
}
