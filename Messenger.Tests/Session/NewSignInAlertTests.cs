using Messenger.Client;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>A new device signing in to an account is told to the account's other devices, online at once or when they
/// catch up.</summary>
public sealed class NewSignInAlertTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SignIn_OfANewDevice_IsToldToTheAccountsOtherDevicesAtOnce_AndToNobodyElse()
    {
        await using var laptop = await _host.SignUpAsync("alice");
        await using var tablet = await _host.SignInAnotherDeviceAsync("alice");
        var tabletId = (await tablet.Client.GetAuthorizationsAsync()).Single(a => a.Current).Id;
        await using var bob = await _host.SignUpAsync("bobby");
        var bobsPts = (await bob.Client.CallAsync(new GetStateCall())).Pts;

        await using var phone = await _host.ConnectAsync();
        var signedIn = await phone.SignInAsync("alice", Password, "Pixel 9", "android");

        // The laptop heard of the tablet first: the phone's is the next one.
        var seen = await laptop.NextAsync<DeviceSignedIn>(e => e.AuthorizationId != tabletId);
        var listed = (await laptop.Client.GetAuthorizationsAsync()).Single(a => a.Id == signedIn.AuthorizationId);
        seen.AuthorizationId.Should().Be(signedIn.AuthorizationId);
        seen.DeviceName.Should().Be("Pixel 9");
        seen.Platform.Should().Be("android");
        seen.ClientAddress.Should().Be(listed.ClientAddress).And.NotBeEmpty();
        seen.Date.ToUnixTimeSeconds().Should().Be(listed.CreatedAtUnixSeconds);
        (await tablet.NextAsync<DeviceSignedIn>()).AuthorizationId.Should().Be(signedIn.AuthorizationId);
        (await bob.Client.CallAsync(new GetStateCall())).Pts.Should().Be(bobsPts, "another account's log learns nothing");
    }

    [Fact]
    public async Task SignIn_WhileAnotherDeviceIsOffline_ReachesItWhenItCatchesUp()
    {
        var laptop = await _host.SignUpAsync("alice");
        var pts = (await laptop.Client.CallAsync(new GetStateCall())).Pts;
        await laptop.DisposeAsync();

        await using var phone = await _host.ConnectAsync();
        var signedIn = await phone.SignInAsync("alice", Password, "Pixel 9", "android");

        await using var laptopAgain = await _host.ReconnectAsync(laptop, pts);
        var seen = await laptopAgain.NextAsync<DeviceSignedIn>();
        seen.AuthorizationId.Should().Be(signedIn.AuthorizationId);
        seen.DeviceName.Should().Be("Pixel 9");
    }

    [Fact]
    public async Task AcceptLoginToken_WhenAccepted_TellsEveryDeviceOfTheAccount()
    {
        await using var laptop = await _host.SignUpAsync("alice");
        await using var tablet = await _host.SignInAnotherDeviceAsync("alice");
        await using var newPhone = await _host.ConnectAsync();
        var token = await newPhone.ExportLoginTokenAsync("New phone", "ios");

        var accepted = await laptop.Client.AcceptLoginTokenAsync(token.Token);

        var seen = await tablet.NextAsync<DeviceSignedIn>();
        seen.AuthorizationId.Should().Be(accepted.Id);
        seen.DeviceName.Should().Be("New phone");
        seen.Platform.Should().Be("ios");
        (await laptop.NextAsync<DeviceSignedIn>(e => e.DeviceName == "New phone")).AuthorizationId.Should().Be(accepted.Id, "every device of the account is told");
    }

    [Fact]
    public async Task SignIn_OfAnAccountsOnlyDevice_LogsNothing()
    {
        await using var laptop = await _host.SignUpAsync("alice");

        (await laptop.Client.CallAsync(new GetStateCall())).Pts.Should().Be(0, "there was no other device to tell");
    }

    [Fact]
    public async Task SignIn_WhenItFails_TellsNobody()
    {
        await using var laptop = await _host.SignUpAsync("alice");
        var before = (await laptop.Client.CallAsync(new GetStateCall())).Pts;
        await using var stranger = await _host.ConnectAsync();

        await FailsWith(() => stranger.SignInAsync("alice", "not the password", "Stranger", "web"), "CREDENTIALS_INVALID");
        await FailsWith(() => stranger.SignInAsync("alice", Password, "", "web"), "DEVICE_NAME_INVALID");

        (await laptop.Client.CallAsync(new GetStateCall())).Pts.Should().Be(before);
        (await laptop.Client.GetAuthorizationsAsync()).Should().ContainSingle();
    }
}
