using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Media;

/// <summary><c>account.updateProfilePhoto</c>: an uploaded image held by the user, readable by anyone signed in.</summary>
public sealed class ProfilePhotoTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Photo_IsSeenAndDownloadedByAnyone_ReplacedWithoutALeak_AndRemoved()
    {
        await using var alice = await _host.SignUpAsync("alice_photo");
        await using var stranger = await _host.SignUpAsync("stranger_photo");
        var first = MediaTestKit.Png(64, 48, seed: 1);

        var user = await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(first, "me.png", "image/png"));

        user.Photo.Should().Match<MessageMedia>(p => p.Kind == MediaKinds.Photo && p.Width == 64 && p.Height == 48 && p.Size == first.Length);
        var seen = (await stranger.Client.GetUsersAsync([alice.UserId])).Single();
        seen.Photo.Should().Be(user.Photo, "everyone sees the photo, not only people alice chats with");
        (await stranger.Client.DownloadAsync(seen.Photo!)).Should().Equal(first);
        var firstHash = MediaTestKit.Sha256(first);
        _host.RefCount(firstHash).Should().Be(1);

        var second = MediaTestKit.Png(32, 32, seed: 2);
        var replaced = await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(second, "me2.png", "image/png"));
        replaced.Photo!.Id.Should().NotBe(user.Photo!.Id);
        _host.RefCount(firstHash).Should().Be(0, "the old photo's reference went with it");
        await ChatTestKit.FailsWith(() => stranger.Client.DownloadAsync(user.Photo!), MediaErrorNames.MediaInvalid, 404);
        (await stranger.Client.DownloadAsync(replaced.Photo!)).Should().Equal(second);

        (await alice.Client.UpdateProfilePhotoAsync(null)).Photo.Should().BeNull();
        (await stranger.Client.GetUsersAsync([alice.UserId])).Single().Photo.Should().BeNull();
        _host.RefCount(MediaTestKit.Sha256(second)).Should().Be(0);
        await ChatTestKit.FailsWith(() => stranger.Client.DownloadAsync(replaced.Photo!), MediaErrorNames.MediaInvalid, 404);
    }

    [Fact]
    public async Task NotAnImage_OrTooBig_IsRefusedByName_AndTheOldPhotoStays()
    {
        await using var alice = await _host.SignUpAsync("alice_badphoto");
        var photo = (await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(MediaTestKit.Png(10, 10, seed: 3), "ok.png", "image/png"))).Photo;

        await ChatTestKit.FailsWith(
            async () => await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(MediaTestKit.RandomBytes(2048, 4), "fake.png", "image/png")),
            SessionErrorNames.PhotoInvalid);
        await ChatTestKit.FailsWith(
            async () => await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(MediaTestKit.Png(10, 10, seed: 5), "doc.pdf", "application/pdf")),
            SessionErrorNames.PhotoInvalid);
        await ChatTestKit.FailsWith(
            async () => await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(MediaTestKit.Png(4000, 3000, seed: 6, length: 10 * 1024 * 1024 + 1), "huge.png", "image/png")),
            SessionErrorNames.PhotoTooBig);
        await ChatTestKit.FailsWith(() => alice.Client.UpdateProfilePhotoAsync(new InputMedia(12345, 1, "never.png", "image/png")), MediaErrorNames.FilePartsInvalid);

        (await alice.Client.GetUsersAsync([alice.UserId])).Single().Photo.Should().Be(photo);
    }

    [Fact]
    public async Task DeletingTheAccount_ReleasesThePhoto()
    {
        await using var admin = await _host.SignUpAsync("admin_photo");
        await using var alice = await _host.SignUpAsync("alice_gone");
        var bytes = MediaTestKit.Png(20, 20, seed: 7);
        var photo = (await alice.Client.UpdateProfilePhotoAsync(await alice.Client.UploadAsync(bytes, "me.png", "image/png"))).Photo!;

        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);

        (await admin.Client.GetUsersAsync([alice.UserId])).Single().Photo.Should().BeNull();
        _host.RefCount(MediaTestKit.Sha256(bytes)).Should().Be(0);
        await ChatTestKit.FailsWith(() => admin.Client.DownloadAsync(photo), MediaErrorNames.MediaInvalid, 404);
    }
}
