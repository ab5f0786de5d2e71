using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

public sealed class MediaUploadTests
{
    private const int KiB = 1024;

    [Fact]
    public async Task Upload_InOrderOutOfOrderAndInParallel_RecipientDownloadsTheSameBytes()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_upl");
        await using var bob = await host.SignedInClientAsync("bob_upl");
        var bobPeer = Peer.User(await alice.IdOfAsync("bob_upl"));

        var inOrder = RandomBytes(1300 * KiB + 17, 1);
        var sequential = await alice.UploadAsync(inOrder, parallelism: 1);
        var parallel = RandomBytes(2100 * KiB + 5, 2);
        var concurrent = await alice.UploadAsync(parallel, parallelism: 4, transport: MediaTransport.Rpc);

        // Out of order with 64 KiB parts, the short last part first.
        var reversed = RandomBytes(300 * KiB + 100, 3);
        const int part = 64 * KiB;
        var total = (reversed.Length + part - 1) / part;
        for (var i = total - 1; i >= 0; i--)
        {
            await alice.CallAsync(new SaveFilePartCall(77, i, total, reversed[(i * part)..Math.Min(reversed.Length, (i + 1) * part)]));
        }

        var outOfOrder = new InputMedia(77, total, "reversed.bin", "application/octet-stream");
        foreach (var (input, bytes) in new[] { (sequential, inOrder), (concurrent, parallel), (outOfOrder, reversed) })
        {
            var sent = await alice.SendMediaAsync(bobPeer, input, caption: "here");
            sent.Message.Media!.Size.Should().Be(bytes.Length);
            sent.Message.Media.Kind.Should().Be(MediaKinds.Document);
            sent.Message.Text.Should().Be("here");
            Sha256(await bob.DownloadAsync(sent.Message.Media)).Should().Be(Sha256(bytes));
            Sha256(await bob.DownloadAsync(sent.Message.Media, transport: MediaTransport.Rpc)).Should().Be(Sha256(bytes));
        }

        var history = await bob.GetHistoryAsync(Peer.User(await bob.IdOfAsync("alice_upl")));
        history.Should().HaveCount(3).And.OnlyContain(m => m.Media != null);

