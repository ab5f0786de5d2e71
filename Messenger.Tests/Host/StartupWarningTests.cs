using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Host;

/// <summary>What the server says at start about a set-up that works but that the operator should know of.</summary>
public sealed class StartupWarningTests
{
    [Fact]
    public async Task Start_CreatesAMissingDataDirectoryForTheServersUserAlone()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");

        await using (await TestHost.StartAsync(data, LogFiles.Settings(directory.Path)))
        {
        }

        File.GetUnixFileMode(data).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        LogFiles.Read(directory.Path).Should().Contain("Messenger listening on").And.NotContain("is open to other users")
            .And.Contain($"Created a new, empty data directory {data};").And.NotContain("plain HTTP", "it listens on loopback");
    }

    [Fact]
    public async Task Start_WithTheLogAtWarning_StillSaysTheKeysFingerprintTheAddressAndTheDataDirectory()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        string fingerprint;

        await using (var host = await TestHost.StartAsync(data, new Dictionary<string, string?>(LogFiles.Settings(directory.Path))
        {
            ["Messenger:Logging:MinimumLevel"] = "Warning",
        }))
        {
            await using var client = await host.ConnectAsync();
            fingerprint = (await client.CallAsync(new GetConfigCall())).ServerKeyFingerprint;
        }

        LogFiles.Read(directory.Path).Should().Contain($"Server key fingerprint {fingerprint}")
            .And.Contain("Messenger listening on http://127.0.0.1:")
            .And.Contain($"Data directory {data}, database")
            .And.NotContain("Storage writer drained", "the other lines at Information stay below the minimum level");
    }

    [Fact]
    public async Task Start_WhenTheDataDirectoryIsOpenToOtherUsers_WarnsAndLeavesItAsItIs()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix modes
        }

        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        const UnixFileMode open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(data, open);

        await using (await TestHost.StartAsync(data, LogFiles.Settings(directory.Path)))
        {
        }

        LogFiles.Read(directory.Path).Should().Contain($"The data directory {data} is open to other users of this machine (mode 0755)")
            .And.NotContain("Created a new, empty data directory");
        File.GetUnixFileMode(data).Should().Be(open);
    }

    [Fact]
    public async Task Start_WithNoAccountYet_SaysTheFirstOneBecomesTheAdmin_AndWhereToRegisterIt()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var logs = Path.Combine(directory.Path, "first");
        string address;

        await using (var host = await TestHost.StartAsync(data, new Dictionary<string, string?>(LogFiles.Settings(logs))
        {
            ["Messenger:Session:RegistrationMode"] = "Closed",
        }))
        {
            address = host.BaseAddress.ToString().TrimEnd('/');
            await using var admin = await host.ConnectAsync();
            await admin.RegisterAsync("admin", "correct horse battery", "Admin");
        }

        var later = Path.Combine(directory.Path, "later");
        await using (await TestHost.StartAsync(data, LogFiles.Settings(later)))
        {
        }

        LogFiles.Read(logs).Should().Contain(
            $"No accounts yet: the first account registered becomes the server's admin, whatever RegistrationMode says; register it now: open {address}/ (the web client) and choose Create account");
        LogFiles.Read(later).Should().Contain("Messenger listening on").And.NotContain("No accounts yet", "the server has its admin");
    }

    [Fact]
    public async Task Start_OnEveryAddressWithPlainHttp_WarnsOfIt_AndSaysWhereABrowserHereRegisters()
    {
        using var directory = new TempDirectory();

        await using (await TestHost.StartAsync(Path.Combine(directory.Path, "data"), new Dictionary<string, string?>(LogFiles.Settings(directory.Path))
        {
            ["Messenger:Urls"] = "http://0.0.0.0:0",
        }))
        {
        }

        var log = LogFiles.Read(directory.Path);
        log.Should().MatchRegex(@"Listening on ""?http://0\.0\.0\.0:\d+""? with plain HTTP beyond this machine")
            .And.Contain("if a TLS proxy is the only way in to this address, ignore this");
        log.Should().MatchRegex(@"register it now: open ""?http://127\.0\.0\.1:\d+/""? \(the web client\)").And.NotContain("open http://0.0.0.0");
    }

    [Fact]
    public async Task Start_WithPushOnAndTheDefaultSubject_WarnsThatApplesPushesFail()
    {
        using var directory = new TempDirectory();
        var warned = Path.Combine(directory.Path, "default");
        var set = Path.Combine(directory.Path, "set");
        var off = Path.Combine(directory.Path, "off");

        await using (await TestHost.StartAsync(Path.Combine(directory.Path, "data1"), LogFiles.Settings(warned)))
        {
        }

        await using (await TestHost.StartAsync(Path.Combine(directory.Path, "data2"), new Dictionary<string, string?>(LogFiles.Settings(set))
        {
            ["Messenger:Push:Subject"] = "mailto:ops@example.org",
        }))
        {
        }

        await using (await TestHost.StartAsync(Path.Combine(directory.Path, "data3"), new Dictionary<string, string?>(LogFiles.Settings(off))
        {
            ["Messenger:Push:Enabled"] = "false",
        }))
        {
        }

        LogFiles.Read(warned).Should().Contain(
            "[INF] Messenger.Update.WebPush.PushOutbox: Messenger:Push:Subject is still mailto:admin@localhost: notifications to Safari and iOS fail until it is set to a real mailto: or https: address of the server's admin",
            "no device has subscribed yet: it is said, not warned of, on every default start");
        LogFiles.Read(set).Should().Contain("Messenger listening on").And.NotContain("Messenger:Push:Subject");
        LogFiles.Read(off).Should().Contain("Messenger listening on").And.NotContain("Messenger:Push:Subject");
    }

    [Fact]
    public async Task Start_WithTheDefaultPushSubjectAndASubscribedDevice_WarnsThatApplesPushesFail()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var later = Path.Combine(directory.Path, "later");
        await using var push = await LocalPushService.StartAsync();
        var privateEndpoints = new Dictionary<string, string?> { ["Messenger:Push:PrivateNetworks"] = "true" };

        await using (var host = await TestHost.StartAsync(data, privateEndpoints))
        {
            await using var alice = await host.SignUpAsync("alice_subject", startEvents: false);
            var subscription = push.Subscribe();
            await alice.Client.RegisterPushAsync(subscription.Endpoint, subscription.P256dh, subscription.Auth);
        }

        await using (await TestHost.StartAsync(data, new Dictionary<string, string?>(LogFiles.Settings(later)) { ["Messenger:Push:PrivateNetworks"] = "true" }))
        {
        }

        LogFiles.Read(later).Should().Contain("[WRN] Messenger.Update.WebPush.PushOutbox: Messenger:Push:Subject is still mailto:admin@localhost");
    }
}
