using System.Net;
using System.Net.Http.Headers;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary><c>upload.cancelUpload</c>: an upload given up frees its place, its quota reservation and its files at once,
/// through the call and through the SDK's cancellation, on both transports.</summary>
public sealed class CancelUploadTests
{
    private const int KiB = 1024;
    private const int PartBytes = 512 * KiB;

    [Fact]
    public async Task CancelUpload_WhenTheUserHasTheLimitInProgress_FreesAPlaceAndTheFilesAtOnce()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_cu");
        for (var fileId = 1; fileId <= 32; fileId++)
        {
            await alice.CallAsync(new SaveFilePartCall(fileId, 0, 2, new byte[KiB]));
        }

        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(33, 0, 2, new byte[KiB])), MediaErrorNames.UploadsTooMany);
        host.UploadFiles().Should().Contain(f => Path.GetFileName(f).EndsWith($"-{5:x16}.data", StringComparison.Ordinal));

        await alice.CancelUploadAsync(5);

        host.UploadFiles().Should().NotContain(f => Path.GetFileName(f).Contains($"-{5:x16}.", StringComparison.Ordinal), "its parts are deleted with it");
        host.UploadFiles().Should().HaveCount(31 * 2, "the others keep their .data and .parts");
        (await alice.CallAsync(new GetUploadedPartsCall(5))).TotalParts.Should().Be(0);
        await alice.CallAsync(new SaveFilePartCall(33, 0, 2, new byte[KiB]));
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(34, 0, 2, new byte[KiB])), MediaErrorNames.UploadsTooMany);
    }

    [Fact]
    public async Task CancelUpload_WhenItsReservationFillsTheQuota_FreesIt()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UserQuotaMegabytes"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_cq");

        await alice.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[PartBytes]));
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(2, 0, 2, new byte[PartBytes])), MediaErrorNames.QuotaExceeded);

        await alice.CancelUploadAsync(1);

        await alice.CallAsync(new SaveFilePartCall(2, 0, 2, new byte[PartBytes]));
    }

    [Fact]
    public async Task CancelUpload_IsIdempotent_AndLeavesUnknownAndFinishedUploadsAlone()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_ci");
        await using var bob = await host.SignedInClientAsync("bob_ci");
        var bobPeer = Peer.User(await alice.IdOfAsync("bob_ci"));
        await alice.CallAsync(new SaveFilePartCall(3, 0, 2, new byte[KiB]));

        await alice.CancelUploadAsync(3);
        await alice.CancelUploadAsync(3);
        await alice.CancelUploadAsync(999);
        await SessionTestKit.FailsWith(() => alice.CancelUploadAsync(0), MediaErrorNames.FileIdInvalid);

        // A finished upload is not touched: its send can be made again with it, as any completed upload's.
        var bytes = RandomBytes(10 * KiB, 80);
        var input = await alice.UploadAsync(bytes);
        await alice.SendMediaAsync(bobPeer, input);
        await alice.CancelUploadAsync(input.FileId);
        var again = await alice.SendMediaAsync(bobPeer, input);
        Sha256(await bob.DownloadAsync(again.Message.Media!)).Should().Be(Sha256(bytes));
        host.UploadFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task CancelUpload_WhenAnotherUserHasTheSameFileId_LeavesTheirs()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_co");
        await using var bob = await host.SignedInClientAsync("bob_co");
        var bytes = RandomBytes(PartBytes + 100, 81);
        await alice.CallAsync(new SaveFilePartCall(7, 0, 2, bytes[..PartBytes]));
        await bob.CallAsync(new SaveFilePartCall(7, 0, 2, bytes[..PartBytes]));

        await alice.CancelUploadAsync(7);

        (await alice.CallAsync(new GetUploadedPartsCall(7))).Parts.Should().BeEmpty();
        (await bob.CallAsync(new GetUploadedPartsCall(7))).Parts.Should().Equal(0);
        await bob.CallAsync(new SaveFilePartCall(7, 1, 2, bytes[PartBytes..]));
        var sent = await bob.SendMediaAsync(Peer.User(await bob.IdOfAsync("alice_co")), new InputMedia(7, 2, "b.bin", "application/octet-stream"));
        Sha256(await alice.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
    }

    [Fact]
    public async Task CancelUpload_ThenTheSameFileIdAgain_StartsFromNothing()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_cr");
        await using var bob = await host.SignedInClientAsync("bob_cr");
        await alice.CallAsync(new SaveFilePartCall(9, 0, 3, RandomBytes(PartBytes, 82)));
        await alice.CallAsync(new SaveFilePartCall(9, 1, 3, RandomBytes(PartBytes, 83)));

        await alice.CancelUploadAsync(9);

        var uploaded = await alice.CallAsync(new GetUploadedPartsCall(9));
        uploaded.Parts.Should().BeEmpty();
        uploaded.TotalParts.Should().Be(0);
        host.UploadFiles().Should().BeEmpty();

        // Another file under the same id (other total_parts: refused as FILE_PARTS_INVALID while the first was open).
        var bytes = RandomBytes(PartBytes + 300, 84);
        var input = await alice.UploadFileAsync(new MemoryStream(bytes), "again.bin", "application/octet-stream", fileId: 9, transport: MediaTransport.Rpc);
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_cr")), input);
        Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
    }

    [Fact]
    public async Task CancelUpload_OfAPreviousRunNotResumedYet_DeletesItsFiles()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Messenger:Media:UploadsInProgressPerUser"] = "1" };
        await using (var host = await SessionTestKit.StartHostAsync(settings, dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_cp");
            await alice.CallAsync(new SaveFilePartCall(15, 0, 2, new byte[KiB]));
        }

        await using (var host = await SessionTestKit.StartHostAsync(settings, dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_cp", register: false);
            host.UploadFiles().Should().NotBeEmpty();

            await alice.CancelUploadAsync(15);

            host.UploadFiles().Should().BeEmpty();
            (await alice.CallAsync(new GetUploadedPartsCall(15))).TotalParts.Should().Be(0);
            await alice.CallAsync(new SaveFilePartCall(16, 0, 1, new byte[KiB]));
        }
    }

    [Fact]
    public async Task CancelUpload_DuringAnUploadStream_StopsItWithUploadCancelledAndKeepsNothing()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_cs");
        using var http = host.CreateHttpClient();
        var bytes = RandomBytes(3 * PartBytes, 85);
        var ticket = await alice.CallAsync(new OpenUploadStreamCall(11, bytes.Length, 0, 3));
        var sealedBody = Seal(ticket.Key, bytes);
        var firstPart = (int)MediaStreamCipher.SealedLength(PartBytes);
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var content = new HeldBackContent(sealedBody, firstPart, rest.Task);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var putting = http.SendAsync(new HttpRequestMessage(HttpMethod.Put, ticket.Path) { Content = content });
        await UntilAsync(async () => (await alice.CallAsync(new GetUploadedPartsCall(11))).Parts.Contains(0));

        await alice.CancelUploadAsync(11);
        host.UploadFiles().Should().BeEmpty();
        rest.SetResult();

        using var response = await putting;
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Be(MediaErrorNames.UploadCancelled);
        (await alice.CallAsync(new GetUploadedPartsCall(11))).Parts.Should().BeEmpty("the rest of the stream did not start the upload again");
        host.UploadFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task CancelUpload_RevokesItsUnusedStreamTickets()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_ct");
        using var http = host.CreateHttpClient();
        var bytes = RandomBytes(10 * KiB, 86);
        var tickets = new List<MediaStreamTicket>();
        for (var i = 0; i < 16; i++)
        {
            tickets.Add(await alice.CallAsync(new OpenUploadStreamCall(12, bytes.Length, 0, 1)));
        }

        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(13, bytes.Length, 0, 1)), MediaErrorNames.StreamTicketsExhausted);

        await alice.CancelUploadAsync(12);

        using (var response = await http.PutAsync(tickets[0].Path, new ByteArrayContent(Seal(tickets[0].Key, bytes))))
        {
            response.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await response.Content.ReadAsStringAsync()).Should().Be(MediaErrorNames.StreamTicketInvalid);
        }

        (await alice.CallAsync(new GetUploadedPartsCall(12))).Parts.Should().BeEmpty();
        var ticket = await alice.CallAsync(new OpenUploadStreamCall(13, bytes.Length, 0, 1));
        (await http.PutAsync(ticket.Path, new ByteArrayContent(Seal(ticket.Key, bytes)))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(MediaTransport.Rpc)]
    [InlineData(MediaTransport.Stream)]
    public async Task UploadFile_WhenItsTokenIsCancelled_GivesTheUploadUpOnTheServer(MediaTransport transport)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UploadsInProgressPerUser"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_ck");
        var bytes = RandomBytes(4 * PartBytes, 87);
        using var cancel = new CancellationTokenSource();
        var content = new StallingStream(bytes, stallAt: 2 * PartBytes);

        var uploading = alice.UploadFileAsync(content, "big.bin", "application/octet-stream", cancellationToken: cancel.Token, fileId: 21, transport: transport);
        // Part 0 is on the server and the read of part 2 waits (part 1 may be on its way: the cancel waits for its call).
        await UntilAsync(async () => (await alice.CallAsync(new GetUploadedPartsCall(21))).Parts.Contains(0));
        await content.Stalled;
        cancel.Cancel();

        await FluentActions.Awaiting(() => uploading).Should().ThrowAsync<OperationCanceledException>();
        await UntilAsync(async () => (await alice.CallAsync(new GetUploadedPartsCall(21))).TotalParts == 0 && host.UploadFiles().Length == 0);
        await alice.UploadAsync(RandomBytes(10 * KiB, 88), transport: transport);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static byte[] Seal(byte[] key, byte[] plain)
    {
        using var cipher = new MediaStreamCipher(key);
        var sealedBytes = new byte[MediaStreamCipher.SealedLength(plain.Length)];
        cipher.Seal(0, plain, sealedBytes);
        return sealedBytes;
    }

    /// <summary>A body that sends its first <paramref name="first"/> bytes, then the rest once <paramref name="rest"/> ends.</summary>
    private sealed class HeldBackContent(byte[] body, int first, Task rest) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, first));
            await stream.FlushAsync();
            await rest;
            await stream.WriteAsync(body.AsMemory(first));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    /// <summary>A file whose reads from <paramref name="stallAt"/> on wait until they are cancelled (a slow disk, say).</summary>
    private sealed class StallingStream(byte[] bytes, long stallAt) : MemoryStream(bytes, writable: false)
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Stalled => _stalled.Task;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= stallAt)
            {
                _stalled.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await base.ReadAsync(buffer, cancellationToken);
        }
    }
}
