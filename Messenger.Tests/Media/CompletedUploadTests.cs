using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Users;
using Messenger.Kernel.Storage;
using Messenger.Media.Collection;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>A completed upload is remembered in the database for the upload expiry: a call that used it and whose
/// answer was lost, or that failed after its blob was stored, can be sent again with the same upload after a restart;
/// meanwhile its blob is not collected, and once it expires the upload is forgotten and the blob collectable.</summary>
public sealed class CompletedUploadTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    };

    [Fact]
    public async Task UpdateProfilePhoto_ResentAfterARestart_SetsTheSamePhoto_AndOnlyForItsUploader()
    {
        using var data = new TempDirectory();
        var bytes = Png(64, 48, seed: 51);
        Device alice;
        Device mallory;
        InputMedia input;
        User first;
        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_cup");
            mallory = await host.SignUpAsync("mallory_cup");
            await using (alice)
            await using (mallory)
            {
                input = await alice.Client.UploadAsync(bytes, "me.png", "image/png");
                first = await alice.Client.UpdateProfilePhotoAsync(input);
            }
        }

        // The answer was lost to a restart: the client sends the same call, with the same upload, once the server is back.
        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var malloryAgain = await host.ReconnectAsync(mallory);
            await ChatTestKit.FailsWith(() => malloryAgain.Client.UpdateProfilePhotoAsync(input), MediaErrorNames.FilePartsInvalid);

            var again = await aliceAgain.Client.UpdateProfilePhotoAsync(input);

            again.Photo.Should().Be(first.Photo, "the photo is already that upload's: nothing changes");
            host.RefCount(Sha256(bytes)).Should().Be(1);
            (await malloryAgain.Client.GetUsersAsync([alice.UserId])).Single().Photo.Should().Be(first.Photo);
            (await malloryAgain.Client.DownloadAsync(again.Photo!)).Should().Equal(bytes);
        }
    }

    [Fact]
    public async Task EditPhoto_ResentAfterARestart_KeepsThePhoto_AndPostsNoSecondServiceMessage()
    {
        using var data = new TempDirectory();
        var bytes = Png(64, 48, seed: 52);
        Device alice;
        Device bob;
        InputMedia input;
        ChatChanged first;
        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_cgp");
            bob = await host.SignUpAsync("bob_cgp");
            await using (alice)
            await using (bob)
            {
                var group = await alice.Client.CreateGroupAsync("Climbers", [bob.UserId]);
                input = await alice.Client.UploadAsync(bytes, "group.png", "image/png");
                first = await alice.Client.EditChatPhotoAsync(group.Chat.Id, input);
            }
        }

        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);

            var again = await aliceAgain.Client.EditChatPhotoAsync(first.Chat.Id, input);

            again.Chat.Photo.Should().Be(first.Chat.Photo);
            again.Message.Should().BeNull("the group's photo is that upload already");
            again.PtsCount.Should().Be(0);
            var history = await bobAgain.Client.GetHistoryAsync(Peer.Chat(first.Chat.Id));
            history.Where(m => m.Action?.Kind == ServiceActions.EditPhoto).Should().ContainSingle();
            host.RefCount(Sha256(bytes)).Should().Be(1);
            (await bobAgain.Client.DownloadAsync(again.Chat.Photo!)).Should().Equal(bytes);
        }
    }

    /// <summary>
    /// The message's own unit finds no room (a trigger makes the media row's insert write 2 MB into a database capped at
    /// 1 MiB) after the blob was stored and the upload's parts deleted: after a restart, the same send with the same
    /// upload (a video with a thumb the client made) goes through, with the thumbnail made the first time.
    /// </summary>
    [Fact]
    public async Task Send_WhenTheMessagesUnitFoundNoRoom_IsSentWithTheSameUploadAndThumbAfterARestart()
    {
        using var data = new TempDirectory();
        var video = RandomBytes(300_000, 53);
        Device alice;
        Device bob;
        InputMedia input;
        await using (var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Storage:MaxDatabaseMiB"] = "1" }, dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_cnr");
            bob = await host.SignUpAsync("bob_cnr");
            await using (alice)
            await using (bob)
            {
                var png = TestImages.Encode(640, 360, SKEncodedImageFormat.Png);
                input = await alice.Client.UploadFileAsync(new MemoryStream(video), "clip.mp4", "video/mp4", thumb: png, duration: 75, width: 1280, height: 720);
                Execute(host, "CREATE TABLE test_filler (bytes BLOB); " +
                    "CREATE TRIGGER test_no_room BEFORE INSERT ON media_files BEGIN INSERT INTO test_filler VALUES (zeroblob(2000000)); END");

                await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, input, randomId: 5_353), "STORAGE_FULL", 500);

                host.BlobFiles().Should().ContainSingle("the blob was stored before the message's unit");
                host.UploadFiles().Should().BeEmpty("the upload is over once its blob is stored");
                Execute(host, "DROP TRIGGER test_no_room; DROP TABLE test_filler");
            }
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);

            var sent = await aliceAgain.Client.SendMediaAsync(bob.Peer, input, randomId: 5_353);

            sent.Message.Media!.Thumb.Should().Be(new MediaThumb(320, 180, sent.Message.Media.Thumb!.Size));
            sent.Message.Media.Preview.Should().NotBeNullOrEmpty();
            (await bobAgain.Client.DownloadThumbnailAsync(sent.Message.Media)).Should().HaveCount((int)sent.Message.Media.Thumb.Size);
            (await bobAgain.Client.DownloadAsync(sent.Message.Media)).Should().Equal(video);
            (await bobAgain.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle();
        }
    }

    /// <summary>A secret chat's file whose message unit found no room after its ciphertext was stored: after a restart,
    /// the same <c>secret.sendEncrypted</c> (same random_id, same upload) goes through.</summary>
    [Fact]
    public async Task SendEncrypted_WhenItsUnitFoundNoRoom_IsSentWithTheSameUploadAfterARestart()
    {
        using var data = new TempDirectory();
        var ciphertext = RandomBytes(50_000, 57);
        var aliceKeys = new InMemoryDeviceKeyStore();
        var aliceSecrets = new InMemorySecretChatKeyStore();
        var bobKeys = new InMemoryDeviceKeyStore();
        var bobSecrets = new InMemorySecretChatKeyStore();
        long aliceId;
        long bobId;
        long chatId;
        InputEncryptedFile file;
        var body = RandomBytes(64, 58);
        await using (var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?>(Settings) { ["Messenger:Storage:MaxDatabaseMiB"] = "1" }, dataDirectory: data.Path))
        {
            await using var alice = await SecretDevice.SignUpAsync(host, "alice_cse", deviceKeys: aliceKeys, secretKeys: aliceSecrets);
            await using var bob = await SecretDevice.SignUpAsync(host, "bob_cse", deviceKeys: bobKeys, secretKeys: bobSecrets);
            (aliceId, bobId) = (alice.UserId, bob.UserId);
            chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
            var upload = await alice.Client.UploadFileAsync(new MemoryStream(ciphertext), "e", "application/octet-stream");
            file = new InputEncryptedFile(upload.FileId, upload.TotalParts);
            Execute(host, "CREATE TABLE test_filler (bytes BLOB); " +
                "CREATE TRIGGER test_no_room BEFORE INSERT ON media_files BEGIN INSERT INTO test_filler VALUES (zeroblob(2000000)); END");

            await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(chatId, 5_757, body, File: file)), "STORAGE_FULL", 500);

            host.UploadFiles().Should().BeEmpty("the upload is over once its blob is stored");
            Execute(host, "DROP TRIGGER test_no_room; DROP TABLE test_filler");
        }

        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            await using var alice = await SecretDevice.ConnectAsync(host, aliceId, aliceKeys, aliceSecrets);
            await using var bob = await SecretDevice.ConnectAsync(host, bobId, bobKeys, bobSecrets);

            var sent = await alice.Client.CallAsync(new SendEncryptedCall(chatId, 5_757, body, File: file));

            sent.File!.Size.Should().Be(ciphertext.Length);
            host.BlobFiles().Should().ContainSingle().Which.Should().EndWith(Sha256(ciphertext));
        }
    }

    /// <summary>A call refused after its upload became a blob (not an image, for a profile photo) leaves the blob without
    /// a reference: it stays, past the grace period and a restart, while the upload is remembered, and another call can
    /// use it; once the upload expires it is forgotten and the blob collected.</summary>
    [Fact]
    public async Task CompletedUpload_KeepsItsUnattachedBlobUntilItExpires_ThenIsForgotten_AndTheBlobCollected()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bytes = RandomBytes(100_000, 54);
        Device alice;
        Device bob;
        InputMedia input;
        await using (var host = await SessionTestKit.StartHostAsync(Settings, clock: clock, dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_cex");
            bob = await host.SignUpAsync("bob_cex");
            await using (alice)
            await using (bob)
            {
                input = await alice.Client.UploadAsync(bytes, "notes.bin");
                await ChatTestKit.FailsWith(() => alice.Client.UpdateProfilePhotoAsync(input), SessionErrorNames.PhotoInvalid);
                host.RefCount(Sha256(bytes)).Should().Be(0);
            }
        }

        // Past the grace period, within the upload expiry.
        clock.Advance(TimeSpan.FromHours(2));
        await using (var host = await SessionTestKit.StartHostAsync(Settings, clock: clock, dataDirectory: data.Path))
        {
            var collector = host.Services.GetRequiredService<MediaCollector>();
            await collector.CollectAsync(CancellationToken.None);
            host.BlobFiles().Should().ContainSingle("a completed upload keeps its blob while it is remembered");
            CompletedUploadRows(host).Should().Be(1);
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);

            var sent = await aliceAgain.Client.SendMediaAsync(bob.Peer, input);
            (await bobAgain.Client.DownloadAsync(sent.Message.Media!)).Should().Equal(bytes);
            await aliceAgain.Client.DeleteMessagesAsync(bob.Peer, [sent.Message.Id], revoke: true);
            host.RefCount(Sha256(bytes)).Should().Be(0);
            CompletedUploadRows(host).Should().Be(0, "what the upload was used for is gone: the blob goes after the grace period");
            await ChatTestKit.FailsWith(() => aliceAgain.Client.SendMediaAsync(bob.Peer, input), MediaErrorNames.FilePartsInvalid);
        }
    }

    [Fact]
    public async Task CompletedUpload_OnceExpired_IsForgotten_AndItsBlobCollected()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bytes = RandomBytes(100_000, 56);
        await using var host = await SessionTestKit.StartHostAsync(Settings, clock: clock, dataDirectory: data.Path);
        await using var alice = await host.SignUpAsync("alice_cfo");
        var input = await alice.Client.UploadAsync(bytes, "notes.bin");
        await ChatTestKit.FailsWith(() => alice.Client.UpdateProfilePhotoAsync(input), SessionErrorNames.PhotoInvalid);
        var collector = host.Services.GetRequiredService<MediaCollector>();

        clock.Advance(TimeSpan.FromHours(23));
        await collector.CollectAsync(CancellationToken.None);
        host.BlobFiles().Should().ContainSingle("the upload is remembered for 24 hours");

        clock.Advance(TimeSpan.FromHours(2));
        await collector.CollectAsync(CancellationToken.None);

        CompletedUploadRows(host).Should().Be(0);
        host.BlobFiles().Should().BeEmpty("the blob is collected once its upload is forgotten");
        host.RefCount(Sha256(bytes)).Should().BeNull();
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(alice.Peer, input), MediaErrorNames.FilePartsInvalid);
    }

    /// <summary>Another user's upload of the same bytes, sent and deleted for everyone (the blob's last reference), does
    /// not take the record of an upload no call attached: its retry goes through without uploading again.</summary>
    [Fact]
    public async Task Send_WhenAnotherUsersUploadOfTheSameBytesLostItsLastReference_GoesThroughWithItsOwnUpload()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await host.SignUpAsync("alice_cau");
        await using var bob = await host.SignUpAsync("bob_cau");
        await using var carol = await host.SignUpAsync("carol_cau");
        var bytes = RandomBytes(80_000, 61);
        var input = await RefusedUploadAsync(alice, carol, bytes);

        var bobs = await bob.Client.SendMediaAsync(carol.Peer, await bob.Client.UploadAsync(bytes, "same.bin"));
        await bob.Client.DeleteMessagesAsync(carol.Peer, [bobs.Message.Id], revoke: true);
        host.RefCount(Sha256(bytes)).Should().Be(0);

        var sent = await alice.Client.SendMediaAsync(bob.Peer, input);
        (await bob.Client.DownloadAsync(sent.Message.Media!)).Should().Equal(bytes);
        await ChatTestKit.FailsWith(() => bob.Client.SendMediaAsync(carol.Peer, input), MediaErrorNames.FilePartsInvalid);
    }

    /// <summary>The same user's two uploads of one file: the one sent and deleted is forgotten with the blob's last
    /// reference (what the user deleted is not kept for a retry), the one no call used still goes through.</summary>
    [Fact]
    public async Task Send_WhenTheSameUsersOtherUploadOfTheSameBytesLostItsLastReference_GoesThroughWithTheUnusedOne()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await host.SignUpAsync("alice_ctw");
        await using var bob = await host.SignUpAsync("bob_ctw");
        await using var carol = await host.SignUpAsync("carol_ctw");
        var bytes = RandomBytes(80_000, 62);
        var unused = await RefusedUploadAsync(alice, carol, bytes);
        var used = await alice.Client.UploadAsync(bytes, "again.bin");
        var first = await alice.Client.SendMediaAsync(bob.Peer, used);

        await alice.Client.DeleteMessagesAsync(bob.Peer, [first.Message.Id], revoke: true);

        host.RefCount(Sha256(bytes)).Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, used), MediaErrorNames.FilePartsInvalid);
        var sent = await alice.Client.SendMediaAsync(bob.Peer, unused);
        (await bob.Client.DownloadAsync(sent.Message.Media!)).Should().Equal(bytes);
    }

    /// <summary>A profile photo set with one upload and set again with a second upload of the same image: both were used,
    /// so both go when the photo is removed; another user's upload of the image that no call used stays.</summary>
    [Fact]
    public async Task UpdateProfilePhoto_WhenThePhotoIsRemoved_ForgetsTheUploadsThatSetIt_ButNotAnotherUsersUnusedOne()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await host.SignUpAsync("alice_cpr");
        await using var bob = await host.SignUpAsync("bob_cpr");
        await using var carol = await host.SignUpAsync("carol_cpr");
        var bytes = Png(64, 48, seed: 63);
        var bobs = await RefusedUploadAsync(bob, carol, bytes, "me.png", "image/png");
        var first = await alice.Client.UploadAsync(bytes, "me.png", "image/png");
        var second = await alice.Client.UploadAsync(bytes, "me.png", "image/png");
        var photo = (await alice.Client.UpdateProfilePhotoAsync(first)).Photo;
        (await alice.Client.UpdateProfilePhotoAsync(second)).Photo.Should().Be(photo, "the photo is that image already");

        await alice.Client.UpdateProfilePhotoAsync(null);

        host.RefCount(Sha256(bytes)).Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.UpdateProfilePhotoAsync(second), MediaErrorNames.FilePartsInvalid);
        (await bob.Client.UpdateProfilePhotoAsync(bobs)).Photo.Should().NotBeNull();
        host.RefCount(Sha256(bytes)).Should().Be(1);
    }

    [Fact]
    public async Task EditPhoto_WhenTheGroupsPhotoIsRemoved_AnotherUsersUnusedUploadOfTheImageStillSetsTheirs()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await host.SignUpAsync("alice_cgr");
        await using var bob = await host.SignUpAsync("bob_cgr");
        await using var carol = await host.SignUpAsync("carol_cgr");
        var bytes = Png(64, 48, seed: 64);
        var bobs = await RefusedUploadAsync(bob, carol, bytes, "me.png", "image/png");
        var group = await alice.Client.CreateGroupAsync("Rowers", [carol.UserId]);
        await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(bytes, "group.png", "image/png"));

        await alice.Client.EditChatPhotoAsync(group.Chat.Id, null);

        host.RefCount(Sha256(bytes)).Should().Be(0);
        (await bob.Client.UpdateProfilePhotoAsync(bobs)).Photo.Should().NotBeNull();
    }

    /// <summary>The record an unused upload keeps also keeps the thumbnail made of its client's thumb: after another
    /// user's send of the same video is deleted and the server restarts, the retry goes out with that thumbnail.</summary>
    [Fact]
    public async Task Send_WithAClientThumb_WhenAnotherUserReleasedTheSameVideo_GoesThroughAfterARestartWithItsThumbnail()
    {
        using var data = new TempDirectory();
        var video = RandomBytes(60_000, 65);
        Device alice;
        Device bob;
        InputMedia input;
        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_cth");
            bob = await host.SignUpAsync("bob_cth");
            await using (alice)
            await using (bob)
            await using (var carol = await host.SignUpAsync("carol_cth"))
            {
                await carol.Client.BlockUserAsync(alice.UserId);
                input = await alice.Client.UploadFileAsync(
                    new MemoryStream(video), "clip.mp4", "video/mp4", thumb: TestImages.Encode(120, 80, SKEncodedImageFormat.Png));
                await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(carol.Peer, input), MessageErrorNames.UserIsBlocked, 403);
                var bobs = await bob.Client.SendMediaAsync(carol.Peer, await bob.Client.UploadAsync(video, "same.mp4", "video/mp4"));
                await bob.Client.DeleteMessagesAsync(carol.Peer, [bobs.Message.Id], revoke: true);
                host.RefCount(Sha256(video)).Should().Be(0);
            }
        }

        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);

            var sent = await aliceAgain.Client.SendMediaAsync(bob.Peer, input);

            sent.Message.Media!.Thumb.Should().Be(new MediaThumb(120, 80, sent.Message.Media.Thumb!.Size));
            (await bobAgain.Client.DownloadThumbnailAsync(sent.Message.Media)).Should().HaveCount((int)sent.Message.Media.Thumb.Size);
            (await bobAgain.Client.DownloadAsync(sent.Message.Media)).Should().Equal(video);
        }
    }

    /// <summary>A secret chat's file is an attached upload like any other: the chat's end (its files' last references)
    /// forgets it, and not the same user's second upload of the same bytes that a refused send completed.</summary>
    [Fact]
    public async Task DiscardSecretChat_ForgetsItsFilesUpload_ButNotAnUnusedUploadOfTheSameBytes()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await SecretDevice.SignUpAsync(host, "alice_csd");
        await using var bob = await SecretDevice.SignUpAsync(host, "bob_csd");
        await using var carol = await host.SignUpAsync("carol_csd");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var ciphertext = RandomBytes(50_000, 68);
        var used = await alice.Client.UploadAsync(ciphertext, "e");
        await alice.Client.CallAsync(new SendEncryptedCall(chatId, 6_868, RandomBytes(64, 69), File: new InputEncryptedFile(used.FileId, used.TotalParts)));
        await carol.Client.BlockUserAsync(alice.UserId);
        var unused = await alice.Client.UploadAsync(ciphertext, "e");
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(carol.Peer, unused), MessageErrorNames.UserIsBlocked, 403);

        await alice.Client.DiscardSecretChatAsync(chatId);

        host.RefCount(Sha256(ciphertext)).Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(Peer.User(bob.UserId), used), MediaErrorNames.FilePartsInvalid);
        var sent = await alice.Client.SendMediaAsync(Peer.User(bob.UserId), unused);
        sent.Message.Media!.Size.Should().Be(ciphertext.Length);
    }

    [Fact]
    public async Task CompletedUpload_AttachedThenReleased_ItsBlobIsCollectedAfterTheGracePeriod()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(Settings, clock: clock);
        await using var alice = await host.SignUpAsync("alice_cgc");
        await using var bob = await host.SignUpAsync("bob_cgc");
        var bytes = RandomBytes(80_000, 66);
        var input = await alice.Client.UploadAsync(bytes, "notes.bin");
        var sent = await alice.Client.SendMediaAsync(bob.Peer, input);
        await alice.Client.DeleteMessagesAsync(bob.Peer, [sent.Message.Id], revoke: true);
        var collector = host.Services.GetRequiredService<MediaCollector>();

        clock.Advance(TimeSpan.FromMinutes(61));
        await collector.CollectAsync(CancellationToken.None);

        host.BlobFiles().Should().BeEmpty("what the upload was used for is gone, well within the upload expiry");
        host.RefCount(Sha256(bytes)).Should().BeNull();
        CompletedUploadRows(host).Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, input), MediaErrorNames.FilePartsInvalid);
    }

    /// <summary>An unused upload keeps the blob another user's deletion left without references past the grace period,
    /// until it expires; then the blob is collected.</summary>
    [Fact]
    public async Task CompletedUpload_NeverAttached_KeepsAReleasedBlobUntilItExpires_ThenTheBlobIsCollected()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(Settings, clock: clock);
        await using var alice = await host.SignUpAsync("alice_cke");
        await using var bob = await host.SignUpAsync("bob_cke");
        await using var carol = await host.SignUpAsync("carol_cke");
        var bytes = RandomBytes(80_000, 67);
        var input = await RefusedUploadAsync(alice, carol, bytes);
        var bobs = await bob.Client.SendMediaAsync(carol.Peer, await bob.Client.UploadAsync(bytes, "same.bin"));
        await bob.Client.DeleteMessagesAsync(carol.Peer, [bobs.Message.Id], revoke: true);
        var collector = host.Services.GetRequiredService<MediaCollector>();

        clock.Advance(TimeSpan.FromMinutes(61));
        await collector.CollectAsync(CancellationToken.None);
        host.BlobFiles().Should().ContainSingle("alice's upload is remembered, and may still be sent");
        CompletedUploadRows(host).Should().Be(1);

        clock.Advance(TimeSpan.FromHours(24));
        await collector.CollectAsync(CancellationToken.None);

        CompletedUploadRows(host).Should().Be(0);
        host.BlobFiles().Should().BeEmpty("nothing references the blob and no upload of it is remembered");
        host.RefCount(Sha256(bytes)).Should().BeNull();
        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, input), MediaErrorNames.FilePartsInvalid);
    }

    /// <summary>An upload completed by a send <paramref name="blocker"/> refused (after the upload became a blob): remembered,
    /// never attached. The blocker blocks <paramref name="sender"/> first.</summary>
    private static async Task<InputMedia> RefusedUploadAsync(
        Device sender, Device blocker, byte[] bytes, string name = "file.bin", string mime = "application/octet-stream")
    {
        await blocker.Client.BlockUserAsync(sender.UserId);
        var input = await sender.Client.UploadAsync(bytes, name, mime);
        await ChatTestKit.FailsWith(() => sender.Client.SendMediaAsync(blocker.Peer, input), MessageErrorNames.UserIsBlocked, 403);
        return input;
    }

    private static long CompletedUploadRows(TestHost host)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM media_completed_uploads";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(TestHost host, string sql)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
