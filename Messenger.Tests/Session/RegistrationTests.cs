using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Session.Passwords;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

public sealed class RegistrationTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Register_FirstAccount_BecomesAdminAndLaterOnesDoNot()
    {
        await using var client = await _host.ConnectAsync();

        var first = await client.RegisterAsync("founder", Password, "  The Founder  ");
        var second = await client.RegisterAsync("member", Password, "Member");

        first.IsAdmin.Should().BeTrue();
        first.User.DisplayName.Should().Be("The Founder", "display names are trimmed");
        second.IsAdmin.Should().BeFalse();
        second.User.Id.Should().NotBe(first.User.Id);
    }

    [Fact]
    public async Task Register_WhenUsernameIsTakenInAnotherCase_FailsUsernameOccupied()
    {
        await using var client = await _host.ConnectAsync();
        await client.RegisterAsync("alice_b", Password, "Alice");

        await FailsWith(() => client.RegisterAsync("ALICE_B", Password, "Impostor"), "USERNAME_OCCUPIED");
    }

    [Theory]
    [InlineData("abcd", Password, "Alice", "USERNAME_INVALID")]
    [InlineData("alice smith", Password, "Alice", "USERNAME_INVALID")]
    [InlineData("alice'; DROP TABLE session_users;--", Password, "Alice", "USERNAME_INVALID")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", Password, "Alice", "USERNAME_INVALID")]
    [InlineData("alice", "1234567", "Alice", "PASSWORD_TOO_SHORT")]
    [InlineData("alice", Password, "   ", "DISPLAY_NAME_INVALID")]
    [InlineData("alice", Password, "", "DISPLAY_NAME_INVALID")]
    public async Task Register_WithABadField_FailsWithTheRuleName(string username, string password, string displayName, string error)
    {
        await using var client = await _host.ConnectAsync();

        var failure = await FailsWith(() => client.RegisterAsync(username, password, displayName), error);

        failure.Code.Should().Be(400);
    }

    [Fact]
    public async Task Register_WithAPasswordOver1024Bytes_FailsPasswordTooLong()
    {
        await using var client = await _host.ConnectAsync();

        await FailsWith(() => client.RegisterAsync("alice", new string('p', 1025), "Alice"), "PASSWORD_TOO_LONG");
        await client.RegisterAsync("alice", new string('p', 1024), "Alice");
    }

    [Fact]
    public async Task Register_WhenManyRaceForOneUsername_ExactlyOneGetsIt()
    {
        await using var client = await _host.ConnectAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await client.RegisterAsync(i % 2 == 0 ? "popular" : "POPULAR", Password, $"Claimant {i}");
                return "ok";
            }
            catch (RpcException e)
            {
                return e.Name;
            }
        }));

        outcomes.Count(o => o == "ok").Should().Be(1);
        outcomes.Where(o => o != "ok").Should().AllBe("USERNAME_OCCUPIED");
    }

    [Fact]
    public async Task Register_WhenTheFirstAccountsRaceOnAFreshServer_ExactlyOneBecomesAdmin()
    {
        await using var client = await _host.ConnectAsync();

        var registered = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.RegisterAsync($"racer{i}", Password, "Racer")));

        registered.Count(r => r.IsAdmin).Should().Be(1);
    }

    [Fact]
    public async Task Register_DoesNotSignTheDeviceIn_SignInDoes()
    {
        await using var client = await _host.ConnectAsync();
        await client.RegisterAsync("alice", Password, "Alice");

        await FailsWith(() => client.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
        await client.SignInAsync("alice", Password, "Laptop", "linux");
        (await client.GetAuthorizationsAsync()).Should().ContainSingle();
    }
}

