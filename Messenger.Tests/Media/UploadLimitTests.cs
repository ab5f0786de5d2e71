using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Media.Uploads;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>Uploads in progress are bounded per user: in number, in what they reserve of the quota, and in memory.</summary>
public sealed class UploadLimitTests
{
    private const int KiB = 1024;

    [Fact]
    public async Task StartUpload_WhenTheUserHasTheLimitInProgress_Fails420UntilOneIsAttached()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UploadsInProgressPerUser"] = "10" });
        await using var alice = await host.SignedInClientAsync("alice_lim");
        await using var bob = await host.SignedInClientAsync("bob_lim");
        var bobPeer = Peer.User(await alice.IdOfAsync("bob_lim"));

        // An album of ten files uploaded side by side, each in parallel parts (one upload per file), on both transports.
        var album = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => alice.UploadFileAsync(
            new MemoryStream(RandomBytes(1100 * KiB + i, 40 + i)), $"{i}.bin", "application/octet-stream",
            transport: i % 2 == 0 ? MediaTransport.Stream : MediaTransport.Rpc)));

        var refused = await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(1, 0, 1, new byte[KiB])), MediaErrorNames.UploadsTooMany);
        refused.Code.Should().Be(420);
        refused.RetryAfterSeconds.Should().BeInRange(1, (24 * 60 + 10) * 60, "the first upload expires 24 h after it was last touched, and the collector passes every 10 minutes");
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(1, 10 * KiB, 0, 1)), MediaErrorNames.UploadsTooMany);
        await SessionTestKit.FailsWith(() => alice.UploadAsync(RandomBytes(10 * KiB, 50)), MediaErrorNames.UploadsTooMany);
        (await alice.CallAsync(new GetUploadedPartsCall(1))).TotalParts.Should().Be(0, "nothing of the refused upload was kept");

        // The uploads in progress still take their parts, and another user is not counted with alice.
        await alice.CallAsync(new SaveFilePartCall(album[0].FileId, 2, 3, RandomBytes(1100 * KiB, 40)[(1024 * KiB)..]));
        await bob.SendMediaAsync(Peer.User(await bob.IdOfAsync("alice_lim")), await bob.UploadAsync(RandomBytes(10 * KiB, 51)));

        // An attached upload no longer counts: a new one starts.
        await alice.SendMediaAsync(bobPeer, album[3]);
        var next = await alice.UploadAsync(RandomBytes(10 * KiB, 52));
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(2, 0, 1, new byte[KiB])), MediaErrorNames.UploadsTooMany);
        foreach (var media in album.Where((_, i) => i != 3).Append(next))
        {
            await alice.SendMediaAsync(bobPeer, media);
        }

        await alice.CallAsync(new SaveFilePartCall(2, 0, 1, new byte[KiB]));
    }

    [Fact]
    public async Task StartUpload_WhenUploadsInProgressReserveTheQuota_FailsQuotaExceeded()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UserQuotaMegabytes"] = "1" });
        await using var alice = await host.SignedInClientAsync("alice_rsv");
        await host.SignedInClientAsync("bob_rsv").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
        var bob = Peer.User(await alice.IdOfAsync("bob_rsv"));
        var first = RandomBytes(512 * KiB + 1, 60);

        // Open, with nothing stored: at least 512 KiB + 1 byte reserved; another of that size does not fit beside it.
        await alice.CallAsync(new SaveFilePartCall(1, 0, 2, first[..(512 * KiB)]));
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(2, 0, 2, new byte[512 * KiB])), MediaErrorNames.QuotaExceeded);
        await SessionTestKit.FailsWith(() => alice.CallAsync(new OpenUploadStreamCall(2, 600 * KiB, 0, 2)), MediaErrorNames.QuotaExceeded);

        // A small upload fits; its first part is its last, so its size shows only when another part comes, which is then refused.
        await alice.CallAsync(new SaveFilePartCall(3, 1, 2, new byte[KiB]));
        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(3, 0, 2, new byte[512 * KiB])), MediaErrorNames.QuotaExceeded);
        await alice.CallAsync(new SaveFilePartCall(3, 0, 2, new byte[4 * KiB]));

        // Attached, the first counts as stored; the room left takes a new upload.
        await alice.CallAsync(new SaveFilePartCall(1, 1, 2, first[(512 * KiB)..]));
        await alice.SendMediaAsync(bob, new InputMedia(1, 2, "a.bin", "application/octet-stream"));
        await alice.SendMediaAsync(bob, new InputMedia(3, 2, "b.bin", "application/octet-stream"));
        await alice.SendMediaAsync(bob, await alice.UploadAsync(RandomBytes(400 * KiB, 61)));
    }

    [Fact]
    public async Task Upload_ResumedAfterARestart_CountsAgainstTheLimitAndCompletes()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Messenger:Media:UploadsInProgressPerUser"] = "1" };
        var bytes = RandomBytes(512 * KiB + 10, 70);
        await using (var host = await SessionTestKit.StartHostAsync(settings, dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_rl");
            await host.SignedInClientAsync("bob_rl").ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();
            await alice.CallAsync(new SaveFilePartCall(7, 1, 2, bytes[(512 * KiB)..]));
        }

        await using (var host = await SessionTestKit.StartHostAsync(settings, dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_rl", register: false);
            (await alice.CallAsync(new GetUploadedPartsCall(7))).Parts.Should().Equal(1);
            await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(8, 0, 1, new byte[KiB])), MediaErrorNames.UploadsTooMany);

            await alice.CallAsync(new SaveFilePartCall(7, 0, 2, bytes[..(512 * KiB)]));
            var bob = Peer.User(await alice.IdOfAsync("bob_rl"));
            (await alice.SendMediaAsync(bob, new InputMedia(7, 2, "a.bin", "application/octet-stream"))).Message.Media!.Size.Should().Be(bytes.Length);
            await alice.CallAsync(new SaveFilePartCall(8, 0, 1, new byte[KiB]));
        }
    }

    [Fact]
    public async Task SaveFilePart_ManyHugeDeclaredUploadsOfOneByte_AreRefusedPastTheLimitAndCostLittleMemory()
    {
        const int totalParts = 2_097_152;
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Media:UserQuotaMegabytes"] = "0" });
        await using var alice = await host.SignedInClientAsync("alice_huge");
        await using var bob = await host.SignedInClientAsync("bob_huge");
        var aliceId = await bob.IdOfAsync("alice_huge");
        var uploads = host.Services.GetRequiredService<UploadStore>();

        for (var fileId = 1; fileId <= 32; fileId++)
        {
            await alice.CallAsync(new SaveFilePartCall(fileId, totalParts - 1, totalParts, new byte[1]));
        }

        await SessionTestKit.FailsWith(() => alice.CallAsync(new SaveFilePartCall(33, totalParts - 1, totalParts, new byte[1])), MediaErrorNames.UploadsTooMany);
        host.UploadFiles().Should().HaveCount(64, "32 uploads of a .parts and a .last each; nothing of the refused one");
        for (var fileId = 1; fileId <= 32; fileId++)
        {
            uploads.FootprintBytes(aliceId, fileId).Should().BeLessThan(1024, "a part received is a few bytes, not a bit per declared part");
        }

        // Parts out of order are held beyond the received prefix until the gap closes; the resume list stays right.
        foreach (var part in new[] { 5, 3, 0, 1, 9 })
        {
            await alice.CallAsync(new SaveFilePartCall(1, part, totalParts, new byte[KiB]));
        }

        (await alice.CallAsync(new GetUploadedPartsCall(1))).Parts.Should().Equal(0, 1, 3, 5, 9, totalParts - 1);
        await alice.CallAsync(new SaveFilePartCall(1, 2, totalParts, new byte[KiB]));
        await alice.CallAsync(new SaveFilePartCall(1, 4, totalParts, new byte[KiB]));
        (await alice.CallAsync(new GetUploadedPartsCall(1))).Parts.Should().Equal(0, 1, 2, 3, 4, 5, 9, totalParts - 1);
        uploads.FootprintBytes(aliceId, 1).Should().BeLessThan(1024);
    }
}
