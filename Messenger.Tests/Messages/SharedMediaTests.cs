using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.getSharedMedia</c>: a chat's photos, videos, audio, documents and links, as its info shows them.</summary>
public sealed class SharedMediaTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await Groups.GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task EachKind_ListsItsMessages_NewestFirst_AndFollowsEditsDeletesAndHiding()
    {
        await using var alice = await _host.SignUpAsync("alice_shared");
        await using var bob = await _host.SignUpAsync("bob_shared");
        var sent = await SendOneOfEachAsync(alice, bob.Peer);

        foreach (var (filter, expected) in new[]
                 {
                     (SharedMedia.Photo, new[] { sent.SecondPhoto, sent.Photo }),
                     (SharedMedia.Video, new[] { sent.Video }),
                     (SharedMedia.Audio, new[] { sent.Voice }),
                     (SharedMedia.Document, new[] { sent.Pdf }),
                     (SharedMedia.Link, new[] { sent.Link }),
                 })
        {
            (await bob.Client.GetSharedMediaAsync(alice.Peer, filter)).Messages.Select(m => m.Id).Should().Equal(expected, filter);
        }

        var firstPage = await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Photo, limit: 1);
        firstPage.Messages.Select(m => m.Id).Should().Equal(sent.SecondPhoto);
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Photo, offsetId: sent.SecondPhoto)).Messages.Select(m => m.Id).Should().Equal(sent.Photo);

        await alice.Client.EditMessageAsync(bob.Peer, sent.Link, "no link any more");
        await alice.Client.EditMessageAsync(bob.Peer, sent.Plain, "now with https://example.org/x");
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Link)).Messages.Select(m => m.Id).Should().Equal(sent.Plain);
        await alice.Client.EditMessageAsync(bob.Peer, sent.Pdf, "a caption with https://example.org/y");
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Document)).Messages.Select(m => m.Id).Should().Equal([sent.Pdf], "a file stays a file");

        await alice.Client.DeleteMessagesAsync(bob.Peer, [sent.SecondPhoto], revoke: true);
        await bob.Client.DeleteMessagesAsync(alice.Peer, [sent.Video], revoke: false);
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Photo)).Messages.Select(m => m.Id).Should().Equal(sent.Photo);
        (await bob.Client.GetSharedMediaAsync(alice.Peer, SharedMedia.Video)).Messages.Should().BeEmpty("bob deleted it for himself");
        (await alice.Client.GetSharedMediaAsync(bob.Peer, SharedMedia.Video)).Messages.Select(m => m.Id).Should().Equal(sent.Video);
    }

    [Fact]
    public async Task BadFilters_AndForeignChats_AreRefusedByName()
    {
        await using var alice = await _host.SignUpAsync("alice_sharedbad");
        await using var bob = await _host.SignUpAsync("bob_sharedbad");
        await using var carol = await _host.SignUpAsync("carol_sharedbad");
        var foreign = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);
        await bob.Client.SendMediaAsync(Peer.Chat(foreign.Chat.Id), await bob.Client.UploadAsync(MediaTestKit.Png(8, 8, seed: 1), "p.png", "image/png"));

        foreach (var filter in new[] { "gifs", "", "PHOTO", null! })
        {
            await ChatTestKit.FailsWith(() => alice.Client.GetSharedMediaAsync(bob.Peer, filter), MessageErrorNames.FilterInvalid);
        }

        await ChatTestKit.FailsWith(() => alice.Client.GetSharedMediaAsync(bob.Peer, SharedMedia.Photo, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetSharedMediaAsync(bob.Peer, SharedMedia.Photo, limit: 101), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetSharedMediaAsync(bob.Peer, SharedMedia.Photo, offsetId: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetSharedMediaAsync(Peer.User(987_654), SharedMedia.Photo), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetSharedMediaAsync(Peer.Chat(foreign.Chat.Id), SharedMedia.Photo), GroupErrorNames.ChatNotFound, 404);
        (await alice.Client.GetSharedMediaAsync(carol.Peer, SharedMedia.Photo)).Messages.Should().BeEmpty("no chat yet");
        (await carol.Client.GetSharedMediaAsync(Peer.Chat(foreign.Chat.Id), SharedMedia.Photo)).Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task MessagesStoredBeforeTheColumn_AreSortedIntoTheSameKinds_ByTheMigrationsBackfill()
    {
        await using var alice = await _host.SignUpAsync("alice_backfill");
        await using var bob = await _host.SignUpAsync("bob_backfill");
        var kinds = SharedMedia.Filters;
        await SendOneOfEachAsync(alice, bob.Peer);
        var before = new Dictionary<string, long[]>();
        foreach (var filter in kinds)
        {
            before[filter] = [.. (await bob.Client.GetSharedMediaAsync(alice.Peer, filter)).Messages.Select(m => m.Id)];
        }

        using (var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"UPDATE message_messages SET shared_kind = NULL; {SharedKinds.Backfill}";
            command.ExecuteNonQuery();
        }

        foreach (var filter in kinds)
        {
            (await bob.Client.GetSharedMediaAsync(alice.Peer, filter)).Messages.Select(m => m.Id).Should().Equal(before[filter], filter);
        }

        // The bytes the backfill looks for are how the wire serializer writes a descriptor's kind.
        foreach (var (kind, hex) in new[] { ("photo", "a46b696e64a570686f746f"), ("video", "a46b696e64a5766964656f"), ("audio", "a46b696e64a5617564696f") })
        {
            Convert.ToHexStringLower(WireSerializer.Serialize(new MessageMedia(1, kind, "n", "m", 1))).Should().Contain(hex);
        }
    }

    private static async Task<Sent> SendOneOfEachAsync(Device from, Peer to)
    {
        async Task<long> FileAsync(byte[] bytes, string name, string mime) =>
            (await from.Client.SendMediaAsync(to, await from.Client.UploadAsync(bytes, name, mime))).Message.Id;

        var photo = await FileAsync(MediaTestKit.Png(20, 10, seed: 1), "one.png", "image/png");
        var video = await FileAsync(MediaTestKit.RandomBytes(3000, 2), "clip.mp4", "video/mp4");
        var voice = await FileAsync(MediaTestKit.RandomBytes(2000, 3), "voice-1.ogg", "audio/ogg");
        var pdf = await FileAsync(MediaTestKit.RandomBytes(1000, 4), "report.pdf", "application/pdf");
        var link = (await from.Client.SendMessageAsync(to, "see https://example.com/page")).Message.Id;
        var plain = (await from.Client.SendMessageAsync(to, "just words")).Message.Id;
        await from.Client.SendPollAsync(to, "https://example.com/poll?", ["yes", "no"]);
        var secondPhoto = await FileAsync(MediaTestKit.Png(30, 10, seed: 5), "two.png", "image/png");
        return new Sent(photo, video, voice, pdf, link, plain, secondPhoto);
    }

    private sealed record Sent(long Photo, long Video, long Voice, long Pdf, long Link, long Plain, long SecondPhoto);
}
