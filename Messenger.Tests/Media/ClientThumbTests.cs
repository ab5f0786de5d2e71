using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Messenger.Media.Collection;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;

namespace Messenger.Tests.Media;

/// <summary>Thumbnails clients make of what the server does not decode (a video's frame), and durations.</summary>
public sealed class ClientThumbTests
{
    private static readonly byte[] Video = MediaTestKit.RandomBytes(50_000, 41);

    [Fact]
    public async Task SendVideo_WithPngThumb_GetsAServerMadeJpegThumbAndPreview_AndTheDurationEverywhere()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_vid");
        await using var bob = await host.SignUpAsync("bob_vid");
        var png = TestImages.Encode(640, 360, SKEncodedImageFormat.Png);
        var input = await alice.Client.UploadFileAsync(new MemoryStream(Video), "clip.mp4", "video/mp4", thumb: png, duration: 75, width: 1280, height: 720);

        var media = (await alice.Client.SendMediaAsync(bob.Peer, input, "look")).Message.Media!;

        media.Kind.Should().Be(MediaKinds.Video);
        media.Duration.Should().Be(75);
        (media.Width, media.Height).Should().Be((1280, 720), "the video's size as the client gave it");
        media.Thumb.Should().Be(new MediaThumb(320, 180, media.Thumb!.Size));
        media.Preview!.Length.Should().BeInRange(1, 1024);
        var thumb = await bob.Client.DownloadThumbnailAsync(media);
        thumb.Should().HaveCount((int)media.Thumb.Size);
        thumb[..3].Should().Equal([0xFF, 0xD8, 0xFF], "the stored thumbnail is a JPEG the server made, not the client's PNG");
        TestImages.SizeOf(thumb).Should().Be((320, 180));
        TestImages.ColourAt(thumb, 40, 90).Should().Be("red");
        TestImages.ColourAt(thumb, 280, 90).Should().Be("blue");
        (await bob.Client.DownloadAsync(media)).Should().Equal(Video);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single().Media.Should().Be(media);
        var difference = await bob.Client.GetDifferenceAsync(0);
        difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Single().Message.Media.Should().Be(media);
        var forwarded = await bob.Client.ForwardMessagesAsync(alice.Peer, [(await bob.Client.GetHistoryAsync(alice.Peer)).Single().Id], alice.Peer);
        forwarded.Messages.Single().Media.Should().Be(media, "a forward carries the same descriptor");
    }

    [Fact]
    public async Task SendVideo_WhenTheDecoderWasBusy_GoesWithoutAThumb_AndItsResendIsAnsweredNotRefused()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_vbusy");
        await using var bob = await host.SignUpAsync("bob_vbusy");
        var input = await alice.Client.UploadFileAsync(
            new MemoryStream(Video), "clip.mp4", "video/mp4", thumb: TestImages.Encode(64, 36, SKEncodedImageFormat.Jpeg), duration: 5);

        SentMessage first;
        using (await host.Services.GetRequiredService<Messenger.Media.Thumbnails.ThumbnailStore>().OccupyAsync())
        {
            first = await alice.Client.SendMediaAsync(bob.Peer, input, randomId: 77);
        }

        var again = await alice.Client.SendMediaAsync(bob.Peer, input, randomId: 77);

        first.Message.Media!.Thumb.Should().BeNull("the send waited its 2 s for the decoder, then went without");
        first.Message.Media.Duration.Should().Be(5);
        again.Message.Id.Should().Be(first.Message.Id, "the resend (a lost answer, say) finds the message, not a used-up thumb");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle();
    }

    [Fact]
    public async Task SendAudio_WithDuration_CarriesIt_AndADocumentHasNone()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_aud");
        await using var bob = await host.SignUpAsync("bob_aud");

        var voice = (await alice.Client.SendMediaAsync(bob.Peer,
            await alice.Client.UploadFileAsync(new MemoryStream(Video), "voice.ogg", "audio/ogg", duration: 0))).Message.Media!;
        var document = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(Video, "v.bin"))).Message.Media!;

        voice.Duration.Should().Be(0, "a voice message under a second is 0 s, not absent");
        voice.Thumb.Should().BeNull();
        document.Duration.Should().BeNull();
    }

    [Theory]
    [InlineData("not an image")]
    [InlineData("over 200 KiB")]
    [InlineData("same file id")]
    [InlineData("missing part")]
    [InlineData("unknown")]
    [InlineData("bmp")]
    public async Task SendVideo_WhenTheThumbIsBad_IsRefusedWithThumbInvalid_AndTheVideoCanBeSentWithAGoodOne(string bad)
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_badthumb");
        await using var bob = await host.SignUpAsync("bob_badthumb");
        var video = await alice.Client.UploadFileAsync(new MemoryStream(Video), "clip.webm", "video/webm", duration: 3);
        InputThumb thumb = bad switch
        {
            "not an image" => await alice.Client.UploadThumbAsync(MediaTestKit.RandomBytes(3000, 5)),
            // A good JPEG followed by padding (which decoders ignore): only its size is wrong.
            "over 200 KiB" => await alice.Client.UploadThumbAsync([.. TestImages.Encode(100, 100, SKEncodedImageFormat.Jpeg), .. new byte[200 * 1024]]),
            "same file id" => new InputThumb(video.FileId, video.TotalParts),
            "missing part" => await MissingPartAsync(alice.Client),
            "unknown" => new InputThumb(12345, 1),
            _ => await alice.Client.UploadThumbAsync(TestImages.Bmp(4, 3)),
        };
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, video with { Thumb = thumb }), MediaErrorNames.ThumbInvalid);

        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().BeEmpty("nothing was sent");
        var good = await alice.Client.UploadThumbAsync(TestImages.Encode(100, 100, SKEncodedImageFormat.Jpeg));
        var sent = (await alice.Client.SendMediaAsync(bob.Peer, video with { Thumb = good })).Message.Media!;
        sent.Thumb.Should().NotBeNull("the video's upload was kept for the retry");
        sent.Duration.Should().Be(3);
    }

    [Theory]
    [InlineData("video/mp4", -1, null, null, MediaErrorNames.MediaDurationInvalid)]
    [InlineData("video/mp4", 86_401, null, null, MediaErrorNames.MediaDurationInvalid)]
    [InlineData("application/pdf", 10, null, null, MediaErrorNames.MediaDurationInvalid)]
    [InlineData("image/png", 10, null, null, MediaErrorNames.MediaDurationInvalid)]
    [InlineData("video/mp4", 10, 0, 100, MediaErrorNames.MediaDimensionsInvalid)]
    [InlineData("video/mp4", 10, 100, 10_001, MediaErrorNames.MediaDimensionsInvalid)]
    [InlineData("video/mp4", 10, 100, null, MediaErrorNames.MediaDimensionsInvalid)]
    [InlineData("audio/ogg", 10, 100, 100, MediaErrorNames.MediaDimensionsInvalid)]
    public async Task Send_WhenDurationOrSizeIsOutOfRangeOrForTheWrongKind_IsRefusedByName(string mime, int? duration, int? width, int? height, string error)
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_dur");
        await using var bob = await host.SignUpAsync("bob_dur");
        var input = await alice.Client.UploadFileAsync(new MemoryStream(Video), "f", mime, duration: duration, width: width, height: height);

        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, input), error);

        (await alice.Client.SendMediaAsync(bob.Peer, input with { Duration = null, Width = null, Height = null })).Message.Media!.Duration
            .Should().BeNull("the upload is untouched by the refusal");
    }

    [Fact]
    public async Task ThumbUpload_OnceSent_IsNotReusable_NeitherAsAFileNorAsAThumb()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_reuse");
        await using var bob = await host.SignUpAsync("bob_reuse");
        var input = await alice.Client.UploadFileAsync(new MemoryStream(Video), "clip.mp4", "video/mp4", thumb: TestImages.Encode(64, 64, SKEncodedImageFormat.Png));
        await alice.Client.SendMediaAsync(bob.Peer, input);
        var thumb = input.Thumb!;

        await ChatTestKit.FailsWith(
            () => alice.Client.SendMediaAsync(bob.Peer, new InputMedia(thumb.FileId, thumb.TotalParts, "t.png", "image/png")), MediaErrorNames.FilePartsInvalid);
        var other = await alice.Client.UploadFileAsync(new MemoryStream(MediaTestKit.RandomBytes(1000, 9)), "other.mp4", "video/mp4");
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, other with { Thumb = thumb }), MediaErrorNames.ThumbInvalid);
        host.UploadFiles().Should().BeEmpty("the thumb's temp files are gone, the other video's too (it is stored, for a retry)");
        host.BlobFiles().Should().HaveCount(2, "the two videos; the thumb never became a blob");
    }

    [Fact]
    public async Task SameVideo_SentTwiceWithDifferentThumbs_KeepsEachItsOwn_AndStrangersGet404_AndTheyGoWithTheBlob()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var alice = await host.SignUpAsync("alice_two");
        await using var bob = await host.SignUpAsync("bob_two");
        await using var carol = await host.SignUpAsync("carol_two");
        var red = TestImages.Encode(100, 100, SKEncodedImageFormat.Png);
        using var blueBitmap = new SKBitmap(100, 100);
        blueBitmap.Erase(SKColors.Blue);
        var blue = blueBitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray();

        var first = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadFileAsync(new MemoryStream(Video), "a.mp4", "video/mp4", thumb: red));
        var second = await bob.Client.SendMediaAsync(carol.Peer, await bob.Client.UploadFileAsync(new MemoryStream(Video), "b.mp4", "video/mp4", thumb: blue));

        TestImages.ColourAt(await bob.Client.DownloadThumbnailAsync(first.Message.Media!), 10, 50).Should().Be("red");
        TestImages.ColourAt(await carol.Client.DownloadThumbnailAsync(second.Message.Media!), 10, 50)
            .Should().Be("blue", "the thumbnail belongs to the upload: the second sender's picture, and no hint the content was there");
        host.BlobFiles().Should().ContainSingle("the content is stored once");
        await ChatTestKit.FailsWith(() => carol.Client.DownloadThumbnailAsync(first.Message.Media!), MediaErrorNames.MediaInvalid, 404);
        await ChatTestKit.FailsWith(() => alice.Client.DownloadThumbnailAsync(second.Message.Media!), MediaErrorNames.MediaInvalid, 404);

        await alice.Client.DeleteMessagesAsync(bob.Peer, [first.Message.Id], revoke: true);
        await bob.Client.DeleteMessagesAsync(carol.Peer, [second.Message.Id], revoke: true);
        clock.Advance(TimeSpan.FromMinutes(61));
        await host.Services.GetRequiredService<MediaCollector>().CollectAsync(CancellationToken.None);

        host.BlobFiles().Should().BeEmpty();
        ThumbFiles(host).Should().BeEmpty("the uploads' thumbnails go with the blob");
    }

    [Fact]
    public async Task SendPhoto_WithAClientThumb_KeepsTheServersOwn_ButAnImageItCannotDecodeTakesTheClients()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_photo");
        await using var bob = await host.SignUpAsync("bob_photo");
        using var blueBitmap = new SKBitmap(50, 50);
        blueBitmap.Erase(SKColors.Blue);
        var blue = blueBitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray();

        var photo = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadFileAsync(
            new MemoryStream(TestImages.Encode(400, 200, SKEncodedImageFormat.Jpeg)), "p.jpg", "image/jpeg", thumb: blue))).Message.Media!;
        var heic = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadFileAsync(
            new MemoryStream(MediaTestKit.RandomBytes(4000, 2)), "p.heic", "image/heic", thumb: blue))).Message.Media!;

        TestImages.ColourAt(await bob.Client.DownloadThumbnailAsync(photo), 10, 50).Should().Be("red", "the server's thumbnail of the photo itself");
        photo.Thumb.Should().Be(new MediaThumb(320, 160, photo.Thumb!.Size));
        TestImages.ColourAt(await bob.Client.DownloadThumbnailAsync(heic), 10, 10).Should().Be("blue");
        heic.Thumb.Should().Be(new MediaThumb(50, 50, heic.Thumb!.Size));
    }

    private static async Task<InputThumb> MissingPartAsync(MessengerClient client)
    {
        await client.CallAsync(new SaveFilePartCall(777, 0, 2, new byte[1024]));
        return new InputThumb(777, 2);
    }

    [Fact]
    public async Task AClientThumbNoMessageUses_IsDeletedAtAStartOnceItsUploadCouldNoLongerBeSent_AndAUsedOneStays()
    {
        using var directory = new TempDirectory();
        MessageMedia sentMedia;
        await using (var host = await TestHost.StartAsync(directory.Path))
        {
            await using var alice = await host.SignUpAsync("alice_orphan");
            await using var bob = await host.SignUpAsync("bob_orphan");
            await using var carol = await host.SignUpAsync("carol_orphan");
            await bob.Client.BlockUserAsync(alice.UserId);
            var refused = await alice.Client.UploadFileAsync(new MemoryStream(Video), "a.mp4", "video/mp4", thumb: TestImages.Encode(60, 40, SKEncodedImageFormat.Png));
            await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, refused), MessageErrorNames.UserIsBlocked, 403);
            var sent = await alice.Client.SendMediaAsync(carol.Peer,
                await alice.Client.UploadFileAsync(new MemoryStream(Video), "b.mp4", "video/mp4", thumb: TestImages.Encode(60, 40, SKEncodedImageFormat.Png)));
            var clientThumbs = ThumbFiles(host).Where(f => Path.GetFileName(f).Contains('-')).ToArray();
            clientThumbs.Should().HaveCount(2, "the refused send's thumbnail was stored before the refusal");
            sentMedia = sent.Message.Media!;
            foreach (var file in clientThumbs)
            {
                // Older than the upload expiry (24 h): the refused upload can no longer be sent again with it.
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddDays(-2));
            }

            // And so is the record of the completed uploads that made them.
            using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE media_completed_uploads SET completed_at = completed_at - 172800";
            command.ExecuteNonQuery().Should().Be(2);
        }

        await using var restarted = await TestHost.StartAsync(directory.Path);
        // The start-up sweep is the collector's first pass, which the host runs in the background (.NET 10 starts
        // ExecuteAsync off the start's thread): a pass asked for waits for the running one, and the sweep runs once.
        await restarted.Services.GetRequiredService<MediaCollector>().CollectAsync(CancellationToken.None);
        var left = ThumbFiles(restarted).Where(f => Path.GetFileName(f).Contains('-')).ToArray();
        left.Should().ContainSingle("the refused send's thumbnail went at the start; the sent video's stays");
        await using var carolAgain = await restarted.SignedInClientAsync("carol_orphan", register: false);
        (await carolAgain.DownloadThumbnailAsync(sentMedia)).Should().NotBeEmpty();
    }

    private static string[] ThumbFiles(TestHost host)
    {
        var root = Path.Combine(host.DataDirectory, "media", "thumbs");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
    }
}
