using System.Security.Cryptography;
using FluentAssertions;
using Messenger.Client;
using Messenger.Contracts.Secret;
using Messenger.Tests.Media;
using Messenger.Tests.Messages;
using Microsoft.Playwright;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

public sealed partial class SecretChatEndToEndTests
{
    [Fact]
    public async Task SecretPhoto_SentFromTheBrowser_ShowsFromItsThumb_OpensDecryptedForThePeer_AndAFileComesBack_WithNoPlaintextOnTheServer()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        var tag = Random.Shared.Next(100_000, 999_999);
        var photo = NoisePng(400, 300, tag);
        var notes = RandomNumberGenerator.GetBytes(150_000);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Start secret chat" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToBeVisibleAsync();
        await bob.Page.GetByTestId("secret-dialog").ClickAsync();

        // The typed text goes as the photo's caption.
        await alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync($"The beach {tag}");
        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() => alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach photo" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "beach.png", MimeType = "image/png", Buffer = photo });

        var received = bob.SecretMessage($"The beach {tag}");
        await Expect(received.GetByTestId("secret-photo-thumb")).ToBeVisibleAsync();
        await Expect(bob.Page.GetByTestId("secret-dialog")).ToContainTextAsync($"Photo, The beach {tag}");
        await Expect(alice.SecretMessage($"The beach {tag}").Ticks("read")).ToBeVisibleAsync();
        await received.GetByRole(AriaRole.Button, new() { Name = "Open beach.png" }).ClickAsync();
        var full = bob.Page.GetByRole(AriaRole.Dialog, new() { Name = "beach.png" }).GetByTestId("secret-photo-full");
        await Expect(full).ToBeVisibleAsync();
        await full.EvaluateAsync("image => image.decode()");
        (await full.EvaluateAsync<int>("image => image.naturalWidth")).Should().Be(400);
        (await SavedImageAsync(bob.Page)).Should().Equal(photo, "the browser decrypted the very bytes sent");
        await bob.ScreenshotAsync("43-secret-photo");
        await bob.Page.Keyboard.PressAsync("Escape");

