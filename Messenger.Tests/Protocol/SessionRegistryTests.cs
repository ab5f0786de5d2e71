using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Protocol;

/// <summary>The sessions of a device when a sweep of idle ones runs while a new one is created (the test seam stops the
/// creation right where the sweep can take the device's sessions away).</summary>
public sealed class SessionRegistryTests
{
    private const int IdleSeconds = 600;

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void GetOrCreate_WhileASweepDropsTheDevicesLastIdleSession_KeepsTheNewSession()
    {
        using var registry = new SessionRegistry(Options.Create(new ProtocolOptions { SessionIdleTimeoutSeconds = IdleSeconds }), _clock);
        registry.GetOrCreate("00", 1).Created.Should().BeTrue();

        registry.AfterDeviceLookup = () =>
        {
            registry.AfterDeviceLookup = null;
            _clock.Advance(TimeSpan.FromSeconds(IdleSeconds + 1));
            registry.Sweep();
        };
        var (session, created) = registry.GetOrCreate("00", 2);

        created.Should().BeTrue();
        registry.GetOrCreate("00", 2).Should().Be((session, false), "the session, and its memory of the client's msg_ids, is kept");
        registry.GetOrCreate("00", 1).Created.Should().BeTrue("the idle one was swept");
    }
}
