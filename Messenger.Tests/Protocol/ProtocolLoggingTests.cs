using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Protocol;

/// <summary>
/// What a self-hoster's log says about clients: a refused client is one line with its reason, not an error with a
/// stack (anyone can send a bad handshake), and a restart is not an error either. Read from the log file the server
/// writes (<c>Messenger:Logging:FilePath</c>), as an operator reads it.
/// </summary>
public sealed class ProtocolLoggingTests
{
    [Fact]
    public async Task Handshake_WhenMessage1IsGarbage_LogsItsReason_NotAnError()
    {
        using var logs = new TempDirectory();
        await using (var host = await StartAsync(logs))
        {
            await using var raw = await RawConnection.OpenAsync(host);

            var handshake = () => raw.SendHandshakeAsync([1, 2, 3]);

            await handshake.Should().ThrowAsync<Exception>("the server refuses the handshake");
            await raw.WaitClosedAsync();
        }

        var log = LogFiles.Read(logs.Path);
        log.Should().Contain("handshake failed");
        log.Should().NotContain("[ERR]").And.NotContain("Failed to invoke hub method");
    }

    [Fact]
    public async Task Call_WhenTheServerStopsWhileItRuns_IsNotLoggedAsAnError()
    {
        using var logs = new TempDirectory();
        var probe = new BlockingProbe();
        await using (var host = await StartAsync(logs, probe.Register))
        {
            await using var raw = await RawConnection.OpenHandshakenAsync(host);
            await raw.SendEnvelopeAsync(raw.Call(BlockingProbe.Method, [0x90]));
            await WaitUntil(() => probe.Executions == 1);

            await host.App.StopAsync();
        }

        var log = LogFiles.Read(logs.Path);
        log.Should().Contain("Storage writer drained", "the log covers the whole stop");
        log.Should().NotContain("[ERR]").And.NotContain("failed unexpectedly");
    }

    private static Task<TestHost> StartAsync(TempDirectory logs, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configureServices = null) =>
        TestHost.StartAsync(settings: LogFiles.Settings(logs.Path), configureServices: configureServices);

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
