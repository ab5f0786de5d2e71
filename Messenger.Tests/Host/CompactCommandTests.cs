using Messenger.Client;
using Messenger.Host.Commands;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Host;

/// <summary><c>Messenger.Host compact</c>: offline, it gives back the space of what was deleted, and the server starts on
/// the compacted database as it was.</summary>
public sealed class CompactCommandTests
{
    [Fact]
    public async Task Compact_AfterMessagesWereDeleted_ShrinksTheDatabase_AndTheServerStartsOnItAsItWas()
    {
        using var directory = new TempDirectory();
        var database = Path.Combine(directory.Path, "messenger.db");
        Device alice;
        long kept;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            alice = await host.SignUpAsync("alice_compact", startEvents: false);
            await using var bob = await host.SignUpAsync("bob_compact", startEvents: false);
            kept = (await alice.SendAsync(bob, "kept")).Message.Id;
            var deleted = new List<long>();
            for (var i = 0; i < 150; i++)
            {
                deleted.Add((await alice.SendAsync(bob, $"{i} {new string('x', 4000)}")).Message.Id);
            }

            foreach (var batch in deleted.Chunk(100))
            {
                await alice.Client.DeleteMessagesAsync(bob.Peer, [.. batch], revoke: true);
            }

            var (output, error) = (new StringWriter(), new StringWriter());
            CompactCommand.Run([$"--Messenger:DataDirectory={directory.Path}"], output, error).Should().Be(2, "a server runs there");
            error.ToString().Should().StartWith("Compact refused: ").And.Contain($"another Messenger server is using '{directory.Path}'");
            await alice.DisposeAsync();
        }

        var before = new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);
        var (said, problems) = (new StringWriter(), new StringWriter());

        CompactCommand.Run([$"--Messenger:DataDirectory={directory.Path}"], said, problems).Should().Be(0, problems.ToString());

        said.ToString().Should().StartWith($"Compacted {database}: ");
        new FileInfo(database).Length.Should().BeLessThan(before);
        File.Exists(database + CompactCommand.CopySuffix).Should().BeFalse();
        await using var restarted = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path);
        await using var aliceAgain = await restarted.ReconnectAsync(alice);
        (await aliceAgain.Client.GetDialogsAsync()).Items.Should().ContainSingle().Which.TopMessage!.Id.Should().Be(kept);
        await using var carol = await restarted.SignUpAsync("carol_compact", startEvents: false);
        await carol.SendAsync(aliceAgain, "written after");
    }

    [Fact]
    public void Compact_WithoutADatabase_IsRefused()
    {
        using var directory = new TempDirectory();
        var (output, error) = (new StringWriter(), new StringWriter());

        CompactCommand.Run([$"--Messenger:DataDirectory={directory.Path}"], output, error).Should().Be(2);

        error.ToString().Should().StartWith("Compact refused: no database at");
        File.Exists(Path.Combine(directory.Path, "messenger.db")).Should().BeFalse();
    }
}
