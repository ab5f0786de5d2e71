using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>Secret chats' resend requests (docs/secret-chats.md, Resend requests) between two SDK devices through the real
/// host: a body the receiving device never got (its log entry passed over, as a server that drops one would do) is asked
/// for again and sent again under its number and random_id, a body the sender no longer holds closes its gap as lost, and
/// a body that comes twice is applied once; a file message goes again by reference to the file the chat holds.</summary>
public sealed class SecretChatResendTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SecretDevice.StartUnlimitedHostAsync();

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task ABodyDropped_IsAskedForAndSentAgain_UnderItsNumberAndRandomId_AndComingTwiceIsAppliedOnce()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sres_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sres_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var zero = await alice.Client.SendSecretMessageAsync(chatId, "zero");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "zero");

        SecretMessage dropped = null!;
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            dropped = await alice.Client.SendSecretMessageAsync(chatId, "dropped", replyTo: zero.RandomId);
            await alice.Client.SendSecretMessageAsync(chatId, "two");
        }, bob.Client.Events.Pts + 1);
        await using var _ = bob;

        var events = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "dropped" });
        events.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("two", "dropped");
        var repaired = events.OfType<SecretMessageReceived>().Last().Message;
        repaired.RandomId.Should().Be(dropped.RandomId, "the body sent again is the message its first sending was");
        repaired.ReplyTo.Should().Be(zero.RandomId);
        events.Should().NotContain(e => e is SecretMessagesMissing, "the gap filled before it was due to be reported");
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.Received == 3 && c.ReceivedInOrder == 3 && c.Missing == 0);
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo("zero", "dropped", "two");

        // The same body again (a second answer, or the server replaying it), then a new number naming a random_id already
        // received: both dropped; what follows is applied.
        var key = alice.SecretState().Chats[chatId].OwnKey()!;
        var next = alice.Client.GetLocalSecretChat(chatId)!.Sent;
        async Task DeliverAsync(long randomId, string text, long outSeq, long? resent)
        {
            var plaintext = SecretChatCrypto.EncodePlaintext(new SecretPlaintext(text, 1) { OutSeq = outSeq, InSeq = 0, Resent = resent });
            await alice.Client.CallAsync(new SendEncryptedCall(chatId, randomId, SecretChatCrypto.Encrypt(key, chatId, randomId, plaintext)));
        }

        await DeliverAsync(901, "dropped again", 1, dropped.RandomId);
        await DeliverAsync(902, "dropped under a new number", next, dropped.RandomId);
        await DeliverAsync(903, "after", next + 1, null);
        var rest = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.Text: "after" });
        rest.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("after");
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo("zero", "dropped", "two", "after");
    }

    [Fact]
    public async Task ABodyTheSenderNoLongerHolds_IsAnsweredGone_AndReportedLostAtOnce()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sresg_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sresg_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "zero");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "zero");

        // A file the server no longer holds for the chat (its row gone, as when it was released) cannot be sent again by
        // reference: the server refuses it, and its number is answered gone.
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            var file = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream([1, 2, 3]), "gone.bin", "application/octet-stream");
            ForgetFile(file.File!.Id);
            await alice.Client.SendSecretMessageAsync(chatId, "two");
        }, bob.Client.Events.Pts + 1);
        await using var _ = bob;

        var events = await bob.ReadUntilAsync(e => e is SecretMessagesMissing);
        events.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("two");
        events[^1].Should().Be(new SecretMessagesMissing(chatId, 1));
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.ReceivedInOrder == 3 && c.Missing == 1, "the number came, its body lost");
    }

    [Fact]
    public async Task AFileBodyDropped_IsSentAgainByReference_AndTheReceiverDecryptsTheSameBytes_FromTheOneBlob()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sresf_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sresf_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "zero");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "zero");
        var bytes = MediaTestKit.RandomBytes(SecretFileCrypto.ChunkSize + 1000, 7);

        SecretMessage dropped = null!;
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            dropped = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream(bytes), "report.pdf", "application/pdf", "the report");
            await alice.Client.SendSecretMessageAsync(chatId, "two");
        }, bob.Client.Events.Pts + 1);
        await using var _ = bob;

        var events = await bob.ReadUntilAsync(e => e is SecretMessageReceived { Message.File: not null });
        events.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("two", "the report");
        var repaired = events.OfType<SecretMessageReceived>().Last().Message;
        repaired.RandomId.Should().Be(dropped.RandomId, "the body sent again is the message its first sending was");
        repaired.File!.Should().Match<SecretFile>(f => f.Id == dropped.File!.Id && f.Name == "report.pdf" && f.MimeType == "application/pdf" && f.Size == bytes.Length);
        using var destination = new MemoryStream();
        await bob.Client.DownloadSecretFileAsync(repaired, destination);
        destination.ToArray().Should().Equal(bytes);
        events.Should().NotContain(e => e is SecretMessagesMissing);
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.ReceivedInOrder == 3 && c.Missing == 0);
        _host.BlobFiles().Should().ContainSingle("sent again by reference, never uploaded again");
        FileRows(dropped.File!.Id).Should().Be(2, "each send the chat holds the file for is one more reference");
        MediaReferences(dropped.File!.Id).Should().Be(2);

        await alice.Client.DiscardSecretChatAsync(chatId);
        await bob.NextAsync<SecretChatChanged>(e => e.Chat.Id == chatId && e.Chat.State == SecretChatState.Discarded);
        FileRows(dropped.File!.Id).Should().Be(0);
        MediaReferences(dropped.File!.Id).Should().Be(0, "both references go with the chat");
    }

    [Fact]
    public async Task SendEncrypted_NamingAFileNotTheCallersOwnInThisChat_FailsEncryptedFileInvalid()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sresx_alice");
        await using var bob = await SecretDevice.SignUpAsync(_host, "sresx_bob");
        await using var carol = await SecretDevice.SignUpAsync(_host, "sresx_carol");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        var otherChatId = await SecretChatTests.ReadyChatAsync(alice, carol);
        var alices = await alice.Client.SendSecretFileAsync(chatId, new MemoryStream([1, 2, 3]), "a.bin", "application/octet-stream");
        var elsewhere = await alice.Client.SendSecretFileAsync(otherChatId, new MemoryStream([4, 5, 6]), "c.bin", "application/octet-stream");
        var data = new byte[64];

        Task Again(SecretDevice from, long chat, InputEncryptedFile file, bool service = false) =>
            from.Client.CallAsync(new SendEncryptedCall(chat, Random.Shared.NextInt64(1, 1L << 53), data, File: file, Service: service));

        await ChatTestKit.FailsWith(() => Again(bob, chatId, new InputEncryptedFile(0, 0, alices.File!.Id)), SecretErrorNames.EncryptedFileInvalid, 400);
        await ChatTestKit.FailsWith(() => Again(alice, chatId, new InputEncryptedFile(0, 0, elsewhere.File!.Id)), SecretErrorNames.EncryptedFileInvalid, 400);
        await ChatTestKit.FailsWith(() => Again(alice, chatId, new InputEncryptedFile(0, 0, 987_654_321)), SecretErrorNames.EncryptedFileInvalid, 400);
        await ChatTestKit.FailsWith(() => Again(alice, chatId, new InputEncryptedFile(77, 1, alices.File!.Id)), SecretErrorNames.EncryptedFileInvalid, 400);
        await ChatTestKit.FailsWith(() => Again(alice, chatId, new InputEncryptedFile(77, 1), service: true), SecretErrorNames.EncryptedMessageInvalid, 400);
        FileRows(alices.File!.Id).Should().Be(1, "a refused send stores nothing");

        await Again(alice, chatId, new InputEncryptedFile(0, 0, alices.File!.Id), service: true);
        FileRows(alices.File!.Id).Should().Be(2);
        _host.BlobFiles().Should().HaveCount(2, "one blob per file uploaded, none for the send again");
    }

    private void ForgetFile(long mediaId) => Sql("DELETE FROM message_secret_files WHERE media_id = @media", mediaId);

    private long FileRows(long mediaId) => (long)Sql("SELECT count(*) FROM message_secret_files WHERE media_id = @media", mediaId)!;

    private long MediaReferences(long mediaId) => (long)Sql("SELECT count(*) FROM media_refs WHERE media_id = @media", mediaId)!;

    private object? Sql(string text, long mediaId)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = text;
        command.Parameters.AddWithValue("@media", mediaId);
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task ADeleteForBoth_IsSentAgain_AndTheMessageItDeleted_GoesAsItsNumberAlone_NotLost()
    {
        await using var alice = await SecretDevice.SignUpAsync(_host, "sresd_alice");
        var bob = await SecretDevice.SignUpAsync(_host, "sresd_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "zero");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "zero");

        // Both the message and the delete that took it back are passed over.
        SecretMessage regretted = null!;
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            regretted = await alice.Client.SendSecretMessageAsync(chatId, "regretted");
            await alice.Client.DeleteSecretMessagesAsync(chatId, [regretted.RandomId]);
            await alice.Client.SendSecretMessageAsync(chatId, "two");
        }, bob.Client.Events.Pts + 2);
        await using var _ = bob;

        var events = await bob.ReadUntilAsync(e => e is SecretMessagesDeleted);
        events.OfType<SecretMessageReceived>().Select(e => e.Message.Text).Should().Equal("two");
        events[^1].Should().BeOfType<SecretMessagesDeleted>().Which.RandomIds.Should().Equal(regretted.RandomId);
        await SessionTestKit.WaitUntil(() => bob.Client.GetLocalSecretChat(chatId)!.ReceivedInOrder == 4);
        bob.Client.GetLocalSecretChat(chatId)!.Missing.Should().Be(0, "nobody was to see the message: its number came alone");
        bob.Client.GetSecretHistory(chatId).Select(m => m.Text).Should().BeEquivalentTo("zero", "two");
    }

    [Fact]
    public async Task TheSenderRestarted_BetweenTheSendAndTheRequest_StillSendsTheBodyAgain()
    {
        using var keys = new TempDirectory();
        var alicesKeys = new FileDeviceKeyStore(Path.Combine(keys.Path, "alice.key"));
        var alice = await SecretDevice.SignUpAsync(_host, "sresr_alice", deviceKeys: alicesKeys);
        var bob = await SecretDevice.SignUpAsync(_host, "sresr_bob");
        var chatId = await SecretChatTests.ReadyChatAsync(alice, bob);
        await alice.Client.SendSecretMessageAsync(chatId, "zero");
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "zero");

        SecretMessage dropped = null!;
        bob = await bob.ReconnectLaterAsync(async () =>
        {
            dropped = await alice.Client.SendSecretMessageAsync(chatId, "dropped");
            await alice.Client.SendSecretMessageAsync(chatId, "two");
        }, bob.Client.Events.Pts + 1);
        await using var _ = bob;
        var alicesPts = alice.Client.Events.Pts;
        await alice.DisposeAsync();

        // The request waits in alice's log while she is away.
        await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "two");
        await using var aliceAgain = await SecretDevice.ConnectAsync(_host, alice.UserId, alicesKeys, pts: alicesPts);
        var repaired = await bob.NextAsync<SecretMessageReceived>(e => e.Message.Text == "dropped");
        repaired.Message.RandomId.Should().Be(dropped.RandomId);
        bob.Client.GetLocalSecretChat(chatId).Should().Match<LocalSecretChat>(c => c.ReceivedInOrder == 3 && c.Missing == 0);
    }
}
