using System.Security.Cryptography;
using System.Text;
using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Storage;
using Messenger.Session.Passwords;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Session;

/// <summary>One-time recovery codes of two-step verification: told once when it is turned on, each signs in once.</summary>
public sealed class RecoveryCodeTests
{
    private const string CodePattern = "^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$";

    [Theory]
    [InlineData("abcde-fghjk", "abcdefghjk")]
    [InlineData("ABCDE-FGHJK", "abcdefghjk")]
    [InlineData("abcdefghjk", "abcdefghjk")]
    [InlineData("  abcde-fghjk \t", "abcdefghjk")]
    [InlineData("abcde fghjk", "abcdefghjk")]
    [InlineData("oOiIl-23456", "0011123456")]
    [InlineData("", null)]
    [InlineData("123456", null)]
    [InlineData("abcde-fghj", null)]
    [InlineData("abcde-fghjkm", null)]
    [InlineData("abcde-fghju", null)]
    [InlineData("abcde_fghjk", null)]
    [InlineData("abcde-fghjk                         ", null)]
    public void Normalize_ReadsACodeAsTyped_OrRefusesIt(string typed, string? expected) =>
        RecoveryCode.Normalize(typed).Should().Be(expected);

    [Fact]
    public void NewCodes_AreTenDistinctCodesOfFiftyBits()
    {
        var codes = RecoveryCode.NewCodes();

        codes.Should().HaveCount(RecoveryCodes.Count).And.OnlyHaveUniqueItems().And.AllSatisfy(c => c.Should().MatchRegex(CodePattern));
        RecoveryCodes.Alphabet.Distinct().Should().HaveCount(32, "5 bits a character, 10 characters");
    }

    [Fact]
    public async Task Enable_AnswersTenCodesOnce_KeepsOnlyTheirHashes_AndEachSignsInOnce_HoweverItIsTyped()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var alice = await host.SignedInClientAsync("alice_rc");
        var (secret, codes) = await TurnOnAsync(alice, clock);

        codes.Should().HaveCount(10).And.OnlyHaveUniqueItems().And.AllSatisfy(c => c.Should().MatchRegex(CodePattern));
        var status = await alice.GetTwoFactorStatusAsync();
        status.Should().Be(new TwoFactorStatus(true, 10), "the codes are told only once");
        StoredHashes(host).Should().BeEquivalentTo(
            codes.Select(c => SHA256.HashData(Encoding.ASCII.GetBytes(c.Replace("-", "")))), "only the codes' hashes are kept");

        await using var laptop = await host.ConnectAsync();
        (await laptop.SignInAsync("alice_rc", SessionTestKit.Password, "Laptop", "tests", codes[0])).RecoveryCodesLeft.Should().Be(9);
        await using var phone = await host.ConnectAsync();
        await SessionTestKit.FailsWith(() => phone.SignInAsync("alice_rc", SessionTestKit.Password, "Phone", "tests", codes[0]),
            SessionErrorNames.TwoFactorCodeInvalid);
        await SessionTestKit.FailsWith(() => phone.SignInAsync("alice_rc", SessionTestKit.Password, "Phone", "tests", codes[0].ToUpperInvariant()),
            SessionErrorNames.TwoFactorCodeInvalid);
        (await alice.GetTwoFactorStatusAsync()).RecoveryCodesLeft.Should().Be(9);