        // A file back: downloaded, decrypted and saved by the sender's peer.
        chooser = await bob.Page.RunAndWaitForFileChooserAsync(() => bob.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "notes.bin", MimeType = "application/octet-stream", Buffer = notes });
        var download = await alice.Page.RunAndWaitForDownloadAsync(() =>
            alice.Page.GetByTestId("secret-message").GetByRole(AriaRole.Button, new() { Name = "Download notes.bin" }).ClickAsync());
        download.SuggestedFilename.Should().Be("notes.bin");
        (await File.ReadAllBytesAsync(await download.PathAsync())).Should().Equal(notes);

        ScanDataDirectoryForBytes(photo[1000..1064], notes[5000..5064]).Should().BeEmpty("the server stored ciphertext only");
        AssertNoProblems();
    }

    [Fact]
    public async Task SecretFiles_BetweenTheWebClientAndTheSdk_OpenOnTheOtherSide_ByteExact()
    {
        TestName = "SecretFileInterop";
        var tag = Random.Shared.Next(100_000, 999_999);
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var alice = await OpenAsync();
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        var bobUsername = WebUser.NewUsername("sdkbob");
        await using var bob = await Host.SignUpAsync(bobUsername);
        var aliceId = (await bob.Client.SearchUsersAsync(aliceName.Username)).Single(u => u.Username == aliceName.Username).Id;
        var chatId = (await bob.Client.RequestSecretChatAsync(aliceId)).Id;
        await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Ready);
        await alice.Page.GetByTestId("secret-dialog").ClickAsync();

        // The SDK sends a photo with its thumb; the browser shows the thumb and opens the photo.
        var photo = NoisePng(200, 150, tag);
        var thumb = NoisePng(8, 6, tag + 1);
        await bob.Client.SendSecretFileAsync(chatId, new MemoryStream(photo), "from-sdk.png", "image/png", $"From the SDK {tag}", thumb: thumb, width: 200, height: 150);
        var shown = alice.SecretMessage($"From the SDK {tag}");
        await Expect(shown.GetByTestId("secret-photo-thumb")).ToBeVisibleAsync();
        await shown.GetByRole(AriaRole.Button, new() { Name = "Open from-sdk.png" }).ClickAsync();
        var full = alice.Page.GetByTestId("secret-photo-full");
        await Expect(full).ToBeVisibleAsync();
        (await SavedImageAsync(alice.Page)).Should().Equal(photo);
        await alice.Page.Keyboard.PressAsync("Escape");

        // The browser sends a file; the SDK downloads and decrypts it.
        var content = RandomNumberGenerator.GetBytes(70_000);
        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() => alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
        await chooser.SetFilesAsync(new FilePayload { Name = "from-web.bin", MimeType = "application/octet-stream", Buffer = content });
        var arrived = (await bob.NextAsync<SecretMessageReceived>(r => r.Message.File is not null)).Message;
        arrived.File!.Should().Match<SecretFile>(f => f.Name == "from-web.bin" && f.Size == content.Length);
        using var saved = new MemoryStream();
        await bob.Client.DownloadSecretFileAsync(arrived, saved);
        saved.ToArray().Should().Equal(content);
        AssertNoProblems();
    }

    [Fact]
    public async Task SecretFile_FromTheBrowser_TheSdksDeviceMissed_IsSentAgainByReference_AndOpensByteExact()
    {
        var tag = Random.Shared.Next(100_000, 999_999);
        var (alice, aliceId, bob, _) = await BrowserAndSdkAsync("SecretFileResend");
        await using var _ = bob;
        var chatId = (await bob.Client.RequestSecretChatAsync(aliceId)).Id;
        await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Ready);
        await alice.Page.GetByTestId("secret-dialog").ClickAsync();
        await alice.SendSecretAsync($"Before the drop {tag}");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == $"Before the drop {tag}");

        // The file's log entry never reaches the SDK's device; 5 s after the next body came it asks, and the browser's tab
        // sends the file message again naming the file the chat holds: nothing is uploaded again.
        var content = RandomNumberGenerator.GetBytes(70_000);
        var before = bob.Client.Events.Pts;
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() => alice.Page.GetByRole(AriaRole.Button, new() { Name = "Attach file" }).ClickAsync());
            await chooser.SetFilesAsync(new FilePayload { Name = "dropped.bin", MimeType = "application/octet-stream", Buffer = content });
            await Expect(alice.Page.GetByTestId("secret-message").Filter(new() { HasTextString = "dropped.bin" }).Ticks("sent")).ToBeVisibleAsync();
            await alice.SendSecretAsync($"After the drop {tag}");
            await Expect(alice.SecretMessage($"After the drop {tag}").Ticks("sent")).ToBeVisibleAsync();
        }, before + 1);
        await using var __ = bob;
        var blobs = Host.BlobFiles().Length;

        var events = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.File: not null });
        events.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal($"After the drop {tag}", "");
        var repaired = events.OfType<SecretMessageReceived>().Last().Message;
        repaired.File!.Should().Match<SecretFile>(f => f.Name == "dropped.bin" && f.Size == content.Length);
        using var saved = new MemoryStream();
        await bob.Client.DownloadSecretFileAsync(repaired, saved);
        saved.ToArray().Should().Equal(content);
        events.Should().NotContain(e => e is SecretMessagesMissing);
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Missing == 0 && c.ReceivedInOrder == c.Received);
        Host.BlobFiles().Should().HaveCount(blobs, "the file went again by reference");
        AssertNoProblems();
    }

    /// <summary>A PNG of random pixels: it does not compress, so any slice of it is found only where the file is.</summary>
    private static byte[] NoisePng(int width, int height, int seed)
    {
        var random = new Random(seed);
        using var bitmap = new SKBitmap(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The bytes the open photo's `Save image` link saves (the decrypted file itself).</summary>
    private static async Task<byte[]> SavedImageAsync(IPage page)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Save image" }).ClickAsync());
        return await File.ReadAllBytesAsync(await download.PathAsync());
    }
}
