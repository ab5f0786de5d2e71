using System.Text;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Media.Streams;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Messenger.Tests.Media.MediaTestKit;
using Ending = Messenger.Tests.Infrastructure.RawHttp.Ending;

namespace Messenger.Tests.Media;

/// <summary>
/// Media streams (<c>PUT</c>/<c>GET /media/stream/{ticket}</c>) spoken raw over a socket with seeded bad input: forged,
/// reused, expired and wrong-kind tickets, bodies sealed under another key, tampered or reordered, a <c>Content-Length</c>
/// that is not the body's (shorter, longer, past 2 GiB — declared only), none, chunked bodies cut short or running on,
/// clients that stop mid-body, malformed headers, other methods, odd paths, and <c>Range</c> headers on downloads. Every
/// answer is the documented 4xx with the error's name as its body (405 for another method), an upload keeps only whole
/// authentic parts and resumes byte-exact, and meanwhile another user's honest upload completes byte-exact.
/// </summary>
public sealed class MediaStreamFuzzTests(ITestOutputHelper output)
{
    private const int KiB = 1024;
    private const int PartBytes = 512 * KiB;
    private const int Parts = 3;
    private const int FileBytes = (Parts - 1) * PartBytes + 3_001;
    private const long TwoGiB = 2048L * 1024 * 1024;
    private static readonly (string Name, string Value)[] OctetStream = [("Content-Type", "application/octet-stream")];

    private enum Kind
    {
        Honest, Forged, OddPath, Reused, DownloadTicket, OtherKey, DeclaredShort, DeclaredLong, DeclaredHuge, NoLength, ChunkedRunsOn,
        ChunkedCut, Tampered, Reordered, StopsMidBody, HalfClosesMidBody, MalformedHeader, OtherMethod,
        Download, DownloadRange, DownloadForged, DownloadReused, DownloadUploadTicket, DownloadOtherMethod,
    }