        // Stored under their contents' hashes, however the parts came (hashed on the way, or read back).
        host.BlobFiles().Select(Path.GetFileName).Should().BeEquivalentTo([Sha256(inOrder), Sha256(parallel), Sha256(reversed)]);
        host.UploadFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task Download_OverRpc_ARangeWhoseLostAnswerTheSessionLetGo_IsReadAgain()
    {
        // The session keeps only the newest unacked answer here: the first range's, lost on the wire, is pushed out by
        // the second's, so after the reconnect its resend is answered RESULT_DROPPED, and the SDK reads it again.
        await using var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Protocol:UnackedResultBytesPerSession"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_dropped");
        await using var bob = await host.SignedInClientAsync("bob_dropped");
        var bytes = RandomBytes(3 * 1024 * KiB + 7, 9);
        var media = (await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_dropped")), await alice.UploadAsync(bytes))).Message.Media!;
        var results = 0;
        var dropped = 0;
        bob.InboundFilter = envelope =>
        {
            if (envelope.Body is ErrorBody { Name: ErrorNames.ResultDropped })
            {
                Interlocked.Increment(ref dropped);
            }
            else if (envelope.Body is ResultBody)
            {
                switch (Interlocked.Increment(ref results))
                {
                    case 1:
                        return false; // the first range's answer, lost
                    case 2:
                        _ = bob.DropConnectionAsync(); // stored before it was sent: the first range's answer is gone
                        break;
                }
            }

            return true;
        };

        Sha256(await bob.DownloadAsync(media, transport: MediaTransport.Rpc)).Should().Be(Sha256(bytes));
        dropped.Should().BeGreaterThanOrEqualTo(1, "the resent range was answered RESULT_DROPPED");
        bob.ConnectionCount.Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Download_OverRpc_ARangeLostWithTheConnectionPastTheIdleBudget_IsReadAgain()
    {
        // Once its connection is gone the session keeps only UnackedResultBytesPerIdleSession of unacked answers (here
        // none): the range lost on the wire goes with the connection (the client comes back only after that), its
        // resend is answered RESULT_DROPPED, and the SDK reads it again.
        await using var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Protocol:UnackedResultBytesPerIdleSession"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_idlebudget");
        var gate = new ReconnectGate();
        var keys = new InMemoryDeviceKeyStore();
        await using var bob = await MessengerClient.ConnectAsync(host.ClientOptions(keys, sessionId: 4343, transport: gate.Apply));
        await bob.RegisterAsync("bob_idlebudget", SessionTestKit.Password, "BOB");
        await bob.SignInAsync("bob_idlebudget", SessionTestKit.Password, "Test device", "tests");
        var session = host.Services.GetRequiredService<SessionRegistry>().GetOrCreate(ProtocolConstants.Hex(keys.GetOrCreate().PublicKey), 4343).Session;
        var bytes = RandomBytes(3 * 1024 * KiB + 7, 11);
        var media = (await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_idlebudget")), await alice.UploadAsync(bytes))).Message.Media!;
        var results = 0;
        var dropped = 0;
        bob.InboundFilter = envelope =>
        {
            if (envelope.Body is ErrorBody { Name: ErrorNames.ResultDropped })
            {
                Interlocked.Increment(ref dropped);
            }
            else if (envelope.Body is ResultBody && Interlocked.Increment(ref results) == 1)
            {
                gate.HoldUntil(() => !session.IsAttached);
                _ = bob.DropConnectionAsync();
                return false; // the first range's answer, lost with the connection
            }

            return true;
        };

        Sha256(await bob.DownloadAsync(media, transport: MediaTransport.Rpc)).Should().Be(Sha256(bytes));
        dropped.Should().BeGreaterThanOrEqualTo(1, "the resent range was answered RESULT_DROPPED");
        bob.ConnectionCount.Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Download_WhenRanged_MatchesTheSourceSlice()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_rng");
        await using var bob = await host.SignedInClientAsync("bob_rng");
        var bytes = RandomBytes(3 * 1024 * KiB + 333, 4);
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_rng")), await alice.UploadAsync(bytes));
        var media = sent.Message.Media!;

        Sha256(await bob.DownloadAsync(media, offset: 5000, length: 1_500_000)).Should().Be(Sha256(bytes[5000..1_505_000]));
        Sha256(await bob.DownloadAsync(media, offset: 5000, length: 1_500_000, transport: MediaTransport.Rpc)).Should().Be(Sha256(bytes[5000..1_505_000]));
        Sha256(await bob.DownloadAsync(media, offset: 2 * 1024 * KiB)).Should().Be(Sha256(bytes[(2 * 1024 * KiB)..]));
        (await bob.CallAsync(new GetFileCall(media.Id, 3 * 1024 * KiB, 4 * KiB))).Bytes.Should().Equal(bytes[(3 * 1024 * KiB)..]);
        (await bob.CallAsync(new GetFileCall(media.Id, 8 * 1024 * KiB, 4 * KiB))).Bytes.Should().BeEmpty();

        await SessionTestKit.FailsWith(() => bob.CallAsync(new GetFileCall(media.Id, 100, 4 * KiB)), MediaErrorNames.OffsetInvalid);
        await SessionTestKit.FailsWith(() => bob.CallAsync(new GetFileCall(media.Id, 0, 5000)), MediaErrorNames.LimitInvalid);
        await SessionTestKit.FailsWith(() => bob.CallAsync(new GetFileCall(media.Id, 0, 2 * 1024 * KiB)), MediaErrorNames.LimitInvalid);
    }

    [Theory]
    [InlineData(MediaTransport.Rpc)]
    [InlineData(MediaTransport.Stream)]
    public async Task Upload_WhenTheClientGoesAwayMidway_ResumesWithTheMissingPartsOnly(MediaTransport transport)
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var bytes = RandomBytes(8 * 512 * KiB + 999, 5);
        long fileId;
        await using (var first = await host.SignedInClientAsync("alice_res"))
        {
            var failure = await first.Invoking(c => c.UploadFileAsync(new FailingStream(bytes, failAfter: 4 * 512 * KiB), "big.bin", "application/octet-stream", parallelism: 1, transport: transport))
                .Should().ThrowAsync<UploadException>();
            fileId = failure.Which.FileId;
        }

        await using var alice = await host.SignedInClientAsync("alice_res", register: false, deviceName: "Second device");
        await using var bob = await host.SignedInClientAsync("bob_res");
        var before = await alice.CallAsync(new GetUploadedPartsCall(fileId));
        before.TotalParts.Should().Be(9);
        if (transport == MediaTransport.Rpc)
        {
            before.Parts.Should().Equal(0, 1, 2, 3);
        }
        else
        {
            // A stream keeps the whole parts the server took in before the request broke off: some of the four the
            // client had written may still have been in its socket when it gave up.
            before.Parts.Should().Equal(Enumerable.Range(0, before.Parts.Length)).And.HaveCountLessThanOrEqualTo(4);
        }

        var reported = new List<long>();
        var input = await alice.UploadFileAsync(new MemoryStream(bytes), "big.bin", "application/octet-stream", new SyncProgress(reported.Add), fileId: fileId, transport: transport);
        // The first report is what the server already had: whole parts, at most the four sent before.
        (reported[0] % (512 * KiB)).Should().Be(0);
        if (transport == MediaTransport.Rpc)
        {
            reported[0].Should().Be(4 * 512 * KiB);
        }
        else
        {
            reported[0].Should().BeInRange(before.Parts.Length * 512 * KiB, 4 * 512 * KiB);
        }
        reported[^1].Should().Be(bytes.Length);
        reported.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("parts finish on several workers, yet the bytes only go up");

        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_res")), input);
        Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
    }

