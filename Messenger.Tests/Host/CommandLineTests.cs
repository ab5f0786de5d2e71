using Messenger.Host.Commands;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Host;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData]
    [InlineData("--Messenger:DataDirectory=/var/lib/messenger")]
    [InlineData("--Messenger:Urls", "http://0.0.0.0:5000")]
    [InlineData("/Messenger:Urls=http://0.0.0.0:5000")]
    [InlineData("Messenger:Urls=http://0.0.0.0:5000")]
    [InlineData("", "--Messenger:DataDirectory=/data")]
    [InlineData("--Messenger:DataDirectory", "backup")]
    [InlineData("/Messenger:Name", "reset-password", "--environment", "Production")]
    public void Parse_WhenEveryArgumentIsConfiguration_Serves(params string[] args) =>
        CommandLine.Parse(args).Should().Be(new HostCommand.Serve());

    [Fact]
    public void Parse_ACommandWithItsOperand_TakesTheRestAsConfiguration()
    {
        var backup = CommandLine.Parse(["backup", "/backups/b1", "--Messenger:DataDirectory=/data"]);
        var reset = CommandLine.Parse(["reset-password", "alice"]);
        var twoFactor = CommandLine.Parse(["reset-two-factor", "bob", "--Messenger:DataDirectory", "/data"]);
        var newKey = CommandLine.Parse(["new-server-key", "--Messenger:DataDirectory=/data"]);
        var dated = CommandLine.Parse(["backup", "/backups/date=2026-12-05"]);
        var compact = CommandLine.Parse(["compact", "--Messenger:DataDirectory", "/data"]);

        backup.Should().BeOfType<HostCommand.Backup>().Which.Should().BeEquivalentTo(
            new { Target = "/backups/b1", Settings = new[] { "--Messenger:DataDirectory=/data" } });
        reset.Should().BeOfType<HostCommand.ResetPassword>().Which.Username.Should().Be("alice");
        twoFactor.Should().BeOfType<HostCommand.ResetTwoFactor>().Which.Settings.Should().Equal("--Messenger:DataDirectory", "/data");
        newKey.Should().BeOfType<HostCommand.NewServerKey>().Which.Settings.Should().Equal("--Messenger:DataDirectory=/data");
        dated.Should().BeOfType<HostCommand.Backup>().Which.Target.Should().Be("/backups/date=2026-12-05");
        compact.Should().BeOfType<HostCommand.Compact>().Which.Settings.Should().Equal("--Messenger:DataDirectory", "/data");
        CommandLine.Parse(["compact", "data"]).Should().BeOfType<HostCommand.Usage>("compact takes no operand: a stray word starts nothing");
    }

    /// <summary>A cron line or a reset with its settings first runs the command on those settings, never a second server
    /// on the same data.</summary>
    [Fact]
    public void Parse_ACommandAfterItsConfiguration_RunsTheCommandWithAllOfIt()
    {
        var backup = CommandLine.Parse(
            ["--Messenger:DataDirectory=/data", "--Messenger:Urls=http://127.0.0.1:5098", "backup", "/backups/b1", "--Serilog:MinimumLevel=Warning"]);
        var reset = CommandLine.Parse(["--Messenger:DataDirectory", "/data", "reset-password", "alice"]);
        var twoFactor = CommandLine.Parse(["/Messenger:DataDirectory=/data", "reset-two-factor", "bob"]);
        var newKey = CommandLine.Parse(["Messenger:DataDirectory=/data", "new-server-key"]);
        var environment = CommandLine.Parse(["--environment", "Production", "backup", "/backups/b2"]);

        backup.Should().BeOfType<HostCommand.Backup>().Which.Should().BeEquivalentTo(new
        {
            Target = "/backups/b1",
            Settings = new[] { "--Messenger:DataDirectory=/data", "--Messenger:Urls=http://127.0.0.1:5098", "--Serilog:MinimumLevel=Warning" },
        });
        reset.Should().BeOfType<HostCommand.ResetPassword>().Which.Should().BeEquivalentTo(
            new { Username = "alice", Settings = new[] { "--Messenger:DataDirectory", "/data" } });
        twoFactor.Should().BeOfType<HostCommand.ResetTwoFactor>().Which.Should().BeEquivalentTo(
            new { Username = "bob", Settings = new[] { "/Messenger:DataDirectory=/data" } });
        newKey.Should().BeOfType<HostCommand.NewServerKey>().Which.Settings.Should().Equal("Messenger:DataDirectory=/data");
        environment.Should().BeOfType<HostCommand.Backup>().Which.Settings.Should().Equal("--environment", "Production");
    }

    [Theory]
    [InlineData("'bakup' is not a command", "bakup", "/backups/b1")]
    [InlineData("'bakup' is not a command", "--Messenger:DataDirectory=/data", "bakup", "/backups/b1")]
    [InlineData("'serve' is not a command", "--Messenger:Urls", "http://127.0.0.1:5000", "serve")]
    [InlineData("'extra' is not a command", "backup", "/backups/b1", "extra")]
    [InlineData("'-v' is not a setting: settings are --Key=value, --Key value or Key=value", "-v", "--Messenger:DataDirectory=/data")]
    [InlineData("'reset-password' after 'backup': one command at a time", "backup", "/backups/b1", "reset-password", "alice")]
    [InlineData("backup needs the directory to back up into", "urls=http://0.0.0.0:5000", "backup")]
    [InlineData("'serve' is not a command", "serve")]
    [InlineData("backup needs the directory to back up into", "backup")]
    [InlineData("backup needs the directory to back up into", "backup", "--Messenger:DataDirectory=/data")]
    [InlineData("reset-password needs the account's username", "reset-password")]
    [InlineData("reset-two-factor needs the account's username", "reset-two-factor", "--Messenger:DataDirectory=/data")]
    public void Parse_AMisspeltOrIncompleteCommand_AsksForTheUsage(string problem, params string[] args) =>
        CommandLine.Parse(args).Should().Be(new HostCommand.Usage(problem));

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("--Messenger:DataDirectory=/data", "--help")]
    public void Parse_HelpAsked_IsTheUsageWithoutAProblem(params string[] args) =>
        CommandLine.Parse(args).Should().Be(new HostCommand.Usage(null));

    [Fact]
    public async Task Run_WithAMisspeltCommand_PrintsTheUsageAndExits2_WithoutStartingAServer()
    {
        using var directory = new TempDirectory();

        var (exitCode, output) = await HostProcess.RunAsync(
            "bakup", $"--Messenger:DataDirectory={directory.Path}", "--Messenger:Urls=http://127.0.0.1:0");

        exitCode.Should().Be(2, output);
        output.Should().Contain("Messenger.Host: 'bakup' is not a command.").And.Contain("Usage:").And.NotContain("listening");
        Directory.EnumerateFileSystemEntries(directory.Path).Should().BeEmpty("no server started in the data directory");
    }

    [Fact]
    public async Task Run_WithTheSettingsBeforeTheCommand_RunsTheCommand_WithoutStartingAServer()
    {
        using var directory = new TempDirectory();
        var data = await HostProcess.DataWithOneAccountAsync(directory.Path, "alice_order");

        var copy = Path.Combine(directory.Path, "copy");
        var (exitCode, output) = await HostProcess.RunAsync(
            $"--Messenger:DataDirectory={data}", "--Messenger:Urls=http://127.0.0.1:0", "backup", copy);
        var stray = await HostProcess.RunAsync($"--Messenger:DataDirectory={data}", "--Messenger:Urls=http://127.0.0.1:0", "bakup", copy);

        exitCode.Should().Be(0, output);
        output.Should().Contain($"Backed up {data} to {copy}").And.NotContain("listening");
        File.Exists(Path.Combine(copy, "messenger.db")).Should().BeTrue();
        stray.ExitCode.Should().Be(2, stray.Output);
        stray.Output.Should().Contain("Messenger.Host: 'bakup' is not a command.").And.Contain("Usage:").And.NotContain("listening");
    }
}
