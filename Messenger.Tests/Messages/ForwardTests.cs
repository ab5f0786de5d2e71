using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>A forwarded copy names the original's author, through forwards of forwards, for everyone who reads it.</summary>
public sealed class ForwardTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Forward_NamesTheOriginalAuthor_InTheResultThePushTheLogAndHistory_EvenAfterASecondForward()
    {
        await using var alice = await _host.SignUpAsync("alice_fwdfrom");
        await using var bob = await _host.SignUpAsync("bob_fwdfrom");
        await using var carol = await _host.SignUpAsync("carol_fwdfrom");
        await using var dave = await _host.SignUpAsync("dave_fwdfrom", startEvents: false);
        var original = await alice.SendAsync(bob, "the plan");
        original.Message.FwdFromId.Should().BeNull("an original is no forward");

        var once = (await bob.Client.ForwardMessagesAsync(alice.Peer, [original.Message.Id], carol.Peer)).Messages.Single();
        once.FwdFromId.Should().Be(alice.UserId);
        once.FromId.Should().Be(bob.UserId);
        (await carol.NextAsync<MessageReceived>(e => e.Message.Id == once.Id)).Message.FwdFromId.Should().Be(alice.UserId);

        var before = await dave.Client.GetStateAsync();
        var twice = (await carol.Client.ForwardMessagesAsync(bob.Peer, [once.Id], dave.Peer)).Messages.Single();
        twice.FwdFromId.Should().Be(alice.UserId, "a forward of a forward still names who wrote it");
        (await dave.Client.GetHistoryAsync(carol.Peer)).Single().FwdFromId.Should().Be(alice.UserId);
        var logged = (await dave.Client.GetDifferenceAsync(before.Pts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Single();
        logged.Message.FwdFromId.Should().Be(alice.UserId);
        (await bob.Client.SearchMessagesAsync("plan")).Should().Contain(m => m.Id == once.Id && m.FwdFromId == alice.UserId);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single().FwdFromId.Should().BeNull();
    }

    [Fact]
    public async Task Edit_OfAForwardedCopy_FailsForwardNotEditable_AndTheCopyKeepsTheAuthorsWords()
    {
        await using var alice = await _host.SignUpAsync("alice_fwdedit");
        await using var bob = await _host.SignUpAsync("bob_fwdedit");
        await using var carol = await _host.SignUpAsync("carol_fwdedit", startEvents: false);
        var original = await alice.SendAsync(bob, "I agree");
        var copy = (await bob.Client.ForwardMessagesAsync(alice.Peer, [original.Message.Id], carol.Peer)).Messages.Single();
        var ownCopy = (await alice.Client.ForwardMessagesAsync(bob.Peer, [original.Message.Id], carol.Peer)).Messages.Single();

        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new EditMessageCall(carol.Peer, copy.Id, "I disagree")), MessageErrorNames.ForwardNotEditable);
        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new EditMessageCall(carol.Peer, ownCopy.Id, "I disagree")), MessageErrorNames.ForwardNotEditable);

        (await carol.Client.GetHistoryAsync(bob.Peer)).Single().Text.Should().Be("I agree");
        (await carol.Client.GetHistoryAsync(alice.Peer)).Single().Should().Match<Messenger.Contracts.Messages.Message>(m => m.Text == "I agree" && m.EditDate == null);
        (await alice.Client.CallAsync(new EditMessageCall(bob.Peer, original.Message.Id, "I agree, mostly"))).Message.Text.Should().Be("I agree, mostly");
    }
}
