using System.Net;
using System.Net.Http.Headers;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>Media streams (<c>upload.openUploadStream</c>/<c>openDownloadStream</c> and <c>/media/stream/{ticket}</c>), spoken raw over HTTP where the SDK would not misbehave.</summary>
public sealed class MediaStreamTests
{
    private const int KiB = 1024;
    private const int PartBytes = 512 * KiB;

    [Fact]
    public async Task Stream_UploadAndDownload_RoundTripsThroughTheSdk()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_st");
        await using var bob = await host.SignedInClientAsync("bob_st");
        var bytes = RandomBytes(5 * PartBytes + 12_345, 21);

        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_st")), await alice.UploadAsync(bytes));

        var media = sent.Message.Media!;
        media.Size.Should().Be(bytes.Length);
        Sha256(await bob.DownloadAsync(media)).Should().Be(Sha256(bytes));
        Sha256(await bob.DownloadAsync(media, offset: 70_001, length: 2 * PartBytes)).Should().Be(Sha256(bytes[70_001..(70_001 + 2 * PartBytes)]));
        Sha256(await bob.DownloadAsync(media, offset: bytes.Length - 3)).Should().Be(Sha256(bytes[^3..]));
        // From a 4 KiB boundary the server reads past the page cache, rounding its last read up: cut to the range.
        Sha256(await bob.DownloadAsync(media, offset: 3 * 4096, length: PartBytes + 5)).Should().Be(Sha256(bytes[(3 * 4096)..(3 * 4096 + PartBytes + 5)]));
        host.BlobFiles().Select(Path.GetFileName).Should().Equal(Sha256(bytes));
        host.UploadFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task Stream_Ticket_IsForOneRequestOfItsKindUnderItsKey()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_tk");
        using var http = host.CreateHttpClient();
        var bytes = RandomBytes(PartBytes + 100, 22);

        var ticket = await alice.CallAsync(new OpenUploadStreamCall(5, bytes.Length, 0, 2));
        ticket.Length.Should().Be(bytes.Length);
        ticket.Key.Should().HaveCount(32);
        (await http.GetAsync(ticket.Path)).Should().Match<HttpResponseMessage>(r => r.StatusCode == HttpStatusCode.NotFound);
        await ExpectAsync(await PutAsync(http, ticket.Path, Seal(new byte[32], bytes)), HttpStatusCode.NotFound, MediaErrorNames.StreamTicketInvalid);

        var again = await alice.CallAsync(new OpenUploadStreamCall(5, bytes.Length, 0, 2));
        await ExpectAsync(await PutAsync(http, again.Path, Seal(new byte[32], bytes)), HttpStatusCode.BadRequest, MediaErrorNames.StreamChunkInvalid);
        await ExpectAsync(await PutAsync(http, again.Path, Seal(again.Key, bytes)), HttpStatusCode.NotFound, MediaErrorNames.StreamTicketInvalid);
        await ExpectAsync(await PutAsync(http, MediaStreamCipher.PathPrefix + "00ff", Seal(again.Key, bytes)), HttpStatusCode.NotFound, MediaErrorNames.StreamTicketInvalid);
        (await alice.CallAsync(new GetUploadedPartsCall(5))).Parts.Should().BeEmpty();

