using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

public sealed class DeviceTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ThreeDevices_OnOneAccount_AreSignedInAtOnceAndEachSeesItselfAsCurrent()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        await using var phone = await _host.SignedInClientAsync("alice", register: false, deviceName: "Phone");
        await using var tablet = await _host.SignedInClientAsync("alice", register: false, deviceName: "Tablet");

        var seenByPhone = await phone.GetAuthorizationsAsync();
        var seenByTablet = await tablet.GetAuthorizationsAsync();

        seenByPhone.Select(a => a.DeviceName).Should().Equal("Laptop", "Phone", "Tablet");
        seenByPhone.Single(a => a.Current).DeviceName.Should().Be("Phone");
        seenByTablet.Single(a => a.Current).DeviceName.Should().Be("Tablet");
        seenByPhone.Select(a => a.Id).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task ResetAuthorization_ClosesThatDevicesConnection_AndTheOtherTwoKeepWorking()
    {
        var phoneKeys = new InMemoryDeviceKeyStore();
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        await using var tablet = await _host.SignedInClientAsync("alice", register: false, deviceName: "Tablet");
        await using var phone = await _host.ConnectWithoutReconnectAsync(phoneKeys);
        await phone.SignInAsync("alice", Password, "Phone", "android");
        var phoneId = (await phone.GetAuthorizationsAsync()).Single(a => a.Current).Id;

        await laptop.ResetAuthorizationAsync(phoneId);

        await WaitUntil(() => !phone.IsConnected);
        (await laptop.GetAuthorizationsAsync()).Select(a => a.DeviceName).Should().Equal("Laptop", "Tablet");
        (await tablet.GetAuthorizationsAsync()).Should().HaveCount(2);
        (await tablet.CallAsync(new PingCall(1))).Id.Should().Be(1);

        await using var phoneAgain = await _host.ConnectAsync(phoneKeys);
        (await phoneAgain.CallAsync(new PingCall(2))).Id.Should().Be(2, "the key may still connect, as anyone may");
        (await FailsWith(() => phoneAgain.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED")).Code.Should().Be(401);
    }

    [Fact]
    public async Task ResetAuthorization_OfAnotherAccountsDevice_FailsNotFoundAndChangesNothing()
    {
        await using var alice = await _host.SignedInClientAsync("alice");
        await using var bob = await _host.SignedInClientAsync("bobby");
        var bobsId = (await bob.GetAuthorizationsAsync()).Single().Id;

        var failure = await FailsWith(() => alice.ResetAuthorizationAsync(bobsId), "AUTHORIZATION_NOT_FOUND");
        await FailsWith(() => alice.ResetAuthorizationAsync(-1), "AUTHORIZATION_NOT_FOUND");

        failure.Code.Should().Be(404);
        (await bob.GetAuthorizationsAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task ResetOtherAuthorizations_LeavesOnlyTheCallerSignedIn()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        await using var phone = await _host.SignedInClientAsync("alice", register: false, deviceName: "Phone");
        await using var tablet = await _host.SignedInClientAsync("alice", register: false, deviceName: "Tablet");

        await phone.ResetOtherAuthorizationsAsync();

        (await phone.GetAuthorizationsAsync()).Should().ContainSingle().Which.DeviceName.Should().Be("Phone");
        await FailsWith(() => laptop.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
        await FailsWith(() => tablet.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
    }

    [Fact]
    public async Task ChangePassword_SignsOutTheOtherDevices_AndOnlyTheNewPasswordSignsIn()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        await using var phone = await _host.SignedInClientAsync("alice", register: false, deviceName: "Phone");

        await FailsWith(() => laptop.ChangePasswordAsync("not the password", "a brand new password"), "PASSWORD_INVALID");
        await FailsWith(() => laptop.ChangePasswordAsync(Password, "short"), "PASSWORD_TOO_SHORT");
        await laptop.ChangePasswordAsync(Password, "a brand new password");

        (await laptop.GetAuthorizationsAsync()).Should().ContainSingle().Which.DeviceName.Should().Be("Laptop");
        await FailsWith(() => phone.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
        await FailsWith(() => phone.SignInAsync("alice", Password, "Phone", "android"), "CREDENTIALS_INVALID");
        await phone.SignInAsync("alice", "a brand new password", "Phone", "android");
    }

    [Fact]
    public async Task SetUserBlocked_DisconnectsTheUsersDevicesAndRefusesThemUntilUnblocked()
    {
        await using var admin = await _host.SignedInClientAsync("founder");
        await using var member = await _host.ConnectWithoutReconnectAsync();
        await member.RegisterAsync("member", Password, "Member");
        var memberId = (await member.SignInAsync("member", Password, "Phone", "android")).User.Id;

        await admin.SetUserBlockedAsync(memberId, blocked: true);

        await WaitUntil(() => !member.IsConnected);
        await using var memberAgain = await _host.ConnectAsync();
        (await FailsWith(() => memberAgain.SignInAsync("member", Password, "Phone", "android"), "USER_BLOCKED")).Code.Should().Be(403);
        (await admin.ListUsersAsync(0, 10)).Users.Single(u => u.Id == memberId).IsBlocked.Should().BeTrue();
        (await admin.SearchUsersAsync("mem")).Should().BeEmpty("blocked users are not found by search");

        await admin.SetUserBlockedAsync(memberId, blocked: false);
        await memberAgain.SignInAsync("member", Password, "Phone", "android");
    }

    [Fact]
    public async Task SetUserBlocked_OnOneselfOrAnUnknownUser_FailsByName()
    {
        await using var admin = await _host.SignedInClientAsync("founder");
        var adminId = (await admin.SearchUsersAsync("founder")).Single().Id;

        await FailsWith(() => admin.SetUserBlockedAsync(adminId, true), "USER_IS_SELF");
        await FailsWith(() => admin.SetUserBlockedAsync(424242, true), "USER_ID_INVALID");
    }

    [Fact]
    public async Task Restart_OfTheHost_KeepsEveryDeviceSignedIn()
    {
        using var directory = new TempDirectory();
        var laptopKeys = new InMemoryDeviceKeyStore();
        var phoneKeys = new FileDeviceKeyStore(Path.Combine(directory.Path, "phone-device.key"));
        await using (var host = await StartHostAsync(dataDirectory: Path.Combine(directory.Path, "data")))
        {
            await using var laptop = await host.SignedInClientAsync("alice", deviceName: "Laptop", keys: laptopKeys);
            await using var phone = await host.SignedInClientAsync("alice", register: false, deviceName: "Phone", keys: phoneKeys);
        }

        await using var restarted = await StartHostAsync(dataDirectory: Path.Combine(directory.Path, "data"));
        await using var laptopAgain = await restarted.ConnectAsync(laptopKeys);
        await using var phoneAgain = await restarted.ConnectAsync(new FileDeviceKeyStore(Path.Combine(directory.Path, "phone-device.key")));

        (await laptopAgain.GetAuthorizationsAsync()).Select(a => a.DeviceName).Should().Equal("Laptop", "Phone");
        (await phoneAgain.GetAuthorizationsAsync()).Single(a => a.Current).DeviceName.Should().Be("Phone");
    }
}

public sealed class LastActiveTests
{
    [Fact]
    public async Task LastActive_IsShownAtOnceAndSurvivesARestart()
    {
        using var directory = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string?> { ["Messenger:Session:LastActiveFlushSeconds"] = "3600" };
        var laptopKeys = new InMemoryDeviceKeyStore();
        var phoneKeys = new InMemoryDeviceKeyStore();
        long signedInAt;
        await using (var host = await StartHostAsync(settings, clock, directory.Path))
        {
            await using var laptop = await host.SignedInClientAsync("alice", deviceName: "Laptop", keys: laptopKeys);
            await using var phone = await host.SignedInClientAsync("alice", register: false, deviceName: "Phone", keys: phoneKeys);
            signedInAt = (await phone.GetAuthorizationsAsync()).Single(a => a.DeviceName == "Laptop").CreatedAtUnixSeconds;

            clock.Advance(TimeSpan.FromSeconds(100));
            await laptop.CallAsync(new PingCall(1));

            (await phone.GetAuthorizationsAsync()).Single(a => a.DeviceName == "Laptop").LastActiveAtUnixSeconds
                .Should().Be(signedInAt + 100, "the laptop's last call counts at once, though nothing was written yet");
        }

        // Kept under the protocol's 300 s msg_id window in all: the clients' clocks do not move with the fake one.
        clock.Advance(TimeSpan.FromSeconds(50));
        await using var restarted = await StartHostAsync(settings, clock, directory.Path);
        await using var phoneAgain = await restarted.ConnectAsync(phoneKeys);
        var laptopSeen = (await phoneAgain.GetAuthorizationsAsync()).Single(a => a.DeviceName == "Laptop");

        laptopSeen.CreatedAtUnixSeconds.Should().Be(signedInAt);
        laptopSeen.LastActiveAtUnixSeconds.Should().Be(signedInAt + 100, "it was written when the server stopped");
    }
}

public sealed class LoginTokenTests
{
    [Fact]
    public async Task AcceptLoginToken_SignsInTheDeviceThatExportedIt_WhichIsToldByAnUpdate()
    {
        await using var host = await StartHostAsync();
        await using var laptop = await host.SignedInClientAsync("alice", deviceName: "Laptop");
        await using var newPhone = await host.ConnectAsync();
        var token = await newPhone.ExportLoginTokenAsync("New phone", "android");

        var accepted = await laptop.AcceptLoginTokenAsync(token.QrData);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var signedIn = await newPhone.WaitForLoginTokenAcceptedAsync(timeout.Token);

        token.QrData.Should().Be("messenger://login?token=" + token.Token);
        accepted.DeviceName.Should().Be("New phone");
        signedIn.User.Username.Should().Be("alice");
        signedIn.AuthorizationId.Should().Be(accepted.Id);
        (await newPhone.GetAuthorizationsAsync()).Single(a => a.Current).DeviceName.Should().Be("New phone");
    }

    [Fact]
    public async Task AcceptLoginToken_ASecondTime_FailsInvalid()
    {
        await using var host = await StartHostAsync();
        await using var laptop = await host.SignedInClientAsync("alice");
        await using var bob = await host.SignedInClientAsync("bobby");
        await using var newPhone = await host.ConnectAsync();
        var token = await newPhone.ExportLoginTokenAsync("New phone", "android");
        await laptop.AcceptLoginTokenAsync(token.Token);

        await FailsWith(() => laptop.AcceptLoginTokenAsync(token.Token), "LOGIN_TOKEN_INVALID");
        await FailsWith(() => bob.AcceptLoginTokenAsync(token.Token), "LOGIN_TOKEN_INVALID");
        (await newPhone.GetAuthorizationsAsync()).Should().HaveCount(2, "the phone joined alice's account, once");
    }

    [Fact]
    public async Task AcceptLoginToken_AfterSixtySeconds_FailsExpiredAndSignsInNobody()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock: clock);
        await using var laptop = await host.SignedInClientAsync("alice");
        await using var newPhone = await host.ConnectAsync();
        var token = await newPhone.ExportLoginTokenAsync("New phone", "android");

        clock.Advance(TimeSpan.FromSeconds(60));

        await FailsWith(() => laptop.AcceptLoginTokenAsync(token.Token), "LOGIN_TOKEN_EXPIRED");
        await FailsWith(() => newPhone.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
        token.ExpiresAtUnixSeconds.Should().Be(clock.GetUtcNow().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task ExportLoginToken_Again_MakesTheEarlierTokenInvalid()
    {
        await using var host = await StartHostAsync();
        await using var laptop = await host.SignedInClientAsync("alice");
        await using var newPhone = await host.ConnectAsync();
        var first = await newPhone.ExportLoginTokenAsync("New phone", "android");
        var second = await newPhone.ExportLoginTokenAsync("New phone", "android");

        await FailsWith(() => laptop.AcceptLoginTokenAsync(first.Token), "LOGIN_TOKEN_INVALID");
        await laptop.AcceptLoginTokenAsync(second.Token);
    }

    [Fact]
    public async Task AcceptLoginToken_ByADeviceThatIsNotSignedIn_Fails401()
    {
        await using var host = await StartHostAsync();
        await using var newPhone = await host.ConnectAsync();
        await using var stranger = await host.ConnectAsync();
        var token = await newPhone.ExportLoginTokenAsync("New phone", "android");

        await FailsWith(() => newPhone.AcceptLoginTokenAsync(token.Token), "AUTH_KEY_UNREGISTERED");
        await FailsWith(() => stranger.AcceptLoginTokenAsync(token.Token), "AUTH_KEY_UNREGISTERED");
    }

    [Theory]
    [InlineData("")]
    [InlineData("made-up")]
    [InlineData("messenger://login?token=")]
    public async Task AcceptLoginToken_WithAMadeUpToken_FailsInvalid(string token)
    {
        await using var host = await StartHostAsync();
        await using var laptop = await host.SignedInClientAsync("alice");

        await FailsWith(() => laptop.AcceptLoginTokenAsync(token), "LOGIN_TOKEN_INVALID");
    }
}
