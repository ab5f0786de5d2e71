using Messenger.Kernel.Errors;
using Messenger.Session;
using Messenger.Session.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Session;

public sealed class AttemptLimiterTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));

    private AttemptLimiter Limiter(int max = 5) =>
        new(new AttemptLimit(max, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(8)), _clock);

    [Fact]
    public void Record_BelowTheLimit_StartsNoWait()
    {
        var limiter = Limiter();

        for (var i = 0; i < 4; i++)
        {
            limiter.Record("user:alice").Should().BeNull();
        }

        limiter.RetryAfter("user:alice").Should().BeNull();
    }

    [Fact]
    public void Record_WhenTheLimitIsReached_LocksTheKeyOutForTheLockout()
    {
        var limiter = Limiter();
        for (var i = 0; i < 4; i++)
        {
            limiter.Record("user:alice");
        }

        limiter.Record("user:alice").Should().Be(60);

        limiter.RetryAfter("user:alice").Should().Be(60);
        limiter.RetryAfter("user:bob").Should().BeNull("keys are counted apart");
        _clock.Advance(TimeSpan.FromSeconds(45));
        limiter.RetryAfter("user:alice").Should().Be(15);
        _clock.Advance(TimeSpan.FromSeconds(15));
        limiter.RetryAfter("user:alice").Should().BeNull();
    }

    [Fact]
    public void Record_WhenLockedOutAgainAndAgain_WaitsDoubleUpToTheMaximum()
    {
        var limiter = Limiter(max: 1);
        var waits = new List<int?>();
        for (var i = 0; i < 6; i++)
        {
            waits.Add(limiter.Record("addr:10.0.0.1"));
            _clock.Advance(TimeSpan.FromSeconds(limiter.RetryAfter("addr:10.0.0.1") ?? 0));
        }

        waits.Should().Equal(60, 120, 240, 480, 480, 480);
    }

    [Fact]
    public void Record_WhenALongLockoutIsDoubledAgainAndAgain_StaysAtTheMaximum_AndStillLocksOut()
    {
        // The longest first lockout and maximum the settings allow (a day, a week): doubled two dozen times, the wait
        // must not overflow into one that locks out no more.
        var limiter = new AttemptLimiter(new AttemptLimit(1, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), TimeSpan.FromDays(7)), _clock);
        var waits = new List<int?>();
        for (var i = 0; i < 40; i++)
        {
            waits.Add(limiter.Record("addr:10.0.0.1"));
            waits.Add(limiter.RetryAfter("addr:10.0.0.1"));
            _clock.Advance(TimeSpan.FromSeconds(waits[^1] ?? 0));
        }

        const int Day = 86_400;
        waits.Should().StartWith([Day, Day, 2 * Day, 2 * Day, 4 * Day, 4 * Day]);
        waits.Skip(6).Should().AllBeEquivalentTo(7 * Day);
    }

    [Fact]
    public void Record_WhenFailuresAreSpreadBeyondTheWindow_DoesNotLockOut()
    {
        var limiter = Limiter();

        for (var i = 0; i < 20; i++)
        {
            limiter.Record("user:alice").Should().BeNull();
            _clock.Advance(TimeSpan.FromSeconds(15));
        }
    }

    [Fact]
    public void Record_AfterALongQuietTime_StartsAgainFromTheFirstLockout()
    {
        var limiter = Limiter(max: 1);
        limiter.Record("user:alice").Should().Be(60);
        _clock.Advance(TimeSpan.FromMinutes(1));
        limiter.Record("user:alice").Should().Be(120);

        _clock.Advance(TimeSpan.FromHours(1));

        limiter.Record("user:alice").Should().Be(60);
    }

    [Fact]
    public void Reset_ForgetsTheKeysFailures()
    {
        var limiter = Limiter(max: 2);
        limiter.Record("user:alice");

        limiter.Reset("user:alice");

        limiter.Record("user:alice").Should().BeNull();
    }

    [Fact]
    public void Sweep_DropsKeysThatNoLongerMatter()
    {
        var limiter = Limiter();
        for (var i = 0; i < 100; i++)
        {
            limiter.Record($"addr:10.0.0.{i}");
        }

        _clock.Advance(TimeSpan.FromHours(1));
        limiter.Record("addr:10.0.1.1");
        limiter.Sweep();

        limiter.Count.Should().Be(1);
    }

    [Fact]
    public void TryStart_WhileTheAttemptsLeftAreInFlight_RefusesTheNextUntilOneIsGivenBack()
    {
        var limiter = Limiter(max: 2);
        limiter.Record("user:alice");

        using var first = limiter.TryStart("user:alice", out _);
        first.Should().NotBeNull();
        limiter.TryStart("user:alice", out var wait).Should().BeNull();
        wait.Should().Be(1);

        first!.Dispose();
        using var again = limiter.TryStart("user:alice", out _);
        again.Should().NotBeNull("a place given back uncounted is free again");
        again!.Count().Should().Be(60);
        limiter.TryStart("user:alice", out wait).Should().BeNull();
        wait.Should().Be(60);
    }

    [Fact]
    public void Reset_WhileAnAttemptIsInFlight_KeepsItsPlace()
    {
        var limiter = Limiter(max: 1);
        using var inFlight = limiter.TryStart("user:alice", out _);

        limiter.Reset("user:alice");

        limiter.TryStart("user:alice", out _).Should().BeNull();
        inFlight!.Count().Should().Be(60);
    }

    [Fact]
    public void StartPasswordAttempt_FromALockedOutAddress_TakesNothingFromTheAccountItNames()
    {
        var limits = new AuthLimits(Options.Create(new SessionOptions { SignInFailuresPerAddress = 1 }), _clock);
        limits.StartPasswordAttempt("user:alice", "addr:10.0.0.1").Failed().Should().Be(60);

        var refused = FluentActions.Invoking(() => limits.StartPasswordAttempt("user:bob", "addr:10.0.0.1")).Should().Throw<MessengerError>().Which;

        refused.RetryAfterSeconds.Should().Be(60);
        limits.FailuresPerAccount.Count.Should().Be(1, "bob's account was never touched: an address cycling names grows nothing");
    }

    [Fact]
    public void PasswordAttempt_WhenTheAddressAndALongerLockedOutAccountAreBothLockedOut_WaitsTheLonger()
    {
        var limits = new AuthLimits(Options.Create(new SessionOptions { SignInFailuresPerAccount = 1, SignInFailuresPerAddress = 1 }), _clock);
        limits.StartPasswordAttempt("user:alice", "addr:10.0.0.1").Failed().Should().Be(60);
        _clock.Advance(TimeSpan.FromSeconds(60));
        limits.StartPasswordAttempt("user:alice", "addr:10.0.0.2").Failed().Should().Be(120);

        var lockedOut = FluentActions.Invoking(() => limits.ThrowIfLockedOut("user:alice", "addr:10.0.0.2")).Should().Throw<MessengerError>().Which;
        var refused = FluentActions.Invoking(() => limits.StartPasswordAttempt("user:alice", "addr:10.0.0.2")).Should().Throw<MessengerError>().Which;

        lockedOut.RetryAfterSeconds.Should().Be(120);
        refused.RetryAfterSeconds.Should().Be(120);
    }
}
