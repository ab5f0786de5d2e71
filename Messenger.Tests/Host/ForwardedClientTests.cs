using Messenger.Client;
using Messenger.Tests.Infrastructure;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Host;

/// <summary>Behind a reverse proxy every connection comes from the proxy: the client's address is the one a trusted
/// proxy names in X-Forwarded-For. The tests' own connections come from 127.0.0.1, which is trusted by default.</summary>
public sealed class ForwardedClientTests
{
    /// <summary>An SDK client whose connection says it comes through a proxy, for <paramref name="forwardedFor"/>.</summary>
    internal static Task<MessengerClient> ConnectViaProxyAsync(TestHost host, string forwardedFor) =>
        MessengerClient.ConnectAsync(host.ClientOptions(transport: transport => transport.Headers["X-Forwarded-For"] = forwardedFor));

    private static async Task<string> SignedInAddressAsync(MessengerClient client, string username)
    {
        await client.RegisterAsync(username, Password, username);
        await client.SignInAsync(username, Password, "Laptop", "linux");
        return (await client.GetAuthorizationsAsync()).Single(a => a.Current).ClientAddress;
    }

    [Fact]
    public async Task SignIn_ThroughATrustedProxy_RecordsTheAddressTheProxyNamed()
    {
        await using var host = await StartHostAsync();
        await using var direct = await host.ConnectAsync();
        await using var proxied = await ConnectViaProxyAsync(host, "203.0.113.7");
        await using var chained = await ConnectViaProxyAsync(host, "198.51.100.1, 203.0.113.8");

        (await SignedInAddressAsync(direct, "direct")).Should().Be("127.0.0.1");
        (await SignedInAddressAsync(proxied, "proxied")).Should().Be("203.0.113.7");
        (await SignedInAddressAsync(chained, "chained")).Should().Be("203.0.113.8", "only the entry the trusted proxy wrote itself is believed");
    }

    [Fact]
    public async Task SignIn_WhenNoProxyIsTrusted_IgnoresTheHeader()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:TrustedProxies"] = "" });
        await using var client = await ConnectViaProxyAsync(host, "203.0.113.7");

        (await SignedInAddressAsync(client, "spoofer")).Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task Register_PerAddressLimit_CountsEachForwardedAddress_AndAnIPv6ClientByItsSlash64()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "2" });
        async Task RegisterFromAsync(string address, string username)
        {
            await using var client = await ConnectViaProxyAsync(host, address);
            await client.RegisterAsync(username, Password, username);
        }

        await RegisterFromAsync("203.0.113.7", "first_v4");
        await RegisterFromAsync("203.0.113.7", "second_v4");
        await FailsWith(() => RegisterFromAsync("203.0.113.7", "third_v4"), "FLOOD_WAIT");
        await RegisterFromAsync("203.0.113.8", "neighbour_v4");

        await RegisterFromAsync("2001:db8::1", "first_v6");
        await RegisterFromAsync("2001:db8::2", "second_v6");
        await FailsWith(() => RegisterFromAsync("2001:db8::ffff:1", "third_v6"), "FLOOD_WAIT");
        await RegisterFromAsync("2001:db8:0:1::1", "other_block");
        await RegisterFromAsync("127.0.0.1", "the_proxy_itself");
    }
}
