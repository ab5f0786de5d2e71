using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Session.Storage;
using Messenger.Session.Passwords;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>Devices known to an account (signed in to it by password before): others' wrong guesses at the account do
/// not lock them out; their own lock out only themselves.</summary>
public sealed class KnownDeviceTests
{
    [Fact]
    public async Task SignIn_WhenAnotherDeviceLockedTheAccountOut_TheOwnersKnownDeviceSignsIn_AndANewDeviceStillWaits()
    {
        await using var host = await StartHostAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var phone = await SignedInBeforeAsync(host, "alice_known", register: true);

        await using var attacker = await host.ConnectAsync();
        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => attacker.SignInAsync("alice_known", $"guess {i}", "Attacker", "linux"), SessionErrorNames.CredentialsInvalid);
        }

        (await FailsWith(() => attacker.SignInAsync("alice_known", Password, "Attacker", "linux"), "FLOOD_WAIT")).RetryAfterSeconds.Should().Be(60);
        await using var newLaptop = await host.ConnectAsync();
        (await FailsWith(() => newLaptop.SignInAsync("alice_known", Password, "Laptop", "linux"), "FLOOD_WAIT"))
            .RetryAfterSeconds.Should().Be(60, "a device that never signed in to the account is held like the attacker's");

        await using var again = await host.ConnectAsync(phone);
        (await again.SignInAsync("alice_known", Password, "Phone", "linux")).User.Username.Should().Be("alice_known");
        await FailsWith(() => newLaptop.SignInAsync("alice_known", Password, "Laptop", "linux"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task SignIn_AKnownDevicesOwnWrongGuesses_LockOutThatDevice_AndNotTheAccount()
    {
        await using var host = await StartHostAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var phone = await SignedInBeforeAsync(host, "bob_known", register: true);
        var tablet = await SignedInBeforeAsync(host, "bob_known");

        await using var stolen = await host.ConnectAsync(phone);
        for (var i = 0; i < 5; i++)
        {
            // The same answer as any device's: nobody learns from it whether the device is known.
            await FailsWith(() => stolen.SignInAsync("bob_known", $"guess {i}", "Phone", "linux"), SessionErrorNames.CredentialsInvalid);
        }

        (await FailsWith(() => stolen.SignInAsync("bob_known", Password, "Phone", "linux"), "FLOOD_WAIT")).RetryAfterSeconds.Should().Be(60);
        await using var otherKnown = await host.ConnectAsync(tablet);
        await otherKnown.SignInAsync("bob_known", Password, "Tablet", "linux");
        await using var newLaptop = await host.ConnectAsync();
        await newLaptop.SignInAsync("bob_known", Password, "Laptop", "linux");
        await FailsWith(() => stolen.SignInAsync("bob_known", Password, "Phone", "linux"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task SignIn_AKnownDevicesWrongTwoStepCodes_LockOutThatDevice_AndNotTheAccount()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock: clock);
        await using var laptop = await host.SignedInClientAsync("heidi_known", deviceName: "Laptop");
        var secret = FromBase32((await laptop.SetupTwoFactorAsync(Password)).Secret);
        await laptop.EnableTwoFactorAsync(Totp.Code(secret, Totp.StepAt(clock.GetUtcNow())));
        var phone = new InMemoryDeviceKeyStore();
        // The code that turned it on was used: the next step's. The clock moves before the connection opens: this client
        // does not reconnect, and the server's timers run on this clock too.
        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        await using (var device = await host.ConnectWithoutReconnectAsync(phone))
        {
            await device.SignInAsync("heidi_known", Password, "Phone", "linux", Totp.Code(secret, Totp.StepAt(clock.GetUtcNow())));
            await SignOutAndWaitAsync(device);
        }

        await using var stolen = await host.ConnectAsync(phone);
        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => stolen.SignInAsync("heidi_known", Password, "Phone", "linux", $"00000{i}"), SessionErrorNames.TwoFactorCodeInvalid);
        }

        await FailsWith(() => stolen.SignInAsync("heidi_known", Password, "Phone", "linux", "000009"), "FLOOD_WAIT");
        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        await using var newTablet = await host.ConnectAsync();
        await newTablet.SignInAsync("heidi_known", Password, "Tablet", "linux", Totp.Code(secret, Totp.StepAt(clock.GetUtcNow())));
    }

    [Fact]
    public async Task SignIn_AKnownDevice_IsKnownAfterARestart_AndForgottenKnownDeviceDaysAfterItsLastSignIn()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string?> { ["Messenger:Session:KnownDeviceDays"] = "2" };
        InMemoryDeviceKeyStore phone;
        await using (var host = await StartHostAsync(settings, clock, data.Path))
        {
            phone = await SignedInBeforeAsync(host, "carol_known", register: true);
        }

        await using var restarted = await StartHostAsync(settings, clock, data.Path);
        await LockOutAsync(restarted, "carol_known");
        await using (var again = await restarted.ConnectWithoutReconnectAsync(phone))
        {
            await again.SignInAsync("carol_known", Password, "Phone", "linux");
            await SignOutAndWaitAsync(again);
        }

        restarted.CountRows("session_known_devices").Should().Be(1);
        clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        // The hourly pass forgets the record as well (the clock's step wakes it).
        await WaitUntil(() => restarted.CountRows("session_known_devices") == 0);
        await LockOutAsync(restarted, "carol_known");
        await using var late = await restarted.ConnectAsync(phone);
        await FailsWith(() => late.SignInAsync("carol_known", Password, "Phone", "linux"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task SignIn_FromADeviceKnownOnlyToAnotherAccount_CountsOnTheAccount_AsAnyNewDevice()
    {
        await using var host = await StartHostAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var frank = await host.ConnectAsync();
        await frank.RegisterAsync("frank_known", Password, "Frank");
        // The attacker's device signed in to the attacker's own account: it is known there, and nowhere else.
        var attackersDevice = await SignedInBeforeAsync(host, "mallory_known", register: true);

        await using var attacker = await host.ConnectAsync(attackersDevice);
        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => attacker.SignInAsync("frank_known", $"guess {i}", "Attacker", "linux"), SessionErrorNames.CredentialsInvalid);
        }

        await FailsWith(() => attacker.SignInAsync("frank_known", Password, "Attacker", "linux"), "FLOOD_WAIT");
        await using var franksNewPhone = await host.ConnectAsync();
        await FailsWith(() => franksNewPhone.SignInAsync("frank_known", Password, "Phone", "linux"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task SignIn_FromADeviceThatSignedInOnlyByLoginToken_CountsOnTheAccount()
    {
        await using var host = await StartHostAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var laptop = await host.SignedInClientAsync("grace_known", deviceName: "Laptop");
        var tabletKeys = new InMemoryDeviceKeyStore();
        await using (var tablet = await host.ConnectWithoutReconnectAsync(tabletKeys))
        {
            var token = await tablet.ExportLoginTokenAsync("Tablet", "android");
            await laptop.AcceptLoginTokenAsync(token.QrData);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await tablet.WaitForLoginTokenAcceptedAsync(timeout.Token);
            await SignOutAndWaitAsync(tablet);
        }

        await LockOutAsync(host, "grace_known");

        // No password made it known: a stolen session could otherwise make any number of devices with guesses of their own.
        await using var again = await host.ConnectAsync(tabletKeys);
        await FailsWith(() => again.SignInAsync("grace_known", Password, "Tablet", "android"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task SignIn_FromAKnownDevice_StillCountsAgainstItsAddress()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:SignInFailuresPerAddress"] = "3" });
        var phone = await SignedInBeforeAsync(host, "dave_known", register: true);

        // Every client of the tests comes from 127.0.0.1: one address guessing at other accounts.
        await using var attacker = await host.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await FailsWith(() => attacker.SignInAsync($"account{i}", "guess", "Attacker", "linux"), SessionErrorNames.CredentialsInvalid);
        }

        await using var again = await host.ConnectAsync(phone);
        await FailsWith(() => again.SignInAsync("dave_known", Password, "Phone", "linux"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task ChangePassword_FromASignedInKnownDevice_IsNotHeldByOthersWrongGuesses()
    {
        await using var host = await StartHostAsync(clock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var phone = await host.SignedInClientAsync("erin_known");
        await LockOutAsync(host, "erin_known");

        await phone.ChangePasswordAsync(Password, "a new password for erin");

        await using var newLaptop = await host.ConnectAsync();
        await FailsWith(() => newLaptop.SignInAsync("erin_known", "a new password for erin", "Laptop", "linux"), "FLOOD_WAIT");
    }

    [Fact]
    public async Task Upgrade_DevicesSignedInBeforeKnownDevicesCameIn_AreKnownFromTheNextStart_OnlyOnce()
    {
        using var data = new TempDirectory();
        var phone = new InMemoryDeviceKeyStore();
        await using (var host = await StartHostAsync(dataDirectory: data.Path))
        {
            await using var device = await host.ConnectWithoutReconnectAsync(phone);
            await device.RegisterAsync("alice_upgrade", Password, "Alice");
            await device.SignInAsync("alice_upgrade", Password, "Phone", "tests");
        }

        // The database as the build before known devices left it: the migrations since undone (session_known_devices goes
        // with them), the phone still signed in.
        var connectionString = $"Data Source={Path.Combine(data.Path, MessengerOptions.DatabaseFileName)};Pooling=False";
        var options = (DbContextOptions<SessionDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<SessionDbContext>(), connectionString, SessionDbContext.MigrationsHistoryTable).Options;
        await using (var before = new SessionDbContext(options))
        {
            await before.GetService<IMigrator>().MigrateAsync("20261204215132_NameWords");
        }

        SqliteConnection.ClearAllPools();
        await using (var host = await StartHostAsync(dataDirectory: data.Path))
        {
            await LockOutAsync(host, "alice_upgrade");
            await using var device = await host.ConnectWithoutReconnectAsync(phone);
            await SignOutAndWaitAsync(device);
            await using var again = await host.ConnectWithoutReconnectAsync(phone);
            (await again.SignInAsync("alice_upgrade", Password, "Phone", "tests")).User.Username.Should().Be("alice_upgrade",
                "a device signed in at the upgrade is known: a stranger's guesses do not hold it");
        }

        // Forgotten since (as KnownDeviceDays would): a later start does not make it known again.
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var forget = connection.CreateCommand();
            forget.CommandText = "DELETE FROM session_known_devices";
            forget.ExecuteNonQuery().Should().Be(1);
        }

        SqliteConnection.ClearAllPools();
        await using (var host = await StartHostAsync(dataDirectory: data.Path))
        {
            await LockOutAsync(host, "alice_upgrade");
            await using var device = await host.ConnectWithoutReconnectAsync(phone);
            await SignOutAndWaitAsync(device);
            await using var again = await host.ConnectWithoutReconnectAsync(phone);
            await FailsWith(() => again.SignInAsync("alice_upgrade", Password, "Phone", "tests"), "FLOOD_WAIT");
        }
    }

    /// <summary>The key store of a device that signed in to <paramref name="username"/> by password, then signed out.</summary>
    private static async Task<InMemoryDeviceKeyStore> SignedInBeforeAsync(TestHost host, string username, bool register = false)
    {
        var keys = new InMemoryDeviceKeyStore();
        await using var device = await host.ConnectWithoutReconnectAsync(keys);
        if (register)
        {
            await device.RegisterAsync(username, Password, username.ToUpperInvariant());
        }

        await device.SignInAsync(username, Password, "Phone", "tests");
        await SignOutAndWaitAsync(device);
        return keys;
    }

    /// <summary>Signs the device out and waits until the server closed its connection: a connection the same keys open
    /// before that could be closed with it.</summary>
    private static async Task SignOutAndWaitAsync(MessengerClient device)
    {
        await device.SignOutAsync();
        await WaitUntil(() => !device.IsConnected);
    }

    /// <summary>Five wrong guesses at <paramref name="username"/> from a new device: the account's key is locked out.</summary>
    private static async Task LockOutAsync(TestHost host, string username)
    {
        await using var attacker = await host.ConnectAsync();
        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => attacker.SignInAsync(username, $"guess {i}", "Attacker", "linux"), SessionErrorNames.CredentialsInvalid);
        }

        await FailsWith(() => attacker.SignInAsync(username, Password, "Attacker", "linux"), "FLOOD_WAIT");
    }
}
