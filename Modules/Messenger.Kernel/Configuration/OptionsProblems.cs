namespace Messenger.Kernel.Configuration;

/// <summary>Checks shared by every module's options validator, worded the same way everywhere.</summary>
public static class OptionsProblems
{
    public static void RequirePositive(ICollection<string> problems, string section, string key, int value)
    {
        if (value <= 0)
        {
            problems.Add($"{section}:{key}: must be greater than zero (was {value})");
        }
    }

    /// <summary>For int settings too (they widen to long).</summary>
    public static void RequireInRange(ICollection<string> problems, string section, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            problems.Add($"{section}:{key}: must be between {min} and {max} (was {value})");
        }
    }
}
