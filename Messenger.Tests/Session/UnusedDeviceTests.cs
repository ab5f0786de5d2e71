using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Kernel.Storage;
using Messenger.Session.Devices;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>Devices not used for longer than the account allows are signed out by the server (account.setAuthorizationTTL).
/// The clock is fake: days pass at once.</summary>
public sealed class UnusedDeviceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync(clock: _clock);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SignOutUnused_WhenADeviceWasNotUsedForTheTtl_SignsItOut_AndSparesDevicesUsedSinceOrConnected()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        (await laptop.SetAuthorizationTtlAsync(7)).Should().Be(7);
        var phoneKeys = new InMemoryDeviceKeyStore();
        await SignInAndLeaveAsync(phoneKeys, "Phone");
        var tabletKeys = new InMemoryDeviceKeyStore();
        await SignInAndLeaveAsync(tabletKeys, "Tablet");

        // Two days on, the tablet makes one call and goes away again; the phone is never used again.
        _clock.Advance(TimeSpan.FromDays(2));
        await using (var tablet = await _host.ConnectAsync(tabletKeys))
        {
            await tablet.GetAuthorizationsAsync();
        }

        await WaitUntilDisconnected(tabletKeys);
        _clock.Advance(TimeSpan.FromDays(6));
        await Pass().SignOutAsync();

        (await laptop.GetAuthorizationsAsync()).Select(a => a.DeviceName).Should().Equal(["Laptop", "Tablet"],
            "the laptop stayed connected and the tablet was used six days ago");
        await using var phoneAgain = await _host.ConnectAsync(phoneKeys);
        (await phoneAgain.CallAsync(new PingCall(1))).Id.Should().Be(1, "the key may still connect, as anyone may");
        (await FailsWith(() => phoneAgain.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED")).Code.Should().Be(401);
        await using var tabletAgain = await _host.ConnectAsync(tabletKeys);
        (await tabletAgain.GetAuthorizationsAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task SignOutUnused_WhenTheLastCallIsNotWrittenYet_CountsItAnyway()
    {
        // Last-active times are written once a day here (at each whole day since the start): the tablet's call below
        // is still only in memory when the pass looks.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:LastActiveFlushSeconds"] = "86400" }, clock);
        await using var laptop = await host.SignedInClientAsync("alice", deviceName: "Laptop");
        await laptop.SetAuthorizationTtlAsync(7);
        clock.Advance(TimeSpan.FromDays(0.5));
        var phoneKeys = new InMemoryDeviceKeyStore();
        var tabletKeys = new InMemoryDeviceKeyStore();
        foreach (var (keys, name) in new[] { (phoneKeys, "Phone"), (tabletKeys, "Tablet") })
        {
            await using (var device = await host.ConnectAsync(keys))
            {
                await device.SignInAsync("alice", Password, name, "tests");
            }

            await WaitUntilDisconnected(host, keys);
        }

        clock.Advance(TimeSpan.FromDays(6.55));
        await using (var tablet = await host.ConnectAsync(tabletKeys))
        {
            await tablet.GetAuthorizationsAsync();
        }

        await WaitUntilDisconnected(host, tabletKeys);
        clock.Advance(TimeSpan.FromDays(0.9));
        await host.Services.GetRequiredService<UnusedDevices>().SignOutAsync();

        (await laptop.GetAuthorizationsAsync()).Select(a => a.DeviceName).Should().Equal(["Laptop", "Tablet"]);
    }

    [Fact]
    public async Task SignOutUnused_WhenADeviceWasConnectedWithoutCalls_CountsItsUseUntilItsConnectionClosed()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        await laptop.SetAuthorizationTtlAsync(7);
        var tabKeys = new InMemoryDeviceKeyStore();
        await using (var tab = await _host.ConnectAsync(tabKeys))
        {
            await tab.SignInAsync("alice", Password, "Tab left open", "web");

            // Ten days connected without a call: in use all along.
            _clock.Advance(TimeSpan.FromDays(10));
            await Pass().SignOutAsync();
            (await laptop.GetAuthorizationsAsync()).Should().HaveCount(2);
        }

        await WaitUntilDisconnected(tabKeys);
        _clock.Advance(TimeSpan.FromDays(6));
        await Pass().SignOutAsync();
        (await laptop.GetAuthorizationsAsync()).Should().HaveCount(2, "it was in use until its connection closed, six days ago");

        _clock.Advance(TimeSpan.FromDays(2));
        await Pass().SignOutAsync();
        (await laptop.GetAuthorizationsAsync()).Should().ContainSingle().Which.DeviceName.Should().Be("Laptop");
    }

    [Fact]
    public async Task SignOutUnused_WhenTheCheckIsDue_RunsByItself()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        await laptop.SetAuthorizationTtlAsync(30);
        var phoneKeys = new InMemoryDeviceKeyStore();
        await SignInAndLeaveAsync(phoneKeys, "Phone");

        _clock.Advance(TimeSpan.FromDays(31));

        await WaitUntilAsync(async () => (await laptop.GetAuthorizationsAsync()).Length == 1);
        await using var phoneAgain = await _host.ConnectAsync(phoneKeys);
        await FailsWith(() => phoneAgain.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
    }

    [Fact]
    public async Task SetAuthorizationTtl_WhenShortened_SignsOutAtOnceTheDevicesUnusedThatLong()
    {
        await using var laptop = await _host.SignedInClientAsync("alice", deviceName: "Laptop");
        var phoneKeys = new InMemoryDeviceKeyStore();
        await SignInAndLeaveAsync(phoneKeys, "Phone");

        _clock.Advance(TimeSpan.FromDays(45));
        await Pass().SignOutAsync();
        (await laptop.GetAuthorizationsAsync()).Should().HaveCount(2, "180 days is the default");
        (await laptop.SetAuthorizationTtlAsync(90)).Should().Be(90);
        (await laptop.GetAuthorizationsAsync()).Should().HaveCount(2, "45 days is within 90");

        (await laptop.SetAuthorizationTtlAsync(30)).Should().Be(30);

        (await laptop.GetAuthorizationsAsync()).Should().ContainSingle().Which.DeviceName.Should().Be("Laptop");
        (await laptop.GetAuthorizationTtlAsync()).Should().Be(30);
        await using var phoneAgain = await _host.ConnectAsync(phoneKeys);
        await FailsWith(() => phoneAgain.GetAuthorizationsAsync(), "AUTH_KEY_UNREGISTERED");
    }

    [Fact]
    public async Task SetAuthorizationTtl_WithADayCountNotOffered_FailsByName_AndKeepsTheSetting()
    {
        await using var alice = await _host.SignedInClientAsync("alice");
        (await alice.GetAuthorizationTtlAsync()).Should().Be(180);

        foreach (var days in new[] { 0, -7, 1, 8, 31, 179, 366, int.MaxValue })
        {
            (await FailsWith(() => alice.SetAuthorizationTtlAsync(days), "AUTHORIZATION_TTL_INVALID")).Code.Should().Be(400);
        }

        (await alice.GetAuthorizationTtlAsync()).Should().Be(180);
        foreach (var days in new[] { 7, 30, 90, 180, 365 })
        {
            (await alice.SetAuthorizationTtlAsync(days)).Should().Be(days);
            (await alice.GetAuthorizationTtlAsync()).Should().Be(days);
        }
    }

    [Fact]
    public async Task SetAuthorizationTtl_OnOneAccount_LeavesOtherAccountsAtTheDefault()
    {
        await using var alice = await _host.SignedInClientAsync("alice");
        await using var bob = await _host.SignedInClientAsync("bobby");
        var bobsPhone = new InMemoryDeviceKeyStore();
        await SignInAndLeaveAsync(bobsPhone, "Phone", "bobby");

        _clock.Advance(TimeSpan.FromDays(10));
        await alice.SetAuthorizationTtlAsync(7);
        await Pass().SignOutAsync();

        (await bob.GetAuthorizationTtlAsync()).Should().Be(180);
        (await bob.GetAuthorizationsAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task DeleteAccount_WhenATtlWasSet_ForgetsIt()
    {
        await using var founder = await _host.SignedInClientAsync("founder");
        await using var alice = await _host.SignedInClientAsync("alice");
        var aliceId = (await alice.SearchUsersAsync("alice")).Single().Id;
        await alice.SetAuthorizationTtlAsync(30);
        TtlRowsOf(aliceId).Should().Be(1);

        await alice.DeleteAccountAsync(Password);

        TtlRowsOf(aliceId).Should().Be(0);
        await using var again = await _host.SignedInClientAsync("alice");
        (await again.GetAuthorizationTtlAsync()).Should().Be(180, "a new account of the same name starts from the default");
    }

    private UnusedDevices Pass() => _host.Services.GetRequiredService<UnusedDevices>();

    /// <summary>Signs a device of <paramref name="username"/> in and closes its connection: it is then unused.</summary>
    private async Task SignInAndLeaveAsync(IDeviceKeyStore keys, string deviceName, string username = "alice")
    {
        await using (var device = await _host.ConnectAsync(keys))
        {
            await device.SignInAsync(username, Password, deviceName, "tests");
        }

        await WaitUntilDisconnected(keys);
    }

    private Task WaitUntilDisconnected(IDeviceKeyStore keys) => WaitUntilDisconnected(_host, keys);

    private static Task WaitUntilDisconnected(TestHost host, IDeviceKeyStore keys) =>
        WaitUntil(() => !host.Services.GetRequiredService<ConnectedDevices>().IsConnected(keys.GetOrCreate().PublicKey));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private long TtlRowsOf(long userId)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM session_authorization_ttl WHERE user_id = @user";
        command.Parameters.AddWithValue("@user", userId);
        return (long)command.ExecuteScalar()!;
    }
}
