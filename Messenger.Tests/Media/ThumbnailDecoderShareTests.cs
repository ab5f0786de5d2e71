using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Storage;
using Messenger.Media.Thumbnails;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace Messenger.Tests.Media;

/// <summary>
/// The one image decoder shared fairly: a progressive JPEG is held to 16 MP (it costs its full size to decode), each
/// user has at most one image in the decoder or waiting for it, and a decode the server did not survive is never tried
/// again.
/// </summary>
public sealed class ThumbnailDecoderShareTests
{
    [Fact]
    public async Task SendProgressiveJpeg_OverSixteenMegapixels_IsNotDecoded_AndAnotherUsersPhotoRightAfterGetsItsThumbnail()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var mallory = await host.SignUpAsync("mallory_scans");
        await using var alice = await host.SignUpAsync("alice_scans");
        await using var bob = await host.SignUpAsync("bob_scans");
        var store = host.Services.GetRequiredService<ThumbnailStore>();
        // 49 MP, under the 50 MP budget of a baseline JPEG, in about 100 KB: each AC scan is one more pass over 766 k blocks.
        var bomb = TestImages.ProgressiveJpeg(7000, 7000, acScans: 20);
        var small = TestImages.ProgressiveJpeg(640, 480, acScans: 1);
        var bombUploads = new List<InputMedia>();
        for (var i = 0; i < 4; i++)
        {
            bombUploads.Add(await mallory.Client.UploadAsync(bomb, $"scans{i}.jpg", "image/jpeg"));
        }

        var photoUpload = await alice.Client.UploadAsync(TestImages.Encode(300, 200, SKEncodedImageFormat.Jpeg), "p.jpg", "image/jpeg");

        var sends = bombUploads.Select(upload => mallory.Client.SendMediaAsync(bob.Peer, upload)).ToList();
        var photo = (await alice.Client.SendMediaAsync(bob.Peer, photoUpload)).Message.Media!;