    [Fact]
    public async Task EveryStreamRequest_WithGeneratedBadInput_AnswersANamed4xx_KeepsWholePartsOnly_AndDisturbsNoOne()
    {
        using var logs = new TempDirectory();
        var ticketClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = FuzzRun.HostSettings(logs.Path);
        // The tickets' own clock, so that an expired ticket costs no wait.
        await using var host = await SessionTestKit.StartHostAsync(settings, configureServices: s => s.AddSingleton(new MediaStreamTickets(ticketClock)));
        var run = new FuzzRun("media stream", 60);
        await using var alice = await host.SignedInClientAsync("alice_msfz");
        await using var bob = await host.SignedInClientAsync("bob_msfz");
        await using var dave = await host.SignUpAsync("dave_msfz", startEvents: false);
        await using var erin = await host.SignUpAsync("erin_msfz", startEvents: false);
        var bobId = await alice.IdOfAsync("bob_msfz");
        var content = RandomBytes(FileBytes, run.Seed);
        var media = (await alice.SendMediaAsync(Peer.User(bobId), await alice.UploadAsync(content))).Message.Media!;
        var server = host.BaseAddress;

        // Expired tickets of both kinds (the only cases that move the tickets' clock: before the honest upload starts).
        var expiredUpload = await alice.CallAsync(new OpenUploadStreamCall(900, FileBytes, 0, Parts));
        var expiredDownload = await alice.CallAsync(new OpenDownloadStreamCall(media.Id, 0, 100));
        ticketClock.Advance(MediaStreamLimits.TicketLifetime + TimeSpan.FromSeconds(1));
        Expect(run, "Expired", 0, await PutAsync(server, expiredUpload.Path, Seal(expiredUpload.Key, content)), 404, MediaErrorNames.StreamTicketInvalid);
        Expect(run, "Expired", 0, await RawHttp.SendAsync(server, "GET", expiredDownload.Path, [], default), 404, MediaErrorNames.StreamTicketInvalid);
        await alice.CallAsync(new CancelUploadCall(900));

        // Another user's honest upload, side by side with the whole fuzz.
        var honest = RandomBytes(5 * PartBytes + 77, run.Seed + 1);
        var honestUpload = bob.UploadAsync(honest, parallelism: 2);

        var fileIds = 1000L;
        var caseOf = new Dictionary<long, string>();
        foreach (var caseSeed in run.CaseSeeds())
        {
            var random = new Random(caseSeed);
            var kind = (Kind)random.Next(Enum.GetValues<Kind>().Length);
            var fileId = ++fileIds;
            caseOf[fileId] = $"{kind} (case seed {caseSeed})";
            await run.CaseAsync(kind.ToString(), caseSeed, () => CaseAsync(run, kind, caseSeed, random, alice, bobId, server, content, media, fileId));
            if (host.UploadFiles().Any(f => f.Contains($"{fileId:x16}", StringComparison.Ordinal)))
            {
                caseOf[fileId] += " (its file was still there right after upload.cancelUpload answered)";
            }
        }

        var sent = await bob.SendMediaAsync(Peer.User(await bob.IdOfAsync("alice_msfz")), await honestUpload);
        Sha256(await alice.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(honest), "an honest upload beside the fuzz is whole");
        output.WriteLine(run.Summary());
        await run.ShouldLeaveEveryoneWellAsync(dave, erin, logs.Path);
        // Every fuzzed upload was cancelled: nothing is left of them, and the user's places and quota are whole again.
        var left = host.UploadFiles().Select(f => Convert.ToInt64(Path.GetFileNameWithoutExtension(f).Split('-')[1], 16)).Distinct().ToList();
        var log = LogFiles.Read(logs.Path).Split('\n');
        left.Should().BeEmpty($"seed {run.Seed}: every fuzzed upload was cancelled; left: {string.Join("; ", left.Select(id =>
            $"{id} {caseOf.GetValueOrDefault(id)}: {string.Join(" | ", log.Where(l => l.Contains($"file {id} ", StringComparison.Ordinal) || l.Contains($"Upload {id} ", StringComparison.Ordinal)))}"))}");
        (await alice.CallAsync(new OpenUploadStreamCall(99_999, TwoGiB, 0, 1))).Length.Should().Be(PartBytes);
    }

    [Fact]
    public async Task Upload_WhenClientsGoAwayMidBody_KeepsOnlyWholeParts_AndTheHostLogsNoError()
    {
        using var logs = new TempDirectory();
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>(LogFiles.Settings(logs.Path)));
        await using var alice = await host.SignedInClientAsync("alice_gone");
        var content = RandomBytes(FileBytes, 31);
        var sealedPart = (int)MediaStreamCipher.SealedLength(PartBytes);
        for (var i = 0; i < 12; i++)
        {
            var ticket = await alice.CallAsync(new OpenUploadStreamCall(100 + i, FileBytes, 0, Parts));
            var body = Seal(ticket.Key, content);
            var cut = sealedPart + 1000 * (i + 1);
            if (i % 3 == 0)
            {
                // Gone while its body still comes.
                await RawHttp.SendAsync(host.BaseAddress, "PUT", ticket.Path, [.. OctetStream, ("Content-Length", $"{body.Length}")], body[..cut], Ending.Reset);
            }
            else
            {
                // Refused for a length that is not the body's while it could still send; gone once it has the answer.
                var answer = await RawHttp.SendAsync(
                    host.BaseAddress, "PUT", ticket.Path, [.. OctetStream, ("Content-Length", $"{body.Length + i}")], body[..cut], Ending.ReadFirstAnswer);
                answer.Should().Match<RawHttpAnswer>(a => a.Status == 400 && a.Text == MediaErrorNames.StreamLengthInvalid);
            }

            (await alice.CallAsync(new GetUploadedPartsCall(100 + i))).Parts.Should().BeSubsetOf([0]);
        }

        // Kestrel would have drained each body the handler left mid-read, and logged an error for each.
        await alice.CallAsync(new GetUploadedPartsCall(1));
        LogFiles.Read(logs.Path).Should().NotContain("[ERR]");
    }

    private static async Task CaseAsync(
        FuzzRun run, Kind kind, int caseSeed, Random random, MessengerClient alice, long bobId, Uri server, byte[] content, MessageMedia media, long fileId)
    {
        var name = kind.ToString();
        var sealedPart = (int)MediaStreamCipher.SealedLength(PartBytes);
        var sealedLength = (int)MediaStreamCipher.SealedLength(FileBytes);
        int[] all = [.. Enumerable.Range(0, Parts)];
        int[] WholePartsBefore(int sealedBytes) => [.. all.Where(p => (p + 1) * (long)sealedPart <= sealedBytes)];

        async Task<MediaStreamTicket> UploadTicketAsync() => await alice.CallAsync(new OpenUploadStreamCall(fileId, FileBytes, 0, Parts));

        // After an upload case: the parts it kept are whole ones it sent, and the upload is given up.
        async Task PartsAsync(int[] allowed, bool exactly = false)
        {
            var parts = (await alice.CallAsync(new GetUploadedPartsCall(fileId))).Parts;
            if (exactly ? !parts.SequenceEqual(allowed) : parts.Except(allowed).Any())
            {
                run.Fail(name, caseSeed, $"kept parts [{string.Join(",", parts)}], {(exactly ? "expected" : "allowed")} [{string.Join(",", allowed)}]");
            }
        }

        switch (kind)
        {
            case Kind.Honest:
            {
                var ticket = await UploadTicketAsync();
                Expect(run, name, caseSeed, await PutAsync(server, ticket.Path, Seal(ticket.Key, content)), 200, "OK");
                await PartsAsync(all, exactly: true);
                break;
            }

            case Kind.Forged:
            {
                var forged = Pick(random, Convert.ToHexStringLower(RandomBytes(16, caseSeed)), Convert.ToHexStringLower(RandomBytes(15, caseSeed)), "", "x",
                    new string('f', 33), new string('0', 32), "ZZ" + new string('a', 30));
                Expect(run, name, caseSeed, await PutAsync(server, MediaStreamCipher.PathPrefix + forged, Seal(RandomBytes(32, caseSeed), content)), 404, MediaErrorNames.StreamTicketInvalid);
                break;
            }

            case Kind.OddPath:
            {
                // A real ticket beside: an odd path never uses it up.
                var ticket = await UploadTicketAsync();
                var id = ticket.Path[MediaStreamCipher.PathPrefix.Length..];
                var odd = Pick(random, "..%2F..%2Fetc%2Fpasswd", id.ToUpperInvariant(), id + "/extra", id + "%2F", "%00", "%E2%82", "%ZZ",
                    "a/b/c", new string('a', 5000), id + "%20", "%F0%9F%92%A5");
                var put = random.Next(2) == 0;
                (string, string)[] headers = put ? [.. OctetStream, ("Content-Length", "10")] : [];
                var answer = await RawHttp.SendAsync(server, put ? "PUT" : "GET", MediaStreamCipher.PathPrefix + odd, headers, put ? new byte[10] : []);
                Expect(run, name, caseSeed, answer, 404, MediaErrorNames.StreamTicketInvalid, httpLayerMayRefuse: true);
                Expect(run, name + " then its ticket", caseSeed, await PutAsync(server, ticket.Path, Seal(ticket.Key, content)), 200, "OK");
                await PartsAsync(all, exactly: true);
                break;
            }

            case Kind.Reused:
            {
                var ticket = await UploadTicketAsync();
                var body = Seal(ticket.Key, content);
                Expect(run, name, caseSeed, await PutAsync(server, ticket.Path, body), 200, "OK");
                Expect(run, name, caseSeed, await PutAsync(server, ticket.Path, body), 404, MediaErrorNames.StreamTicketInvalid);
                break;
            }

            case Kind.DownloadTicket:
            {
                var ticket = await alice.CallAsync(new OpenDownloadStreamCall(media.Id, 0, FileBytes));
                Expect(run, name, caseSeed, await PutAsync(server, ticket.Path, Seal(ticket.Key, content)), 404, MediaErrorNames.StreamTicketInvalid);
                break;
            }

            case Kind.OtherKey:
            {
                var ticket = await UploadTicketAsync();
                var other = await alice.CallAsync(new OpenUploadStreamCall(fileId + 500_000, FileBytes, 0, Parts));
                Expect(run, name, caseSeed, await PutAsync(server, ticket.Path, Seal(other.Key, content)), 400, MediaErrorNames.StreamChunkInvalid);
                Expect(run, name + " (the other ticket)", caseSeed, await PutAsync(server, other.Path, Seal(ticket.Key, content)), 400, MediaErrorNames.StreamChunkInvalid);
                await alice.CallAsync(new CancelUploadCall(fileId + 500_000));
                await PartsAsync([], exactly: true);
                break;
            }

            case Kind.DeclaredShort or Kind.DeclaredLong:
            {
                var ticket = await UploadTicketAsync();
                var body = Seal(ticket.Key, content);
                var by = Pick(random, 1, 16, MediaStreamCipher.SealedChunkBytes, random.Next(1, 100_000));
                var declared = kind == Kind.DeclaredShort ? body.Length - by : body.Length + by;
                byte[] sentBody = kind == Kind.DeclaredShort ? body[..declared] : [.. body, .. RandomBytes(by, caseSeed)];
                Expect(run, name, caseSeed, await RawHttp.SendAsync(server, "PUT", ticket.Path, [.. OctetStream, ("Content-Length", $"{declared}")], sentBody),
                    400, MediaErrorNames.StreamLengthInvalid);
                await PartsAsync([], exactly: true);
                break;
            }

            case Kind.DeclaredHuge:
            {
                // Declared only: a few bytes go, then the client ends its side.
                var big = random.Next(2) == 0;
                var ticket = big ? await alice.CallAsync(new OpenUploadStreamCall(fileId, TwoGiB, 0, (int)(TwoGiB / PartBytes))) : await UploadTicketAsync();
                var exact = MediaStreamCipher.SealedLength(ticket.Length);
                var declared = Pick(random, exact + 1, 2 * exact, TwoGiB + 1, 3 * TwoGiB, long.MaxValue, exact);
                var sending = random.Next(2) == 0 ? sealedPart + 100 : random.Next(1, 5000);
                var body = Seal(ticket.Key, big ? RandomBytes(sending, caseSeed) : content)[..Math.Min(sending, sealedLength)];
                // Refused before its body is read: the answer comes while the client could still send. A client that
                // declared the right length and stopped went away (Kestrel takes the end of its side as that).
                var answer = await RawHttp.SendAsync(server, "PUT", ticket.Path, [.. OctetStream, ("Content-Length", $"{declared}")], body,
                    declared == exact ? Ending.HalfClose : Ending.ReadFirstAnswer);
                Expect(run, name, caseSeed, answer, 400, MediaErrorNames.StreamLengthInvalid, noAnswerAllowed: declared == exact);
                await PartsAsync(declared == exact ? WholePartsBefore(body.Length) : []);
                break;
            }

            case Kind.NoLength:
            {
                var ticket = await UploadTicketAsync();
                Expect(run, name, caseSeed, await RawHttp.SendAsync(server, "PUT", ticket.Path, OctetStream, default), 400, MediaErrorNames.StreamLengthInvalid);
                await PartsAsync([], exactly: true);
                break;
            }

            case Kind.ChunkedRunsOn:
            {
                var ticket = await UploadTicketAsync();
                // A little more (read to its end and refused) or much more than one chunk's slack (cut off by the server).
                var extra = RandomBytes(Pick(random, 1, 100, MediaStreamCipher.SealedChunkBytes + 1, 300 * KiB), caseSeed);
                var answer = await RawHttp.SendAsync(server, "PUT", ticket.Path, [.. OctetStream, ("Transfer-Encoding", "chunked")],
                    RawHttp.Chunked([.. Seal(ticket.Key, content), .. extra], Pick(random, 1000, 65_536, 300_000)));
                Expect(run, name, caseSeed, answer, 400, MediaErrorNames.StreamLengthInvalid);
                await PartsAsync(all);
                break;
            }

            case Kind.ChunkedCut:
            {
                var ticket = await UploadTicketAsync();
                var cut = random.Next(0, sealedLength);
                var answer = await RawHttp.SendAsync(server, "PUT", ticket.Path, [.. OctetStream, ("Transfer-Encoding", "chunked")],
                    RawHttp.Chunked(Seal(ticket.Key, content)[..cut], Pick(random, 1000, 65_536, 300_000)));
                Expect(run, name, caseSeed, answer, 400, MediaErrorNames.StreamLengthInvalid);
                await PartsAsync(WholePartsBefore(cut), exactly: true);
                break;
            }

            case Kind.Tampered or Kind.Reordered:
            {
                var ticket = await UploadTicketAsync();
                var body = Seal(ticket.Key, content);
                var chunks = (int)MediaStreamCipher.ChunksIn(FileBytes);
                // Any whole chunk but the last (tampered), or two whole ones in a row (swapped).
                var at = random.Next(0, kind == Kind.Tampered ? chunks - 1 : chunks - 2);
                var chunkOffset = at * MediaStreamCipher.SealedChunkBytes;
                if (kind == Kind.Tampered)
                {
                    body[chunkOffset + random.Next(0, Math.Min(MediaStreamCipher.SealedChunkBytes, body.Length - chunkOffset))] ^= (byte)random.Next(1, 256);
                }
                else
                {
                    var next = body.AsSpan(chunkOffset + MediaStreamCipher.SealedChunkBytes, MediaStreamCipher.SealedChunkBytes).ToArray();
                    body.AsSpan(chunkOffset, MediaStreamCipher.SealedChunkBytes).CopyTo(body.AsSpan(chunkOffset + MediaStreamCipher.SealedChunkBytes));
                    next.CopyTo(body.AsSpan(chunkOffset));
                }

                Expect(run, name, caseSeed, await PutAsync(server, ticket.Path, body), 400, MediaErrorNames.StreamChunkInvalid);
                await PartsAsync(WholePartsBefore(chunkOffset), exactly: true);
                break;
            }

            case Kind.StopsMidBody or Kind.HalfClosesMidBody:
            {
                var ticket = await UploadTicketAsync();
                var body = Seal(ticket.Key, content);
                var cut = random.Next(1, body.Length);
                var answer = await RawHttp.SendAsync(server, "PUT", ticket.Path, [.. OctetStream, ("Content-Length", $"{body.Length}")], body[..cut],
                    kind == Kind.StopsMidBody ? Ending.Reset : Ending.HalfClose);
                if (kind == Kind.HalfClosesMidBody)
                {
                    Expect(run, name, caseSeed, answer, 400, MediaErrorNames.StreamLengthInvalid, noAnswerAllowed: true);
                }

                await PartsAsync(WholePartsBefore(cut));
                // Resumed by the SDK: it sends what is missing, and the file is the one uploaded.
                var input = await alice.UploadFileAsync(new MemoryStream(content), "resumed.bin", "application/octet-stream", fileId: fileId);
                var sent = await alice.SendMediaAsync(Peer.User(bobId), input);
                var back = await alice.DownloadAsync(sent.Message.Media!);
                if (Sha256(back) != Sha256(content))
                {
                    run.Fail(name, caseSeed, $"resumed after a cut at {cut}: the file is not the one uploaded");
                }

                break;
            }

            case Kind.MalformedHeader:
            {
                var ticket = await UploadTicketAsync();
                var body = Seal(ticket.Key, content);
                (string, string)[] headers = Pick<(string, string)[]>(random,
                    [("Content-Length", "abc")], [("Content-Length", "-1")], [("Content-Length", $"{body.Length}"), ("Content-Length", $"{body.Length + 1}")],
                    [("Content-Length", "99999999999999999999999")], [("Transfer-Encoding", "gzip")], [("Transfer-Encoding", "chunked"), ("Content-Length", $"{body.Length}")],
                    [("Content-Length", $" {body.Length}x")], [("X-Bad\u0001Header", "1"), ("Content-Length", $"{body.Length}")]);
                var answer = await RawHttp.SendAsync(server, "PUT", ticket.Path, [.. OctetStream, .. headers], body);
                // Refused by the HTTP layer before the handler (no name: it never saw the request), by the handler, or
                // taken as it is (Kestrel lets a control character in a header's name by): then the upload is whole.
                var tolerated = answer.Status == 200 && answer.Text == "OK";
                if (!tolerated && (answer.Status is not (>= 400 and < 500) || (answer.Body.Length > 0 && !FuzzRun.ErrorName.IsMatch(answer.Text))))
                {
                    run.Fail(name, caseSeed, $"[{string.Join("; ", headers)}] → {answer}");
                }

                run.Tally(name, $"{answer.Status} {answer.Text}");
                // Its ticket: unused (the request never reached it) or used up, never half a file.
                var then = await PutAsync(server, ticket.Path, body);
                if (!(then.Status == 200 || (then.Status == 404 && then.Text == MediaErrorNames.StreamTicketInvalid)))
                {
                    run.Fail(name, caseSeed, $"its ticket afterwards → {then}");
                }

                await PartsAsync(tolerated || then.Status == 200 ? all : [], exactly: tolerated || then.Status == 200);
                break;
            }

            case Kind.OtherMethod or Kind.DownloadOtherMethod:
            {
                var upload = kind == Kind.OtherMethod;
                var ticket = upload ? await UploadTicketAsync() : await alice.CallAsync(new OpenDownloadStreamCall(media.Id, 0, FileBytes));
                var method = Pick(random, "HEAD", "POST", "DELETE", "PATCH", "OPTIONS", upload ? "GET" : "PUT", "FOO");
                var answer = await RawHttp.SendAsync(server, method, ticket.Path, [.. OctetStream, ("Content-Length", "5")], "hello"u8.ToArray());
                if (method is "GET" or "PUT")
                {
                    // The other kind's method: the ticket is taken, and is not for it.
                    Expect(run, name, caseSeed, answer, 404, MediaErrorNames.StreamTicketInvalid);
                    break;
                }

                if (answer.Status != 405 || !answer.Headers.TryGetValue("Allow", out var allow) || !allow.Contains(upload ? "PUT" : "GET", StringComparison.Ordinal))
                {
                    run.Fail(name, caseSeed, $"{method} → {answer} (Allow: {answer.Headers.GetValueOrDefault("Allow")})");
                }

                run.Tally(name, $"{answer.Status}");
                // Another method does not use the ticket up.
                var then = upload ? await PutAsync(server, ticket.Path, Seal(ticket.Key, content)) : await RawHttp.SendAsync(server, "GET", ticket.Path, [], default);
                Expect(run, name + " then its ticket", caseSeed, then, 200, upload ? "OK" : null);
                break;
            }

            case Kind.Download or Kind.DownloadRange:
            {
                var offset = Pick(random, 0L, 1L, 4096L, PartBytes - 1L, FileBytes - 1L, FileBytes, FileBytes + 10L);
                var length = Pick(random, 1L, 100L, MediaStreamCipher.ChunkBytes, MediaStreamCipher.ChunkBytes + 1L, FileBytes, long.MaxValue / 2);
                var ticket = await alice.CallAsync(new OpenDownloadStreamCall(media.Id, offset, length));
                var range = kind == Kind.Download ? Array.Empty<(string, string)>()
                    : [("Range", Pick(random, "bytes=0-99", "bytes=0-0,5-9,100-200", "bytes=500-100", "bytes=999999999-", "bytes=-5", "bytes=abc", "items=0-1",
                        "bytes=0-99999999999999999999999", "bytes=", "bytes=-0"))];
                var answer = await RawHttp.SendAsync(server, "GET", ticket.Path, range, default);
                var from = (int)Math.Min(offset, FileBytes);
                var expected = content[from..(int)Math.Min(FileBytes, from + Math.Min(length, FileBytes))];
                // Decided: a Range header is ignored; the range is the ticket's, and the body its sealed bytes.
                if (answer.Status != 200 || !Open(ticket.Key, answer.Body).SequenceEqual(expected))
                {
                    run.Fail(name, caseSeed, $"offset {offset}, length {length}, [{string.Join("; ", range)}] → {answer}, {answer.Body.Length} bytes");
                }

                run.Tally(name, $"{answer.Status}");
                break;
            }

            case Kind.DownloadForged:
            {
                var forged = Pick(random, Convert.ToHexStringLower(RandomBytes(16, caseSeed)), "", "%00", "..%2Fupload", new string('9', 3000), "a/b");
                Expect(run, name, caseSeed, await RawHttp.SendAsync(server, "GET", MediaStreamCipher.PathPrefix + forged, [], default), 404, MediaErrorNames.StreamTicketInvalid,
                    httpLayerMayRefuse: true);
                break;
            }

            case Kind.DownloadReused:
            {
                var ticket = await alice.CallAsync(new OpenDownloadStreamCall(media.Id, 0, 1000));
                Expect(run, name, caseSeed, await RawHttp.SendAsync(server, "GET", ticket.Path, [], default), 200, null);
                Expect(run, name, caseSeed, await RawHttp.SendAsync(server, "GET", ticket.Path, [], default), 404, MediaErrorNames.StreamTicketInvalid);
                break;
            }

            case Kind.DownloadUploadTicket:
            {
                var ticket = await UploadTicketAsync();
                Expect(run, name, caseSeed, await RawHttp.SendAsync(server, "GET", ticket.Path, [], default), 404, MediaErrorNames.StreamTicketInvalid);
                Expect(run, name + " then PUT", caseSeed, await PutAsync(server, ticket.Path, Seal(ticket.Key, content)), 404, MediaErrorNames.StreamTicketInvalid);
                break;
            }
        }

        // Whatever the case left in progress is given up: its parts, its place, its quota.
        await alice.CallAsync(new CancelUploadCall(fileId));
    }

    /// <summary>Records a failure unless <paramref name="answer"/> is <paramref name="status"/> with body <paramref name="body"/>
    /// (any body when null, none at all when <paramref name="noAnswerAllowed"/> and the server closed without one; a 400
    /// without a body when <paramref name="httpLayerMayRefuse"/>: Kestrel refused the request line before any handler).</summary>
    private static void Expect(
        FuzzRun run, string kind, int caseSeed, RawHttpAnswer answer, int status, string? body, bool noAnswerAllowed = false, bool httpLayerMayRefuse = false)
    {
        run.Tally(kind, answer.Status is null ? "no answer" : $"{answer.Status} {(status == 200 && body is null ? "" : answer.Text)}");
        if ((answer.Status is null && noAnswerAllowed) || (httpLayerMayRefuse && answer.Status == 400 && answer.Body.Length == 0))
        {
            return;
        }

        if (answer.Status != status || (body is not null && answer.Text != body))
        {
            run.Fail(kind, caseSeed, $"expected {status} {body}, got {answer}");
        }
    }

    private static Task<RawHttpAnswer> PutAsync(Uri server, string path, byte[] body) =>
        RawHttp.SendAsync(server, "PUT", path, [.. OctetStream, ("Content-Length", $"{body.Length}")], body);

    private static T Pick<T>(Random random, params T[] values) => values[random.Next(values.Length)];

    private static byte[] Seal(byte[] key, byte[] plain)
    {
        using var cipher = new MediaStreamCipher(key);
        var sealedBytes = new byte[MediaStreamCipher.SealedLength(plain.Length)];
        cipher.Seal(0, plain, sealedBytes);
        return sealedBytes;
    }

    private static byte[] Open(byte[] key, byte[] sealedBytes)
    {
        using var cipher = new MediaStreamCipher(key);
        var plain = new MemoryStream();
        var buffer = new byte[MediaStreamCipher.ChunkBytes];
        for (long index = 0, at = 0; at < sealedBytes.Length; index++)
        {
            var length = (int)Math.Min(MediaStreamCipher.SealedChunkBytes, sealedBytes.Length - at);
            if (length <= MediaStreamCipher.TagBytes)
            {
                return [];
            }

            cipher.Open(index, sealedBytes.AsSpan((int)at, length), buffer);
            plain.Write(buffer, 0, length - MediaStreamCipher.TagBytes);
            at += length;
        }

        return plain.ToArray();
    }
}
