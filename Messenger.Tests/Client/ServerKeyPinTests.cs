using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

public sealed class ServerKeyPinTests
{
    private static MessengerClientOptions Options(TestHost host, byte[] key) => new()
    {
        ServerUrl = host.BaseAddress,
        ServerPublicKey = key,
        AutoReconnect = false,
    };

    [Fact]
    public async Task LoadOrFetch_PinsTheFirstServersKey_AndAnotherServerLaterIsRefused()
    {
        using var directory = new TempDirectory();
        var pin = Path.Combine(directory.Path, "pins", "server.pub");
        await using var first = await TestHost.StartAsync();
        await using var impostor = await TestHost.StartAsync();

        var key = await ServerKeyPin.LoadOrFetchAsync(first.BaseAddress, pin);

        key.Should().Equal(first.ServerPublicKey);
        (await File.ReadAllTextAsync(pin)).Should().Be(Convert.ToHexStringLower(first.ServerPublicKey));
        await using (var client = await MessengerClient.ConnectAsync(Options(first, key)))
        {
            (await client.CallAsync(new PingCall(1))).Id.Should().Be(1);
        }

        var later = await ServerKeyPin.LoadOrFetchAsync(impostor.BaseAddress, pin);
        later.Should().Equal(first.ServerPublicKey, "the pin is kept, whatever the server says now");
        await FluentActions.Awaiting(() => MessengerClient.ConnectAsync(Options(impostor, later))).Should().ThrowAsync<MessengerConnectionException>();
        (await ServerKeyPin.FetchAsync(impostor.BaseAddress)).Should().Equal(impostor.ServerPublicKey);
    }

    [Fact]
    public async Task LoadOrFetch_WhenThePinFileIsDamaged_FailsClearly()
    {
        using var directory = new TempDirectory();
        var pin = Path.Combine(directory.Path, "server.pub");
        await File.WriteAllTextAsync(pin, "not a key");
        await using var host = await TestHost.StartAsync();

        var load = () => ServerKeyPin.LoadOrFetchAsync(host.BaseAddress, pin);

        (await load.Should().ThrowAsync<InvalidDataException>()).Which.Message.Should().Contain(pin);
    }
}
