using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Media.Thumbnails;
using Messenger.Message.Thumbnails;
using Messenger.Session.Users;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace Messenger.Tests.Media;

/// <summary>Descriptors copied before their photo had a thumbnail (stored before thumbnails existed, or sent while the
/// decoder was busy) gain its thumb, preview and upright size once the passes have run.</summary>
public sealed class StoredDescriptorThumbnailTests
{
    [Fact]
    public async Task Passes_WhenAPhotoMessageWasStoredBeforeThumbnails_HistorySharedMediaSearchAndDialogsShowItsThumb_AndADocumentIsUntouched()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_oldmsg");
        await using var bob = await host.SignUpAsync("bob_oldmsg");
        var document = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(MediaTestKit.RandomBytes(5000, 4), "notes.bin"))).Message;
        // Stored sideways with the EXIF orientation "turn clockwise": its header says 400 × 200, upright it is 200 × 400.
        var photo = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.JpegWithOrientation(400, 200, 6), "old.jpg", "image/jpeg"), "holiday")).Message;
        await StripAsync(host, "message_messages", "media", photo.Id, width: 400, height: 200);
        await ForgetThumbnailsAsync(host);
        var documentBefore = await DescriptorAsync(host, "message_messages", "media", document.Id);

        var old = (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == photo.Id).Media!;
        old.Thumb.Should().BeNull("what a database from before thumbnails holds");
        (old.Width, old.Height).Should().Be((400, 200));

        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        var pass = host.Services.GetRequiredService<MessageMediaThumbnails>();
        (await pass.RunAsync(CancellationToken.None)).Should().Be(1);
        (await pass.RunAsync(CancellationToken.None)).Should().Be(0, "done once");

        var media = (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == photo.Id).Media!;
        (media.Width, media.Height).Should().Be((200, 400), "the upright size the decode found");
        media.Thumb.Should().Be(new MediaThumb(160, 320, media.Thumb!.Size));
        media.Preview!.Length.Should().BeInRange(1, 1024);
        (media with { Width = 400, Height = 200, Thumb = null, Preview = null }).Should().Be(old, "nothing else of the descriptor changes");
        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(media)).Should().Be((160, 320));
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Photo)).Messages.Single().Media.Should().Be(media);
        (await bob.Client.SearchMessagesAsync("holiday", alice.Peer)).Single().Media.Should().Be(media);
        (await bob.Client.SearchMessagesAsync("", alice.Peer, filter: SearchFilters.Photos)).Single().Media.Should().Be(media);
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == alice.Peer).TopMessage!.Media.Should().Be(media);
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == bob.Peer).TopMessage!.Media.Should().Be(media);
        (await DescriptorAsync(host, "message_messages", "media", document.Id)).Should().Equal(documentBefore, "a document is left as it was");
    }

    [Fact]
    public async Task Pass_WhenThePhotoWasSentWhileTheDecoderWasBusy_WaitsForItsThumbnail_ThenGivesIt()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_busymsg");
        await using var bob = await host.SignUpAsync("bob_busymsg");
        var before = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(200, 100, SKEncodedImageFormat.Png), "a.png", "image/png"))).Message;
        Messenger.Contracts.Messages.Message busy;
        using (await host.Services.GetRequiredService<ThumbnailStore>().OccupyAsync())
        {
            busy = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(300, 200, SKEncodedImageFormat.Jpeg), "p.jpg", "image/jpeg"))).Message;
        }

        busy.Media!.Thumb.Should().BeNull();
        var pass = host.Services.GetRequiredService<MessageMediaThumbnails>();

        (await pass.RunAsync(CancellationToken.None)).Should().Be(0, "its thumbnail is not made yet");
        pass.Cursor().Should().Be(before.Id, "it stopped before the photo not tried yet, to come back to it");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == busy.Id).Media!.Thumb.Should().BeNull();

        pass.Requested.Should().BeFalse();
        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        pass.Requested.Should().BeTrue("the Media module's pass asks for the copies' pass once it has run");
        (await pass.RunAsync(CancellationToken.None)).Should().Be(1);

        var media = (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == busy.Id).Media!;
        media.Thumb.Should().Be(new MediaThumb(300, 200, media.Thumb!.Size));
        media.Preview.Should().NotBeNull();
        pass.Cursor().Should().Be(busy.Id);
    }

    [Fact]
    public async Task Pass_WhenTheBlobIsMissingOrTheImageUndecodable_LeavesThemAsTheyAre_AndMovesOnForGood()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_missing");
        await using var bob = await host.SignUpAsync("bob_missing");
        var missingBytes = TestImages.Encode(320, 240, SKEncodedImageFormat.Png);
        var missing = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(missingBytes, "gone.png", "image/png"))).Message;
        var corrupt = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync([0xFF, 0xD8, 0xFF, .. MediaTestKit.RandomBytes(3000, 12)], "bad.jpg", "image/jpeg"))).Message;
        var good = (await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(TestImages.Encode(640, 480, SKEncodedImageFormat.Jpeg), "good.jpg", "image/jpeg"))).Message;
        foreach (var id in new[] { missing.Id, good.Id })
        {
            await StripAsync(host, "message_messages", "media", id);
        }

        await ForgetThumbnailsAsync(host);
        File.Delete(host.BlobFiles().Single(path => path.EndsWith(MediaTestKit.Sha256(missingBytes), StringComparison.Ordinal)));
        var missingBefore = await DescriptorAsync(host, "message_messages", "media", missing.Id);
        var corruptBefore = await DescriptorAsync(host, "message_messages", "media", corrupt.Id);

        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        var pass = host.Services.GetRequiredService<MessageMediaThumbnails>();
        (await pass.RunAsync(CancellationToken.None)).Should().Be(1, "only the good photo has a thumbnail to give");

        pass.Cursor().Should().Be(good.Id, "the two without one do not hold the pass back");
        (await DescriptorAsync(host, "message_messages", "media", missing.Id)).Should().Equal(missingBefore);
        (await DescriptorAsync(host, "message_messages", "media", corrupt.Id)).Should().Equal(corruptBefore);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == good.Id).Media!.Thumb.Should().NotBeNull();
        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        (await pass.RunAsync(CancellationToken.None)).Should().Be(0);
        pass.Cursor().Should().Be(good.Id);
    }

    [Fact]
    public async Task Passes_WhenAProfilePhotoAndAGroupPhotoWereStoredBeforeThumbnails_GiveThemTheirs()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_oldavatar");
        await using var bob = await host.SignUpAsync("bob_oldavatar");
        await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(TestImages.Encode(1200, 900, SKEncodedImageFormat.Jpeg), "me.jpg", "image/jpeg"));
        var group = await alice.Client.CreateGroupAsync("Old photos", [bob.UserId]);
        await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(TestImages.Encode(500, 500, SKEncodedImageFormat.Png), "group.png", "image/png"));
        await StripAsync(host, "session_users", "photo", alice.UserId);
        await StripAsync(host, "message_chats", "photo", group.Chat.Id);
        await ForgetThumbnailsAsync(host);
        (await bob.Client.GetUsersAsync([alice.UserId])).Single().Photo!.Thumb.Should().BeNull();
        (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo!.Thumb.Should().BeNull();

        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        host.Services.GetRequiredService<ProfilePhotoThumbnails>().Requested.Should().BeTrue();
        host.Services.GetRequiredService<ChatPhotoThumbnails>().Requested.Should().BeTrue();
        (await host.Services.GetRequiredService<ProfilePhotoThumbnails>().RunAsync(CancellationToken.None)).Should().Be(1);
        (await host.Services.GetRequiredService<ChatPhotoThumbnails>().RunAsync(CancellationToken.None)).Should().Be(1);

        var avatar = (await bob.Client.GetUsersAsync([alice.UserId])).Single().Photo!;
        avatar.Thumb.Should().Be(new MediaThumb(320, 240, avatar.Thumb!.Size));
        avatar.Preview.Should().NotBeNull();
        TestImages.SizeOf(await bob.Client.DownloadThumbnailAsync(avatar)).Should().Be((320, 240));
        var groupPhoto = (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo!;
        groupPhoto.Thumb.Should().Be(new MediaThumb(320, 320, groupPhoto.Thumb!.Size));
        groupPhoto.Preview.Should().NotBeNull();
    }

    [Fact]
    public async Task Passes_WhenAProfilePhotoAndAGroupPhotoAreSetWhileTheDecoderIsBusy_AfterThePassesWentPastThem_GiveThemTheirs()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_busyavatar");
        await using var bob = await host.SignUpAsync("bob_busyavatar");
        await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(TestImages.Encode(400, 300, SKEncodedImageFormat.Jpeg), "first.jpg", "image/jpeg"));
        var group = await alice.Client.CreateGroupAsync("Busy photos", [bob.UserId]);
        await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(TestImages.Encode(300, 300, SKEncodedImageFormat.Png), "first.png", "image/png"));
        var profiles = host.Services.GetRequiredService<ProfilePhotoThumbnails>();
        var chats = host.Services.GetRequiredService<ChatPhotoThumbnails>();
        (await profiles.RunAsync(CancellationToken.None)).Should().Be(0, "the photos have their thumbnails");
        (await chats.RunAsync(CancellationToken.None)).Should().Be(0);
        profiles.Cursor().Should().BeGreaterThanOrEqualTo(alice.UserId, "the pass went past the row");
        chats.Cursor().Should().BeGreaterThanOrEqualTo(group.Chat.Id);

        using (await host.Services.GetRequiredService<ThumbnailStore>().OccupyAsync())
        {
            await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(TestImages.Encode(600, 400, SKEncodedImageFormat.Jpeg), "again.jpg", "image/jpeg"));
            await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(TestImages.Encode(200, 200, SKEncodedImageFormat.Png), "again.png", "image/png"));
        }

        (await bob.Client.GetUsersAsync([alice.UserId])).Single().Photo!.Thumb.Should().BeNull("the decoder was busy");
        (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo!.Thumb.Should().BeNull();
        profiles.Cursor().Should().Be(alice.UserId - 1, "moved back before the row with the photo");
        chats.Cursor().Should().Be(group.Chat.Id - 1);
        profiles.Requested.Should().BeTrue("the new photo asks for a pass");
        chats.Requested.Should().BeTrue();
        (await profiles.RunAsync(CancellationToken.None)).Should().Be(0, "its thumbnail is not made yet");
        (await chats.RunAsync(CancellationToken.None)).Should().Be(0);
        profiles.Cursor().Should().Be(alice.UserId - 1, "it waits before the photo for the Media module's pass");

        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        (await profiles.RunAsync(CancellationToken.None)).Should().Be(1);
        (await chats.RunAsync(CancellationToken.None)).Should().Be(1);

        var avatar = (await bob.Client.GetUsersAsync([alice.UserId])).Single().Photo!;
        avatar.Thumb.Should().Be(new MediaThumb(320, 213, avatar.Thumb!.Size));
        avatar.Preview.Should().NotBeNull();
        var groupPhoto = (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo!;
        groupPhoto.Thumb.Should().Be(new MediaThumb(200, 200, groupPhoto.Thumb!.Size));
        profiles.Cursor().Should().BeGreaterThanOrEqualTo(alice.UserId);
    }

    [Fact]
    public async Task Pass_WhenAScheduledPhotoWasStoredBeforeItsThumbnail_GivesItItsOwn()
    {
        await using var host = await StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_oldsched");
        await using var bob = await host.SignUpAsync("bob_oldsched");
        var scheduled = await alice.Client.ScheduleMessageAsync(
            bob.Peer, "later", DateTimeOffset.UtcNow.AddDays(1), media: await alice.Client.UploadAsync(TestImages.Encode(600, 300, SKEncodedImageFormat.Jpeg), "later.jpg", "image/jpeg"));
        await StripAsync(host, "message_scheduled", "media", scheduled.Id);
        await ForgetThumbnailsAsync(host);

        await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
        (await host.Services.GetRequiredService<ScheduledMediaThumbnails>().RunAsync(CancellationToken.None)).Should().Be(1);

        var media = (await alice.Client.GetScheduledAsync(bob.Peer)).Single().Media!;
        media.Thumb.Should().Be(new MediaThumb(320, 160, media.Thumb!.Size));
        media.Preview.Should().NotBeNull();
    }

    [Fact]
    public async Task Pass_WhenTheServerRestartsMidWay_ResumesFromItsCursor()
    {
        using var directory = new TempDirectory();
        var ids = new List<long>();
        await using (var host = await StartHostAsync(directory.Path))
        {
            await using var alice = await host.SignUpAsync("alice_resume");
            await using var bob = await host.SignUpAsync("bob_resume");
            for (var i = 0; i < 3; i++)
            {
                var bytes = TestImages.Encode(100 + i, 100, SKEncodedImageFormat.Png);
                ids.Add((await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes, $"p{i}.png", "image/png"))).Message.Id);
            }

            foreach (var id in ids)
            {
                await StripAsync(host, "message_messages", "media", id);
            }

            await ForgetThumbnailsAsync(host);
            await host.Services.GetRequiredService<ThumbnailBackfill>().RunAsync(CancellationToken.None);
            var pass = host.Services.GetRequiredService<MessageMediaThumbnails>();
            (await pass.RunAsync(CancellationToken.None, batchSize: 2, maxBatches: 1)).Should().Be(2, "one unit of two rows, then the server stops");
            pass.Cursor().Should().Be(ids[1]);
            // Stripped again behind the cursor: a pass that started over would give it back its thumbnail.
            await StripAsync(host, "message_messages", "media", ids[0]);
        }

        await using (var host = await StartHostAsync(directory.Path))
        {
            var pass = host.Services.GetRequiredService<MessageMediaThumbnails>();
            pass.Cursor().Should().Be(ids[1], "kept with the unit's rewrites");

            (await pass.RunAsync(CancellationToken.None, batchSize: 2)).Should().Be(1, "only the row after the cursor is left");

            await using var bob = await host.SignInAnotherDeviceAsync("bob_resume");
            var history = (await bob.Client.GetHistoryAsync(Peer.User(await bob.Client.IdOfAsync("alice_resume")))).ToDictionary(m => m.Id);
            history[ids[0]].Media!.Thumb.Should().BeNull("behind the cursor: not visited again");
            history[ids[1]].Media!.Thumb.Should().NotBeNull();
            history[ids[2]].Media!.Thumb.Should().NotBeNull();
            pass.Cursor().Should().Be(ids[2]);
        }
    }

    /// <summary>A host whose thumbnail passes run only when a test runs them: one started in the background would race
    /// the test's own runs (their counts, <see cref="DescriptorThumbnailPass.Requested"/>).</summary>
    internal static Task<TestHost> StartHostAsync(string? dataDirectory = null) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:ThumbnailPassDelaySeconds"] = "0" }, dataDirectory: dataDirectory);

    /// <summary>Makes a stored descriptor what one copied before its thumbnail existed: no thumb, no preview, and the
    /// header's size when given.</summary>
    private static Task StripAsync(TestHost host, string table, string column, long id, int? width = null, int? height = null) =>
        host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope =>
        {
            var media = WireSerializer.Deserialize<MessageMedia>((byte[])scope.Scalar($"SELECT {column} FROM {table} WHERE id = @id", ("@id", id))!);
            var old = media with { Thumb = null, Preview = null, Width = width ?? media.Width, Height = height ?? media.Height };
            scope.Execute($"UPDATE {table} SET {column} = @media WHERE id = @id", ("@media", WireSerializer.Serialize(old)), ("@id", id));
        });

    private static Task<byte[]> DescriptorAsync(TestHost host, string table, string column, long id) =>
        host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope => (byte[])scope.Scalar($"SELECT {column} FROM {table} WHERE id = @id", ("@id", id))!);

    /// <summary>What a database from before thumbnails holds: no thumbnail state, no files.</summary>
    private static async Task ForgetThumbnailsAsync(TestHost host)
    {
        await host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope => scope.Execute(
            "UPDATE media_blobs SET thumb_state = NULL, image_width = NULL, image_height = NULL, thumb_width = NULL, thumb_height = NULL, thumb_size = NULL, preview = NULL"));
        var root = Path.Combine(host.DataDirectory, "media", "thumbs");
        foreach (var file in Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [])
        {
            File.Delete(file);
        }
    }
}
