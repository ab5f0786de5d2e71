using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.getReadParticipants</c>: "seen by" for one's own messages in private chats and small groups.</summary>
public sealed class ReadParticipantsTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SmallGroup_ListsTheCurrentMembersWhoReadAsFarAsTheMessage()
    {
        await using var alice = await _host.MemberAsync("alice_seen");
        await using var bob = await _host.MemberAsync("bob_seen");
        await using var carol = await _host.MemberAsync("carol_seen");
        await using var dave = await _host.MemberAsync("dave_seen");
        var group = await alice.Client.CreateGroupAsync("Standup", [bob.Id, carol.Id, dave.Id]);
        var peer = Peer.Chat(group.Chat.Id);
        var first = (await alice.Client.SendMessageAsync(peer, "standup in 5")).Message.Id;

        (await alice.Client.GetReadParticipantsAsync(peer, first)).Should().BeEmpty();
        await bob.Client.ReadHistoryAsync(peer, first);
        await dave.Client.ReadHistoryAsync(peer, first);
        (await alice.Client.GetReadParticipantsAsync(peer, first)).Should().Equal(bob.Id, dave.Id);

        var second = (await alice.Client.SendMessageAsync(peer, "moved to 10")).Message.Id;
        await carol.Client.ReadHistoryAsync(peer, second);
        await dave.Client.LeaveGroupAsync(group.Chat.Id);
        (await alice.Client.GetReadParticipantsAsync(peer, first)).Should().Equal([bob.Id, carol.Id], "reading a later message reads this one; who left is not listed");
        (await alice.Client.GetReadParticipantsAsync(peer, second)).Should().Equal(carol.Id);
    }

    [Fact]
    public async Task PrivateChat_ListsThePeerOnceTheyRead()
    {
        await using var alice = await _host.MemberAsync("alice_seenp");
        await using var bob = await _host.MemberAsync("bob_seenp");
        var sent = (await alice.Client.SendMessageAsync(Peer.User(bob.Id), "did you see this?")).Message.Id;

        (await alice.Client.GetReadParticipantsAsync(Peer.User(bob.Id), sent)).Should().BeEmpty();
        await bob.Client.ReadHistoryAsync(Peer.User(alice.Id), sent);
        (await alice.Client.GetReadParticipantsAsync(Peer.User(bob.Id), sent)).Should().Equal(bob.Id);
    }

    [Fact]
    public async Task OthersMessages_Deleted_Foreign_AndLargeChats_AreRefusedByName()
    {
        await using var alice = await _host.MemberAsync("alice_seenbad");
        await using var bob = await _host.MemberAsync("bob_seenbad");
        await using var carol = await _host.MemberAsync("carol_seenbad");
        var group = await alice.Client.CreateGroupAsync("Small", [bob.Id]);
        var large = await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true);
        var peer = Peer.Chat(group.Chat.Id);
        var fromBob = (await bob.Client.SendMessageAsync(peer, "bob's")).Message.Id;
        var revoked = (await alice.Client.SendMessageAsync(peer, "oops")).Message.Id;
        await alice.Client.DeleteMessagesAsync(peer, [revoked], revoke: true);
        var hidden = (await alice.Client.SendMessageAsync(peer, "hidden for me")).Message.Id;
        await alice.Client.DeleteMessagesAsync(peer, [hidden], revoke: false);
        var elsewhere = (await alice.Client.SendMessageAsync(Peer.User(carol.Id), "elsewhere")).Message.Id;
        var inLarge = (await alice.Client.SendMessageAsync(Peer.Chat(large.Chat.Id), "large")).Message.Id;

        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(peer, fromBob), MessageErrorNames.MessageAuthorRequired, 403);
        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(peer, revoked), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(peer, hidden), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(peer, elsewhere), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(peer, 0), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(Peer.Chat(large.Chat.Id), inLarge), MessageErrorNames.ChatTooBig);
        await ChatTestKit.FailsWith(() => carol.Client.GetReadParticipantsAsync(peer, fromBob), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.GetReadParticipantsAsync(Peer.User(987654), 1), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetReadParticipantsAsync(Peer.User(carol.Id), elsewhere), MessageErrorNames.MessageIdInvalid);
    }
}
