using Messenger.Host;
using Messenger.Kernel.Storage;
using Messenger.Message.Calls;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Host;

/// <summary>Some of these tests set process environment variables, which every host built meanwhile would read: they run
/// alone.</summary>
[Collection(nameof(EnvironmentVariableTests))]
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Start_WhenSeveralValuesAreInvalid_ReportsOneLinePerProblem()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path, new Dictionary<string, string?>
        {
            ["Messenger:Urls"] = "http://127.0.0.1:0;not a url",
            ["Messenger:TrustedProxies"] = "10.0.0.0/8; 10.0.0.0/33 ;proxy.local",
            ["Messenger:Storage:Synchronous"] = "SOMETIMES",
            ["Messenger:Storage:WriterBatchSize"] = "-5",
            ["Messenger:Storage:CheckpointIntervalMs"] = "-1",
            ["Messenger:Storage:WriterNice"] = "-21",
            ["Messenger:Storage:MaxDatabaseMiB"] = "-1",
            ["Messenger:Message:PostBurst"] = "50",
            ["Messenger:Message:RetentionDays"] = "-1",
            ["Messenger:Metrics:PrometheusPath"] = "metrics",
            ["Messenger:Protocol:MaxConnectionsPerAddress"] = "-1",
            ["Messenger:Protocol:MaxFrameBytes"] = "2147483647",
            ["Messenger:Protocol:OutboundQueueBytes"] = "65536",
            ["Messenger:Protocol:MaxIdleSessions"] = "0",
            ["Messenger:Protocol:UnackedResultBytesPerIdleSession"] = "0",
            ["Messenger:Protocol:MaxIdleUnackedResultBytes"] = "1000",
            ["Messenger:Protocol:MaxUnackedResultBytes"] = "2199023255553",
            ["Messenger:Logging:MinimumLevel"] = "Chatty",
            ["Messenger:Logging:FileSizeLimitMiB"] = "0",
        });
        await using var app = MessengerApp.Build([], settings);

        var start = () => app.StartMessengerAsync();

        var error = (await start.Should().ThrowAsync<StartupException>()).Which;
        error.Message.Split(Environment.NewLine).Should().BeEquivalentTo(
            "Messenger:Urls: 'not a url' is not an absolute http:// or https:// URL",
            "Messenger:TrustedProxies: '10.0.0.0/33' is not an IP address or a network such as 10.0.0.0/8",
            "Messenger:TrustedProxies: 'proxy.local' is not an IP address or a network such as 10.0.0.0/8",
            "Messenger:Storage:Synchronous: 'SOMETIMES' is not one of Off, Normal, Full, Extra",
            "Messenger:Storage:WriterBatchSize: must be greater than zero (was -5)",
            "Messenger:Storage:CheckpointIntervalMs: must be between 0 and 60000 (was -1)",
            "Messenger:Storage:WriterNice: must be between -20 and 19 (was -21)",
            "Messenger:Storage:MaxDatabaseMiB: must be between 0 and 16777216 (was -1)",
            "Messenger:Message:PostBurst: must be between 100 and 10000000 (was 50)",
            "Messenger:Message:RetentionDays: must be between 0 and 36600 (was -1)",
            "Messenger:Metrics:PrometheusPath: 'metrics' is not a path such as /metrics",
            "Messenger:Protocol:MaxConnectionsPerAddress: must be between 0 and 10000000 (was -1)",
            "Messenger:Protocol:MaxFrameBytes: must be between 65536 and 16777216 (was 2147483647)",
            "Messenger:Protocol:OutboundQueueBytes: must be between 1048576 and 1073741824 (was 65536)",
            "Messenger:Protocol:MaxIdleSessions: must be between 1 and 10000000 (was 0)",
            "Messenger:Protocol:UnackedResultBytesPerIdleSession: must be greater than zero (was 0)",
            "Messenger:Protocol:MaxIdleUnackedResultBytes: must be between 1048576 and 1099511627776 (was 1000)",
            "Messenger:Protocol:MaxUnackedResultBytes: must be between 1048576 and 1099511627776 (was 2199023255553)",
            "Messenger:Logging:FileSizeLimitMiB: must be between 1 and 1000000 (was 0)",
            "Messenger:Logging:MinimumLevel: 'Chatty' is not one of Verbose, Debug, Information, Warning, Error, Fatal");
        File.Exists(Path.Combine(directory.Path, "messenger.db")).Should().BeFalse("nothing is touched when the configuration is invalid");
    }

    [Fact]
    public async Task Start_WhenValuesDoNotConvert_ReportsEachOne_BesideTheValidatorsProblems()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path, new Dictionary<string, string?>
        {
            ["Messenger:Storage:BusyTimeoutMs"] = "abc",
            ["Messenger:Storage:Synchronous"] = "SOMETIMES",
            ["Messenger:Push:Enabled"] = "maybe",
            ["Messenger:Session:PasswordHash:MemoryKiB"] = "64MB",
            ["Messenger:Queue:RetentionDays"] = "99999999999",
            ["Messenger:Protocol:MaxFrameBytes"] = "",
        });
        await using var app = MessengerApp.Build([], settings);

        var start = () => app.StartMessengerAsync();

        var error = (await start.Should().ThrowAsync<StartupException>()).Which;
        error.Message.Split(Environment.NewLine).Should().BeEquivalentTo(
            "Messenger:Storage:BusyTimeoutMs: 'abc' is not a whole number",
            "Messenger:Storage:Synchronous: 'SOMETIMES' is not one of Off, Normal, Full, Extra",
            "Messenger:Push:Enabled: 'maybe' is not true or false",
            "Messenger:Session:PasswordHash:MemoryKiB: '64MB' is not a whole number",
            "Messenger:Queue:RetentionDays: '99999999999' is not a whole number between -2147483648 and 2147483647",
            "Messenger:Protocol:MaxFrameBytes: '' is not a whole number");
        File.Exists(Path.Combine(directory.Path, "messenger.db")).Should().BeFalse("nothing is touched when the configuration is invalid");
    }

    [Fact]
    public async Task Run_WhenAValueDoesNotConvert_PrintsConfigurationErrors_AndExits2()
    {
        using var directory = new TempDirectory();

        var (exitCode, output) = await HostProcess.RunAsync(
            $"--Messenger:DataDirectory={directory.Path}", "--Messenger:Urls=http://127.0.0.1:0",
            "--Messenger:Storage:BusyTimeoutMs=abc", "--Messenger:Push:Enabled=maybe");

        exitCode.Should().Be(2, output);
        output.Should().Contain("Configuration error: Messenger:Storage:BusyTimeoutMs: 'abc' is not a whole number")
            .And.Contain("Configuration error: Messenger:Push:Enabled: 'maybe' is not true or false")
            .And.NotContain("Unhandled exception");
    }

    [Fact]
    public async Task Start_WhenAKeyUnderMessengerIsReadByNoOptions_ReportsItAsATypo()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path, new Dictionary<string, string?>
        {
            ["Messenger:Sesion:RegistrationMode"] = "Closed",
            ["Messenger:Session:PasswordHash:Iteration"] = "4",
            ["Messenger:Storage:BusyTimeoutMs:Seconds"] = "5",
            ["Messenger:Calls:IceServers:0:Url"] = "stun:stun.example.org",
            ["Messenger:DataDirectoryFullPath"] = "/elsewhere",
            ["messenger:storage:synchronous"] = "normal",
            ["Kestrel:Limits:MaxRequestBodySize"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await using var app = MessengerApp.Build([], settings);

        var start = () => app.StartMessengerAsync();

        var error = (await start.Should().ThrowAsync<StartupException>()).Which;
        error.Message.Split(Environment.NewLine).Should().BeEquivalentTo(
            "Messenger:Sesion:RegistrationMode: unknown key (a typo?)",
            "Messenger:Session:PasswordHash:Iteration: unknown key (a typo?)",
            "Messenger:Storage:BusyTimeoutMs:Seconds: unknown key (a typo?)",
            "Messenger:Calls:IceServers:0:Url: unknown key (a typo?)",
            "Messenger:DataDirectoryFullPath: unknown key (a typo?)",
            "Messenger:Calls:IceServers: each needs Urls starting with stun:, turn: or turns:.");
        File.Exists(Path.Combine(directory.Path, "messenger.db")).Should().BeFalse("nothing is touched when the configuration is invalid");
    }

    [Fact]
    public async Task Start_WithAListOfIceServers_TakesTheirEntriesKeys()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Messenger:Calls:IceServers:0:Urls:0"] = "stun:stun.example.org:3478",
            ["Messenger:Calls:IceServers:1:Urls:0"] = "turn:turn.example.org:3478",
            ["Messenger:Calls:IceServers:1:Urls:1"] = "turns:turn.example.org:5349",
            ["Messenger:Calls:IceServers:1:Username"] = "messenger",
            ["Messenger:Calls:IceServers:1:Credential"] = "secret",
        });

        var servers = host.Services.GetRequiredService<IOptions<CallOptions>>().Value.IceServers;

        servers.Select(server => string.Join(" ", server.Urls)).Should().Equal(
            "stun:stun.example.org:3478", "turn:turn.example.org:3478 turns:turn.example.org:5349");
        servers[1].Username.Should().Be("messenger");
    }

    [Fact]
    public async Task Start_WhenAnIntervalOrRetentionIsBeyondWhatATimerOrADateTakes_ReportsIt()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path, new Dictionary<string, string?>
        {
            ["Messenger:Queue:CompactionIntervalMinutes"] = "100000",
            ["Messenger:Queue:RetentionDays"] = "1000000000",
            ["Messenger:Media:CollectionIntervalMinutes"] = "100000",
            ["Messenger:Media:UploadExpiryHours"] = "1000000000",
            ["Messenger:Protocol:HandshakeTimeoutSeconds"] = "5000000",
            ["Messenger:Protocol:KeepAliveSeconds"] = "8",
            ["Messenger:Backup:IntervalMinutes"] = "527040",
        });
        await using var app = MessengerApp.Build([], settings);

        var start = () => app.StartMessengerAsync();

        (await start.Should().ThrowAsync<StartupException>()).Which.Message.Split(Environment.NewLine).Should().BeEquivalentTo(
            "Messenger:Queue:CompactionIntervalMinutes: must be between 1 and 10080 (was 100000)",
            "Messenger:Queue:RetentionDays: must be between 1 and 36600 (was 1000000000)",
            "Messenger:Media:CollectionIntervalMinutes: must be between 1 and 10080 (was 100000)",
            "Messenger:Media:UploadExpiryHours: must be between 1 and 8784 (was 1000000000)",
            "Messenger:Protocol:HandshakeTimeoutSeconds: must be between 1 and 300 (was 5000000)",
            "Messenger:Protocol:KeepAliveSeconds: must be between 1 and 7 (was 8)",
            "Messenger:Backup:IntervalMinutes: must be between 1 and 44640 (was 527040)");
    }

    [Fact]
    public async Task Start_WhenDataDirectoryCannotBeCreated_ReportsTheDirectory()
    {
        using var directory = new TempDirectory();
        // A regular file where a parent directory should be: unwritable even for root, unlike chmod.
        var blocker = Path.Combine(directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var dataDirectory = Path.Combine(blocker, "data");
        await using var app = MessengerApp.Build([], TestHost.Settings(dataDirectory));

        var start = () => app.StartMessengerAsync();

        (await start.Should().ThrowAsync<StartupException>()).Which.Message
            .Should().StartWith($"Messenger:DataDirectory: '{dataDirectory}' is not a writable directory");
    }

    [Fact]
    public async Task Start_WhenDataDirectoryIsOnAReadOnlyFileSystem_ReportsTheDirectory()
    {
        await using var app = MessengerApp.Build([], TestHost.Settings("/proc/messenger-data"));

        var start = () => app.StartMessengerAsync();

        (await start.Should().ThrowAsync<StartupException>()).Which.Message
            .Should().StartWith("Messenger:DataDirectory: '/proc/messenger-data' is not a writable directory");
    }

    [Fact]
    public async Task Start_WhenTheLogFilesDirectoryCannotBeCreated_ReportsIt()
    {
        using var directory = new TempDirectory();
        var blocker = Path.Combine(directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var logFile = Path.Combine(blocker, "messenger.log");
        await using var app = MessengerApp.Build([], TestHost.Settings(Path.Combine(directory.Path, "data"), new Dictionary<string, string?>
        {
            ["Messenger:Logging:FilePath"] = logFile,
        }));

        var start = () => app.StartMessengerAsync();

        (await start.Should().ThrowAsync<StartupException>()).Which.Message
            .Should().StartWith($"Messenger:Logging:FilePath: '{logFile}': its directory '{blocker}' is not a writable directory");
    }

    [Fact]
    public async Task Build_WhenEnvironmentVariableOverridesAKey_UsesIt()
    {
        using var directory = new TempDirectory();
        Environment.SetEnvironmentVariable("Messenger__Storage__WriterQueueCapacity", "77");
        try
        {
            await using var app = MessengerApp.Build([], TestHost.Settings(directory.Path));
            app.Configuration["Messenger:Storage:WriterQueueCapacity"].Should().Be("77");
            app.Configuration["Messenger:Storage:Synchronous"].Should().Be("Full", "the top-level appsettings.json is read");
        }
        finally
        {
            Environment.SetEnvironmentVariable("Messenger__Storage__WriterQueueCapacity", null);
        }
    }

    [Fact]
    public async Task Start_WithAspNetsUrlsArgument_ListensThere_InPlaceOfTheShippedDefault()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path);
        settings.Remove("Messenger:Urls");
        await using var app = MessengerApp.Build(["--urls", "http://127.0.0.1:0"], settings);

        await app.StartMessengerAsync();

        app.Configuration["Messenger:Urls"].Should().Be("http://127.0.0.1:0");
        var address = new Uri(app.Urls.Single());
        address.Host.Should().Be("127.0.0.1");
        address.Port.Should().NotBe(5000, "port 0 picked a free port; appsettings.json's 5000 gave way to --urls");
        await app.StopAsync();
    }

    [Fact]
    public async Task Build_WithAspNetCoreUrlsInTheEnvironment_TakesItOverTheShippedDefault_NotOverAChosenAddress()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path);
        settings.Remove("Messenger:Urls");
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", "http://127.0.0.1:6001");
        try
        {
            await using (var fromEnvironment = MessengerApp.Build([], settings))
            {
                fromEnvironment.Configuration["Messenger:Urls"].Should().Be("http://127.0.0.1:6001", "ASPNETCORE_URLS outranks the shipped default");
            }

            await using (var blankAbove = MessengerApp.Build(["--urls="], settings))
            {
                blankAbove.Configuration["Messenger:Urls"].Should().Be("http://127.0.0.1:6001", "a blank --urls does not count");
            }

            await using (var commandLine = MessengerApp.Build(["--Messenger:Urls=http://127.0.0.1:6002"], settings))
            {
                commandLine.Configuration["Messenger:Urls"].Should().Be("http://127.0.0.1:6002", "an address chosen on the command line stays");
            }

            Environment.SetEnvironmentVariable("Messenger__Urls", "http://127.0.0.1:6003");
            await using var environment = MessengerApp.Build([], settings);
            environment.Configuration["Messenger:Urls"].Should().Be("http://127.0.0.1:6003", "an address chosen in the environment stays");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_URLS", null);
            Environment.SetEnvironmentVariable("Messenger__Urls", null);
        }
    }
}

[CollectionDefinition(nameof(EnvironmentVariableTests), DisableParallelization = true)]
public sealed class EnvironmentVariableTests;
