using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Calls;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>One-to-one calls: the server rings, carries the WebRTC signalling between the two sides, ends calls and
/// records them in the private chat.</summary>
public sealed class CallTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?>
            {
                ["Messenger:Calls:IceServers:0:Urls:0"] = "stun:stun.example.org:3478",
                ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            },
            _clock);

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task ACall_RingsEveryDevice_CarriesTheSignalling_AndIsRecordedWhenHungUp()
    {
        await using var alice = await _host.SignUpAsync("alice_calls");
        await using var bob = await _host.SignUpAsync("bob_calls");
        await using var bobsPhone = await _host.SignInAnotherDeviceAsync("bob_calls");

        var ringing = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer", video: true);

        ringing.State.Should().Be(CallState.Ringing);
        ringing.Video.Should().BeTrue();
        ringing.Id.Should().BeInRange(1, (1L << 53) - 1, "a JavaScript client reads the id as a number and sends it back");
        foreach (var device in new[] { bob, bobsPhone })
        {
            (await device.NextAsync<PhoneCallChanged>()).Call.Should().Match<PhoneCall>(c =>
                c.Id == ringing.Id && c.State == CallState.Ringing && c.CallerId == alice.UserId && c.Sdp == "v=0 offer" && c.Video);
        }

        // A device of bob's that connects now learns of the ringing call, with the offer; nobody else has one.
        await using (var bobsTablet = await _host.SignInAnotherDeviceAsync("bob_calls", startEvents: false))
        {
            (await bobsTablet.Client.GetCurrentCallAsync()).Should().Match<PhoneCall>(c => c.Id == ringing.Id && c.Sdp == "v=0 offer");
        }

        (await alice.Client.GetCurrentCallAsync())!.Sdp.Should().BeNull();
        await alice.Client.SendCallSignalAsync(ringing.Id, "candidate:alice");
        (await bob.NextAsync<PhoneCallSignal>()).Should().Be(new PhoneCallSignal(ringing.Id, alice.UserId, "candidate:alice"));

        var active = await bob.Client.AcceptCallAsync(ringing.Id, "v=0 answer");
        active.State.Should().Be(CallState.Active);
        (await alice.NextAsync<PhoneCallChanged>()).Call.Should().Match<PhoneCall>(c => c.State == CallState.Active && c.Sdp == "v=0 answer");
        (await bobsPhone.NextAsync<PhoneCallChanged>(e => e.Call.State == CallState.Active)).Call.Sdp.Should().BeNull("the phone only stops ringing");
        await bob.Client.SendCallSignalAsync(ringing.Id, "candidate:bob");
        (await alice.NextAsync<PhoneCallSignal>()).Data.Should().Be("candidate:bob");

        _clock.Advance(TimeSpan.FromSeconds(65));
        var ended = await alice.Client.DiscardCallAsync(ringing.Id);

        ended.Should().Match<PhoneCall>(c => c.State == CallState.Ended && c.Reason == CallEndReasons.Hangup && c.Duration == 65);
        (await bob.NextAsync<PhoneCallChanged>(e => e.Call.State == CallState.Ended)).Call.Reason.Should().Be(CallEndReasons.Hangup);
        var record = (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Subject;
        record.FromId.Should().Be(alice.UserId);
        record.Action.Should().BeEquivalentTo(new ServiceAction(ServiceActions.PhoneCall, [], CallEndReasons.Hangup, 65, Video: true));
        await SessionTestKit.FailsWith(() => bob.Client.SendCallSignalAsync(ringing.Id, "late"), CallErrorNames.CallIdInvalid);
        (await bob.Client.GetCurrentCallAsync()).Should().BeNull();
    }

    [Fact]
    public async Task OnceAnswered_SignalsGoToTheAnsweringDeviceOnly_WhileRingingToEveryDeviceOfTheCallee()
    {
        await using var alice = await _host.SignUpAsync("alice_pinned");
        await using var alicesPhone = await _host.SignInAnotherDeviceAsync("alice_pinned");
        await using var bob = await _host.SignUpAsync("bob_pinned");
        await using var bobsPhone = await _host.SignInAnotherDeviceAsync("bob_pinned");
        var ringing = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");

        await alice.Client.SendCallSignalAsync(ringing.Id, "candidate:early");
        foreach (var device in new[] { bob, bobsPhone })
        {
            (await device.NextAsync<PhoneCallSignal>()).Data.Should().Be("candidate:early", "any of the callee's devices may answer");
        }

        await bob.Client.AcceptCallAsync(ringing.Id, "v=0 answer");
        await alice.Client.SendCallSignalAsync(ringing.Id, "candidate:for-the-laptop");
        (await bob.NextAsync<PhoneCallSignal>()).Data.Should().Be("candidate:for-the-laptop");
        await bob.Client.SendCallSignalAsync(ringing.Id, "candidate:for-the-caller");
        (await alice.NextAsync<PhoneCallSignal>()).Data.Should().Be("candidate:for-the-caller");
        await alice.Client.DiscardCallAsync(ringing.Id);

        // The end reaches every device, after the signals sent before it: none of them reached the other devices.
        var phoneHeard = await bobsPhone.ReadUntilAsync(e => e is PhoneCallChanged { Call.State: CallState.Ended });
        phoneHeard.OfType<PhoneCallSignal>().Should().BeEmpty("the phone did not answer: the laptop's call is none of its business");
        var alicesPhoneHeard = await alicesPhone.ReadUntilAsync(e => e is PhoneCallChanged { Call.State: CallState.Ended });
        alicesPhoneHeard.OfType<PhoneCallSignal>().Should().BeEmpty("the call was placed from alice's laptop");
    }

    [Theory]
    [InlineData(CallEndReasons.Declined)]
    [InlineData(CallEndReasons.Cancelled)]
    [InlineData(CallEndReasons.Missed)]
    public async Task ACallNotAnswered_EndsForBothSides_WithItsReason(string reason)
    {
        await using var alice = await _host.SignUpAsync($"alice_{reason}");
        await using var bob = await _host.SignUpAsync($"bob_{reason}");
        var ringing = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");
        await bob.NextAsync<PhoneCallChanged>();

        switch (reason)
        {
            case CallEndReasons.Declined:
                await bob.Client.DiscardCallAsync(ringing.Id);
                break;
            case CallEndReasons.Cancelled:
                await alice.Client.DiscardCallAsync(ringing.Id);
                break;
            default:
                _clock.Advance(TimeSpan.FromSeconds(44));
                (await bob.Client.AcceptCallAsync(ringing.Id, "still ringing?")).State.Should().Be(CallState.Active);
                await bob.Client.DiscardCallAsync(ringing.Id);
                await alice.NextAsync<PhoneCallChanged>(e => e.Call.State == CallState.Ended);
                ringing = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");
                _clock.Advance(TimeSpan.FromSeconds(45));
                break;
        }

        foreach (var side in new[] { alice, bob })
        {
            (await side.NextAsync<PhoneCallChanged>(e => e.Call.Id == ringing.Id && e.Call.State == CallState.Ended)).Call.Reason.Should().Be(reason);
        }

        // A missed call is recorded after its announcement, from the ring timer's own scope: give it a moment.
        for (var i = 0; i < 400 && !(await bob.Client.GetHistoryAsync(alice.Peer)).Any(m => m.Action?.Title == reason); i++)
        {
            await Task.Delay(50);
        }

        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().Contain(m => m.Action!.Title == reason && m.Action.Period == 0);
        // Both are free again.
        await bob.Client.DiscardCallAsync((await bob.Client.RequestCallAsync(alice.UserId, "v=0 again")).Id);
    }

    [Fact]
    public async Task TheCallersAppGoingAway_EndsTheCall_AfterTheGrace_AndFreesTheCallee()
    {
        var alice = await _host.SignUpAsync("alice_gone");
        await using var bob = await _host.SignUpAsync("bob_gone");
        await using var carol = await _host.SignUpAsync("carol_gone");
        var ringing = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");
        await bob.Client.AcceptCallAsync(ringing.Id, "v=0 answer");

        await alice.DisposeAsync();

        var ended = await _clock.WhileRunningAsync(() => bob.NextAsync<PhoneCallChanged>(e => e.Call.State == CallState.Ended));
        ended.Call.Reason.Should().Be(CallEndReasons.Disconnected);
        (await carol.Client.RequestCallAsync(bob.UserId, "v=0 carol")).State.Should().Be(CallState.Ringing);
    }

    [Fact]
    public async Task ACallersDevice_ComingBackWithinTheGrace_KeepsTheCallGoing()
    {
        var alice = await _host.SignUpAsync("alice_blip");
        await using var bob = await _host.SignUpAsync("bob_blip");
        var call = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");
        await bob.Client.AcceptCallAsync(call.Id, "v=0 answer");

        // A network blip: the connection closes, the same device comes back 5 s later (the grace is 20 s).
        await alice.DisposeAsync();
        await Task.Delay(500);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await using var aliceAgain = await _host.ReconnectAsync(alice);
        await Task.Delay(500);
        _clock.Advance(TimeSpan.FromSeconds(30));

        await bob.Client.SendCallSignalAsync(call.Id, "candidate:after-the-blip");
        (await aliceAgain.NextAsync<PhoneCallSignal>()).Data.Should().Be("candidate:after-the-blip");
        (await aliceAgain.Client.DiscardCallAsync(call.Id)).Reason.Should().Be(CallEndReasons.Hangup);
    }

    [Fact]
    public async Task BadCalls_AreRefusedByName_AndDisturbNoCallInProgress()
    {
        await using var alice = await _host.SignUpAsync("alice_badcall");
        await using var bob = await _host.SignUpAsync("bob_badcall");
        await using var carol = await _host.SignUpAsync("carol_badcall");
        await using var dave = await _host.SignUpAsync("dave_badcall");
        await using var erin = await _host.SignUpAsync("erin_badcall");
        var call = await alice.Client.RequestCallAsync(bob.UserId, "v=0 offer");

        (await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(bob.UserId, "v=0"), CallErrorNames.UserBusy)).Code.Should().Be(420);
        await SessionTestKit.FailsWith(() => alice.Client.RequestCallAsync(carol.UserId, "v=0"), CallErrorNames.CallAlreadyActive);
        await SessionTestKit.FailsWith(() => carol.Client.AcceptCallAsync(call.Id, "v=0"), CallErrorNames.CallIdInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.AcceptCallAsync(call.Id, "v=0"), CallErrorNames.CallIdInvalid);
        await SessionTestKit.FailsWith(() => carol.Client.SendCallSignalAsync(call.Id, "x"), CallErrorNames.CallIdInvalid);
        await SessionTestKit.FailsWith(() => carol.Client.DiscardCallAsync(call.Id), CallErrorNames.CallIdInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.AcceptCallAsync(call.Id, ""), CallErrorNames.CallSdpInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.AcceptCallAsync(call.Id, new string('a', 16_385)), CallErrorNames.CallSdpInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.SendCallSignalAsync(call.Id, new string('a', 4_097)), CallErrorNames.CallSignalInvalid);
        await bob.Client.AcceptCallAsync(call.Id, "v=0 answer");
        await SessionTestKit.FailsWith(() => bob.Client.AcceptCallAsync(call.Id, "v=0 answer"), CallErrorNames.CallAlreadyAccepted);

        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(carol.UserId, "v=0"), CallErrorNames.CallPeerInvalid);
        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(987_654, "v=0"), CallErrorNames.CallPeerInvalid);
        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(dave.UserId, ""), CallErrorNames.CallSdpInvalid);
        await dave.Client.BlockUserAsync(carol.UserId);
        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(dave.UserId, "v=0"), MessageErrorNames.UserIsBlocked);
        await SessionTestKit.FailsWith(() => dave.Client.RequestCallAsync(carol.UserId, "v=0"), MessageErrorNames.YouBlockedUser);
        await erin.Client.SetPrivacyAsync(new PrivacySettings(Calls: PrivacyRule.Chats));
        await SessionTestKit.FailsWith(() => carol.Client.RequestCallAsync(erin.UserId, "v=0"), GroupErrorNames.UserPrivacyRestricted);

        // The call in progress went on through all of it.
        await alice.Client.SendCallSignalAsync(call.Id, "candidate:still-here");
        (await bob.NextAsync<PhoneCallSignal>()).Data.Should().Be("candidate:still-here");
        (await alice.Client.GetCallConfigAsync()).Should().BeEquivalentTo(new CallConfig([new IceServer(["stun:stun.example.org:3478"])], 45));
    }
}