        var typedDifferently = new[] { codes[1].ToUpperInvariant(), codes[2].Replace("-", ""), $"  {codes[3]}  ", codes[4].Replace("-", " ") };
        for (var i = 0; i < typedDifferently.Length; i++)
        {
            await using var device = await host.ConnectAsync();
            (await device.SignInAsync("alice_rc", SessionTestKit.Password, $"Device {i}", "tests", typedDifferently[i]))
                .RecoveryCodesLeft.Should().Be(8 - i);
        }

        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        await using var tablet = await host.ConnectAsync();
        (await tablet.SignInAsync("alice_rc", SessionTestKit.Password, "Tablet", "tests", AppCode(secret, clock)))
            .RecoveryCodesLeft.Should().BeNull("no recovery code was used");
        (await alice.GetTwoFactorStatusAsync()).RecoveryCodesLeft.Should().Be(5);
        host.CountRows("session_recovery_codes").Should().Be(5);
    }

    [Fact]
    public async Task SignIn_WhenTheAccountIsBlocked_IsRefusedWithoutUsingUpTheCode()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var admin = await host.SignedInClientAsync("admin_rcblock"); // the first account is the server's admin
        await using var alice = await host.SignedInClientAsync("alice_rcblock");
        var aliceId = (await admin.SearchUsersAsync("alice_rcblock")).Single().Id;
        var (_, codes) = await TurnOnAsync(alice, clock);
        await admin.SetUserBlockedAsync(aliceId, blocked: true);

        await using var laptop = await host.ConnectAsync();
        var refused = await SessionTestKit.FailsWith(
            () => laptop.SignInAsync("alice_rcblock", SessionTestKit.Password, "Laptop", "tests", codes[0]), SessionErrorNames.UserBlocked);

        refused.Code.Should().Be(403);
        host.CountRows("session_recovery_codes").Should().Be(10, "a refused sign-in uses no code");
        await admin.SetUserBlockedAsync(aliceId, blocked: false);
        (await laptop.SignInAsync("alice_rcblock", SessionTestKit.Password, "Laptop", "tests", codes[0])).RecoveryCodesLeft.Should().Be(9);
    }

    [Fact]
    public async Task SignIn_WhenTwoDevicesSendTheSameCodeAtOnce_LetsOnlyOneIn()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var bob = await host.SignedInClientAsync("bob_rc");
        var (_, codes) = await TurnOnAsync(bob, clock);
        var devices = new List<MessengerClient>();
        for (var i = 0; i < 4; i++)
        {
            devices.Add(await host.ConnectAsync());
        }

        var attempts = devices.Select(async (device, i) =>
        {
            try
            {
                await device.SignInAsync("bob_rc", SessionTestKit.Password, $"Device {i}", "tests", codes[0]);
                return "signed in";
            }
            catch (RpcException e)
            {
                return e.Name;
            }
        });
        var outcomes = await Task.WhenAll(attempts);

        outcomes.Where(o => o == "signed in").Should().ContainSingle();
        outcomes.Where(o => o != "signed in").Should().HaveCount(3).And.AllBe(SessionErrorNames.TwoFactorCodeInvalid);
        (await bob.GetTwoFactorStatusAsync()).RecoveryCodesLeft.Should().Be(9);
        foreach (var device in devices)
        {
            await device.DisposeAsync();
        }
    }

    [Fact]
    public async Task Regenerate_WithThePasswordAndAnAppCode_ReplacesEveryCode()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var carol = await host.SignedInClientAsync("carol_rc");
        await using var dave = await host.SignedInClientAsync("dave_rc");
        var (secret, old) = await TurnOnAsync(carol, clock);
        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var code = Totp.Code(secret, Totp.StepAt(clock.GetUtcNow()));

        await SessionTestKit.FailsWith(() => carol.RegenerateRecoveryCodesAsync("wrong password", code), SessionErrorNames.PasswordInvalid);
        await SessionTestKit.FailsWith(() => carol.RegenerateRecoveryCodesAsync(SessionTestKit.Password, Totp.Code(secret, Totp.StepAt(clock.GetUtcNow()) + 5)),
            SessionErrorNames.TwoFactorCodeInvalid);
        await SessionTestKit.FailsWith(() => carol.RegenerateRecoveryCodesAsync(SessionTestKit.Password, old[0]), SessionErrorNames.TwoFactorCodeInvalid);
        await SessionTestKit.FailsWith(() => dave.RegenerateRecoveryCodesAsync(SessionTestKit.Password, code), SessionErrorNames.TwoFactorNotEnabled);
        (await carol.GetTwoFactorStatusAsync()).RecoveryCodesLeft.Should().Be(10, "no refusal used a code up");

        var renewed = await carol.RegenerateRecoveryCodesAsync(SessionTestKit.Password, code);

        renewed.Should().HaveCount(10).And.OnlyHaveUniqueItems().And.NotIntersectWith(old);
        await SessionTestKit.FailsWith(() => carol.RegenerateRecoveryCodesAsync(SessionTestKit.Password, code), SessionErrorNames.TwoFactorCodeInvalid);
        await using var laptop = await host.ConnectAsync();
        await SessionTestKit.FailsWith(() => laptop.SignInAsync("carol_rc", SessionTestKit.Password, "Laptop", "tests", old[1]),
            SessionErrorNames.TwoFactorCodeInvalid);
        (await laptop.SignInAsync("carol_rc", SessionTestKit.Password, "Laptop", "tests", renewed[1])).RecoveryCodesLeft.Should().Be(9);
        host.CountRows("session_recovery_codes").Should().Be(9);
    }

    [Fact]
    public async Task WrongCodes_CountAsFailedSignIns_AndMalformedOnesAreRefused_WithoutLosingAnyCode()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:SignInFailuresPerAccount"] = "3" }, clock);
        await using var erin = await host.SignedInClientAsync("erin_rc");
        var (secret, codes) = await TurnOnAsync(erin, clock);

        await using var thief = await host.ConnectAsync();
        foreach (var malformed in new[] { "", " ", "abcde-fghj", "abcde-fghjkm", "uuuuu-uuuuu", "not a code!", new string('a', 10_000) })
        {
            await SessionTestKit.FailsWith(() => thief.SignInAsync("erin_rc", SessionTestKit.Password, "Stolen", "tests", malformed),
                SessionErrorNames.TwoFactorCodeInvalid);
            await SessionTestKit.FailsWith(() => erin.RegenerateRecoveryCodesAsync(SessionTestKit.Password, malformed), SessionErrorNames.TwoFactorCodeInvalid);
            await SessionTestKit.FailsWith(() => erin.DisableTwoFactorAsync(SessionTestKit.Password, malformed), SessionErrorNames.TwoFactorCodeInvalid);
        }

        for (var i = 0; i < 3; i++)
        {
            await SessionTestKit.FailsWith(() => thief.SignInAsync("erin_rc", SessionTestKit.Password, "Stolen", "tests", $"abcde-fghj{i}"),
                SessionErrorNames.TwoFactorCodeInvalid);
        }

        (await SessionTestKit.FailsWith(() => thief.SignInAsync("erin_rc", SessionTestKit.Password, "Stolen", "tests", codes[0]), "FLOOD_WAIT"))
            .RetryAfterSeconds.Should().BeGreaterThan(0, "the password alone does not let anyone guess recovery codes");
        // Erin's own device signed in by password: its checks count on its own key, which the thief's guesses left alone.
        await SessionTestKit.FailsWith(() => erin.RegenerateRecoveryCodesAsync(SessionTestKit.Password, AppCode(secret, clock, 5)), SessionErrorNames.TwoFactorCodeInvalid);
        (await erin.GetTwoFactorStatusAsync()).RecoveryCodesLeft.Should().Be(10, "no refusal used a code up");

        clock.Advance(TimeSpan.FromHours(2));
        await using var laptop = await host.ConnectAsync();
        (await laptop.SignInAsync("erin_rc", SessionTestKit.Password, "Laptop", "tests", codes[0])).RecoveryCodesLeft.Should().Be(9);
    }

    [Fact]
    public async Task Disable_TakesARecoveryCode_AndForgetsEveryCode_AsAnAdminResetAndAccountDeletionDo()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "1000" }, clock);
        await using var admin = await host.SignedInClientAsync("admin_rc");
        await using var frank = await host.SignedInClientAsync("frank_rc");
        var (_, codes) = await TurnOnAsync(frank, clock);

        // Frank lost his phone: a recovery code signs in his new one, another turns two-step verification off.
        await using var newPhone = await host.ConnectAsync();
        await newPhone.SignInAsync("frank_rc", SessionTestKit.Password, "New phone", "tests", codes[0]);
        await SessionTestKit.FailsWith(() => newPhone.DisableTwoFactorAsync(SessionTestKit.Password, codes[0]), SessionErrorNames.TwoFactorCodeInvalid);
        (await newPhone.DisableTwoFactorAsync(SessionTestKit.Password, codes[1])).Enabled.Should().BeFalse();
        (await newPhone.GetTwoFactorStatusAsync()).Should().Be(new TwoFactorStatus(false));
        host.CountRows("session_recovery_codes").Should().Be(0);

        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        var (_, again) = await TurnOnAsync(newPhone, clock);
        again.Should().NotIntersectWith(codes);
        await using var laptop = await host.ConnectAsync();
        await SessionTestKit.FailsWith(() => laptop.SignInAsync("frank_rc", SessionTestKit.Password, "Laptop", "tests", codes[2]),
            SessionErrorNames.TwoFactorCodeInvalid);

        var frankId = (await admin.SearchUsersAsync("frank_rc")).Single().Id;
        await admin.ResetTwoFactorAsync(frankId);
        host.CountRows("session_recovery_codes").Should().Be(0, "an admin's reset forgets the codes too");
        (await frank.GetTwoFactorStatusAsync()).RecoveryCodesLeft.Should().Be(0);

        clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
        await TurnOnAsync(frank, clock);
        host.CountRows("session_recovery_codes").Should().Be(10);
        await frank.DeleteAccountAsync(SessionTestKit.Password);
        host.CountRows("session_recovery_codes").Should().Be(0, "a deleted account keeps no codes");
    }

    /// <summary>Sets two-step verification up and turns it on with the current step's code: its secret and recovery codes.</summary>
    private static async Task<(byte[] Secret, string[] Codes)> TurnOnAsync(MessengerClient client, FakeTimeProvider clock)
    {
        var secret = SessionTestKit.FromBase32((await client.SetupTwoFactorAsync(SessionTestKit.Password)).Secret);
        var status = await client.EnableTwoFactorAsync(Totp.Code(secret, Totp.StepAt(clock.GetUtcNow())));
        status.Enabled.Should().BeTrue();
        status.RecoveryCodesLeft.Should().Be(10);
        return (secret, status.RecoveryCodes!);
    }

    private static string AppCode(byte[] secret, FakeTimeProvider clock, int stepsAhead = 0) =>
        Totp.Code(secret, Totp.StepAt(clock.GetUtcNow()) + stepsAhead);

    private static List<byte[]> StoredHashes(TestHost host)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT code_hash FROM session_recovery_codes";
        using var reader = command.ExecuteReader();
        var hashes = new List<byte[]>();
        while (reader.Read())
        {
            hashes.Add((byte[])reader.GetValue(0));
        }

        return hashes;
    }
}
