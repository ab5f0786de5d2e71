using Messenger.Client;

namespace Messenger.Tests.Client;

/// <summary>The receiving side of secret chats' sequence numbers (docs/secret-chats.md, Sequence numbers), fed what a
/// malicious server could deliver: bodies reordered, one dropped, one replayed, one without a number. The web client's
/// test/secretSequence.test.ts feeds its copy of this state machine the same cases.</summary>
public sealed class SecretSequenceTests
{
    private const long Now = 1_764_900_000;
    private static readonly long Grace = (long)SecretSequence.Grace.TotalSeconds;
    private static readonly long ResendAfter = (long)SecretSequence.ResendAfter.TotalSeconds;

    private static SecretSequenceRead Numbered(long outSeq) => new(outSeq, 0, true);

    private static readonly SecretSequenceRead Unnumbered = new(null, null, true);

    [Fact]
    public void InOrder_EachIsApplied_AndCountedAsReceivedInOrder()
    {
        var state = new InboundSequence();

        Enumerable.Range(0, 3).Select(n => SecretSequence.Accept(state, Numbered(n), Now)).Should().OnlyContain(v => v == SequenceVerdict.Apply);

        state.Should().Match<InboundSequence>(s => s.Sequenced && s.Next == 3 && s.InOrder == 3 && s.Gaps.Count == 0);
    }

    [Fact]
    public void Reordered_TheLaterIsApplied_TheEarlierComesLate_AndNothingIsReported()
    {
        var state = new InboundSequence();

        SecretSequence.Accept(state, Numbered(0), Now).Should().Be(SequenceVerdict.Apply);
        SecretSequence.Accept(state, Numbered(2), Now).Should().Be(SequenceVerdict.Apply, "applied at once: nothing is held back");
        state.InOrder.Should().Be(1, "number 1 is missing so far");
        SecretSequence.Accept(state, Numbered(1), Now + 5).Should().Be(SequenceVerdict.Late);

        state.Gaps.Should().BeEmpty();
        state.InOrder.Should().Be(3);
        SecretSequence.ReportOverdue(state, Now + Grace).Should().BeFalse("the gap filled within the grace");
        state.Reported.Should().Be(0);
    }

    [Fact]
    public void Dropped_IsReportedOnceTheGraceIsOver_AndNoLongerWhenItComesLateAfterAll()
    {
        var state = new InboundSequence();
        SecretSequence.Accept(state, Numbered(0), Now);
        SecretSequence.Accept(state, Numbered(3), Now).Should().Be(SequenceVerdict.Apply);

        SecretSequence.NextDue(state).Should().Be(Now + ResendAfter, "its sender is asked for it first");
        SecretSequence.TakeToAsk(state, Now + ResendAfter).Should().ContainSingle();
        SecretSequence.NextDue(state).Should().Be(Now + Grace);
        SecretSequence.ReportOverdue(state, Now + Grace - 1).Should().BeFalse();
        state.Reported.Should().Be(0);
        SecretSequence.ReportOverdue(state, Now + Grace).Should().BeTrue();
        state.Reported.Should().Be(2, "numbers 1 and 2 never came");
        SecretSequence.NextDue(state).Should().BeNull("reported once");
        SecretSequence.ReportOverdue(state, Now + 10 * Grace).Should().BeFalse();

        SecretSequence.Accept(state, Numbered(2), Now + 2 * Grace).Should().Be(SequenceVerdict.Late);
        state.Reported.Should().Be(1);
        state.InOrder.Should().Be(1);
    }

    [Fact]
    public void AGap_IsAskedForOnce_AfterTheResendDelay_AndItsPartsAreNotAskedAgain()
    {
        var state = new InboundSequence();
        SecretSequence.Accept(state, Numbered(0), Now);
        SecretSequence.Accept(state, Numbered(4), Now);

        SecretSequence.TakeToAsk(state, Now + ResendAfter - 1).Should().BeEmpty("a body merely reordered may still come");
        SecretSequence.TakeToAsk(state, Now + ResendAfter).Select(g => (g.From, g.To)).Should().Equal((1L, 4L));
        SecretSequence.TakeToAsk(state, Now + Grace).Should().BeEmpty("asked once: two peers cannot keep asking each other");

        SecretSequence.Accept(state, Numbered(2), Now + ResendAfter + 1).Should().Be(SequenceVerdict.Late);
        state.Gaps.Select(g => (g.From, g.To)).Should().Equal((1L, 2L), (3L, 4L));
        SecretSequence.TakeToAsk(state, Now + Grace).Should().BeEmpty("what is left of an asked gap was asked already");
        SecretSequence.NextDue(state).Should().Be(Now + Grace);
    }

