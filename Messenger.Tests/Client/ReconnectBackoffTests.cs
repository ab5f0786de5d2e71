using Messenger.Client;

namespace Messenger.Tests.Client;

/// <summary>The SDK's waits before replacing a dropped link: growing while links die at once, capped, jittered within the cap.</summary>
public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Fact]
    public void AfterAStableLink_TheWaitStartsFromTheMinimum()
    {
        var backoff = new ReconnectBackoff(Min, Max);
        backoff.Connected(TimeSpan.FromSeconds(8));

        backoff.AfterClose(ReconnectBackoff.StableLinkAge).Should().Be(Min);
    }

    [Fact]
    public void LinksThatDieAtOnce_DoubleTheWaitEachTime_UpToTheMaximum()
    {
        var backoff = new ReconnectBackoff(Min, Max);
        var waits = new List<TimeSpan>();
        for (var death = 0; death < 9; death++)
        {
            var wait = backoff.AfterClose(TimeSpan.FromMilliseconds(50));
            waits.Add(wait);
            backoff.Connected(wait);
        }

        waits.Select(w => w.TotalMilliseconds).Should().Equal(200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000, 10_000);
        backoff.AfterClose(TimeSpan.FromMinutes(1)).Should().Be(Min, "a link that then lives starts the back-off over");
    }

    [Fact]
    public void FailedAttempts_DoubleTheWait_UpToTheMaximum()
    {
        var backoff = new ReconnectBackoff(Min, Max);

        backoff.Grow(Min).Should().Be(TimeSpan.FromMilliseconds(200));
        backoff.Grow(TimeSpan.FromSeconds(6)).Should().Be(Max);
    }

    [Fact]
    public void Jitter_AddsUpToHalfTheWait_AndNeverPassesTheMaximum()
    {
        var backoff = new ReconnectBackoff(Min, Max);
        var random = new Random(7);
        var small = Enumerable.Range(0, 2_000).Select(_ => backoff.WithJitter(TimeSpan.FromSeconds(1), random)).ToList();
        var large = Enumerable.Range(0, 2_000).Select(_ => backoff.WithJitter(TimeSpan.FromSeconds(8), random)).ToList();

        small.Should().OnlyContain(w => w >= TimeSpan.FromSeconds(1) && w < TimeSpan.FromSeconds(1.5));
        small.Distinct().Count().Should().BeGreaterThan(100, "the jitter spreads clients that lost the server together");
        large.Should().OnlyContain(w => w >= TimeSpan.FromSeconds(8) && w <= Max);
        large.Should().Contain(Max, "8 s plus up to 4 s is cut at the 10 s maximum");
    }
}
