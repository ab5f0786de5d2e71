using System.Security.Cryptography;
using System.Text;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Storage;
using Messenger.Media.Collection;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>Files in secret chats end to end: encrypted on the sending device, stored as ciphertext the chat holds, read
/// by its two members only, decrypted and verified on the receiving device, and collected once the chat ends.</summary>
public sealed class SecretFileTests
{
    private const string Pattern = "Pangolin-photo-8823-never-in-plaintext-on-the-server ";

    private static readonly Dictionary<string, string?> Settings = new() { ["Messenger:Session:RegistrationsPerAddress"] = "1000" };

    [Fact]
    public async Task SendSecretFile_BothWays_ArrivesByteExact_OnlyForTheTwo_AndIsCollectedAfterTheChatEnds()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(Settings, clock, data.Path);
        await using var alice = await SecretDevice.SignUpAsync(host, "sfile_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfile_bob");
        await using var carol = await SecretDevice.SignUpAsync(host, "sfile_carol");
        var chatId = await ReadyChatAsync(alice, bob);
        var photo = Photo(300_001);
        var thumb = MediaTestKit.RandomBytes(3000, 5);

        var sent = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(photo), "beach.jpg", "image/jpeg", "**The** beach", thumb: thumb, width: 1280, height: 960);

        var received = (await bob.NextAsync<SecretMessageReceived>()).Message;
        received.Text.Should().Be("**The** beach");
        received.File.Should().NotBeNull();
        received.File!.Should().Match<SecretFile>(f => f.Name == "beach.jpg" && f.MimeType == "image/jpeg" && f.Size == photo.Length
            && f.Width == 1280 && f.Height == 960 && f.Id == sent.File!.Id && f.EncryptedSize == SecretFileCrypto.CiphertextLength(photo.Length));
        received.File.Thumb.Should().Equal(thumb);
        (await DownloadAsync(bob.Client, received)).Should().Equal(photo);
        (await DownloadAsync(alice.Client, sent)).Should().Equal(photo, "the sender reads its own file again");

        var document = MediaTestKit.RandomBytes(2 * SecretFileCrypto.ChunkSize, 6);
        var answer = await bob.Client.SendSecretFileAsync(chatId, new MemoryStream(document), "notes.pdf", "application/pdf");
        var back = (await alice.NextAsync<SecretMessageReceived>()).Message;
        back.Should().Match<SecretMessage>(m => m.Text == "" && m.File!.Name == "notes.pdf" && m.File.Thumb == null && m.RandomId == answer.RandomId);
        (await DownloadAsync(alice.Client, back)).Should().Equal(document);

        DataFilesHolding(data.Path, Pattern).Should().BeEmpty("the server holds the ciphertext only");
        host.BlobFiles().Should().HaveCount(2);

        // Nobody else reads the ciphertext, by either download path.
        var stolen = new MessageMedia(received.File.Id, MediaKinds.Document, "x", "application/octet-stream", received.File.EncryptedSize);
        await ChatTestKit.FailsWith(() => carol.Client.DownloadFileAsync(stolen, new MemoryStream()), MediaErrorNames.MediaInvalid, 404);
        await ChatTestKit.FailsWith(() => carol.Client.CallAsync(new GetFileCall(received.File.Id, 0, 4096)), MediaErrorNames.MediaInvalid, 404);

        await alice.Client.DiscardSecretChatAsync(chatId);
        await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new GetFileCall(received.File.Id, 0, 4096)), MediaErrorNames.MediaInvalid, 404);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new GetFileCall(sent.File!.Id, 0, 4096)), MediaErrorNames.MediaInvalid, 404);
        var collector = host.Services.GetRequiredService<MediaCollector>();
        await collector.CollectAsync(CancellationToken.None);
        host.BlobFiles().Should().HaveCount(2, "the grace period has not passed");
        clock.Advance(TimeSpan.FromMinutes(61));
        await collector.CollectAsync(CancellationToken.None);
        host.BlobFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task SendSecretFile_SentAgainUnderItsRandomId_ArrivesOnce_AndOpensWithTheKeyItCarries()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await SecretDevice.SignUpAsync(host, "sfile_again_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfile_again_bob");
        var chatId = await ReadyChatAsync(alice, bob);
        var photo = Photo(70_000);
        const long randomId = 4_242_424_242;

        var first = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(photo), "p.jpg", "image/jpeg", "once", randomId: randomId);
        var again = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(photo), "p.jpg", "image/jpeg", "once", randomId: randomId);
        again.Date.Should().Be(first.Date);
        again.File!.Id.Should().Be(first.File!.Id, "the server keeps the first upload of that random id");
        await FluentActions.Awaiting(() => alice.Client.SendSecretMessageAsync(chatId, "not a file", randomId: randomId))
            .Should().ThrowAsync<InvalidOperationException>("a file message is not sent again as a text");
        await alice.Client.SendSecretMessageAsync(chatId, "after");

        var received = (await bob.NextAsync<SecretMessageReceived>()).Message;
        received.RandomId.Should().Be(randomId);
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("after", "the file came once");
        (await DownloadAsync(bob.Client, received)).Should().Equal(photo);
        alice.Client.GetSecretHistory(chatId).Count(m => m.RandomId == randomId).Should().Be(1);
    }

    [Fact]
    public async Task SendSecretFile_WithATimer_SelfDestructsOnBothDevices_AndItsKeyGoesWithIt()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await SecretDevice.SignUpAsync(host, "sfttl_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfttl_bob");
        var chatId = await ReadyChatAsync(alice, bob);
        var sent = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(Photo(10_000)), "p.jpg", "image/jpeg", ttl: 1);
        var received = (await bob.NextAsync<SecretMessageReceived>()).Message;
        received.Ttl.Should().Be(1);

        await bob.Client.ReadSecretHistoryAsync(chatId);

        (await bob.NextAsync<SecretMessagesDeleted>(d => d.Expired)).RandomIds.Should().Equal(sent.RandomId);
        (await alice.NextAsync<SecretMessagesDeleted>(d => d.Expired)).RandomIds.Should().Equal(sent.RandomId);
        await FluentActions.Awaiting(() => DownloadAsync(bob.Client, received)).Should().ThrowAsync<InvalidOperationException>("the key went with the message");
        await FluentActions.Awaiting(() => DownloadAsync(alice.Client, sent)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task SignOut_OfABoundDevice_ReleasesTheChatsFiles()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await SecretDevice.SignUpAsync(host, "sfout_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfout_bob");
        var chatId = await ReadyChatAsync(alice, bob);
        var sent = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(Photo(20_000)), "p.jpg", "image/jpeg");
        await bob.NextAsync<SecretMessageReceived>();
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(host.BlobFiles().Single())));
        host.RefCount(hash).Should().Be(1);

        await bob.Client.SignOutAsync();

        await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
        host.RefCount(hash).Should().Be(0, "the file went with the chat");
        await FluentActions.Awaiting(() => DownloadAsync(alice.Client, sent)).Should().ThrowAsync<RpcException>().Where(e => e.Name == MediaErrorNames.MediaInvalid);
    }

    [Fact]
    public async Task DownloadSecretFile_WhenTheStoredCiphertextWasAltered_FailsInsteadOfGivingTheFile()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await SecretDevice.SignUpAsync(host, "sftam_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sftam_bob");
        var chatId = await ReadyChatAsync(alice, bob);
        var photo = Photo(150_000);
        await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(photo), "p.jpg", "image/jpeg");
        var received = (await bob.NextAsync<SecretMessageReceived>()).Message;

        var blob = host.BlobFiles().Single();
        var stored = await File.ReadAllBytesAsync(blob);
        stored[SecretFileCrypto.PrefixLength + SecretFileCrypto.ChunkSize + 100] ^= 0x40;
        File.SetAttributes(blob, FileAttributes.Normal);
        await File.WriteAllBytesAsync(blob, stored);

        await FluentActions.Awaiting(() => DownloadAsync(bob.Client, received)).Should().ThrowAsync<CryptographicException>();
    }

    [Fact]
    public async Task SendEncrypted_WithAFileWhereItCannotGo_FailsByName_AndHoldsNothing()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>(Settings) { ["Messenger:Media:MaxFileMegabytes"] = "1" });
        await using var alice = await SecretDevice.SignUpAsync(host, "sfbad_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfbad_bob", autoAccept: false);
        var waiting = await alice.Client.RequestSecretChatAsync(bob.UserId);
        var upload = await alice.Client.UploadFileAsync(new MemoryStream(MediaTestKit.RandomBytes(5000, 7)), "e", "application/octet-stream");
        var file = new InputEncryptedFile(upload.FileId, upload.TotalParts);
        var data = new byte[64];

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 11, data, File: file)), SecretErrorNames.EncryptionIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(123_456, 11, data, File: file)), SecretErrorNames.EncryptionIdInvalid);
        await bob.Client.AcceptSecretChatAsync(waiting.Id);
        await alice.NextAsync<SecretChatChanged>(e => e.Chat.Id == waiting.Id && e.Chat.State == SecretChatState.Ready);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 12, data, File: file with { FileId = 0 })), MediaErrorNames.FileIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 12, data, File: file with { FileId = 999 })), MediaErrorNames.FilePartsInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 12, data, File: file with { TotalParts = 0 })), MediaErrorNames.FilePartsInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new SendEncryptedCall(waiting.Id, 12, data, File: file)), MediaErrorNames.FilePartsInvalid, 400);
        var tooBig = new MemoryStream(MediaTestKit.RandomBytes((1024 * 1024) + 1, 8));
        await ChatTestKit.FailsWith(() => alice.Client.SendSecretFileAsync(waiting.Id, tooBig, "big.bin", "application/octet-stream"), MediaErrorNames.FileTooBig);
        alice.Client.GetSecretHistory(waiting.Id).Should().BeEmpty();
        host.BlobFiles().Should().BeEmpty("nothing refused was stored");

        // The same upload still goes through once the call is right, and a resend is the same message and file.
        var first = await alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 13, data, File: file));
        var again = await alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 13, data, File: file));
        again.Should().Be(first);
        first.File!.Size.Should().Be(5000);
        host.BlobFiles().Should().ContainSingle();

        await alice.Client.DiscardSecretChatAsync(waiting.Id);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new SendEncryptedCall(waiting.Id, 14, data, File: file)), SecretErrorNames.EncryptionDeclined);
    }

    [Fact]
    public async Task SendEncrypted_WithAFile_WhenTheOperatorTurnedThemOff_Fails403()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>(Settings) { ["Messenger:Message:SecretFiles"] = "false" });
        await using var alice = await SecretDevice.SignUpAsync(host, "sfoff_alice");
        await using var bob = await SecretDevice.SignUpAsync(host, "sfoff_bob");
        var chatId = await ReadyChatAsync(alice, bob);

        await ChatTestKit.FailsWith(
            () => alice.Client.SendSecretFileAsync(chatId, new MemoryStream(Photo(1000)), "p.jpg", "image/jpeg"), SecretErrorNames.EncryptedFilesDisabled, 403);

        alice.Client.GetSecretHistory(chatId).Should().BeEmpty();
        await alice.Client.SendSecretMessageAsync(chatId, "text still goes");
        (await bob.NextAsync<SecretMessageReceived>()).Message.Text.Should().Be("text still goes");
    }

    /// <summary>A "photo" whose bytes repeat <see cref="Pattern"/>, so a plaintext copy anywhere would be found.</summary>
    private static byte[] Photo(int length)
    {
        var pattern = Encoding.UTF8.GetBytes(Pattern);
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = pattern[i % pattern.Length];
        }

        return bytes;
    }

    private static async Task<byte[]> DownloadAsync(MessengerClient client, SecretMessage message)
    {
        using var destination = new MemoryStream();
        await client.DownloadSecretFileAsync(message, destination);
        return destination.ToArray();
    }

    private static async Task<long> ReadyChatAsync(SecretDevice admin, SecretDevice participant)
    {
        var chat = await admin.Client.RequestSecretChatAsync(participant.UserId);
        await admin.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id && e.Chat.State == SecretChatState.Ready);
        await participant.NextAsync<SecretChatChanged>(e => e.Chat.Id == chat.Id && e.Chat.State == SecretChatState.Ready);
        return chat.Id;
    }

    private static List<string> DataFilesHolding(string directory, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var found = new List<string>();
        // The running server's lock file is empty, and .NET cannot open it while the lock is held.
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != DataDirectoryLock.FileName))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                if (memory.ToArray().AsSpan().IndexOf(needle) >= 0)
                {
                    found.Add(file);
                }
            }
            catch (FileNotFoundException)
            {
                // a WAL or journal gone between listing and reading
            }
        }

        return found;
    }
}
