using Messenger.Client;
using Messenger.Host.Commands;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Protocol;

/// <summary>
/// The server's key is made once, before anyone can pin it, and never again by itself: a server whose accounts' clients
/// pinned a key that is now missing stops with the way on spelled out, instead of locking them all out with a new one.
/// </summary>
public sealed class ServerKeyTests
{
    [Fact]
    public async Task Start_WhenTheKeyIsMissingOnAServerWithAccounts_RefusesNamingTheFile_AndMakesNoKey()
    {
        using var directory = new TempDirectory();
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            await using var alice = await host.SignUpAsync("alice_lostkey");
        }

        File.Delete(KeyPath(directory.Path));
        var start = () => SessionTestKit.StartHostAsync(dataDirectory: directory.Path);

        (await start.Should().ThrowAsync<StartupException>()).Which.Message.Should()
            .StartWith($"Messenger:DataDirectory: server.key is missing from '{directory.Path}', but this server has accounts")
            .And.Contain("restore server.key from a backup").And.Contain("new-server-key");
        File.Exists(KeyPath(directory.Path)).Should().BeFalse("no key is made in its place");
    }

    [Fact]
    public async Task Start_WhenTheKeyIsMissingOnAServerWithoutAccounts_MakesOne()
    {
        using var directory = new TempDirectory();
        byte[] first;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            first = host.ServerPublicKey;
        }

        File.Delete(KeyPath(directory.Path));
        await using var again = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path);

        first.Should().HaveCount(32, "the first start makes the key");
        again.ServerPublicKey.Should().HaveCount(32).And.NotEqual(first, "no account, so no client lost anything it pinned");
    }

    [Fact]
    public async Task NewServerKeyCommand_WhenTheKeyIsLost_LetsTheServerStartWithANewOne_KeepingItsAccounts()
    {
        using var directory = new TempDirectory();
        byte[] lost;
        Device alice;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            lost = host.ServerPublicKey;
            alice = await host.SignUpAsync("alice_newkey");
            await alice.DisposeAsync();
        }

        File.Delete(KeyPath(directory.Path));
        var (output, error) = (new StringWriter(), new StringWriter());
        var made = NewServerKeyCommand.Run([$"--Messenger:DataDirectory={directory.Path}"], output, error);
        var again = NewServerKeyCommand.Run([$"--Messenger:DataDirectory={directory.Path}"], output, error);

        made.Should().Be(0, error.ToString());
        output.ToString().Should().Contain("fingerprint").And.Contain("must forget");
        again.Should().Be(2, "a key that is there is never replaced");
        error.ToString().Should().Contain("server.key exists");
        await using var restarted = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path);
        restarted.ServerPublicKey.Should().NotEqual(lost);
        await using var aliceAgain = await restarted.ReconnectAsync(alice);
        (await aliceAgain.Client.GetAuthorizationsAsync()).Should().NotBeEmpty("her account and signed-in device are still there");
    }

    [Fact]
    public async Task NewServerKeyCommand_WhileAServerRunsOnTheDirectory_RefusesAndMakesNoKey()
    {
        using var directory = new TempDirectory();
        await using var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path);
        File.Delete(KeyPath(directory.Path)); // lost while the server runs: it goes on with the key it read at start-up
        var (output, error) = (new StringWriter(), new StringWriter());
        var made = NewServerKeyCommand.Run([$"--Messenger:DataDirectory={directory.Path}"], output, error);

        made.Should().Be(2, output.ToString());
        error.ToString().Should().StartWith("New key refused: ").And.Contain($"another Messenger server is using '{directory.Path}'");
        File.Exists(KeyPath(directory.Path)).Should().BeFalse("no key is written under a running server");
    }

    private static string KeyPath(string dataDirectory) => Path.Combine(dataDirectory, "server.key");
}
