using Messenger.Kernel.Errors;
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

        // The same /64 is one address.
        FluentActions.Invoking(() => _tokens.Issue(Device(1000), "Script", "linux", "2001:db8::ffff")).Should().Throw<MessengerError>()
            .Which.Name.Should().Be("FLOOD_WAIT");
        _tokens.Issue(Device(1001), "Laptop", "linux", "10.0.0.1");
        _tokens.Issue(Device(0), "Script", "linux", "2001:db8::1").Token.Should().NotBe(tokens[0], "a device exporting again replaces its own token");

        _tokens.Redeem(tokens[1], out _).Should().Be(Redemption.Accepted);
        _tokens.Issue(Device(1002), "Script", "linux", "2001:db8::2");
        FluentActions.Invoking(() => _tokens.Issue(Device(1003), "Script", "linux", "2001:db8::3")).Should().Throw<MessengerError>()
            .Which.Name.Should().Be("FLOOD_WAIT");

        _clock.Advance(TimeSpan.FromMinutes(10));
        _tokens.Issue(Device(1004), "Script", "linux", "2001:db8::4");
    }

    [Fact]
    public void Issue_FromAnIPv4AddressInItsIPv6MappedForm_CountsAsThatAddress()
    {
        for (var i = 0; i < LoginTokenStore.MaxPendingPerAddress; i++)
        {
            _tokens.Issue(Device(i), "Script", "linux", "192.0.2.1");
        }

        FluentActions.Invoking(() => _tokens.Issue(Device(1000), "Script", "linux", "::ffff:192.0.2.1")).Should().Throw<MessengerError>()
            .Which.Name.Should().Be("FLOOD_WAIT");
        _tokens.Issue(Device(1001), "Laptop", "linux", "192.0.2.2");
    }

    [Fact]
    public void Issue_FromAnAddressAtItsShare_WaitsOnlyUntilItsOldestTokenExpires_AsFloodWaitSays()
    {
        var oldest = _tokens.Issue(Device(0), "Script", "linux", "192.0.2.1").Token;
        _clock.Advance(TimeSpan.FromSeconds(20));
        for (var i = 1; i < LoginTokenStore.MaxPendingPerAddress; i++)
        {
            _tokens.Issue(Device(i), "Script", "linux", "192.0.2.1");
        }

        _clock.Advance(TimeSpan.FromSeconds(15));
        var refused = FluentActions.Invoking(() => _tokens.Issue(Device(1000), "Script", "linux", "192.0.2.1")).Should().Throw<MessengerError>().Which;

        refused.RetryAfterSeconds.Should().Be(25, "the oldest token expires 60 s after it was issued, 35 s ago");
        _clock.Advance(TimeSpan.FromSeconds(25));
        _tokens.Issue(Device(1000), "Script", "linux", "192.0.2.1");
        _tokens.Redeem(oldest, out _).Should().Be(Redemption.Expired, "an expired token gives up its place but still answers Expired");
    }

    [Fact]
    public void Issue_WhenRefused_KeepsTheDevicesEarlierToken()
    {
        var (earlier, _) = _tokens.Issue(NewDevice, "Laptop", "linux", "192.0.2.9");
        for (var i = 0; i < LoginTokenStore.MaxPendingPerAddress; i++)
        {
            _tokens.Issue(Device(i), "Script", "linux", "192.0.2.1");
        }

        FluentActions.Invoking(() => _tokens.Issue(NewDevice, "Laptop", "linux", "192.0.2.1")).Should().Throw<MessengerError>()
            .Which.Name.Should().Be("FLOOD_WAIT");

        _tokens.Redeem(earlier, out var login).Should().Be(Redemption.Accepted);
        login!.DeviceKey.Should().Equal(NewDevice);
    }

    private static byte[] Device(int i) => [.. BitConverter.GetBytes(i), .. new byte[28]];
}
