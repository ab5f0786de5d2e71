using System.Net;
using Messenger.Client;
using Messenger.Contracts.Help;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>
/// A database that cannot grow: the size cap (<c>Messenger:Storage:MaxDatabaseMiB</c>) makes SQLite answer SQLITE_FULL
/// exactly as a full disk does. Writes past it fail with STORAGE_FULL; nothing acknowledged is lost; reads and the
/// connection go on; the readiness check says why it is not ready; once there is room, the same send (same random_id)
/// is stored once.
/// </summary>
public sealed class StorageFullTests
{
    private const string Capped = "1";

    // Words rather than one long token, as people write: the search index takes its share of the room too.
    private static readonly string Text = string.Join(' ', Enumerable.Repeat("hello world", 300));

    [Fact]
    public async Task Send_WhenTheDatabaseIsFull_FailsWithStorageFull_LosesNothing_AndIsStoredOnceWhenRetriedWithRoom()
    {
        using var directory = new TempDirectory();
        var acknowledged = new List<long>();
        long failedRandomId = 0;
        Device alice;
        Device bob;
        await using (var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Storage:MaxDatabaseMiB"] = Capped }, dataDirectory: directory.Path))
        {
            alice = await host.SignUpAsync("alice_1");
            bob = await host.SignUpAsync("bob_one");
            await using (alice)
            await using (bob)
            {
                for (var randomId = 1L; randomId <= 1_000 && failedRandomId == 0; randomId++)
                {
                    try
                    {
                        acknowledged.Add((await alice.Client.SendMessageAsync(bob.Peer, Text, randomId: randomId)).Message.Id);
                    }
                    catch (RpcException e)
                    {
                        e.Name.Should().Be("STORAGE_FULL");
                        failedRandomId = randomId;
                    }
                }

                failedRandomId.Should().NotBe(0, "1 MiB holds a few dozen messages of this size");
                acknowledged.Should().NotBeEmpty("the database had room for the first messages");

                // Still full: the next write fails the same way, and everything else goes on.
                await alice.Client.Invoking(c => c.SendMessageAsync(bob.Peer, Text, randomId: failedRandomId + 1))
                    .Should().ThrowAsync<RpcException>().Where(e => e.Name == "STORAGE_FULL");
                (await alice.Client.CallAsync(new PingCall(7))).Id.Should().Be(7);
                (await HistoryIdsAsync(bob.Client, alice.Peer)).Should().Equal(acknowledged, "every acknowledged message is kept, and only those");

                using var http = host.CreateHttpClient();
                var ready = await http.GetAsync("/health/ready");
                ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
                (await ready.Content.ReadAsStringAsync()).Should().Be("Unhealthy\ndatabase: no room to write: writes fail with STORAGE_FULL");
                (await http.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
            }
        }

        // Room again (no cap): the failed send, retried with its random_id, is stored once.
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);
            var first = await aliceAgain.Client.SendMessageAsync(bob.Peer, Text, randomId: failedRandomId);
            var second = await aliceAgain.Client.SendMessageAsync(bob.Peer, Text, randomId: failedRandomId);

            second.Message.Id.Should().Be(first.Message.Id);
            (await HistoryIdsAsync(bobAgain.Client, alice.Peer)).Should().Equal([.. acknowledged, first.Message.Id]);
            using var http = host.CreateHttpClient();
            (await (await http.GetAsync("/health/ready")).Content.ReadAsStringAsync()).Should().Be("Healthy");
        }
    }

    // The chat's message ids, oldest first.
    private static async Task<List<long>> HistoryIdsAsync(MessengerClient client, Peer peer)
    {
        var ids = new List<long>();
        for (var offset = 0L; ; )
        {
            var page = await client.GetHistoryAsync(peer, offset, limit: 100);
            if (page.Length == 0)
            {
                ids.Reverse();
                return ids;
            }

            ids.AddRange(page.Select(m => m.Id));
            offset = page[^1].Id;
        }
    }
}
