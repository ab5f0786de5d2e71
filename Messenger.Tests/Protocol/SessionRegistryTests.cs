using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Protocol;

/// <summary>The sessions of a device when a sweep of idle ones runs while a new one is created (the test seam stops the
/// creation right where the sweep can take the device's sessions away).</summary>
public sealed class SessionRegistryTests
{
    private const int IdleSeconds = 600;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void GetOrCreate_WhileASweepDropsTheDevicesLastIdleSession_KeepsTheNewSession()
    {
        using var registry = new SessionRegistry(Options.Create(new ProtocolOptions { SessionIdleTimeoutSeconds = IdleSeconds }), _clock);
        registry.GetOrCreate("00", 1).Created.Should().BeTrue();

        registry.AfterDeviceLookup = () =>
        {
            registry.AfterDeviceLookup = null;
            _clock.Advance(TimeSpan.FromSeconds(IdleSeconds + 1));
            registry.Sweep();
        };
        var (session, created) = registry.GetOrCreate("00", 2);

        created.Should().BeTrue();
        registry.GetOrCreate("00", 2).Should().Be((session, false), "the session, and its memory of the client's msg_ids, is kept");
        registry.GetOrCreate("00", 1).Created.Should().BeTrue("the idle one was swept");
    }

    [Fact]
    public void Detached_SessionThatNeverSignedIn_KeepsOnlyItsNewestMsgIds_WhileASignedInOneKeepsAll()
    {
        using var registry = new SessionRegistry(Options.Create(new ProtocolOptions { SessionIdleTimeoutSeconds = IdleSeconds }), _clock);
        var anonymous = registry.GetOrCreate("aa", 1).Session;
        var signedIn = registry.GetOrCreate("bb", 1).Session;
        signedIn.MarkSignedIn();
        var msgIds = new Messenger.Contracts.Wire.MsgIdClock(_clock);
        var last = 0L;
        foreach (var session in new[] { anonymous, signedIn })
        {
            for (var i = 0; i < 2000; i++)
            {
                last = msgIds.Next();
                session.Admit(last).Should().Be(CallAdmission.New);
                session.Answer(last, new Messenger.Contracts.Wire.Envelope(msgIds.Next(1), 0, new Messenger.Contracts.Wire.ResultBody(last, [0xc0])));
            }
        }

        registry.Detached(anonymous);
        registry.Detached(signedIn);

        anonymous.RememberedCalls.Should().Be(ProtocolOptions.AnonymousIdleMsgIds);
        anonymous.UnackedCount.Should().Be(ProtocolOptions.AnonymousIdleMsgIds);
        signedIn.RememberedCalls.Should().Be(2000, "a signed-in session's replay memory is left exactly as it was");
        signedIn.UnackedCount.Should().Be(1024, "UnackedResultsPerSession, as before");
        signedIn.Admit(last).Should().Be(CallAdmission.Answered);
    }

    [Fact]
    public void Detached_PastMaxIdleSessions_EvictsTheLeastRecentlyUsed_AnonymousBeforeSignedIn()
    {
        using var registry = new SessionRegistry(
            Options.Create(new ProtocolOptions { SessionIdleTimeoutSeconds = IdleSeconds, MaxIdleSessions = 10 }), _clock);
        var signedIn = registry.GetOrCreate("01", 1).Session;
        signedIn.MarkSignedIn();
        registry.Detached(signedIn);
        for (var device = 2; device <= 40; device++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            registry.Detached(registry.GetOrCreate(device.ToString("x2"), 1).Session);
        }

        registry.Count.Should().BeLessThanOrEqualTo(10);
        registry.GetOrCreate("01", 1).Created.Should().BeFalse("the oldest idle session, but the only signed-in one");
        registry.GetOrCreate("02", 1).Created.Should().BeTrue("the oldest anonymous one went first");
        registry.GetOrCreate(40.ToString("x2"), 1).Created.Should().BeFalse("the most recently used stays");
    }

    [Fact]
    public void UnackedBytes_OfSessionsTakenOutOfTheRegistry_AreNoLongerCounted_ByAnyWayOut()
    {
        using var registry = new SessionRegistry(
            Options.Create(new ProtocolOptions { SessionIdleTimeoutSeconds = IdleSeconds, MaxSessionsPerDevice = 2 }), _clock);
        var msgIds = new Messenger.Contracts.Wire.MsgIdClock(_clock);
        void AnswerOn(ClientSession session)
        {
            var call = msgIds.Next();
            session.Admit(call).Should().Be(CallAdmission.New);
            session.Answer(call, new Messenger.Contracts.Wire.Envelope(msgIds.Next(1), 0, new Messenger.Contracts.Wire.ResultBody(call, new byte[1000])));
        }

        AnswerOn(registry.GetOrCreate("aa", 1).Session);
        registry.UnackedBytes.Idle.Should().Be(1064, "a session without a connection: the value and 64 bytes");
        registry.UnackedBytes.All.Should().Be(1064);

        _clock.Advance(TimeSpan.FromSeconds(1));
        AnswerOn(registry.GetOrCreate("aa", 2).Session);
        _clock.Advance(TimeSpan.FromSeconds(1));
        AnswerOn(registry.GetOrCreate("aa", 3).Session);
        registry.UnackedBytes.All.Should().Be(2 * 1064, "past MaxSessionsPerDevice the least recently used went, with its bytes");

        registry.RemoveDevice("aa");
        registry.UnackedBytes.All.Should().Be(0, "a signed-out device's sessions went, with their bytes");

        AnswerOn(registry.GetOrCreate("bb", 1).Session);
        _clock.Advance(TimeSpan.FromSeconds(IdleSeconds + 1));
        registry.Sweep();
        registry.Count.Should().Be(0);
        registry.UnackedBytes.All.Should().Be(0, "swept with its bytes");
        registry.UnackedBytes.Idle.Should().Be(0);
    }
}
