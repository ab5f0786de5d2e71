using Messenger.Host;
using Messenger.Kernel.Storage;
using Messenger.Session;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Session;

public sealed class SessionOptionsTests
{
    [Fact]
    public void Defaults_AreValid() =>
        new SessionOptionsValidator().Validate(null, new SessionOptions()).Succeeded.Should().BeTrue();

    [Theory]
    [InlineData("open", "Open")]
    [InlineData("InviteOnly", "InviteOnly")]
    [InlineData("CLOSED", "Closed")]
    public void RegistrationMode_IsReadIgnoringCase(string configured, string mode)
    {
        var options = new SessionOptions { RegistrationMode = configured };

        new SessionOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
        options.Mode.ToString().Should().Be(mode);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(1440, true)]
    [InlineData(1441, false)]
    public void UnusedDevicesCheckMinutes_IsBetweenAMinuteAndADay(int minutes, bool valid)
    {
        var result = new SessionOptionsValidator().Validate(null, new SessionOptions { UnusedDevicesCheckMinutes = minutes });

        result.Succeeded.Should().Be(valid);
        if (!valid)
        {
            result.Failures.Should().ContainSingle().Which.Should().Be($"Messenger:Session:UnusedDevicesCheckMinutes: must be between 1 and 1440 (was {minutes})");
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(5000, true)]
    [InlineData(100_001, false)]
    public void MaxContacts_IsBetweenOneAndAHundredThousand(int contacts, bool valid) =>
        new SessionOptionsValidator().Validate(null, new SessionOptions { MaxContacts = contacts }).Succeeded.Should().Be(valid);

    [Fact]
    public async Task Start_WhenSessionValuesAreInvalid_ReportsOneLinePerProblem()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path, new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationMode"] = "Sometimes",
            ["Messenger:Session:PasswordHash:MemoryKiB"] = "4",
            ["Messenger:Session:PasswordHash:MaxConcurrent"] = "0",
            ["Messenger:Session:SignInFailuresPerAccount"] = "0",
        });
        await using var app = MessengerApp.Build([], settings);

        var start = () => app.StartMessengerAsync();

        var error = (await start.Should().ThrowAsync<StartupException>()).Which;
        error.Message.Split(Environment.NewLine).Should().BeEquivalentTo(
            "Messenger:Session:RegistrationMode: 'Sometimes' is not one of Open, InviteOnly, Closed",
            "Messenger:Session:PasswordHash:MemoryKiB: must be between 8 and 1048576 (was 4)",
            "Messenger:Session:PasswordHash:MaxConcurrent: must be between 1 and 256 (was 0)",
            "Messenger:Session:SignInFailuresPerAccount: must be between 1 and 1000 (was 0)");
    }
}
