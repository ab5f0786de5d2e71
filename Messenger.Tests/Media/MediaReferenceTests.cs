using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Media.Collection;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

public sealed class MediaReferenceTests
{
    [Fact]
    public async Task SameFileFromTwoUsers_IsOneBlobWithTwoReferences_GoneAfterBothDeletesAndTheGracePeriod()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var alice = await host.SignedInClientAsync("alice_ref");
        await using var bob = await host.SignedInClientAsync("bob_ref");
        var bytes = RandomBytes(600 * 1024, 11);
        var hash = Sha256(bytes);
        var fromAlice = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_ref")), await alice.UploadAsync(bytes));
        var fromBob = await bob.SendMediaAsync(Peer.User(await bob.IdOfAsync("alice_ref")), await bob.UploadAsync(bytes));

        host.BlobFiles().Should().ContainSingle().Which.Should().EndWith(Path.Combine(hash[..2], hash[2..4], hash));
        host.RefCount(hash).Should().Be(2);
        var collector = host.Services.GetRequiredService<MediaCollector>();

        await alice.DeleteMessagesAsync(Peer.User(await alice.IdOfAsync("bob_ref")), [fromAlice.Message.Id], revoke: true);
        clock.Advance(TimeSpan.FromHours(2));
        await collector.CollectAsync(CancellationToken.None);
        host.RefCount(hash).Should().Be(1);
        host.BlobFiles().Should().ContainSingle();
        Sha256(await alice.DownloadAsync(fromBob.Message.Media!)).Should().Be(hash);

        await bob.DeleteMessagesAsync(Peer.User(await bob.IdOfAsync("alice_ref")), [fromBob.Message.Id], revoke: true);
        host.RefCount(hash).Should().Be(0);
        await collector.CollectAsync(CancellationToken.None);
        host.BlobFiles().Should().ContainSingle("the grace period has not passed");

