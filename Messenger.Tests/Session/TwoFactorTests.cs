using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Session.Passwords;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Session;

/// <summary>Two-step verification: TOTP codes (RFC 6238) asked for at sign-in once the user turned it on.</summary>
public sealed class TwoFactorTests
{
    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1111111111L, "050471")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    [InlineData(20000000000L, "353130")]
    public void Codes_AreRfc6238s(long unixSeconds, string expected)
    {
        // RFC 6238 appendix B (SHA-1), the last six of its eight digits.
        var secret = "12345678901234567890"u8.ToArray();
        Totp.Code(secret, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds))).Should().Be(expected);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Secrets_AreRfc4648Base32_WithoutPadding(string bytes, string expected) =>
        Totp.Base32(System.Text.Encoding.ASCII.GetBytes(bytes)).Should().Be(expected);

    [Fact]
    public async Task TurnedOn_ASignInNeedsACurrentCode_EachCodeWorksOnce_AndTurningOffNeedsPasswordAndCode()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var alice = await host.SignedInClientAsync("alice_2fa");

        await SessionTestKit.FailsWith(() => alice.SetupTwoFactorAsync("wrong password"), SessionErrorNames.PasswordInvalid);
        await SessionTestKit.FailsWith(() => alice.EnableTwoFactorAsync("123456"), SessionErrorNames.TwoFactorNotSetUp);
        var setup = await alice.SetupTwoFactorAsync(SessionTestKit.Password);
        setup.Secret.Should().MatchRegex("^[A-Z2-7]{32}$", "20 random bytes in base32");
        setup.Uri.Should().Be($"otpauth://totp/Messenger%3Aalice_2fa?secret={setup.Secret}&issuer=Messenger&algorithm=SHA1&digits=6&period=30");
        (await alice.GetTwoFactorAsync()).Should().BeFalse("not before a code confirms the secret");
        var secret = SessionTestKit.FromBase32(setup.Secret);
        var now = Totp.StepAt(clock.GetUtcNow());

        await SessionTestKit.FailsWith(() => alice.EnableTwoFactorAsync(Totp.Code(secret, now + 5)), SessionErrorNames.TwoFactorCodeInvalid);
        await SessionTestKit.FailsWith(() => alice.EnableTwoFactorAsync("12345"), SessionErrorNames.TwoFactorCodeInvalid);
        (await alice.EnableTwoFactorAsync(Totp.Code(secret, now))).Enabled.Should().BeTrue();
        (await alice.GetTwoFactorAsync()).Should().BeTrue();
        await SessionTestKit.FailsWith(() => alice.SetupTwoFactorAsync(SessionTestKit.Password), SessionErrorNames.TwoFactorEnabled);
        (await alice.GetTwoFactorAsync()).Should().BeTrue("devices signed in before stay signed in");

        await using var laptop = await host.ConnectAsync();
        await SessionTestKit.FailsWith(() => laptop.SignInAsync("alice_2fa", SessionTestKit.Password, "Laptop", "tests"), SessionErrorNames.TwoFactorCodeRequired);
        await SessionTestKit.FailsWith(() => laptop.SignInAsync("alice_2fa", "wrong password", "Laptop", "tests", Totp.Code(secret, now)), SessionErrorNames.CredentialsInvalid);
        await SessionTestKit.FailsWith(() => laptop.SignInAsync("alice_2fa", SessionTestKit.Password, "Laptop", "tests", "12ab56"), SessionErrorNames.TwoFactorCodeInvalid);
        await SessionTestKit.FailsWith(() => laptop.SignInAsync("alice_2fa", SessionTestKit.Password, "Laptop", "tests", Totp.Code(secret, now)),
            SessionErrorNames.TwoFactorCodeInvalid); // the code that turned it on was used
        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var code = Totp.Code(secret, now + 1);
        (await laptop.SignInAsync("alice_2fa", SessionTestKit.Password, "Laptop", "tests", code)).User.Username.Should().Be("alice_2fa");

        await using var phone = await host.ConnectAsync();
        await SessionTestKit.FailsWith(() => phone.SignInAsync("alice_2fa", SessionTestKit.Password, "Phone", "tests", code), SessionErrorNames.TwoFactorCodeInvalid);
        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        (await phone.SignInAsync("alice_2fa", SessionTestKit.Password, "Phone", "tests", Totp.Code(secret, now + 1 + 2)))
            .User.Username.Should().Be("alice_2fa", "a phone's clock one step ahead is accepted");

        clock.Advance(TimeSpan.FromSeconds(3 * Totp.StepSeconds));
        await SessionTestKit.FailsWith(() => alice.DisableTwoFactorAsync("wrong password", Totp.Code(secret, now + 5)), SessionErrorNames.PasswordInvalid);
        await SessionTestKit.FailsWith(() => alice.DisableTwoFactorAsync(SessionTestKit.Password, Totp.Code(secret, now - 1)), SessionErrorNames.TwoFactorCodeInvalid);
        (await alice.DisableTwoFactorAsync(SessionTestKit.Password, Totp.Code(secret, now + 5))).Enabled.Should().BeFalse();
        await SessionTestKit.FailsWith(() => alice.DisableTwoFactorAsync(SessionTestKit.Password, Totp.Code(secret, now + 5)), SessionErrorNames.TwoFactorNotEnabled);
        await using var tablet = await host.ConnectAsync();
        await tablet.SignInAsync("alice_2fa", SessionTestKit.Password, "Tablet", "tests");
    }

    [Fact]
    public async Task WrongCodes_CountAsFailedSignIns_AndAnAdminTurnsItOffForSomeoneWhoLostTheirPhone()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:SignInFailuresPerAccount"] = "3" }, clock);
        await using var admin = await host.SignedInClientAsync("admin_2fa");
        await using var bob = await host.SignedInClientAsync("bob_2fa");
        var secret = SessionTestKit.FromBase32((await bob.SetupTwoFactorAsync(SessionTestKit.Password)).Secret);
        await bob.EnableTwoFactorAsync(Totp.Code(secret, Totp.StepAt(clock.GetUtcNow())));

        await using var thief = await host.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await SessionTestKit.FailsWith(() => thief.SignInAsync("bob_2fa", SessionTestKit.Password, "Stolen", "tests", $"00000{i}"), SessionErrorNames.TwoFactorCodeInvalid);
        }

        (await SessionTestKit.FailsWith(() => thief.SignInAsync("bob_2fa", SessionTestKit.Password, "Stolen", "tests", "000009"), "FLOOD_WAIT"))
            .RetryAfterSeconds.Should().BeGreaterThan(0, "the password alone does not let anyone guess codes");

        var bobId = (await admin.SearchUsersAsync("bob_2fa")).Single().Id;
        await SessionTestKit.FailsWith(() => bob.ResetTwoFactorAsync(bobId), SessionErrorNames.AdminRequired);
        await admin.ResetTwoFactorAsync(bobId);
        await SessionTestKit.FailsWith(() => admin.ResetTwoFactorAsync(bobId), SessionErrorNames.TwoFactorNotEnabled);
        await SessionTestKit.FailsWith(() => admin.ResetTwoFactorAsync(bobId + 1000), SessionErrorNames.UserIdInvalid);
        (await bob.GetTwoFactorAsync()).Should().BeFalse();
        clock.Advance(TimeSpan.FromHours(2));
        await using var newPhone = await host.ConnectAsync();
        await newPhone.SignInAsync("bob_2fa", SessionTestKit.Password, "New phone", "tests");
    }

    [Fact]
    public async Task ADeletedAccount_KeepsNoSecret()
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "1000" });
        await using var admin = await host.SignedInClientAsync("admin_2fagone");
        var carol = await host.SignedInClientAsync("carol_2fagone");
        await carol.SetupTwoFactorAsync(SessionTestKit.Password);
        host.CountRows("session_two_factor").Should().Be(1, "a secret waiting for its first code is kept too");

        await carol.DeleteAccountAsync(SessionTestKit.Password);

        host.CountRows("session_two_factor").Should().Be(0);
        await carol.DisposeAsync();
    }
}
