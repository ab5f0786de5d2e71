using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary><c>messages.saveDraft</c>: the text a user is writing, on all their devices and nobody else's.</summary>
public sealed class DraftTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Draft_ReachesTheUsersOtherDevices_AndTheirDialogs_NotThePeer_AndIsClearedByEmptyText()
    {
        await using var alice = await _host.SignUpAsync("alice_draft");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_draft");
        await using var bob = await _host.SignUpAsync("bob_draft");
        var question = await bob.SendAsync(alice, "are you coming?");

        var saved = await alice.Client.SaveDraftAsync(bob.Peer, "Yes, I'll be there at ", question.Message.Id);

        saved.PtsCount.Should().Be(1);
        var onPhone = await alicePhone.NextAsync<DraftChanged>();
        onPhone.Peer.Should().Be(bob.Peer);
        onPhone.Draft!.Text.Should().Be("Yes, I'll be there at ", "a draft is kept as typed, spaces included");
        onPhone.Draft.ReplyToId.Should().Be(question.Message.Id);
        (await DialogWith(alicePhone, bob)).Draft.Should().Be(onPhone.Draft);
        (await DialogWith(bob, alice)).Draft.Should().BeNull("a draft is its writer's own");
        (await alice.Client.SaveDraftAsync(bob.Peer, "Yes, I'll be there at ", question.Message.Id)).PtsCount.Should().Be(0);

        await alice.SendAsync(bob, "Yes, I'll be there at 6");
        await alice.Client.SaveDraftAsync(bob.Peer, "  ");
        (await alicePhone.NextAsync<DraftChanged>(e => e.Draft is null)).Peer.Should().Be(bob.Peer);
        (await DialogWith(alicePhone, bob)).Draft.Should().BeNull();
        _host.CountRows("message_drafts").Should().Be(0);
        var bobsEvents = await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "Yes, I'll be there at 6" });
        bobsEvents.OfType<DraftChanged>().Should().BeEmpty();
    }

    [Fact]
    public async Task Draft_InALargeGroup_AndBeforeAPrivateChatStarts_ShowsInTheDialog()
    {
        await using var alice = await _host.MemberAsync("alice_gdraft");
        await using var bob = await _host.MemberAsync("bob_gdraft");
        var group = await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true);

        await bob.Client.SaveDraftAsync(Peer.Chat(group.Chat.Id), "half a thought");
        await bob.Client.SaveDraftAsync(Peer.User(alice.Id), "hi alice");

        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == Peer.Chat(group.Chat.Id)).Draft!.Text.Should().Be("half a thought");
        (await alice.Client.GetDialogsAsync()).Items.Single(d => d.Peer == Peer.Chat(group.Chat.Id)).Draft.Should().BeNull();
        await alice.Client.SendMessageAsync(Peer.User(bob.Id), "hello bob");
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == Peer.User(alice.Id)).Draft!.Text.Should().Be("hi alice");
    }

    [Fact]
    public async Task BadDrafts_AreRefusedByName()
    {
        await using var alice = await _host.SignUpAsync("alice_baddraft");
        await using var bob = await _host.SignUpAsync("bob_baddraft");
        await using var carol = await _host.SignUpAsync("carol_baddraft");
        var other = await bob.SendAsync(carol, "not in alice's chat");
        var group = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);

        await ChatTestKit.FailsWith(() => alice.Client.SaveDraftAsync(bob.Peer, new string('x', 4097)), MessageErrorNames.MessageTooLong);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDraftAsync(bob.Peer, "re", other.Message.Id), MessageErrorNames.ReplyToInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDraftAsync(bob.Peer, "re", -1), MessageErrorNames.ReplyToInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDraftAsync(Peer.User(987654), "hi"), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDraftAsync(Peer.Chat(group.Chat.Id), "hi"), GroupErrorNames.ChatNotFound, 404);
        _host.CountRows("message_drafts").Should().Be(0);
    }

    private static async Task<Dialog> DialogWith(Device owner, Device peer) =>
        (await owner.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer.Peer);
}
