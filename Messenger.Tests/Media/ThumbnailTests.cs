using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Kernel.Storage;
using Messenger.Media.Collection;
using Messenger.Media.Thumbnails;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;

namespace Messenger.Tests.Media;

/// <summary>Thumbnails (320 px JPEG files) and inline previews (≤ 1 KiB JPEGs in the descriptor) of images.</summary>
public sealed class ThumbnailTests
{
    [Fact]
    public async Task SendJpeg_WhenExifSaysTurnClockwise_ThumbAndSizeAreUpright_AndPreviewFitsOneKiB()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_exif");
        await using var bob = await host.SignUpAsync("bob_exif");
        var photo = TestImages.JpegWithOrientation(400, 200, orientation: 6);

        var sent = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(photo, "upright.jpg", "image/jpeg"));

        var media = sent.Message.Media!;
        (media.Width, media.Height).Should().Be((200, 400), "the displayed size is the turned one");
        media.Thumb.Should().Be(new MediaThumb(160, 320, media.Thumb!.Size));
        media.Preview.Should().NotBeNull();
        media.Preview!.Length.Should().BeInRange(1, 1024);
        TestImages.SizeOf(media.Preview).Should().Be((20, 40));
        var thumb = await bob.Client.DownloadThumbnailAsync(media);
        thumb.Length.Should().Be((int)media.Thumb.Size);
        TestImages.SizeOf(thumb).Should().Be((160, 320));
        TestImages.ColourAt(thumb, 80, 20).Should().Be("red", "the stored left half is on top once turned clockwise");
        TestImages.ColourAt(thumb, 80, 300).Should().Be("blue");
        (await bob.Client.DownloadAsync(media)).Should().Equal(photo, "the file itself is served as uploaded");
    }

    [Theory]
    [InlineData("png")]
    [InlineData("gif")]
    [InlineData("webp")]
    public async Task SendImage_WhenPngGifOrWebP_GetsAThumbAndPreview(string format)
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_fmt");
        await using var bob = await host.SignUpAsync("bob_fmt");
        var bytes = format switch
        {
            "png" => TestImages.Encode(1000, 500, SKEncodedImageFormat.Png),
            "gif" => TestImages.Gif(1000, 500),
            _ => TestImages.Encode(1000, 500, SKEncodedImageFormat.Webp),
        };

        var media = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, "pic." + format, "image/" + format))).Message.Media!;

        (media.Width, media.Height).Should().Be((1000, 500));
        media.Thumb.Should().Be(new MediaThumb(320, 160, media.Thumb!.Size));
        media.Preview!.Length.Should().BeInRange(1, 1024);
        var thumb = await bob.Client.DownloadThumbnailAsync(media);
        TestImages.ColourAt(thumb, 40, 80).Should().Be("red");
        TestImages.ColourAt(thumb, 280, 80).Should().Be("blue");
    }

    [Fact]
    public async Task SendCorruptJpeg_IsStillSent_WithoutThumb_AndThumbDownloadIs404()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_bad");
        await using var bob = await host.SignUpAsync("bob_bad");
        var valid = TestImages.Encode(300, 300, SKEncodedImageFormat.Jpeg);
        byte[] corrupt = [.. valid[..200], .. MediaTestKit.RandomBytes(5000, 7)];

        var sent = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(corrupt, "broken.jpg", "image/jpeg"), "still here");

        sent.Message.Text.Should().Be("still here");
        sent.Message.Media!.Thumb.Should().BeNull();
        sent.Message.Media.Preview.Should().BeNull();
        (await bob.Client.DownloadAsync(sent.Message.Media)).Should().Equal(corrupt);
        await ChatTestKit.FailsWith(() => bob.Client.DownloadThumbnailAsync(sent.Message.Media), MediaErrorNames.MediaInvalid, 404);
    }

    [Fact]
    public async Task SendImage_WhenHeaderDeclaresMorePixelsThanTheBudget_IsNotThumbnailed()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:ThumbnailMaxPixels"] = "10000" });
        await using var alice = await host.SignUpAsync("alice_huge");
        await using var bob = await host.SignUpAsync("bob_huge");

        var over = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(200, 100, SKEncodedImageFormat.Png), "over.png", "image/png"))).Message.Media!;
        var under = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(100, 50, SKEncodedImageFormat.Png), "under.png", "image/png"))).Message.Media!;

        over.Thumb.Should().BeNull("20,000 pixels are over the budget of 10,000");
        (over.Width, over.Height).Should().Be((200, 100), "the header's size is still given");
        under.Thumb.Should().NotBeNull();
        host.Services.GetRequiredService<ThumbnailStore>().Decoded.Should().Be(1, "the image over the budget was never decoded");
    }

    [Fact]
    public async Task GetFileThumb_WhenStranger_Is404LikeTheFile_AndForADocumentToo()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_acc");
        await using var bob = await host.SignUpAsync("bob_acc");
        await using var carol = await host.SignUpAsync("carol_acc");
        var photo = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(500, 500, SKEncodedImageFormat.Jpeg), "p.jpg", "image/jpeg"))).Message.Media!;
        var document = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(MediaTestKit.RandomBytes(10_000, 3), "d.bin"))).Message.Media!;

        (await bob.Client.DownloadThumbnailAsync(photo)).Length.Should().Be((int)photo.Thumb!.Size);
        (await alice.Client.DownloadThumbnailAsync(photo)).Length.Should().Be((int)photo.Thumb.Size);
        await ChatTestKit.FailsWith(() => carol.Client.DownloadThumbnailAsync(photo), MediaErrorNames.MediaInvalid, 404);
        await ChatTestKit.FailsWith(() => carol.Client.CallAsync(new GetFileCall(photo.Id + 1000, 0, 4096, Thumb: true)), MediaErrorNames.MediaInvalid, 404);
        document.Thumb.Should().BeNull();
        await ChatTestKit.FailsWith(() => bob.Client.DownloadThumbnailAsync(document), MediaErrorNames.MediaInvalid, 404);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new GetFileCall(photo.Id, 4095, 4096, Thumb: true)), MediaErrorNames.OffsetInvalid);
        (await bob.Client.CallAsync(new GetFileCall(photo.Id, 1024 * 1024, 4096, Thumb: true))).Bytes.Should().BeEmpty("past its end");
    }

    [Fact]
    public async Task SendPng_WhenItWouldDecodeToMoreThanTheDecodingBudget_IsNotDecoded_AndOtherFormatsNeverReachADecoder()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_bomb");
        await using var bob = await host.SignUpAsync("bob_bomb");
        // 4,100 × 4,000 black pixels: under ThumbnailMaxPixels (50,000,000), over the 16,000,000 a full-size decode may
        // take (64 MiB), in a file of a few dozen KiB.
        var bomb = TestImages.BlackPng(4_100, 4_000);
        bomb.Length.Should().BeLessThan(200_000);

        var big = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bomb, "bomb.png", "image/png"))).Message.Media!;
        var bmp = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Bmp(4, 3), "tiny.bmp", "image/bmp"))).Message.Media!;

        big.Thumb.Should().BeNull();
        (big.Width, big.Height).Should().Be((4_100, 4_000));
        bmp.Thumb.Should().BeNull("only PNG, GIF, JPEG and WebP are decoded");
        host.Services.GetRequiredService<ThumbnailStore>().Decoded.Should().Be(0);
        (await bob.Client.DownloadAsync(big)).Should().Equal(bomb, "the file itself is sent all the same");
    }

    [Fact]
    public async Task SendPhoto_WhenTheDecoderStaysBusy_GoesOutWithoutAThumbnail_WhichTheNextPassMakes()
    {
        await using var host = await StoredDescriptorThumbnailTests.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_busy");
        await using var bob = await host.SignUpAsync("bob_busy");
        var store = host.Services.GetRequiredService<ThumbnailStore>();

        MessageMedia sent;
        using (await store.OccupyAsync())
        {
            sent = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(300, 200, SKEncodedImageFormat.Jpeg), "p.jpg", "image/jpeg"))).Message.Media!;
        }

        sent.Thumb.Should().BeNull("the send waited its 2 s for a turn, then went");
        await ChatTestKit.FailsWith(() => bob.Client.DownloadThumbnailAsync(sent), MediaErrorNames.MediaInvalid, 404);
        (await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None)).Should().Be(1, "left untried for the pass");
        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(sent)).Should().Be((300, 200));
    }

    [Fact]
    public async Task SamePhotoSentTwice_IsStoredAndThumbnailedOnce_DecodedForEachSend_AndBothCarryIt()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_dup");
        await using var bob = await host.SignUpAsync("bob_dup");
        var bytes = TestImages.Encode(640, 480, SKEncodedImageFormat.Jpeg);

        var first = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, "a.jpg", "image/jpeg"))).Message.Media!;
        var second = (await bob.Client.SendMediaAsync(alice.Peer, await bob.Client.UploadAsync(bytes, "b.jpg", "image/jpeg"))).Message.Media!;

        // Decoded again and thrown away: a send of content the server has takes as long as one of new content.
        host.Services.GetRequiredService<ThumbnailStore>().Decoded.Should().Be(2);
        second.Thumb.Should().Be(first.Thumb).And.NotBeNull();
        second.Preview.Should().Equal(first.Preview);
        ThumbFiles(host).Should().ContainSingle();
    }

    [Fact]
    public async Task ProfilePhoto_CarriesThumbAndPreview_ThatAnyoneSignedInReads()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_avatar");
        await using var stranger = await host.SignUpAsync("stranger_avatar");

        var user = await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(TestImages.Encode(1200, 1200, SKEncodedImageFormat.Jpeg), "me.jpg", "image/jpeg"));

        var seen = (await stranger.Client.GetUsersAsync([alice.UserId])).Single().Photo!;
        seen.Thumb.Should().Be(new MediaThumb(320, 320, seen.Thumb!.Size));
        seen.Preview.Should().NotBeNull();
        seen.Should().Be(user.Photo);
        TestImages.SizeOf(await stranger.Client.DownloadThumbnailAsync(seen)).Should().Be((320, 320));
    }

    [Fact]
    public async Task Backfill_WhenPhotosWereStoredBeforeThumbnails_MakesTheirThumbs_AndTriesAFailingFileOnce()
    {
        await using var host = await StoredDescriptorThumbnailTests.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_old");
        await using var bob = await host.SignUpAsync("bob_old");
        var good = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(800, 600, SKEncodedImageFormat.Png), "old.png", "image/png"))).Message.Media!;
        await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync([0xFF, 0xD8, 0xFF, .. MediaTestKit.RandomBytes(3000, 9)], "old.jpg", "image/jpeg"));
        await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(MediaTestKit.RandomBytes(3000, 10), "old.bin"));
        // What a database from before this version holds: no thumbnail state, no files.
        await host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope => scope.Execute(
            "UPDATE media_blobs SET thumb_state = NULL, image_width = NULL, image_height = NULL, thumb_width = NULL, thumb_height = NULL, thumb_size = NULL, preview = NULL"));
        foreach (var file in ThumbFiles(host))
        {
            File.Delete(file);
        }

        await ChatTestKit.FailsWith(() => bob.Client.DownloadThumbnailAsync(good), MediaErrorNames.MediaInvalid, 404);

        var backfill = host.Services.GetRequiredService<ThumbnailBackfill>();
        (await backfill.RunAsync(CancellationToken.None)).Should().Be(2, "the two images are tried, the document is not");
        (await backfill.RunAsync(CancellationToken.None)).Should().Be(0, "the corrupt one is recorded as tried");

        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(good)).Should().Be((320, 240));
        ThumbFiles(host).Should().ContainSingle();
    }

    [Fact]
    public async Task Collect_WhenTheBlobGoes_TakesItsThumbWithIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var alice = await host.SignUpAsync("alice_gc");
        await using var bob = await host.SignUpAsync("bob_gc");
        var sent = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(400, 400, SKEncodedImageFormat.Jpeg), "gone.jpg", "image/jpeg"));
        ThumbFiles(host).Should().ContainSingle();

        await alice.Client.DeleteMessagesAsync(bob.Peer, [sent.Message.Id], revoke: true);
        clock.Advance(TimeSpan.FromMinutes(61));
        await host.Services.GetRequiredService<MediaCollector>().CollectAsync(CancellationToken.None);

        host.BlobFiles().Should().BeEmpty();
        ThumbFiles(host).Should().BeEmpty();
        await ChatTestKit.FailsWith(() => alice.Client.DownloadThumbnailAsync(sent.Message.Media!), MediaErrorNames.MediaInvalid, 404);
    }

    private static string[] ThumbFiles(TestHost host)
    {
        var root = Path.Combine(host.DataDirectory, "media", "thumbs");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
    }
}
