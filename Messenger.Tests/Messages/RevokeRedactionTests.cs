using System.Text;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Kernel.Storage;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

public sealed class RevokeRedactionTests
{
    [Theory]
    [InlineData("4")] // the log's memory holds every entry
    [InlineData("1")] // most entries are read from the database
    public async Task Delete_WhenRevoked_LeavesNoTraceOfTheTextInAnyLog(string cachedUpdatesPerLog)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Queue:CachedUpdatesPerLog"] = cachedUpdatesPerLog,
        });
        await using var alice = await host.SignedInClientAsync("alice_redact");
        await using var bob = await host.SignedInClientAsync("bob_redact");
        var bobId = (await bob.CallAsync(new SearchUsersCall("bob_redact"))).Users[0].Id;

        var secret = await alice.CallAsync(new SendMessageCall(Peer.User(bobId), 1, "the secret plan"));
        await alice.CallAsync(new EditMessageCall(Peer.User(bobId), secret.Message.Id, "the secret plan, revised"));
        await alice.CallAsync(new SendMessageCall(Peer.User(bobId), 2, "lunch?"));
        await alice.CallAsync(new DeleteMessagesCall(Peer.User(bobId), [secret.Message.Id], Revoke: true));

        // A device of bob's that was offline all along catches up: it learns the message was deleted, never its text.
        var difference = await bob.CallAsync(new GetDifferenceCall(0));
        difference.Updates.Select(u => u.Pts).Should().Equal(1, 2, 3, 4);
        difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Should().ContainSingle()
            .Which.Message.Text.Should().Be("lunch?");
        difference.Updates.Select(u => u.Update).OfType<EditMessageUpdate>().Should().BeEmpty();
        // With bob's unread count now: "lunch?" is still unread.
        difference.Updates[^1].Update.Should().BeEquivalentTo(new DeleteMessagesUpdate(Peer.User(SenderOf(difference)), [secret.Message.Id], UnreadCount: 1));

        (await alice.CallAsync(new GetDifferenceCall(0))).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Should().ContainSingle().Which.Message.Text.Should().Be("lunch?");
        (await bob.CallAsync(new GetHistoryCall(Peer.User(SenderOf(difference)))))
            .Messages.Select(m => m.Text).Should().Equal("lunch?");

        // Nor in the database file's rows.
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var payloads = connection.CreateCommand();
        payloads.CommandText = "SELECT payload FROM queue_updates UNION ALL SELECT CAST(text AS BLOB) FROM message_messages";
        using var reader = payloads.ExecuteReader();
        while (reader.Read())
        {
            Encoding.UTF8.GetString((byte[])reader.GetValue(0)).Should().NotContain("secret");
        }

        static long SenderOf(Difference difference) =>
            difference.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Single().Message.FromId;
    }
}
