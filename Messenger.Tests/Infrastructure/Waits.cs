namespace Messenger.Tests.Infrastructure;

/// <summary>Waits for a condition the test cannot await, checking it every 10 ms; the bound measures nothing.</summary>
public static class Waits
{
    /// <summary>True as soon as <paramref name="condition"/> holds, false once <paramref name="bound"/> has passed
    /// without it.</summary>
    public static async Task<bool> Eventually(Func<bool> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
