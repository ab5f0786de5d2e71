using System.Net;
using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>
/// An upload whose parts find the disk full: the upload's data file is made a link to <c>/dev/full</c>, where every
/// write fails with ENOSPC, exactly as on a full disk. Each transport answers STORAGE_FULL (not INTERNAL, not a
/// dropped connection) inside the SDK's resumable <see cref="UploadException"/>, readiness says why, and the same
/// upload resumes from that exception and completes once there is room.
/// </summary>
public sealed class MediaDiskFullTests
{
    private const long FileId = 4_242;

    [Theory]
    [InlineData(MediaTransport.Stream)]
    [InlineData(MediaTransport.Rpc)]
    public async Task Upload_WhenTheDiskIsFull_FailsWithStorageFull_AndResumesOnceThereIsRoom(MediaTransport transport)
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_full");
        await using var bob = await host.SignedInClientAsync("bob_full");
        var bobPeer = Peer.User(await alice.IdOfAsync("bob_full"));
        var bytes = RandomBytes((3 * MediaMethods.PartSize) + 100, 7); // four parts: the last in a file of its own
        var uploads = Path.Combine(host.DataDirectory, "tmp", "uploads");
        Directory.CreateDirectory(uploads);
        // The store's name for the parts of this user's upload (all but the last part go into it).
        var data = Path.Combine(uploads, $"{await alice.IdOfAsync("alice_full")}-{(ulong)FileId:x16}.data");
        File.CreateSymbolicLink(data, "/dev/full");

        Task<InputMedia> Upload(long fileId) =>
            alice.UploadFileAsync(new MemoryStream(bytes), "full.bin", "application/octet-stream", fileId: fileId, transport: transport);

        var failed = (await alice.Invoking(_ => Upload(FileId)).Should().ThrowAsync<UploadException>()).Which;
        failed.FileId.Should().Be(FileId);
        failed.InnerException.Should().BeOfType<RpcException>().Which.Name.Should().Be("STORAGE_FULL");
        using var http = host.CreateHttpClient();
        var ready = await http.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Unhealthy\ndatabase: no room to write: writes fail with STORAGE_FULL");
        (await alice.CallAsync(new PingCall(3))).Id.Should().Be(3, "the connection goes on");

        File.Delete(data); // room again
        var input = await Upload(failed.FileId);
        var sent = await alice.SendMediaAsync(bobPeer, input);
        Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
    }
}
