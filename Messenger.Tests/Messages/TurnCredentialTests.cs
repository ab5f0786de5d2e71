using System.Security.Cryptography;
using System.Text;
using Messenger.Client;
using Messenger.Contracts.Calls;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Messages;

/// <summary>With <c>Messenger:Calls:TurnSecret</c> each user gets TURN credentials of their own that expire (coturn's
/// <c>use-auth-secret</c>), instead of the one configured pair everyone shares for good.</summary>
public sealed class TurnCredentialTests : IAsyncLifetime
{
    private const string Secret = "shared-with-coturn";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private TestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?>
            {
                ["Messenger:Calls:TurnSecret"] = Secret,
                ["Messenger:Calls:TurnCredentialHours"] = "6",
                ["Messenger:Calls:IceServers:0:Urls:0"] = "stun:turn.example.org:3478",
                ["Messenger:Calls:IceServers:1:Urls:0"] = "turn:turn.example.org:3478",
                ["Messenger:Calls:IceServers:1:Urls:1"] = "turns:turn.example.org:5349",
                ["Messenger:Calls:IceServers:2:Urls:0"] = "turn:old.example.org:3478",
                ["Messenger:Calls:IceServers:2:Username"] = "everyone",
                ["Messenger:Calls:IceServers:2:Credential"] = "static",
            },
            _clock);

    public Task DisposeAsync() => _host.DisposeAsync().AsTask();

    [Fact]
    public async Task GetCallConfig_WithATurnSecret_GivesEachUserCredentialsOfTheirOwn_ThatExpire()
    {
        await using var alice = await _host.SignUpAsync("alice_turn", startEvents: false);
        await using var bob = await _host.SignUpAsync("bob_turn", startEvents: false);

        var forAlice = (await alice.Client.GetCallConfigAsync()).IceServers;
        _clock.Advance(TimeSpan.FromHours(1));
        var forBob = (await bob.Client.GetCallConfigAsync()).IceServers;

        forAlice[0].Should().BeEquivalentTo(new IceServer(["stun:turn.example.org:3478"]), "a STUN server needs no credentials");
        forAlice[1].Should().BeEquivalentTo(Expected(["turn:turn.example.org:3478", "turns:turn.example.org:5349"], alice.UserId, hoursFromStart: 6));
        forBob[1].Should().BeEquivalentTo(Expected(["turn:turn.example.org:3478", "turns:turn.example.org:5349"], bob.UserId, hoursFromStart: 7));
        forBob[1].Credential.Should().NotBe(forAlice[1].Credential);
        forAlice[2].Should().BeEquivalentTo(
            new IceServer(["turn:old.example.org:3478"], "everyone", "static"), "a server with credentials of its own keeps them (an old set-up)");
    }

    /// <summary>As coturn checks them: "expiry:user id", and base64(HMAC-SHA1(secret, that name)).</summary>
    private IceServer Expected(string[] urls, long userId, int hoursFromStart)
    {
        var expiry = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero).AddHours(hoursFromStart).ToUnixTimeSeconds();
        var username = $"{expiry}:{userId}";
        return new IceServer(urls, username, Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(username))));
    }
}