    [Fact]
    public void ANumberAnsweredGone_LeavesItsGap_AndIsReportedLost()
    {
        var state = new InboundSequence();
        SecretSequence.Accept(state, Numbered(0), Now);
        SecretSequence.Accept(state, Numbered(2), Now);

        SecretSequence.Accept(state, Numbered(1), Now + ResendAfter).Should().Be(SequenceVerdict.Late);
        SecretSequence.Lose(state);

        state.Gaps.Should().BeEmpty();
        state.InOrder.Should().Be(3);
        state.Reported.Should().Be(1, "lost at once, not after the grace");
        SecretSequence.Accept(state, Numbered(1), Now + Grace).Should().Be(SequenceVerdict.Replay, "a second answer changes nothing");
        state.Copy().Reported.Should().Be(1);
    }

    [Fact]
    public void ALateNumberInsideAGap_SplitsIt()
    {
        var state = new InboundSequence();
        SecretSequence.Accept(state, Numbered(0), Now);
        SecretSequence.Accept(state, Numbered(5), Now);

        SecretSequence.Accept(state, Numbered(3), Now).Should().Be(SequenceVerdict.Late);

        state.Gaps.Select(g => (g.From, g.To)).Should().Equal((1L, 3L), (4L, 5L));
        SecretSequence.Accept(state, Numbered(3), Now).Should().Be(SequenceVerdict.Replay, "3 came already");
    }

    [Fact]
    public void Replayed_ANumberAlreadyReceived_IsDropped()
    {
        var state = new InboundSequence();
        SecretSequence.Accept(state, Numbered(0), Now);
        SecretSequence.Accept(state, Numbered(1), Now);

        SecretSequence.Accept(state, Numbered(0), Now).Should().Be(SequenceVerdict.Replay);
        SecretSequence.Accept(state, Numbered(1), Now).Should().Be(SequenceVerdict.Replay);
        state.Next.Should().Be(2);
    }

    [Fact]
    public void WithoutNumbers_BodiesAreAccepted_UntilTheFirstNumberedOne_ThenRefused()
    {
        var state = new InboundSequence();

        SecretSequence.Accept(state, Unnumbered, Now).Should().Be(SequenceVerdict.Apply, "a chat from before sequence numbers");
        SecretSequence.Accept(state, Unnumbered, Now).Should().Be(SequenceVerdict.Apply);
        state.Sequenced.Should().BeFalse();
        SecretSequence.Accept(state, Numbered(0), Now).Should().Be(SequenceVerdict.Apply);
        SecretSequence.Accept(state, Unnumbered, Now).Should().Be(SequenceVerdict.Refused, "a server cannot strip the numbers once they came");
        SecretSequence.Accept(state, SecretSequenceRead.Invalid, Now).Should().Be(SequenceVerdict.Refused);
    }

    [Fact]
    public void TheFirstNumberedBody_IsExpectedToBeZero_SoOneDroppedBeforeItIsAGap()
    {
        var state = new InboundSequence();
        SecretSequence.Accept(state, Unnumbered, Now);

        SecretSequence.Accept(state, Numbered(2), Now).Should().Be(SequenceVerdict.Apply);

        state.Gaps.Select(g => (g.From, g.To)).Should().Equal((0L, 2L));
    }

    [Fact]
    public void Gaps_BeyondTheLimit_LetTheOldestGo()
    {
        var state = new InboundSequence();
        for (var i = 0; i <= SecretSequence.MaxGaps; i++)
        {
            SecretSequence.Accept(state, Numbered((2 * i) + 1), Now);
        }

        state.Gaps.Should().HaveCount(SecretSequence.MaxGaps);
        state.Gaps[0].From.Should().Be(2);
        SecretSequence.Accept(state, Numbered(0), Now).Should().Be(SequenceVerdict.Replay, "its gap was let go");
    }
}
