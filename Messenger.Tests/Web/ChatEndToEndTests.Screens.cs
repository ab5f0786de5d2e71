using Messenger.Client;
using Messenger.Contracts.Messages;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>The photo viewer's previous and next.</summary>
public sealed partial class ChatEndToEndTests
{
    [Fact]
    public async Task PhotoViewer_GoesToThePreviousAndNextPhotoByButtonsAndArrowKeys_ReadingOlderHistoryForTheFirst()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Photos follow");

        // Alice's phone sends a photo, 55 texts, then two more photos: the first is older than the history's first page.
        // Bob reads them all on his phone, so his browser opens the chat at its end with that page alone.
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
        await bob.Page.ReloadAsync();
        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName.Display });
        await Expect(row).ToContainTextAsync("Photo");
        await Expect(row.Locator(".badge")).ToHaveCountAsync(0);
        await bob.OpenChatAsync(aliceName.Display);
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
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);
        AssertNoProblems();
    }
}
