using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Protocol;

/// <summary>What a session keeps of its answers until the client acks them: bounded by count, age and bytes, so a
/// client that reads its answers but never acks them holds only so much of the server's memory.</summary>
public sealed class ClientSessionTests
{
    private const int ValueBytes = 1000;
    private const int Overhead = 64; // what the session counts for an answer besides its value

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private long _nextCall = 4;
    private long _nextAnswer = 1;

    private ClientSession Session(int count = 1024, int bytes = 8 * 1024 * 1024, int maxAgeSeconds = 300) =>
        new("00", 1, new ProtocolOptions
        {
            UnackedResultsPerSession = count, UnackedResultBytesPerSession = bytes, UnackedResultMaxAgeSeconds = maxAgeSeconds,
        }, _clock);

    /// <summary>A call admitted and answered with <see cref="ValueBytes"/> bytes: its msg_id and its answer's.</summary>
    private (long Call, long Answer) CallAndAnswer(ClientSession session)
    {
        var call = _nextCall;
        _nextCall += 4;
        session.Admit(call).Should().Be(CallAdmission.New);
        var answer = new Envelope(_nextAnswer, 0, new ResultBody(call, new byte[ValueBytes]));
        _nextAnswer += 4;
        session.Answer(call, answer);
        return (call, answer.MsgId);
    }

    [Fact]
    public void Answers_PastTheByteBound_AreLetGoOldestFirst_AndAResendOfTheirCallIsToldSo()
    {
        var session = Session(bytes: 3 * (ValueBytes + Overhead));
        var calls = Enumerable.Range(0, 5).Select(_ => CallAndAnswer(session)).ToList();

        session.UnackedCount.Should().Be(3);
        session.UnackedFootprint.Bytes.Should().Be(3 * (ValueBytes + Overhead));
        session.Admit(calls[0].Call).Should().Be(CallAdmission.AnswerDropped, "it ran; its answer is gone, and it is not run again");
        session.Admit(calls[1].Call).Should().Be(CallAdmission.AnswerDropped);
        session.Admit(calls[2].Call).Should().Be(CallAdmission.Answered, "its answer is still kept, and is sent again");
        session.Admit(calls[4].Call).Should().Be(CallAdmission.Answered);
    }

    [Fact]
    public void TheNewestAnswer_StaysEvenWhenAloneItIsOverTheBound()
    {
        var session = Session(bytes: 100);
        CallAndAnswer(session);
        var newest = CallAndAnswer(session);

        session.UnackedCount.Should().Be(1);
        session.Admit(newest.Call).Should().Be(CallAdmission.Answered);
    }

    [Fact]
    public void Answers_PastTheCountBound_AreLetGo_AndAResendOfTheirCallIsToldSo()
    {
        var session = Session(count: 2);
        var calls = Enumerable.Range(0, 3).Select(_ => CallAndAnswer(session)).ToList();

        session.UnackedCount.Should().Be(2);
        session.Admit(calls[0].Call).Should().Be(CallAdmission.AnswerDropped);
        session.Admit(calls[1].Call).Should().Be(CallAdmission.Answered);
    }

    [Fact]
    public void Answers_OlderThanTheirAge_AreLetGoAsTheNextAnswerComes_NotOnlyOnAReconnect()
    {
        var session = Session(maxAgeSeconds: 60); // its call's msg_id is remembered longer (300 s)
        var old = CallAndAnswer(session);
        _clock.Advance(TimeSpan.FromSeconds(61));
        CallAndAnswer(session);

        session.UnackedCount.Should().Be(1);
        session.UnackedFootprint.Bytes.Should().Be(ValueBytes + Overhead);
        session.Admit(old.Call).Should().Be(CallAdmission.AnswerDropped);
    }

    [Fact]
    public void AckedAnswers_AreLetGoWithTheirBytes_AndAResendOfTheirCallIsNotAnError()
    {
        var session = Session();
        var first = CallAndAnswer(session);
        var second = CallAndAnswer(session);

        session.Acknowledge([first.Answer, second.Answer]);

        session.UnackedFootprint.Should().Be((0L, 0));
        session.Admit(first.Call).Should().Be(CallAdmission.Answered, "acked: remembered as answered, nothing to send again");
    }

    [Fact]
    public void AcksOutOfOrder_BehindOneAnswerNeverAcked_DoNotPileUpInTheQueue()
    {
        var session = Session();
        CallAndAnswer(session); // never acked
        for (var i = 0; i < 5000; i++)
        {
            session.Acknowledge([CallAndAnswer(session).Answer]);
        }

        session.UnackedCount.Should().Be(1);
        session.UnackedFootprint.Queued.Should().BeLessThanOrEqualTo(2 + 64);
        session.UnackedFootprint.Bytes.Should().Be(ValueBytes + Overhead);
    }

    [Fact]
    public void RecentCalls_WhileTheOldestAreStillRunning_AreForgottenPastTheCountAndTheAge_AndTheRunningOnesKept()
    {
        var session = new ClientSession("00", 1, new ProtocolOptions { RecentMsgIdsPerSession = 4 }, _clock);
        var slow = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            slow.Add(_nextCall);
            session.Admit(_nextCall).Should().Be(CallAdmission.New);
            _nextCall += 4;
        }

        for (var i = 0; i < 20; i++)
        {
            CallAndAnswer(session);
        }

        session.RememberedCalls.Should().Be(4 + 1, "the bound, and the call just made");
        _clock.Advance(TimeSpan.FromSeconds(ProtocolConstants.MsgIdMaxAgeSeconds + 1));
        CallAndAnswer(session);
        session.RememberedCalls.Should().Be(slow.Count + 1, "the answered calls passed their age; the slow ones still run");
        slow.Select(session.Admit).Should().AllBeEquivalentTo(CallAdmission.Running, "a resend of a call still running is not run again");
    }
}
