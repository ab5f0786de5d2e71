using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Media;

/// <summary><c>groups.editPhoto</c>: an uploaded image held by the group, set by admins, readable by members only.</summary>
public sealed class GroupPhotoTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Photo_IsSetByAnAdmin_SeenAndDownloadedByMembersOnly_ReplacedWithoutALeak_AndRemoved()
    {
        await using var alice = await _host.MemberAsync("alice_gphoto");
        await using var bob = await _host.MemberAsync("bob_gphoto", listen: true);
        await using var carol = await _host.MemberAsync("carol_gphoto");
        var group = await alice.Client.CreateGroupAsync("Climbers", [bob.Id, carol.Id]);
        var first = MediaTestKit.Png(64, 48, seed: 21);

        var changed = await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(first, "group.png", "image/png"));

        changed.Chat.Photo.Should().Match<MessageMedia>(p => p.Kind == MediaKinds.Photo && p.Width == 64 && p.Height == 48 && p.Size == first.Length);
        changed.Message!.Action!.Kind.Should().Be(ServiceActions.EditPhoto);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Action?.Kind == ServiceActions.EditPhoto)).Peer.Should().Be(Peer.Chat(group.Chat.Id));
        var seen = (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo;
        seen.Should().Be(changed.Chat.Photo);
        (await bob.Client.DownloadAsync(seen!)).Should().Equal(first);
        await ChatTestKit.FailsWith(() => bob.Client.EditChatPhotoAsync(group.Chat.Id, null), GroupErrorNames.ChatAdminRequired, 403);

        await bob.Client.DeleteMessagesAsync(Peer.Chat(group.Chat.Id), [changed.Message.Id], revoke: false);
        (await bob.Client.DownloadAsync(seen!)).Should().Equal(first, "the group holds its photo, not the service message");
        await alice.Client.RemoveMemberAsync(group.Chat.Id, carol.Id);
        await ChatTestKit.FailsWith(() => carol.Client.DownloadAsync(seen!), MediaErrorNames.MediaInvalid, 404);

        var second = MediaTestKit.Png(32, 32, seed: 22);
        var replaced = await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(second, "group2.png", "image/png"));
        _host.RefCount(MediaTestKit.Sha256(first)).Should().Be(0, "the old photo's reference went with it");
        await ChatTestKit.FailsWith(() => bob.Client.DownloadAsync(seen!), MediaErrorNames.MediaInvalid, 404);
        (await bob.Client.DownloadAsync(replaced.Chat.Photo!)).Should().Equal(second);

        var removed = await alice.Client.EditChatPhotoAsync(group.Chat.Id, null);
        removed.Chat.Photo.Should().BeNull();
        removed.Message!.Action!.Kind.Should().Be(ServiceActions.DeletePhoto);
        (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo.Should().BeNull();
        _host.RefCount(MediaTestKit.Sha256(second)).Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.EditChatPhotoAsync(group.Chat.Id, null), GroupErrorNames.ChatNotModified);
    }

    [Fact]
    public async Task AChannelsPhoto_IsReadableBySubscribers_AndMemberChangesCarryIt()
    {
        await using var alice = await _host.MemberAsync("alice_cphoto");
        await using var bob = await _host.MemberAsync("bob_cphoto");
        await using var dave = await _host.MemberAsync("dave_cphoto");
        var channel = await alice.Client.CreateGroupAsync("News", [bob.Id], large: true, broadcast: true);
        var bytes = MediaTestKit.Png(16, 16, seed: 23);

        var photo = (await alice.Client.EditChatPhotoAsync(channel.Chat.Id, await alice.Client.UploadAsync(bytes, "news.png", "image/png"))).Chat.Photo!;

        (await bob.Client.DownloadAsync(photo)).Should().Equal(bytes);
        await ChatTestKit.FailsWith(() => dave.Client.DownloadAsync(photo), MediaErrorNames.MediaInvalid, 404);
        (await alice.Client.AddMembersAsync(channel.Chat.Id, [dave.Id])).Chat.Photo.Should().Be(photo);
        (await dave.Client.DownloadAsync(photo)).Should().Equal(bytes);
    }

    [Fact]
    public async Task BadPhotos_AndOutsiders_AreRefusedByName_AndThePhotoStays()
    {
        await using var alice = await _host.MemberAsync("alice_badgp");
        await using var bob = await _host.MemberAsync("bob_badgp");
        await using var mallory = await _host.MemberAsync("mallory_badgp");
        var group = await alice.Client.CreateGroupAsync("Kept", [bob.Id]);
        var photo = (await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(MediaTestKit.Png(10, 10, seed: 24), "ok.png", "image/png"))).Chat.Photo;

        await ChatTestKit.FailsWith(
            async () => await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(MediaTestKit.RandomBytes(2048, 25), "fake.png", "image/png")),
            SessionErrorNames.PhotoInvalid);
        await ChatTestKit.FailsWith(
            async () => await alice.Client.EditChatPhotoAsync(group.Chat.Id, await alice.Client.UploadAsync(MediaTestKit.Png(10, 10, seed: 26), "doc.pdf", "application/pdf")),
            SessionErrorNames.PhotoInvalid);
        await ChatTestKit.FailsWith(
            async () => await alice.Client.EditChatPhotoAsync(
                group.Chat.Id, await alice.Client.UploadAsync(MediaTestKit.Png(4000, 3000, seed: 27, length: 10 * 1024 * 1024 + 1), "huge.png", "image/png")),
            SessionErrorNames.PhotoTooBig);
        await ChatTestKit.FailsWith(() => alice.Client.EditChatPhotoAsync(group.Chat.Id, new InputMedia(12345, 1, "never.png", "image/png")), MediaErrorNames.FilePartsInvalid);
        await ChatTestKit.FailsWith(
            async () => await mallory.Client.EditChatPhotoAsync(group.Chat.Id, await mallory.Client.UploadAsync(MediaTestKit.Png(10, 10, seed: 28), "x.png", "image/png")),
            GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => mallory.Client.EditChatPhotoAsync(0, null), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => mallory.Client.EditChatPhotoAsync(-5, null), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => mallory.Client.DownloadAsync(photo!), MediaErrorNames.MediaInvalid, 404);

        (await bob.Client.GetFullChatAsync(group.Chat.Id)).Chat.Photo.Should().Be(photo);
        (await alice.Client.GetHistoryAsync(Peer.Chat(group.Chat.Id))).Count(m => m.Action?.Kind == ServiceActions.EditPhoto).Should().Be(1);
    }
}
