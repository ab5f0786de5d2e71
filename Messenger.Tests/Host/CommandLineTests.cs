using Messenger.Host.Commands;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Host;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData]
    [InlineData("--Messenger:DataDirectory=/var/lib/messenger")]
    [InlineData("--Messenger:Urls", "http://0.0.0.0:5000")]
    [InlineData("/Messenger:Urls=http://0.0.0.0:5000")]
    [InlineData("Messenger:Urls=http://0.0.0.0:5000")]
    [InlineData("urls=http://0.0.0.0:5000", "backup")]
    [InlineData("", "--Messenger:DataDirectory=/data")]
    public void Parse_WhenTheFirstArgumentIsConfiguration_Serves(params string[] args) =>
        CommandLine.Parse(args).Should().Be(new HostCommand.Serve());

    [Fact]
    public void Parse_ACommandWithItsOperand_TakesTheRestAsConfiguration()
    {
        var backup = CommandLine.Parse(["backup", "/backups/b1", "--Messenger:DataDirectory=/data"]);
        var reset = CommandLine.Parse(["reset-password", "alice"]);
        var twoFactor = CommandLine.Parse(["reset-two-factor", "bob", "--Messenger:DataDirectory", "/data"]);
        var newKey = CommandLine.Parse(["new-server-key", "--Messenger:DataDirectory=/data"]);
        var dated = CommandLine.Parse(["backup", "/backups/date=2026-12-05"]);

        backup.Should().BeOfType<HostCommand.Backup>().Which.Should().BeEquivalentTo(
            new { Target = "/backups/b1", Settings = new[] { "--Messenger:DataDirectory=/data" } });
        reset.Should().BeOfType<HostCommand.ResetPassword>().Which.Username.Should().Be("alice");
        twoFactor.Should().BeOfType<HostCommand.ResetTwoFactor>().Which.Settings.Should().Equal("--Messenger:DataDirectory", "/data");
        newKey.Should().BeOfType<HostCommand.NewServerKey>().Which.Settings.Should().Equal("--Messenger:DataDirectory=/data");
        dated.Should().BeOfType<HostCommand.Backup>().Which.Target.Should().Be("/backups/date=2026-12-05");
    }

    [Theory]
    [InlineData("'bakup' is not a command", "bakup", "/backups/b1")]
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
    public void Parse_HelpAsked_IsTheUsageWithoutAProblem(string argument) =>
        CommandLine.Parse([argument]).Should().Be(new HostCommand.Usage(null));

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
}
