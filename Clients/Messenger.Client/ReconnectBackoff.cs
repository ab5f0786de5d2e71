namespace Messenger.Client;

/// <summary>
/// How long a client waits before each attempt to replace a dropped link. After a link that lived at least
/// <see cref="StableLinkAge"/> it starts again from the minimum; a link that died sooner (the server closed it over what
/// was sent on it at once) doubles the wait that made it, so the same frame is not resent over and over. Each failed
/// attempt doubles the wait too. Jitter adds up to half the wait, and the result never exceeds the maximum.
/// </summary>
internal sealed class ReconnectBackoff
{
    public static readonly TimeSpan StableLinkAge = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private TimeSpan _lastSuccessful;

    public ReconnectBackoff(TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
        _lastSuccessful = min;
    }

    /// <summary>The wait before the first attempt after a link of this age closed.</summary>
    public TimeSpan AfterClose(TimeSpan linkAge) => linkAge >= StableLinkAge ? _min : Grow(_lastSuccessful);

    /// <summary>The wait after an attempt with <paramref name="delay"/> failed.</summary>
    public TimeSpan Grow(TimeSpan delay) => Min(delay * 2, _max);

    /// <summary>An attempt after <paramref name="delay"/> made a link: the next quick death grows from it.</summary>
    public void Connected(TimeSpan delay) => _lastSuccessful = delay;

    /// <summary><paramref name="delay"/> plus up to half of it, at most the maximum.</summary>
    public TimeSpan WithJitter(TimeSpan delay, Random random)
    {
        var jitter = TimeSpan.FromMilliseconds(random.Next(0, (int)Math.Max(1, delay.TotalMilliseconds / 2)));
        return Min(delay + jitter, _max);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