public sealed class RegistrationModeTests
{
    [Theory]
    [InlineData("Open", Registrations.Open)]
    [InlineData("InviteOnly", Registrations.InviteOnly)]
    [InlineData("Closed", Registrations.Closed)]
    public async Task GetConfig_BeforeAndAfterTheFirstAccount_TellsWhetherThereAreAccountsAndWhatRegisteringAsks(string mode, string registration)
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = mode });
        await using var visitor = await host.ConnectAsync();

        var before = await visitor.CallAsync(new GetConfigCall());
        await using var admin = await host.SignedInClientAsync("founder");
        var after = await visitor.CallAsync(new GetConfigCall());

        (before.HasAccounts, before.Registration).Should().Be(((bool?)false, Registrations.Open), "the first account is taken whatever the mode");
        (after.HasAccounts, after.Registration).Should().Be(((bool?)true, registration));
    }

    [Fact]
    public async Task Register_WhenInviteOnly_NeedsAnInviteForAllButTheFirstAccount()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = "InviteOnly" });
        await using var admin = await host.SignedInClientAsync("founder");
        await using var guest = await host.ConnectAsync();

        await FailsWith(() => guest.RegisterAsync("guest1", Password, "Guest"), "INVITE_CODE_INVALID");
        await FailsWith(() => guest.RegisterAsync("guest1", Password, "Guest", "made-up-code"), "INVITE_CODE_INVALID");
        var invite = await admin.CreateInviteAsync(uses: 2);
        await guest.RegisterAsync("guest1", Password, "Guest", invite.Code);
        await guest.RegisterAsync("guest2", Password, "Guest", invite.Code);
        await FailsWith(() => guest.RegisterAsync("guest3", Password, "Guest", invite.Code), "INVITE_CODE_INVALID");

        invite.Uses.Should().Be(2);
        invite.ExpiresAtUnixSeconds.Should().BeNull();
    }

    [Fact]
    public async Task Register_WithAnExpiredInvite_FailsInviteCodeExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = "InviteOnly" }, clock);
        await using var admin = await host.SignedInClientAsync("founder");
        await using var guest = await host.ConnectAsync();
        var invite = await admin.CreateInviteAsync(uses: 5, expiresIn: TimeSpan.FromMinutes(2));

        // Kept under the protocol's 300 s msg_id window: the clients' clocks do not move with the fake one.
        clock.Advance(TimeSpan.FromMinutes(2));

        await FailsWith(() => guest.RegisterAsync("guest1", Password, "Guest", invite.Code), "INVITE_CODE_EXPIRED");
        invite.ExpiresAtUnixSeconds.Should().Be(clock.GetUtcNow().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Register_WhenClosed_OnlyTheFirstAccountMayRegister()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = "Closed" });
        await using var admin = await host.SignedInClientAsync("founder");
        await using var guest = await host.ConnectAsync();
        var invite = await admin.CreateInviteAsync(uses: 1);

        var failure = await FailsWith(() => guest.RegisterAsync("guest1", Password, "Guest"), "REGISTRATION_CLOSED");
        await FailsWith(() => guest.RegisterAsync("guest1", Password, "Guest", invite.Code), "REGISTRATION_CLOSED");

        failure.Code.Should().Be(403);
    }

    [Fact]
    public async Task Register_WhenInviteOnly_WithoutAValidInvite_DoesNotTellWhetherTheNameIsTaken()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationMode"] = "InviteOnly" });
        await using var admin = await host.SignedInClientAsync("founder");
        await using var guest = await host.ConnectAsync();

        await FailsWith(() => guest.RegisterAsync("founder", Password, "Guest"), "INVITE_CODE_INVALID");
        await FailsWith(() => guest.RegisterAsync("founder", Password, "Guest", "made-up-code"), "INVITE_CODE_INVALID");
        var invite = await admin.CreateInviteAsync(uses: 1);
        await FailsWith(() => guest.RegisterAsync("founder", Password, "Guest", invite.Code), "USERNAME_OCCUPIED");
        await guest.RegisterAsync("guest1", Password, "Guest", invite.Code);
    }

    [Fact]
    public async Task Register_WhenOneAddressProbesTakenNames_CountsEachTryAndFloodWaits()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "3" });
        await using var client = await host.ConnectAsync();
        await client.RegisterAsync("alice", Password, "Alice");

        await FailsWith(() => client.RegisterAsync("alice", Password, "Probe"), "USERNAME_OCCUPIED");
        await FailsWith(() => client.RegisterAsync("alice", Password, "Probe"), "USERNAME_OCCUPIED");

        await FailsWith(() => client.RegisterAsync("alice", Password, "Probe"), "FLOOD_WAIT");
        await FailsWith(() => client.RegisterAsync("someone_new", Password, "New"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task Register_WhenOneAddressRegistersTooMany_FloodWait()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "3" });
        await using var client = await host.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await client.RegisterAsync($"user{i:D3}", Password, "User");
        }

        var failure = await FailsWith(() => client.RegisterAsync("user999", Password, "User"), "FLOOD_WAIT");

        failure.Code.Should().Be(420);
        failure.RetryAfterSeconds.Should().BePositive();
    }

    [Fact]
    public async Task Register_WhenTheHasherIsTooBusy_FloodWaitsWithoutUsingUpTheAddresssRegistrations()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "3",
            ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1",
            ["Messenger:Session:PasswordHash:MaxQueued"] = "0",
        });
        var hasher = host.Services.GetRequiredService<PasswordHasher>();
        await using var client = await host.ConnectAsync();

        await hasher.Slots.WaitAsync();
        var first = client.RegisterAsync("user000", Password, "User");
        await WaitUntil(() => hasher.Waiting == 1);
        for (var i = 0; i < 5; i++)
        {
            (await FailsWith(() => client.RegisterAsync($"busy{i:D3}", Password, "User"), "FLOOD_WAIT")).RetryAfterSeconds.Should().Be(1);
        }

        hasher.Slots.Release();
        await first;

        await client.RegisterAsync("user001", Password, "User");
        await client.RegisterAsync("user002", Password, "User");
        await FailsWith(() => client.RegisterAsync("user003", Password, "User"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task Register_WhenTheHasherIsTooBusy_FloodWaitsAlikeForATakenAndAFreeName()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:PasswordHash:MaxConcurrent"] = "1",
            ["Messenger:Session:PasswordHash:MaxQueued"] = "0",
        });
        var hasher = host.Services.GetRequiredService<PasswordHasher>();
        await using var client = await host.ConnectAsync();
        await client.RegisterAsync("alice", Password, "Alice");

        await hasher.Slots.WaitAsync();
        var first = client.RegisterAsync("user000", Password, "User");
        await WaitUntil(() => hasher.Waiting == 1);
        var taken = await FailsWith(() => client.RegisterAsync("alice", Password, "User"), "FLOOD_WAIT");
        var free = await FailsWith(() => client.RegisterAsync("free_name", Password, "User"), "FLOOD_WAIT");
        hasher.Slots.Release();
        await first;

        (taken.Code, taken.RetryAfterSeconds).Should().Be((free.Code, free.RetryAfterSeconds));
    }

    [Fact]
    public async Task Register_FromADeviceThatIsSignedIn_IsAllowedAndLeavesItSignedIn()
    {
        await using var host = await StartHostAsync();
        await using var client = await host.SignedInClientAsync("founder");

        await client.RegisterAsync("second", Password, "Second");

        (await client.GetAuthorizationsAsync()).Should().ContainSingle(a => a.Current);
    }
}
