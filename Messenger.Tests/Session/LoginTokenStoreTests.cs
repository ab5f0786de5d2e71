using Messenger.Session;
using Messenger.Session.LoginTokens;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Session;

public sealed class LoginTokenStoreTests
{
    private static readonly byte[] NewDevice = Enumerable.Repeat((byte)7, 32).ToArray();
    private static readonly byte[] OtherDevice = Enumerable.Repeat((byte)9, 32).ToArray();

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z"));
    private readonly LoginTokenStore _tokens;

    public LoginTokenStoreTests() => _tokens = new LoginTokenStore(Options.Create(new SessionOptions()), _clock);

    [Fact]
    public void Issue_GivesAnUnguessableTokenValidForSixtySeconds()
    {
        var (token, expiresAt) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");
        var (other, _) = _tokens.Issue(OtherDevice, "Phone", "android", "10.0.0.2");

        token.Should().HaveLength(43, "32 random bytes in base64url");
        token.Should().NotBe(other);
        expiresAt.Should().Be(_clock.GetUtcNow().AddSeconds(60));
    }

    [Fact]
    public void Redeem_WithinItsLifetime_NamesTheDeviceThatExportedIt()
    {
        var (token, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");
        _clock.Advance(TimeSpan.FromSeconds(59));

        _tokens.Redeem(token, out var login).Should().Be(Redemption.Accepted);

        login!.DeviceKey.Should().Equal(NewDevice);
        login.DeviceName.Should().Be("Laptop");
    }

    [Fact]
    public void Redeem_ASecondTime_IsInvalid()
    {
        var (token, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");
        _tokens.Redeem(token, out _);

        _tokens.Redeem(token, out _).Should().Be(Redemption.Invalid);
    }

    [Fact]
    public void Redeem_AfterSixtySeconds_IsExpired()
    {
        var (token, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");
        _clock.Advance(TimeSpan.FromSeconds(60));

        _tokens.Redeem(token, out _).Should().Be(Redemption.Expired);
    }

    [Fact]
    public void Issue_AgainForTheSameDevice_ReplacesTheEarlierToken()
    {
        var (first, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");
        var (second, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");

        _tokens.Redeem(first, out _).Should().Be(Redemption.Invalid);
        _tokens.Redeem(second, out _).Should().Be(Redemption.Accepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Redeem_WithAnUnknownToken_IsInvalid(string token)
    {
        _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");

        _tokens.Redeem(token, out _).Should().Be(Redemption.Invalid);
    }

    [Fact]
    public void Sweep_ForgetsTokensLongExpired()
    {
        var (token, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "10.0.0.1");
        _clock.Advance(TimeSpan.FromMinutes(10));

        _tokens.Sweep();

        _tokens.Redeem(token, out _).Should().Be(Redemption.Invalid);
    }

    [Fact]
    public void Issue_FromOneAddress_HoldsAtMostItsShare_ThenFloodWaits_WhileOtherAddressesGetTokens()
    {
        var tokens = new List<string>();
        for (var i = 0; i < LoginTokenStore.MaxPendingPerAddress; i++)
        {
            tokens.Add(_tokens.Issue(Device(i), "Script", "linux", $"2001:db8::{i + 1:x}").Token);
        }

        // The same /64, and the same address in its IPv4-mapped form for an IPv4 one, are one address.
        FluentActions.Invoking(() => _tokens.Issue(Device(1000), "Script", "linux", "2001:db8::ffff")).Should().Throw<Messenger.Kernel.Errors.MessengerError>()
            .Which.Name.Should().Be("FLOOD_WAIT");
        _tokens.Issue(Device(1001), "Laptop", "linux", "10.0.0.1");
        _tokens.Issue(Device(0), "Script", "linux", "2001:db8::1").Token.Should().NotBe(tokens[0], "a device exporting again replaces its own token");

        _tokens.Redeem(tokens[1], out _).Should().Be(Redemption.Accepted);
        _tokens.Issue(Device(1002), "Script", "linux", "2001:db8::2");
        FluentActions.Invoking(() => _tokens.Issue(Device(1003), "Script", "linux", "2001:db8::3")).Should().Throw<Messenger.Kernel.Errors.MessengerError>();

        _clock.Advance(TimeSpan.FromMinutes(10));
        _tokens.Issue(Device(1004), "Script", "linux", "2001:db8::4");
    }

    private static byte[] Device(int i) => [.. BitConverter.GetBytes(i), .. new byte[28]];
}
