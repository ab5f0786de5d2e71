using MessagePack;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Message.Scheduling;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>Messages sent without sound (<c>silent</c>): they arrive as any message does, and every copy of them — the
/// sender's result, the live push, <c>updates.getDifference</c>, the history — says so, for clients to notify quietly.</summary>
public sealed class SilentMessageTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await Groups.GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Send_WhenSilent_EveryCopyOfTheMessageSaysSo()
    {
        await using var alice = await _host.SignUpAsync("alice_silent");
        await using var bob = await _host.SignUpAsync("bob_silent");
        await alice.SendAsync(bob, "hi");
        await bob.NextAsync<MessageReceived>(m => m.Message.Text == "hi");
        var bobPts = (await bob.Client.GetStateAsync()).Pts;

        var sent = await alice.Client.SendMessageAsync(bob.Peer, "late night, no need to wake up", silent: true);

        sent.Message.Silent.Should().BeTrue();
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == sent.Message.Id)).Message.Silent.Should().BeTrue("the live push carries it");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Single(m => m.Id == sent.Message.Id).Silent.Should().BeTrue();
        (await alice.Client.GetHistoryAsync(bob.Peer)).Single(m => m.Id == sent.Message.Id).Silent.Should().BeTrue();
        var difference = await bob.Client.GetDifferenceAsync(bobPts);
        difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Should().ContainSingle()
            .Which.Message.Should().Match<Messenger.Contracts.Messages.Message>(m => m.Id == sent.Message.Id && m.Silent);
        (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == alice.Peer).TopMessage!.Silent.Should().BeTrue();
    }

    [Fact]
    public async Task Send_WhenNotSaid_IsNotSilent_AndAnEditKeepsWhatTheSendChose()
    {
        await using var alice = await _host.SignUpAsync("alice_loud");
        await using var bob = await _host.SignUpAsync("bob_loud");

        var loud = await alice.Client.SendMessageAsync(bob.Peer, "ring ring");
        var quiet = await alice.Client.SendMessageAsync(bob.Peer, "psst", silent: true);
        var resent = await alice.Client.SendMessageAsync(bob.Peer, "ring ring", randomId: 4242);
        var resentQuietly = await alice.Client.SendMessageAsync(bob.Peer, "ring ring", randomId: 4242, silent: true);

        loud.Message.Silent.Should().BeFalse();
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == loud.Message.Id)).Message.Silent.Should().BeFalse();
        resentQuietly.Message.Should().Be(resent.Message, "a resend with the same random_id answers the first message as it was stored");
        resentQuietly.Message.Silent.Should().BeFalse();
        var edited = await alice.Client.EditMessageAsync(bob.Peer, quiet.Message.Id, "psst (edited)");
        edited.Message.Silent.Should().BeTrue();
        (await bob.NextAsync<MessageEdited>(e => e.Message.Id == quiet.Message.Id)).Message.Silent.Should().BeTrue();
    }

    [Fact]
    public async Task Forward_WhenSilent_PostsSilentCopies_AndACopyNeverTakesTheOriginals()
    {
        await using var alice = await _host.SignUpAsync("alice_fwdsilent");
        await using var bob = await _host.SignUpAsync("bob_fwdsilent");
        await using var carol = await _host.SignUpAsync("carol_fwdsilent");
        var loud = await bob.SendAsync(alice, "the plan");
        var quiet = await bob.Client.SendMessageAsync(alice.Peer, "the quiet plan", silent: true);

        var forwarded = await alice.Client.ForwardMessagesAsync(bob.Peer, [loud.Message.Id], carol.Peer, silent: true);
        var forwardedLoud = await alice.Client.ForwardMessagesAsync(bob.Peer, [quiet.Message.Id], carol.Peer);

        forwarded.Messages.Should().ContainSingle().Which.Silent.Should().BeTrue();
        (await carol.NextAsync<MessageReceived>(m => m.Message.Id == forwarded.Messages[0].Id)).Message.Silent.Should().BeTrue();
        forwardedLoud.Messages.Should().ContainSingle().Which.Silent.Should().BeFalse("the forwarder chooses, not the original's sender");
        var history = await carol.Client.GetHistoryAsync(alice.Peer);
        history.Single(m => m.Id == forwarded.Messages[0].Id).Silent.Should().BeTrue();
        history.Single(m => m.Id == forwardedLoud.Messages[0].Id).Silent.Should().BeFalse();
    }

    [Fact]
    public async Task SendPoll_AndAGroupSend_WhenSilent_ReachEveryMemberSilent()
    {
        await using var alice = await _host.SignUpAsync("alice_pollsilent");
        await using var bob = await _host.SignUpAsync("bob_pollsilent");
        await using var carol = await _host.SignUpAsync("carol_pollsilent");
        var group = Peer.Chat((await alice.Client.CreateGroupAsync("Night owls", [bob.UserId, carol.UserId])).Chat.Id);

        var poll = await alice.Client.SendPollAsync(group, "Lunch tomorrow?", ["Yes", "No"], silent: true);
        var text = await alice.Client.SendMessageAsync(group, "no rush", silent: true);

        poll.Message.Silent.Should().BeTrue();
        foreach (var member in new[] { bob, carol })
        {
            (await member.NextAsync<MessageReceived>(m => m.Message.Id == poll.Message.Id)).Message.Silent.Should().BeTrue();
            (await member.NextAsync<MessageReceived>(m => m.Message.Id == text.Message.Id)).Message.Silent.Should().BeTrue();
        }

        (await carol.Client.GetHistoryAsync(group)).Where(m => m.Action is null).Should().OnlyContain(m => m.Silent);
    }

    [Fact]
    public async Task SendScheduled_WhenSilent_KeepsItAndSendsTheMessageSilent()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
        }, clock);
        await using var alice = await host.SignUpAsync("alice_schedsilent");
        await using var bob = await host.SignUpAsync("bob_schedsilent");
        var sender = host.Services.GetRequiredService<ScheduledSender>();

        var quiet = await alice.Client.ScheduleMessageAsync(bob.Peer, "good morning, quietly", clock.GetUtcNow().AddHours(8), silent: true);
        var loud = await alice.Client.ScheduleMessageAsync(bob.Peer, "WAKE UP", clock.GetUtcNow().AddHours(8).AddMinutes(1));

        quiet.Silent.Should().BeTrue();
        loud.Silent.Should().BeFalse();
        (await alice.Client.GetScheduledAsync(bob.Peer)).Select(s => (s.Id, s.Silent)).Should().Equal((quiet.Id, true), (loud.Id, false));
        clock.Advance(TimeSpan.FromHours(9));
        await sender.SendDueAsync(CancellationToken.None);

        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "good morning, quietly")).Message.Silent.Should().BeTrue();
        (await bob.NextAsync<MessageReceived>(m => m.Message.Text == "WAKE UP")).Message.Silent.Should().BeFalse();
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => (m.Text, m.Silent)).Should().Equal(("WAKE UP", false), ("good morning, quietly", true));
    }

    [Fact]
    public void Message_WhenReadFromBytesWithoutTheKey_IsNotSilent()
    {
        // Log entries and stored messages written before the flag existed carry no "silent" key.
        var bytes = MessagePackSerializer.ConvertFromJson(
            """{"id": 5, "from_id": 1, "to_peer": {"kind": 1, "id": 2}, "date": 1700000000, "text": "old", "reply_to_id": null, "edit_date": null}""",
            WireSerializer.Options);

        var message = WireSerializer.Deserialize<Messenger.Contracts.Messages.Message>(bytes);

        message.Text.Should().Be("old");
        message.Silent.Should().BeFalse();
        WireSerializer.Deserialize<Messenger.Contracts.Messages.Message>(WireSerializer.Serialize(message with { Silent = true })).Silent.Should().BeTrue();
    }
}
