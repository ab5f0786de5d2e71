using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Session;

/// <summary><c>admin.getServerStats</c>: what the server holds and the room it has left, for admins only.</summary>
public sealed class ServerStatsTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await SessionTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ServerStats_CountAccountsMessagesAndFiles_ForAdminsOnly()
    {
        await using var admin = await _host.SignUpAsync("admin_stats"); // the first account is the admin
        await using var bob = await _host.SignUpAsync("bob_stats");
        var empty = await admin.Client.GetServerStatsAsync();
        empty.Accounts.Should().Be(2);
        empty.Messages.Should().Be(0);
        empty.MediaFiles.Should().Be(0);

        var bytes = RandomBytes(100_000, 5);
        var media = await admin.Client.UploadFileAsync(new MemoryStream(bytes), "a.bin", "application/octet-stream");
        await admin.Client.SendMediaAsync(bob.Peer, media);
        await admin.Client.SendMessageAsync(bob.Peer, "hello");
        await bob.Client.CreateBotAsync("stats_bot", "Stats");
        var stats = await admin.Client.GetServerStatsAsync();

        stats.Accounts.Should().Be(2, "a bot is not a person");
        stats.Bots.Should().Be(1);
        stats.Messages.Should().Be(2);
        stats.Chats.Should().Be(1);
        stats.MediaFiles.Should().Be(1);
        stats.MediaBytes.Should().Be(bytes.Length);
        stats.DatabaseBytes.Should().BeGreaterThan(0);
        stats.DiskFreeBytes.Should().BePositive();
        stats.StorageProblem.Should().BeNull();
        stats.RegistrationMode.Should().Be("Open", "the default: anyone who reaches the server may sign up");
        await SessionTestKit.FailsWith(() => bob.Client.GetServerStatsAsync(), SessionErrorNames.AdminRequired);
    }

    [Fact]
    public async Task ServerStats_WhenRegistrationIsInviteOnly_SayIt()
    {
        await using var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = "inviteonly" });
        await using var admin = await host.SignUpAsync("admin_mode");

        (await admin.Client.GetServerStatsAsync()).RegistrationMode.Should().Be("InviteOnly");
    }
}