    [Fact]
    public async Task Upload_AfterAHostRestart_ResumesFromThePartsOnDisk()
    {
        using var data = new TempDirectory();
        var bytes = RandomBytes(5 * 256 * KiB + 1, 6);
        const int part = 256 * KiB;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_rst");
            await host.SignedInClientAsync("bob_rst").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
            foreach (var i in new[] { 0, 2, 5 })
            {
                await alice.CallAsync(new SaveFilePartCall(99, i, 6, bytes[(i * part)..Math.Min(bytes.Length, (i + 1) * part)]));
            }
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_rst", register: false);
            await using var bob = await host.SignedInClientAsync("bob_rst", register: false);
            (await alice.CallAsync(new GetUploadedPartsCall(99))).Parts.Should().Equal(0, 2, 5);
            var bobPeer = Peer.User(await alice.IdOfAsync("bob_rst"));
            await SessionTestKit.FailsWith(
                () => alice.CallAsync(new SendMessageCall(bobPeer, 1, "", null, new InputMedia(99, 6, "a.bin", "application/octet-stream"))),
                MediaErrorNames.FilePartMissing);
            foreach (var i in new[] { 1, 3, 4 })
            {
                await alice.CallAsync(new SaveFilePartCall(99, i, 6, bytes[(i * part)..((i + 1) * part)]));
            }

            var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_rst")), new InputMedia(99, 6, "a.bin", "application/octet-stream"));
            Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
        }
    }

    [Fact]
    public async Task SaveFilePart_WhenPartsAreWrong_FailsWithTheirErrors()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:MaxFileMegabytes"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_bad");
        await host.SignedInClientAsync("bob_bad").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        var bob = Peer.User(await alice.IdOfAsync("bob_bad"));

        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[1000])), MediaErrorNames.FilePartSizeInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[3 * KiB])), MediaErrorNames.FilePartSizeInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(1, 0, 2, [])), MediaErrorNames.FilePartSizeInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(1, 2, 2, new byte[KiB])), MediaErrorNames.FilePartsInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(0, 0, 1, new byte[KiB])), MediaErrorNames.FileIdInvalid);

        await alice.CallAsync(new SaveFilePartCall(2, 0, 3, new byte[8 * KiB]));
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(2, 1, 3, new byte[16 * KiB])), MediaErrorNames.FilePartSizeInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(2, 1, 4, new byte[8 * KiB])), MediaErrorNames.FilePartsInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(2, 2, 3, new byte[9 * KiB])), MediaErrorNames.FilePartSizeInvalid);
        await SessionTestKit.FailsWith(
            () => alice.CallAsync(new SendMessageCall(bob, 1, "", null, new InputMedia(2, 3, "x.bin", "application/octet-stream"))), MediaErrorNames.FilePartMissing);
        await SessionTestKit.FailsWith(
            () => alice.CallAsync(new SendMessageCall(bob, 1, "", null, new InputMedia(3, 1, "x.bin", "application/octet-stream"))), MediaErrorNames.FilePartsInvalid);

        // 1 MiB allowed: three 512 KiB parts cannot fit.
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(4, 0, 3, new byte[512 * KiB])), MediaErrorNames.FileTooBig);
        await SessionTestKit.FailsWith(() => alice.UploadAsync(new byte[1024 * KiB + 1]), MediaErrorNames.FileTooBig);

        var caption = new string('c', 1025);
        var small = await alice.UploadAsync(new byte[10]);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SendMessageCall(bob, 2, caption, null, small)), MediaErrorNames.MediaCaptionTooLong);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SendMessageCall(bob, 3, "", null, small with { MimeType = "nonsense" })), MediaErrorNames.MediaInputInvalid);
        (await alice.CallAsync(new SendMessageCall(bob, 4, "", null, small))).Message.Media!.Size.Should().Be(10);
    }

    [Fact]
    public async Task Upload_WhenOverTheQuota_FailsButTheSameFileAgainIsFree()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UserQuotaMegabytes"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_quo");
        await host.SignedInClientAsync("bob_quo").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        var bob = Peer.User(await alice.IdOfAsync("bob_quo"));
        var first = RandomBytes(700 * KiB, 7);
        await alice.SendMediaAsync(bob, await alice.UploadAsync(first));

        // Counted once per distinct file: the same content again costs nothing.
        await alice.SendMediaAsync(bob, await alice.UploadAsync(first));

        // The exact check is at attach time (only then is the content known); a file larger than the quota is refused at once.
        var second = await alice.UploadAsync(RandomBytes(400 * KiB, 9));
        await SessionTestKit.FailsWith(() => alice.SendMediaAsync(bob, second), MediaErrorNames.QuotaExceeded);
        await SessionTestKit.FailsWith(() => alice.UploadAsync(RandomBytes(1100 * KiB, 8)), MediaErrorNames.QuotaExceeded);
    }

    [Fact]
    public async Task Send_WhenTheFileIsAPng_ReportsPhotoWithItsSize()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_png");
        await host.SignedInClientAsync("bob_png").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 2, 128, 0, 0, 1, 224, 8, 2, 0, 0, 0];
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_png")), await alice.UploadAsync(png, "cat.png", "image/png"));
        sent.Message.Media.Should().BeEquivalentTo(new { Kind = MediaKinds.Photo, Name = "cat.png", MimeType = "image/png", Width = 640, Height = 480 });
    }

    [Fact]
    public async Task Edit_OfAMediaMessage_ChangesOrRemovesTheCaption_WithinTheCaptionLimit()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_cap");
        await host.SignedInClientAsync("bob_cap").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        var bob = Peer.User(await alice.IdOfAsync("bob_cap"));
        var sent = await alice.SendMediaAsync(bob, await alice.UploadAsync(RandomBytes(3000, 9), "notes.txt", "text/plain"), caption: "first draft");

        (await alice.EditMessageAsync(bob, sent.Message.Id, "final version")).Message.Text.Should().Be("final version");
        await SessionTestKit.FailsWith(() => alice.EditMessageAsync(bob, sent.Message.Id, new string('c', 1025)), MediaErrorNames.MediaCaptionTooLong);
        var removed = await alice.EditMessageAsync(bob, sent.Message.Id, "  ");
        removed.Message.Text.Should().BeEmpty("a caption may be removed");
        removed.Message.Media.Should().Be(sent.Message.Media);
        await SessionTestKit.FailsWith(() => alice.EditMessageAsync(bob, sent.Message.Id, ""), MessageErrorNames.MessageNotModified);
        (await alice.GetHistoryAsync(bob)).Single().Should().Match<Messenger.Contracts.Messages.Message>(m => m.Text == "" && m.Media != null && m.EditDate != null);

        var text = await alice.SendMessageAsync(bob, "plain text");
        await SessionTestKit.FailsWith(() => alice.EditMessageAsync(bob, text.Message.Id, " "), MessageErrorNames.MessageEmpty);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new EditMessageCall(bob, text.Message.Id, null!)), MessageErrorNames.MessageEmpty);
    }

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>A file whose reads fail past <c>failAfter</c> bytes (the app went away mid-upload).</summary>
    private sealed class FailingStream(byte[] bytes, int failAfter) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter ? throw new IOException("gone") : base.ReadAsync(buffer, cancellationToken);
    }
}
