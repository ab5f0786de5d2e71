namespace Messenger.Tests.Infrastructure;

/// <summary>A <c>[Fact]</c> for what only Linux does as the server relies on (a directory opened with
/// <c>O_DIRECTORY</c> and fsynced): skipped elsewhere, with the reason. xunit 2 decides a skip before the test runs, so
/// the condition is read here.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: what it checks is what Linux does";
        }
    }
}
