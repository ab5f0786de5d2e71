using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Media.Downloads;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>A file forwarded many times is carried by as many messages: reading it must not walk them all for every
/// part, and the access rules hold as before.</summary>
public sealed class MediaAccessTests
{
    [Fact]
    public async Task AHeavilyForwardedFile_IsNotWalkedAgainForEachPart_AndLeavingOrHidingTheCopyStillEndsAccess()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var memory = host.Services.GetRequiredService<MediaAccessMemory>();
        memory.MessagesPerQuery = 2;
        await using var alice = await host.SignedInClientAsync("alice_walk");
        await using var bob = await host.SignedInClientAsync("bob_walk");
        await using var carol = await host.SignedInClientAsync("carol_walk");
        await using var dave = await host.SignedInClientAsync("dave_walk");
        var (bobId, carolId, daveId) = (await alice.IdOfAsync("bob_walk"), await alice.IdOfAsync("carol_walk"), await alice.IdOfAsync("dave_walk"));
        var sent = await alice.SendMediaAsync(Peer.User(bobId), await alice.UploadAsync(RandomBytes(10_000, 7), "report.pdf", "application/pdf"), "");
        var media = sent.Message.Media!;
        // Carol's copy is the oldest but one: the newer ones, in alice's and bob's chat, are not hers.
        var group = (await alice.CreateGroupAsync("Reports", [carolId])).Chat;
        await alice.ForwardMessagesAsync(Peer.User(bobId), [sent.Message.Id], Peer.Chat(group.Id));
        for (var i = 0; i < 6; i++)
        {
            await bob.ForwardMessagesAsync(Peer.User(await bob.IdOfAsync("alice_walk")), [sent.Message.Id], Peer.User(await bob.IdOfAsync("alice_walk")));
        }

        // 8 messages carry it, 2 asked about per query: carol's copy is found by the 4th, then asked about alone.
        var queries = memory.Queries;
        await carol.CallAsync(new GetFileCall(media.Id, 0, 4096));
        (memory.Queries - queries).Should().Be(4);
        queries = memory.Queries;
        await carol.CallAsync(new GetFileCall(media.Id, 4096, 4096));
        (memory.Queries - queries).Should().Be(1, "the copy carol saw is asked about alone");

        // Dave sees none: the walk is made once; a copy forwarded to him since is found without walking the others.
        queries = memory.Queries;
        await SessionTestKit.FailsWith(() => dave.CallAsync(new GetFileCall(media.Id, 0, 4096)), MediaErrorNames.MediaInvalid);
        (memory.Queries - queries).Should().Be(4);
        queries = memory.Queries;
        await SessionTestKit.FailsWith(() => dave.CallAsync(new GetFileCall(media.Id, 4096, 4096)), MediaErrorNames.MediaInvalid);
        (memory.Queries - queries).Should().Be(0, "nothing new carries it");
        var toDave = (await bob.ForwardMessagesAsync(Peer.User(await bob.IdOfAsync("alice_walk")), [sent.Message.Id], Peer.User(daveId))).Messages.Single();
        queries = memory.Queries;
        (await dave.CallAsync(new GetFileCall(media.Id, 0, 4096))).Bytes.Should().HaveCount(4096);
        (memory.Queries - queries).Should().Be(1, "only the copy newer than the walk is asked about");

        // The rules hold as before: carol leaves the group, dave deletes his copy for himself; both are refused.
        await carol.LeaveGroupAsync(group.Id);
        await SessionTestKit.FailsWith(() => carol.CallAsync(new GetFileCall(media.Id, 0, 4096)), MediaErrorNames.MediaInvalid);
        await dave.DeleteMessagesAsync(Peer.User(bobId), [toDave.Id], revoke: false);
        await SessionTestKit.FailsWith(() => dave.CallAsync(new GetFileCall(media.Id, 0, 4096)), MediaErrorNames.MediaInvalid);
        (await bob.CallAsync(new GetFileCall(media.Id, 0, 4096))).Bytes.Should().HaveCount(4096, "bob still sees his copies");
    }
}
