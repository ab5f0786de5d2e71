using Messenger.Host;

namespace Messenger.Tests.Host;

// The variable is the process's: host processes other tests start meanwhile would inherit it.
[Collection(nameof(EnvironmentVariableTests))]
public sealed class SharedArrayPoolSizeTests : IDisposable
{
    private readonly string? _before = Environment.GetEnvironmentVariable(SharedArrayPoolSize.Variable);

    public void Dispose() => Environment.SetEnvironmentVariable(SharedArrayPoolSize.Variable, _before);

    [Fact]
    public void Apply_WhenTheEnvironmentIsSilent_SetsTheHostsSize()
    {
        Environment.SetEnvironmentVariable(SharedArrayPoolSize.Variable, null);

        SharedArrayPoolSize.Apply();

        Environment.GetEnvironmentVariable(SharedArrayPoolSize.Variable).Should().Be("256");
    }

    [Fact]
    public void Apply_WhenTheEnvironmentSetsASize_LeavesIt()
    {
        Environment.SetEnvironmentVariable(SharedArrayPoolSize.Variable, "64");

        SharedArrayPoolSize.Apply();

        Environment.GetEnvironmentVariable(SharedArrayPoolSize.Variable).Should().Be("64");
    }
}
