using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

/// <summary>"Seen by" names a member only for messages from where their history in the chat starts (found by the
/// session-47 review: a member added later was named for everything before them).</summary>
public sealed class SeenByNewcomerTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SeenBy_AMemberAddedToASmallGroupWithHistory_IsNamedOnlyFromTheMessageThatAddedThem()
    {
        await using var alice = await _host.MemberAsync("alice_r2seen");
        await using var bob = await _host.MemberAsync("bob_r2seen");
        await using var carol = await _host.MemberAsync("carol_r2seen");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var before = (await alice.Client.SendMessageAsync(peer, "before carol")).Message.Id;
        await alice.Client.AddMembersAsync(chat.Id, [carol.Id]);
        var after = (await alice.Client.SendMessageAsync(peer, "after carol")).Message.Id;

        (await alice.Client.GetReadParticipantsAsync(peer, before)).Should().NotContain(carol.Id, "carol read nothing: she was added after it");
        await carol.Client.ReadHistoryAsync(peer, after);
        await bob.Client.ReadHistoryAsync(peer, after);

        (await alice.Client.GetReadParticipantsAsync(peer, after)).Should().Contain(carol.Id);
        (await alice.Client.GetReadParticipantsAsync(peer, before)).Should().Contain(bob.Id).And.NotContain(carol.Id, "it came before her");
    }

    [Fact]
    public async Task SeenBy_AMemberAddedAgain_IsNotNamedForWhatCameWhileTheyWereAway()
    {
        await using var alice = await _host.MemberAsync("alice_r2back");
        await using var bob = await _host.MemberAsync("bob_r2back");
        await using var dave = await _host.MemberAsync("dave_r2back");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, dave.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        await dave.Client.LeaveGroupAsync(chat.Id);
        var away = (await alice.Client.SendMessageAsync(peer, "while dave was away")).Message.Id;
        await alice.Client.AddMembersAsync(chat.Id, [dave.Id]);
        var back = (await alice.Client.SendMessageAsync(peer, "dave is back")).Message.Id;

        await dave.Client.ReadHistoryAsync(peer, back);

        (await alice.Client.GetReadParticipantsAsync(peer, back)).Should().Contain(dave.Id);
        (await alice.Client.GetReadParticipantsAsync(peer, away)).Should().NotContain(dave.Id);
    }
}