        clock.Advance(TimeSpan.FromMinutes(61));
        await collector.CollectAsync(CancellationToken.None);
        host.BlobFiles().Should().BeEmpty();
        host.RefCount(hash).Should().BeNull();
        await SessionTestKit.FailsWith(() => alice.DownloadAsync(fromBob.Message.Media!), MediaErrorNames.MediaInvalid);
    }

    [Fact]
    public async Task DeleteForMe_WhenBothSidesDeletedTheirCopy_DropsTheReference()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_dfm");
        await using var bob = await host.SignedInClientAsync("bob_dfm");
        var bytes = RandomBytes(50_000, 12);
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_dfm")), await alice.UploadAsync(bytes));

        await bob.DeleteMessagesAsync(Peer.User(await bob.IdOfAsync("alice_dfm")), [sent.Message.Id], revoke: false);
        host.RefCount(Sha256(bytes)).Should().Be(1, "alice still sees her copy");
        await SessionTestKit.FailsWith(() => bob.DownloadAsync(sent.Message.Media!), MediaErrorNames.MediaInvalid);

        await alice.DeleteMessagesAsync(Peer.User(await alice.IdOfAsync("bob_dfm")), [sent.Message.Id], revoke: false);
        host.RefCount(Sha256(bytes)).Should().Be(0);
    }

    [Fact]
    public async Task DeleteHistory_OnBothSides_DropsTheReference_AndARevokedOneAtOnce()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_dhm");
        await using var bob = await host.SignedInClientAsync("bob_dhm");
        var kept = RandomBytes(40_000, 14);
        var revoked = RandomBytes(30_000, 15);
        var bobPeer = Peer.User(await alice.IdOfAsync("bob_dhm"));
        var alicePeer = Peer.User(await bob.IdOfAsync("alice_dhm"));
        await bob.SendMediaAsync(alicePeer, await bob.UploadAsync(kept));
        await alice.SendMediaAsync(bobPeer, await alice.UploadAsync(revoked));

        await alice.DeleteHistoryAsync(bobPeer, revoke: true);
        host.RefCount(Sha256(revoked)).Should().Be(0, "alice's own message was deleted for both");
        host.RefCount(Sha256(kept)).Should().Be(1, "bob still sees his");

        await bob.DeleteHistoryAsync(alicePeer);
        host.RefCount(Sha256(kept)).Should().Be(0);
    }

    [Fact]
    public async Task Forward_AddsAReferenceWithoutCopying_AndOnlyThoseWhoSeeAMessageCanDownload()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_fwd");
        await using var bob = await host.SignedInClientAsync("bob_fwd");
        await using var carol = await host.SignedInClientAsync("carol_fwd");
        var bytes = RandomBytes(200_000, 13);
        var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_fwd")), await alice.UploadAsync(bytes, "doc.pdf", "application/pdf"), "look");
        var media = sent.Message.Media!;

        // An outsider gets exactly the answer of a media id that does not exist.
        var outsider = await SessionTestKit.FailsWith(() => carol.CallAsync(new GetFileCall(media.Id, 0, 4096)), MediaErrorNames.MediaInvalid);
        var missing = await SessionTestKit.FailsWith(() => carol.CallAsync(new GetFileCall(media.Id + 1000, 0, 4096)), MediaErrorNames.MediaInvalid);
        outsider.Code.Should().Be(404).And.Be(missing.Code);

        var forwarded = await bob.ForwardMessagesAsync(Peer.User(await bob.IdOfAsync("alice_fwd")), [sent.Message.Id], Peer.User(await bob.IdOfAsync("carol_fwd")));
        var copy = forwarded.Messages.Should().ContainSingle().Subject;
        copy.Media.Should().Be(media);
        copy.Text.Should().Be("look");
        copy.FromId.Should().Be(await bob.IdOfAsync("bob_fwd"));

        host.BlobFiles().Should().ContainSingle();
        host.RefCount(Sha256(bytes)).Should().Be(2);
        Sha256(await carol.DownloadAsync(media)).Should().Be(Sha256(bytes));
        (await carol.GetHistoryAsync(Peer.User(await carol.IdOfAsync("bob_fwd")))).Should().ContainSingle().Which.Media.Should().Be(media);

        // The original is revoked: the forward keeps the file alive for carol.
        await alice.DeleteMessagesAsync(Peer.User(await alice.IdOfAsync("bob_fwd")), [sent.Message.Id], revoke: true);
        host.RefCount(Sha256(bytes)).Should().Be(1);
        Sha256(await carol.DownloadAsync(media)).Should().Be(Sha256(bytes));
    }

    [Fact]
    public async Task Forward_WhenResentWithTheSameRandomIds_StoresOneCopyAndOneReference()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignedInClientAsync("alice_fwi");
        await using var bob = await host.SignedInClientAsync("bob_fwi");
        var bytes = RandomBytes(10_000, 14);
        var bobPeer = Peer.User(await alice.IdOfAsync("bob_fwi"));
        var sent = await alice.SendMediaAsync(bobPeer, await alice.UploadAsync(bytes));
        var text = await alice.SendMessageAsync(bobPeer, "plain");

        var call = new ForwardMessagesCall(bobPeer, [sent.Message.Id, text.Message.Id], Peer.User(await alice.IdOfAsync("alice_fwi")), [11, 12]);
        var first = await alice.CallAsync(call);
        var again = await alice.CallAsync(call);

        again.Messages.Select(m => m.Id).Should().Equal(first.Messages.Select(m => m.Id));
        again.PtsCount.Should().Be(0);
        first.Messages[1].Media.Should().BeNull();
        host.RefCount(Sha256(bytes)).Should().Be(2);
        await SessionTestKit.FailsWith(
            () => alice.CallAsync(call with { Ids = [sent.Message.Id + 1000], RandomIds = [13] }), MessageErrorNames.MessageIdInvalid);
    }

    [Fact]
    public async Task Restart_AfterACrashDuringUpload_LeavesNothingBehindOnceExpired()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var orphan = new string('a', 64);
        await using (var host = await SessionTestKit.StartHostAsync(clock: clock, dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_crs");
            await alice.CallAsync(new SaveFilePartCall(5, 0, 3, new byte[64 * 1024]));
            await alice.CallAsync(new SaveFilePartCall(5, 2, 3, new byte[10]));
            host.UploadFiles().Should().NotBeEmpty();
        }

        // What a crash between storing a blob and recording it would leave: a file that no row counts.
        var orphanPath = Path.Combine(data.Path, "media", "sha256", "aa", "aa", orphan);
        Directory.CreateDirectory(Path.GetDirectoryName(orphanPath)!);
        await File.WriteAllBytesAsync(orphanPath, [1, 2, 3]);

        clock.Advance(TimeSpan.FromHours(25));
        await using (var host = await SessionTestKit.StartHostAsync(clock: clock, dataDirectory: data.Path))
        {
            // The collector's first pass runs at start-up; run one here too so the test does not depend on its timing.
            await host.Services.GetRequiredService<MediaCollector>().CollectAsync(CancellationToken.None);
            await SessionTestKit.WaitUntil(() => host.UploadFiles().Length == 0 && host.BlobFiles().Length == 0);
        }
    }
}