        photo.Thumb.Should().NotBeNull("no decode of the scans kept the decoder from it");
        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(photo)).Should().Be((300, 200));
        foreach (var sent in await Task.WhenAll(sends))
        {
            sent.Message.Media!.Thumb.Should().BeNull();
            (sent.Message.Media.Width, sent.Message.Media.Height).Should().Be((7000, 7000), "the header's size is still read");
        }

        store.Decoded.Should().Be(1, "only alice's photo was decoded");

        var smallSent = (await mallory.Client.SendMediaAsync(bob.Peer, await mallory.Client.UploadAsync(small, "small.jpg", "image/jpeg"))).Message.Media!;
        smallSent.Thumb.Should().NotBeNull("a progressive JPEG under 16 MP is decoded as before");
        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(smallSent)).Should().Be((320, 240));
    }

    [Fact]
    public async Task SendPhotoOrThumb_WhenAnotherOfTheSendersWaitsForTheDecoder_GoesWithoutAThumbnail_WhichTheNextPassMakes()
    {
        await using var host = await StoredDescriptorThumbnailTests.StartHostAsync();
        await using var mallory = await host.SignUpAsync("mallory_share");
        await using var bob = await host.SignUpAsync("bob_share");
        var store = host.Services.GetRequiredService<ThumbnailStore>();
        var first = await mallory.Client.UploadAsync(TestImages.Encode(300, 200, SKEncodedImageFormat.Jpeg), "first.jpg", "image/jpeg");
        var second = await mallory.Client.UploadAsync(TestImages.Encode(200, 300, SKEncodedImageFormat.Jpeg), "second.jpg", "image/jpeg");
        var video = await mallory.Client.UploadFileAsync(
            new MemoryStream(MediaTestKit.RandomBytes(5000, 21)), "clip.mp4", "video/mp4", thumb: TestImages.Encode(64, 36, SKEncodedImageFormat.Jpeg), duration: 5);

        Task<SentMessage> waiting;
        MessageMedia turnedAway;
        MessageMedia videoTurnedAway;
        using (await store.OccupyAsync())
        {
            waiting = mallory.Client.SendMediaAsync(bob.Peer, first);
            await SessionTestKit.WaitUntil(() => store.IsAtTheDecoder(mallory.UserId));
            turnedAway = (await mallory.Client.SendMediaAsync(bob.Peer, second)).Message.Media!;
            videoTurnedAway = (await mallory.Client.SendMediaAsync(bob.Peer, video)).Message.Media!;
        }

        turnedAway.Thumb.Should().BeNull("the sender's first photo had their place at the decoder");
        videoTurnedAway.Thumb.Should().BeNull("a client's thumb too: it goes without one, as when the decoder is busy");
        (await waiting).Message.Media!.Thumb.Should().NotBeNull("it waited its turn and got it");
        store.IsAtTheDecoder(mallory.UserId).Should().BeFalse();

        (await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None)).Should().Be(1, "left untried for the pass");
        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(turnedAway)).Should().Be((200, 300));
    }

    [Fact]
    public async Task Decode_IsRecordedAsBeingTried_BeforeTheDecoderRuns()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_trying");
        await using var bob = await host.SignUpAsync("bob_trying");
        var store = host.Services.GetRequiredService<ThumbnailStore>();
        var database = host.Services.GetRequiredService<SqliteDatabase>();
        var bytes = TestImages.Encode(300, 200, SKEncodedImageFormat.Jpeg);
        object? stateDuringDecode = null;
        store.Decoding = hash => stateDuringDecode = StateOf(database, hash);

        var sent = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, "p.jpg", "image/jpeg"))).Message.Media!;

        stateDuringDecode.Should().Be((long)ThumbnailStore.BeingTried, "a crash in the decoder would leave this, committed");
        sent.Thumb.Should().NotBeNull();
        StateOf(database, MediaTestKit.Sha256(bytes)).Should().Be((long)ThumbnailStore.Made);
    }

    [Fact]
    public async Task Restart_WhenADecodeWasInterrupted_TheImageIsNeverDecodedAgain_AndHasNoThumbnail()
    {
        using var data = new TempDirectory();
        var bytes = TestImages.Encode(300, 200, SKEncodedImageFormat.Jpeg);
        MessageMedia sent;
        await using (var host = await StoredDescriptorThumbnailTests.StartHostAsync(data.Path))
        {
            await using var alice = await host.SignUpAsync("alice_crash");
            await using var bob = await host.SignUpAsync("bob_crash");
            using (await host.Services.GetRequiredService<ThumbnailStore>().OccupyAsync())
            {
                sent = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, "p.jpg", "image/jpeg"))).Message.Media!;
            }

            // What a decoder that took the process down with it leaves.
            await host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope =>
                scope.Execute("UPDATE media_blobs SET thumb_state = @state", ("@state", ThumbnailStore.BeingTried)));
        }

        await using (var host = await StoredDescriptorThumbnailTests.StartHostAsync(data.Path))
        {
            await using var alice = await host.SignInAnotherDeviceAsync("alice_crash");
            await using var bob = await host.SignInAnotherDeviceAsync("bob_crash");
            var store = host.Services.GetRequiredService<ThumbnailStore>();

            (await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None)).Should().Be(0);
            store.Read(MediaTestKit.Sha256(bytes)).Should().Be(BlobThumbnail.None);
            await ChatTestKit.FailsWith(() => bob.Client.DownloadThumbnailAsync(sent), MediaErrorNames.MediaInvalid, 404);

            var again = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, "again.jpg", "image/jpeg"))).Message.Media!;
            again.Thumb.Should().BeNull();
            store.Decoded.Should().Be(0, "not by the pass, nor by a send of the same content");
            StateOf(host.Services.GetRequiredService<SqliteDatabase>(), MediaTestKit.Sha256(bytes)).Should().Be((long)ThumbnailStore.NoThumbnail);
        }
    }

    private static object? StateOf(SqliteDatabase database, string hash)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT thumb_state FROM media_blobs WHERE hash = @hash";
        command.Parameters.AddWithValue("@hash", hash);
        return command.ExecuteScalar();
    }
}
