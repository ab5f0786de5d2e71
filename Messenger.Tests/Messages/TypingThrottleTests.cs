using Messenger.Contracts.Messages;
using Messenger.Message.Typing;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>Typing notices reach a chat at most once per window, and their cancels at most once per notice.</summary>
public sealed class TypingThrottleTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-05T12:00:00Z"));

    [Fact]
    public void TypingAndCancellingInALoop_ReachesTheChatAFewTimes_ThenTwicePerWindow()
    {
        using var throttle = new TypingThrottle(_clock);
        int Loop()
        {
            var forwarded = 0;
            for (var i = 0; i < 50; i++)
            {
                forwarded += throttle.TryForward(1, Peer.Chat(7), TypingActions.Typing) ? 1 : 0;
                forwarded += throttle.TryForward(1, Peer.Chat(7), TypingActions.Cancel) ? 1 : 0;
            }

            return forwarded;
        }

        Loop().Should().Be(2 * TypingThrottle.Burst);
        for (var window = 0; window < 5; window++)
        {
            _clock.Advance(TypingThrottle.Window);
            Loop().Should().Be(2);
        }

        throttle.TryForward(2, Peer.Chat(7), TypingActions.Typing).Should().BeTrue("each user has their own allowance");
    }

    [Fact]
    public void TypingAgain_RightAfterACancel_IsForwarded_ButRepeatedTypingIsNot()
    {
        using var throttle = new TypingThrottle(_clock);
        throttle.TryForward(1, Peer.User(2), TypingActions.Typing).Should().BeTrue();
        throttle.TryForward(1, Peer.User(2), TypingActions.Typing).Should().BeFalse("within the window");
        throttle.TryForward(1, Peer.User(2), TypingActions.Cancel).Should().BeTrue("the message was sent");
        throttle.TryForward(1, Peer.User(2), TypingActions.Typing).Should().BeTrue("the next one is being typed");
    }

    [Fact]
    public void ACancel_IsForwardedOnlyWhileItsNoticeIsShown()
    {
        using var throttle = new TypingThrottle(_clock);
        throttle.TryForward(1, Peer.User(2), TypingActions.Cancel).Should().BeFalse("no notice to take back");

        throttle.TryForward(1, Peer.User(2), TypingActions.Typing).Should().BeTrue();
        _clock.Advance(TimeSpan.FromSeconds(TypingThrottle.ValidSeconds));
        throttle.TryForward(1, Peer.User(2), TypingActions.Cancel).Should().BeFalse("the notice has expired on its own");

        throttle.TryForward(1, Peer.User(2), TypingActions.Typing).Should().BeTrue();
        _clock.Advance(TimeSpan.FromSeconds(1));
        throttle.TryForward(1, Peer.User(2), TypingActions.Typing).Should().BeFalse("within the window");
        throttle.TryForward(1, Peer.User(2), TypingActions.Cancel).Should().BeTrue();
    }
}
