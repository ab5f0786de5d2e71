using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using QuickStart;

namespace Messenger.Tests.Client;

/// <summary>The README's SDK quick-start is this project's <c>Client/ReadmeQuickStart.cs</c>, word for word, and it runs.</summary>
public sealed class ReadmeQuickStartTests
{
    [Fact]
    public void Readme_ShowsTheQuickStartAsCompiledHere()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var code = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Messenger.Tests", "Client", "ReadmeQuickStart.cs")).ReplaceLineEndings("\n");

        readme.Should().Contain($"```csharp\n{code}```", "the README's quick-start is the compiled and tested file");
    }

    [Fact]
    public void Readme_CallsTheQuickStartWithAUsernameAndPasswordTheServerTakes()
    {
        // The prose line that shows how Main calls the quick start is not run, so its arguments are held to the
        // server's field rules here: a user who copies it must not meet USERNAME_INVALID.
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var call = Regex.Match(readme, @"HelloApp\.RunAsync\(new Uri\(""[^""]*""\), ""[^""]*"", ""(?<username>[^""]*)"",\s*""(?<password>[^""]*)""");

        call.Success.Should().BeTrue("the README shows how a console app's Main calls HelloApp.RunAsync");
        var username = call.Groups["username"].Value;
        Messenger.Session.Rules.IsUsername(username).Should().BeTrue($"the README's username {username} is a valid one");
        Messenger.Session.Rules.IsReservedForBots(username).Should().BeFalse($"the README's username {username} is not a bot's");
        Messenger.Session.Rules.Characters(call.Groups["password"].Value).Should().BeGreaterThanOrEqualTo(Messenger.Session.Rules.PasswordMinCharacters);
    }

    [Fact]
    public async Task QuickStart_RegistersSendsAndReceives_AndAgainAfterARestart()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_quick");
        using var directory = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        for (var run = 0; run < 2; run++)
        {
            var app = HelloApp.RunAsync(host.BaseAddress, directory.Path, "bob_quick", SessionTestKit.Password, alice.UserId, timeout.Token);
            var hello = await alice.NextAsync<MessageReceived>(m => !m.IsOutgoing);
            hello.Message.Text.Should().Be("Hello!");
            await alice.Client.SendMessageAsync(Peer.User(hello.Message.FromId), $"Hi {run}");

            (await app).Message.Text.Should().Be($"Hi {run}");
        }
    }
}