        var good = await alice.CallAsync(new OpenUploadStreamCall(5, bytes.Length, 0, 2));
        (await PutAsync(http, good.Path, Seal(good.Key, bytes))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await alice.CallAsync(new GetUploadedPartsCall(5))).Parts.Should().Equal(0, 1);
    }

    [Fact]
    public async Task Stream_WhenTheBodyIsCutLongOrTampered_KeepsOnlyTheWholeAuthenticParts()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_cut");
        await using var bob = await host.SignedInClientAsync("bob_cut");
        using var http = host.CreateHttpClient();
        var bytes = RandomBytes(4 * PartBytes, 23);

        // Declared length wrong: refused before reading.
        var ticket = await alice.CallAsync(new OpenUploadStreamCall(9, bytes.Length, 0, 4));
        var sealedBody = Seal(ticket.Key, bytes);
        await ExpectAsync(await PutAsync(http, ticket.Path, sealedBody[..^1]), HttpStatusCode.BadRequest, MediaErrorNames.StreamLengthInvalid);

        // Cut after one and a half parts (no declared length): the first part is kept.
        ticket = await alice.CallAsync(new OpenUploadStreamCall(9, bytes.Length, 0, 4));
        sealedBody = Seal(ticket.Key, bytes);
        var cut = (int)MediaStreamCipher.SealedLength(PartBytes + PartBytes / 2);
        await ExpectAsync(await PutAsync(http, ticket.Path, sealedBody[..cut], chunked: true), HttpStatusCode.BadRequest, MediaErrorNames.StreamLengthInvalid);
        (await alice.CallAsync(new GetUploadedPartsCall(9))).Parts.Should().Equal(0);

        // Too long (no declared length): every part is written, the extra bytes are refused.
        ticket = await alice.CallAsync(new OpenUploadStreamCall(9, bytes.Length, 1, 1));
        sealedBody = Seal(ticket.Key, bytes[PartBytes..(2 * PartBytes)]);
        await ExpectAsync(await PutAsync(http, ticket.Path, [.. sealedBody, 1, 2, 3], chunked: true), HttpStatusCode.BadRequest, MediaErrorNames.StreamLengthInvalid);

        // A changed byte in part 3 (the third chunk of it): parts before it are kept, nothing of it.
        ticket = await alice.CallAsync(new OpenUploadStreamCall(9, bytes.Length, 2, 2));
        sealedBody = Seal(ticket.Key, bytes[(2 * PartBytes)..]);
        sealedBody[(int)MediaStreamCipher.SealedLength(PartBytes) + 2 * MediaStreamCipher.SealedChunkBytes + 7] ^= 1;
        await ExpectAsync(await PutAsync(http, ticket.Path, sealedBody), HttpStatusCode.BadRequest, MediaErrorNames.StreamChunkInvalid);
        (await alice.CallAsync(new GetUploadedPartsCall(9))).Parts.Should().Equal(0, 1, 2);

        // The SDK resumes with the part that is missing; the file is whole and stored under its own hash.
        var input = await alice.UploadFileAsync(new MemoryStream(bytes), "cut.bin", "application/octet-stream", fileId: 9);
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_cut")), input);
        Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
        host.BlobFiles().Select(Path.GetFileName).Should().Equal(Sha256(bytes));
    }

    [Fact]
    public async Task Upload_WhenAPartIsSentAgainWithOtherBytes_StoresTheLastBytesUnderTheirOwnHash()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_rw");
        await using var bob = await host.SignedInClientAsync("bob_rw");
        var first = RandomBytes(2 * PartBytes, 24);
        var second = RandomBytes(PartBytes, 25);

        // Parts 0 and 1 go in order (and are hashed on the way); then part 0 is replaced.
        await alice.CallAsync(new SaveFilePartCall(31, 0, 2, first[..PartBytes]));
        await alice.CallAsync(new SaveFilePartCall(31, 1, 2, first[PartBytes..]));
        await alice.CallAsync(new SaveFilePartCall(31, 0, 2, second));

        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_rw")), new InputMedia(31, 2, "rw.bin", "application/octet-stream"));
        byte[] expected = [.. second, .. first[PartBytes..]];
        Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(expected));
        host.BlobFiles().Select(Path.GetFileName).Should().Equal(Sha256(expected));
    }

    [Fact]
    public async Task OpenStream_WhenTheRequestIsWrong_FailsWithTheUploadAndDownloadErrors()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UserQuotaMegabytes"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_os");
        await using var bob = await host.SignedInClientAsync("bob_os");
        await using var carol = await host.SignedInClientAsync("carol_os");

        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(0, 10, 0, 1)), MediaErrorNames.FileIdInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(1, 0, 0, 1)), MediaErrorNames.FilePartsInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(1, 10, 0, 2)), MediaErrorNames.FilePartsInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(1, 10, -1, 1)), MediaErrorNames.FilePartsInvalid);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(1, 3L * 1024 * 1024 * 1024, 0, 1)), MediaErrorNames.FileTooBig);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(1, 2 * 1024 * KiB, 0, 1)), MediaErrorNames.QuotaExceeded);

        var bytes = RandomBytes(100 * KiB, 26);
        var media = (await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_os")), await alice.UploadAsync(bytes))).Message.Media!;
        await SessionTestKit.FailsWith(() => carol.CallAsync(new OpenDownloadStreamCall(media.Id, 0, 10)), MediaErrorNames.MediaInvalid);
        await SessionTestKit.FailsWith(() => bob.CallAsync(new OpenDownloadStreamCall(media.Id + 1000, 0, 10)), MediaErrorNames.MediaInvalid);
        await SessionTestKit.FailsWith(() => bob.CallAsync(new OpenDownloadStreamCall(media.Id, -1, 10)), MediaErrorNames.OffsetInvalid);
        await SessionTestKit.FailsWith(() => bob.CallAsync(new OpenDownloadStreamCall(media.Id, 0, 0)), MediaErrorNames.LimitInvalid);

        // Past the end: an empty stream.
        var past = await bob.CallAsync(new OpenDownloadStreamCall(media.Id, bytes.Length + 10, 100));
        past.Length.Should().Be(0);
        using var http = host.CreateHttpClient();
        (await http.GetByteArrayAsync(past.Path)).Should().BeEmpty();
    }

    [Fact]
    public async Task OpenStream_WhenTicketsPileUp_AsksToWait()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_pile");
        await using var bob = await host.SignedInClientAsync("bob_pile");
        for (var i = 0; i < 16; i++)
        {
            await alice.CallAsync(new OpenUploadStreamCall(40 + i, 10, 0, 1));
        }

        var error = await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(99, 10, 0, 1)), MediaErrorNames.StreamTicketsExhausted);
        error.Code.Should().Be(420);
        error.RetryAfterSeconds.Should().BePositive();
        (await bob.CallAsync(new OpenUploadStreamCall(99, 10, 0, 1))).Length.Should().Be(10);
    }

    private static byte[] Seal(byte[] key, byte[] plain)
    {
        using var cipher = new MediaStreamCipher(key);
        var sealedBytes = new byte[MediaStreamCipher.SealedLength(plain.Length)];
        cipher.Seal(0, plain, sealedBytes);
        return sealedBytes;
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, string path, byte[] body, bool chunked = false)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return http.SendAsync(request);
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        using (response)
        {
            response.StatusCode.Should().Be(status);
            (await response.Content.ReadAsStringAsync()).Should().Be(error);
        }
    }
}
