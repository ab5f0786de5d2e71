using Messenger.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task NullFrame_AndNullEnvelopeInAContainer_AndNullHandshake_CloseTheConnection_WithOneLineEach_NotAnError()
    {
        using var logs = new TempDirectory();
        await using (var host = await StartAsync(logs))
        {
            await using var nullFrame = await RawConnection.OpenHandshakenAsync(host); // never registered: anyone
            await nullFrame.SendEnvelopeAsync(nullFrame.Ping(1));
            await nullFrame.ReceiveAsync<Messenger.Contracts.Wire.ResultBody>();
            await nullFrame.Hub.SendAsync(Messenger.Contracts.Wire.ProtocolConstants.SendMethod, (byte[]?)null);
            await nullFrame.WaitClosedAsync();

            await using var nullEnvelope = await RawConnection.OpenHandshakenAsync(host);
            await nullEnvelope.SendEnvelopeAsync(new Messenger.Contracts.Wire.Envelope(
                nullEnvelope.NextMsgId(), 0, new Messenger.Contracts.Wire.ContainerBody([nullEnvelope.Ping(2), null!])));
            await nullEnvelope.WaitClosedAsync();

            await using var nullHandshake = await RawConnection.OpenAsync(host);
            await FluentActions.Awaiting(() => nullHandshake.SendHandshakeAsync(null!)).Should().ThrowAsync<Exception>();
            await nullHandshake.WaitClosedAsync();
        }

        var log = LogFiles.Read(logs.Path);
        log.Should().Contain("malformed frame: null").And.Contain("malformed frame: envelope without a body").And.Contain("handshake failed: message 1 is null");
        log.Should().NotContain("[ERR]").And.NotContain("Failed to invoke hub method").And.NotContain("NullReferenceException");
    }

    [Fact]
    public async Task LogFile_WhenItReachesItsSizeLimit_RollsToANewFile_AndKeepsTheRetainedCount()
    {
        using var logs = new TempDirectory();
        var settings = LogFiles.Settings(logs.Path);
        settings["Messenger:Logging:FileSizeLimitMiB"] = "1";
        settings["Messenger:Logging:RetainedFileCount"] = "2";
        await using (var host = await TestHost.StartAsync(settings: settings))
        {
            var logger = host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Flood");
            var line = new string('x', 1000);
            for (var i = 0; i < 3500; i++)
            {
                Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "{Line}", line); // 3.5 MB: past the limit three times
            }

        }

        var files = Directory.GetFiles(logs.Path, "messenger*.log");
        files.Should().HaveCount(2, "the file rolled at 1 MiB and only the two newest are kept");
        files.Should().OnlyContain(file => new FileInfo(file).Length <= (1 << 20) + 4096, "a file takes no event once it holds its limit");
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
