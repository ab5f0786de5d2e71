using Messenger.Client;
using Messenger.Contracts.Calls;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>Groups' voice chats: members join and leave, the server carries each pair's signalling, and the chat records
/// the start and the end.</summary>
public sealed class GroupCallTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?>
            {
                ["Messenger:Calls:GroupCallMaxParticipants"] = "3",
                ["Messenger:Message:SmallGroupLimit"] = "5",
                ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            },
            _clock);

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task AVoiceChat_StartsWithTheFirst_CarriesEachPairsSignals_AndEndsWithTheLast()
    {
        await using var alice = await _host.SignUpAsync("alice_vc");
        await using var bob = await _host.SignUpAsync("bob_vc");
        await using var carol = await _host.SignUpAsync("carol_vc");
        var chat = (await alice.Client.CreateGroupAsync("Standup", [bob.UserId, carol.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);

        var started = await alice.Client.JoinGroupCallAsync(chat.Id);
        started.Should().Match<GroupCall>(c => c.ChatId == chat.Id && c.StartedBy == alice.UserId && !c.Ended && c.Id < (1L << 53));
        started.Participants.Should().Equal(alice.UserId);
        var startMessage = await carol.NextAsync<MessageReceived>(e => e.Message.Action is not null && e.Message.Action.Kind == ServiceActions.GroupCall);
        startMessage.Message.Should().Match<Messenger.Contracts.Messages.Message>(m => m.FromId == alice.UserId && m.Action!.Period == null);
        (await carol.NextAsync<GroupCallChanged>()).Call.Participants.Should().Equal([alice.UserId], "a small group's members see it begin");
        (await carol.Client.GetGroupCallAsync(chat.Id))!.Id.Should().Be(started.Id);

        var joined = await bob.Client.JoinGroupCallAsync(chat.Id);
        joined.Participants.Should().Equal(alice.UserId, bob.UserId);
        (await alice.NextAsync<GroupCallChanged>(e => e.Call.Participants.Length == 2)).Call.Id.Should().Be(started.Id);
        (await bob.Client.JoinGroupCallAsync(chat.Id)).Participants.Should().Equal([alice.UserId, bob.UserId], "joining again changes nothing");

        // The one who joined later offers; the other answers; each signal reaches only the participant it names.
        await bob.Client.SendGroupCallSignalAsync(started.Id, alice.UserId, """{"type":"offer"}""");
        (await alice.NextAsync<GroupCallSignal>()).Should().Be(new GroupCallSignal(started.Id, bob.UserId, """{"type":"offer"}"""));
        await alice.Client.SendGroupCallSignalAsync(started.Id, bob.UserId, """{"type":"answer"}""");
        (await bob.NextAsync<GroupCallSignal>()).FromId.Should().Be(alice.UserId);

        await ChatTestKit.FailsWith(() => carol.Client.SendGroupCallSignalAsync(started.Id, alice.UserId, "x"), CallErrorNames.CallIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SendGroupCallSignalAsync(started.Id, carol.UserId, "x"), CallErrorNames.CallPeerInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SendGroupCallSignalAsync(started.Id, bob.UserId, "x"), CallErrorNames.CallPeerInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SendGroupCallSignalAsync(started.Id, alice.UserId, ""), CallErrorNames.CallSignalInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SendGroupCallSignalAsync(started.Id, alice.UserId, new string('x', 16_385)), CallErrorNames.CallSignalInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.SendGroupCallSignalAsync(12345, alice.UserId, "x"), CallErrorNames.CallIdInvalid);

        (await bob.Client.LeaveGroupCallAsync(started.Id)).Participants.Should().Equal(alice.UserId);
        (await alice.NextAsync<GroupCallChanged>(e => e.Call.Participants.Length == 1)).Call.Ended.Should().BeFalse();
        await ChatTestKit.FailsWith(() => bob.Client.LeaveGroupCallAsync(started.Id), CallErrorNames.CallIdInvalid);

        _clock.Advance(TimeSpan.FromSeconds(65));
        var ended = await alice.Client.LeaveGroupCallAsync(started.Id);
        ended.Should().Match<GroupCall>(c => c.Ended && c.Duration == 65 && c.Participants.Length == 0);
        (await bob.NextAsync<GroupCallChanged>(e => e.Call.Ended)).Call.Duration.Should().Be(65);
        var endMessage = await bob.NextAsync<MessageReceived>(e => e.Message.Action is { Kind: ServiceActions.GroupCall, Period: not null });
        endMessage.Message.Should().Match<Messenger.Contracts.Messages.Message>(m => m.FromId == alice.UserId && m.Action!.Period == 65);
        (await carol.Client.GetGroupCallAsync(chat.Id)).Should().BeNull();

        // A new one can start afterwards, with a new id.
        (await carol.Client.JoinGroupCallAsync(chat.Id)).Id.Should().NotBe(started.Id);
    }

    [Fact]
    public async Task BadJoins_AreRefusedByName_AndOneCallAtATimeHolds()
    {
        await using var alice = await _host.SignUpAsync("alice_vcbad");
        await using var bob = await _host.SignUpAsync("bob_vcbad");
        await using var carol = await _host.SignUpAsync("carol_vcbad");
        await using var dave = await _host.SignUpAsync("dave_vcbad");
        var team = (await alice.Client.CreateGroupAsync("Team", [bob.UserId, carol.UserId, dave.UserId])).Chat;
        var other = (await dave.Client.CreateGroupAsync("Other", [alice.UserId])).Chat;
        var channel = (await alice.Client.CreateGroupAsync("News", [bob.UserId], broadcast: true)).Chat;

        await ChatTestKit.FailsWith(() => alice.Client.JoinGroupCallAsync(channel.Id), GroupErrorNames.ChatTypeInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.JoinGroupCallAsync(other.Id), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => bob.Client.GetGroupCallAsync(other.Id), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => bob.Client.JoinGroupCallAsync(987_654), GroupErrorNames.ChatNotFound, 404);

        var call = await alice.Client.JoinGroupCallAsync(team.Id);
        await bob.Client.JoinGroupCallAsync(team.Id);
        await carol.Client.JoinGroupCallAsync(team.Id);
        await ChatTestKit.FailsWith(() => dave.Client.JoinGroupCallAsync(team.Id), CallErrorNames.GroupCallFull);
        await ChatTestKit.FailsWith(() => alice.Client.JoinGroupCallAsync(other.Id), CallErrorNames.CallAlreadyActive);
        await ChatTestKit.FailsWith(() => alice.Client.RequestCallAsync(dave.UserId, "v=0 offer"), CallErrorNames.CallAlreadyActive);
        await ChatTestKit.FailsWith(() => dave.Client.RequestCallAsync(alice.UserId, "v=0 offer"), CallErrorNames.UserBusy, 420);

        // In a one-to-one call, a group's voice chat waits.
        await carol.Client.LeaveGroupCallAsync(call.Id);
        var ringing = await dave.Client.RequestCallAsync(carol.UserId, "v=0 offer");
        await ChatTestKit.FailsWith(() => dave.Client.JoinGroupCallAsync(team.Id), CallErrorNames.CallAlreadyActive);
        await carol.Client.DiscardCallAsync(ringing.Id);
        (await dave.Client.JoinGroupCallAsync(team.Id)).Participants.Should().Equal(alice.UserId, bob.UserId, dave.UserId);
    }

    [Fact]
    public async Task AParticipantWhoseAppIsGone_IsTakenOutAfterTheGrace_AndALargeGroupsMembersAsk()
    {
        await using var alice = await _host.SignUpAsync("alice_vcgone");
        var bob = await _host.SignUpAsync("bob_vcgone");
        await using var carol = await _host.SignUpAsync("carol_vcgone");
        var ids = await Groups.GroupTestKit.RegisterUsersAsync(_host, "vcgone", 5);
        var chat = (await alice.Client.CreateGroupAsync("Big", [bob.UserId, carol.UserId, .. ids], large: true)).Chat;
        var call = await alice.Client.JoinGroupCallAsync(chat.Id);
        await bob.Client.JoinGroupCallAsync(chat.Id);
        (await alice.NextAsync<GroupCallChanged>(e => e.Call.Participants.Length == 2)).Call.Id.Should().Be(call.Id);
        (await carol.Client.GetGroupCallAsync(chat.Id))!.Participants.Should().Equal(alice.UserId, bob.UserId);

        await bob.DisposeAsync();
        var changed = await _clock.WhileRunningAsync(() => alice.NextAsync<GroupCallChanged>(e => e.Call.Participants.Length == 1));
        changed.Call.Participants.Should().Equal(alice.UserId);
        (await carol.Client.GetGroupCallAsync(chat.Id))!.Participants.Should().Equal(alice.UserId);

        // A large group's members who are not in it were not told of each join: they ask when they open the chat. (What
        // carol heard up to a message sent after it all.)
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "after the joins");
        (await carol.ReadUntilAsync(e => e is MessageReceived { Message.Text: "after the joins" })).OfType<GroupCallChanged>().Should().BeEmpty();
    }

    [Fact]
    public async Task SignalsReachTheConnectionInTheCall_AJoinFromAnotherDeviceMovesIt_AndAnAppBackWithinTheGraceStays()
    {
        await using var alice = await _host.SignUpAsync("alice_vcdev");
        var bob = await _host.SignUpAsync("bob_vcdev");
        await using var bobsPhone = await _host.SignInAnotherDeviceAsync("bob_vcdev");
        var chat = (await alice.Client.CreateGroupAsync("Devices", [bob.UserId])).Chat;
        var call = await alice.Client.JoinGroupCallAsync(chat.Id);
        await bob.Client.JoinGroupCallAsync(chat.Id);

        await alice.Client.SendGroupCallSignalAsync(call.Id, bob.UserId, "to the laptop");
        (await bob.NextAsync<GroupCallSignal>()).Data.Should().Be("to the laptop");

        // Bob joins from his phone: the laptop hears it is out, signals go to the phone alone.
        (await bobsPhone.Client.JoinGroupCallAsync(chat.Id)).Participants.Should().Equal(alice.UserId, bob.UserId);
        (await bob.NextAsync<GroupCallChanged>(e => !e.Call.Participants.Contains(bob.UserId))).Call.Id.Should().Be(call.Id);
        await alice.Client.SendGroupCallSignalAsync(call.Id, bob.UserId, "to the phone");
        (await bobsPhone.NextAsync<GroupCallSignal>()).Data.Should().Be("to the phone");
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "after the signal");
        (await bob.ReadUntilAsync(e => e is MessageReceived { Message.Text: "after the signal" })).OfType<GroupCallSignal>()
            .Should().BeEmpty("the laptop heard nothing of the signal sent to the phone, up to a message sent after it");

        // The phone's connection drops; the app joins again within the grace and stays, past the grace's end.
        await bobsPhone.DisposeAsync();
        await Task.Delay(300);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await using var phoneAgain = await _host.ReconnectAsync(bobsPhone);
        await phoneAgain.Client.JoinGroupCallAsync(chat.Id);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        (await alice.Client.GetGroupCallAsync(chat.Id))!.Participants.Should().Equal(alice.UserId, bob.UserId);
        await bob.DisposeAsync();

        // Back without joining again (a page reloaded): out once the grace ends.
        await phoneAgain.Client.DisposeAsync();
        await using var reloaded = await _host.ReconnectAsync(bobsPhone);
        var changed = await _clock.WhileRunningAsync(() => alice.NextAsync<GroupCallChanged>(e => e.Call.Participants.Length == 1));
        changed.Call.Participants.Should().Equal(alice.UserId);
    }

    [Fact]
    public async Task TheSdk_JoinsItsVoiceChatAgainAfterAReconnect_ButNotOneAnotherDeviceTookOver()
    {
        await using var alice = await _host.SignUpAsync("alice_vcsdk");
        await using var bob = await _host.SignUpAsync("bob_vcsdk");
        var chat = (await alice.Client.CreateGroupAsync("Radio", [bob.UserId])).Chat;
        var call = await alice.Client.JoinGroupCallAsync(chat.Id);
        await bob.Client.JoinGroupCallAsync(chat.Id);
        bob.Client.CurrentGroupCall!.Id.Should().Be(call.Id);

        await bob.Client.DropConnectionAsync();

        (await bob.NextAsync<GroupCallRejoined>()).Call.Participants.Should().Equal(alice.UserId, bob.UserId);
        _clock.Advance(TimeSpan.FromSeconds(60));
        await Task.Delay(300);
        (await alice.Client.GetGroupCallAsync(chat.Id))!.Participants.Should().Equal([alice.UserId, bob.UserId], "back within the grace, still in");
        await alice.Client.SendGroupCallSignalAsync(call.Id, bob.UserId, "still there?");
        (await bob.NextAsync<GroupCallSignal>()).Data.Should().Be("still there?", "signals reach the new connection");

        // Bob's phone takes his place: the laptop is told it is out, and its next reconnect does not take the place back.
        await using var bobsPhone = await _host.SignInAnotherDeviceAsync("bob_vcsdk");
        await bobsPhone.Client.JoinGroupCallAsync(chat.Id);
        await bob.NextAsync<GroupCallChanged>(e => !e.Call.Participants.Contains(bob.UserId));
        bob.Client.CurrentGroupCall.Should().BeNull();
        var connections = bob.Client.ConnectionCount;
        await bob.Client.DropConnectionAsync();
        await SessionTestKit.WaitUntil(() => bob.Client.ConnectionCount > connections && bob.Client.IsConnected);
        await Task.Delay(300);
        await alice.Client.SendGroupCallSignalAsync(call.Id, bob.UserId, "to the phone");
        (await bobsPhone.NextAsync<GroupCallSignal>()).Data.Should().Be("to the phone");

        // A rejoin takes back only a place this device holds: not the phone's, and it never starts a voice chat.
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new JoinGroupCallCall(chat.Id, Rejoin: true)), CallErrorNames.GroupCallJoinMissing);
        await bobsPhone.Client.LeaveGroupCallAsync(call.Id);
        bobsPhone.Client.CurrentGroupCall.Should().BeNull();
        await alice.Client.LeaveGroupCallAsync(call.Id);
        await ChatTestKit.FailsWith(() => bob.Client.CallAsync(new JoinGroupCallCall(chat.Id, Rejoin: true)), CallErrorNames.GroupCallJoinMissing);
        (await alice.Client.GetGroupCallAsync(chat.Id)).Should().BeNull();
    }

    [Fact]
    public async Task AMemberRemovedFromTheGroup_IsTakenOutOfItsVoiceChat()
    {
        await using var alice = await _host.SignUpAsync("alice_vcout");
        await using var bob = await _host.SignUpAsync("bob_vcout");
        await using var carol = await _host.SignUpAsync("carol_vcout");
        var chat = (await alice.Client.CreateGroupAsync("Room", [bob.UserId, carol.UserId])).Chat;
        var call = await alice.Client.JoinGroupCallAsync(chat.Id);
        await bob.Client.JoinGroupCallAsync(chat.Id);
        await carol.Client.JoinGroupCallAsync(chat.Id);

        await alice.Client.RemoveMemberAsync(chat.Id, bob.UserId);
        (await alice.NextAsync<GroupCallChanged>(e => !e.Call.Participants.Contains(bob.UserId) && e.Call.Participants.Length == 2)).Call.Participants.Should().Equal(alice.UserId, carol.UserId);
        (await bob.NextAsync<GroupCallChanged>(e => !e.Call.Participants.Contains(bob.UserId))).Call.Id.Should().Be(call.Id, "the one taken out is told");
        await ChatTestKit.FailsWith(() => bob.Client.SendGroupCallSignalAsync(call.Id, alice.UserId, "x"), CallErrorNames.CallIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendGroupCallSignalAsync(call.Id, bob.UserId, "x"), CallErrorNames.CallPeerInvalid);

        await carol.Client.LeaveGroupAsync(chat.Id);
        (await alice.NextAsync<GroupCallChanged>(e => e.Call.Participants.Length == 1)).Call.Participants.Should().Equal(alice.UserId);
        (await bob.Client.JoinGroupCallAsync(987_654).Invoking(t => t).Should().ThrowAsync<RpcException>()).Which.Code.Should().Be(404);
    }
}
