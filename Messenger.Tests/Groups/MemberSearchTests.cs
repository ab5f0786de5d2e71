using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Messenger.Session.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Groups;

/// <summary><c>groups.getFull</c> with a query: a group's members by the start of their display name or username, in
/// groups read whole and in groups searched through the name indexes.</summary>
public sealed class MemberSearchTests
{
    [Theory]
    [InlineData(2000)] // the group is read whole
    [InlineData(2)] // the group is bigger than that: the server's name indexes are walked
    public async Task SearchMembers_ByTheStartOfANameInAnyCase_FindsMembersBeyondTheFirstPage_AndNobodyElse(int scanLimit)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:MemberSearchScanLimit"] = scanLimit.ToString(),
        });
        await using var alice = await host.MemberAsync("alice_members");
        var ids = new List<long>();
        await using (var registrar = await host.ConnectAsync())
        {
            foreach (var (username, name) in new[]
                     {
                         ("bob_members", "Bob Stone"), ("carl_members", "Carl Stone"), ("dora_members", "Dora"), ("emil_members", "Emil"),
                         ("zoe_members", "Zoë Ångström"), ("zorro_members", "Diego"), ("outsider_members", "Zoë Outside"),
                     })
            {
                ids.Add((await registrar.RegisterAsync(username, SessionTestKit.Password, name)).User.Id);
            }
        }

        var (bob, carl, dora, emil, zoe, zorro) = (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
        var group = (await alice.Client.CreateGroupAsync("Neighbours", [bob, carl, dora, emil, zoe, zorro], large: true)).Chat;

        var firstPage = await alice.Client.GetFullChatAsync(group.Id, limit: 3);
        firstPage.Members.Select(m => m.UserId).Should().NotContain(zoe, "the list is paged by join time");

        (await alice.Client.SearchMembersAsync(group.Id, "zo")).Members.Select(m => m.UserId)
            .Should().Equal([zorro, zoe], "Diego's username starts with zo; by display name; the outsider is no member");
        (await alice.Client.SearchMembersAsync(group.Id, "  ZOË Å")).Members.Select(m => m.UserId).Should().Equal(zoe);
        (await alice.Client.SearchMembersAsync(group.Id, "Stone")).Members.Should().BeEmpty("the start of the name, not any word");
        (await alice.Client.SearchMembersAsync(group.Id, "bob stone")).Members.Single().Should()
            .BeEquivalentTo(new { UserId = bob, Role = MemberRole.Member });
        (await alice.Client.SearchMembersAsync(group.Id, "xylophone")).Members.Should().BeEmpty();
        (await alice.Client.SearchMembersAsync(group.Id, "ALICE")).Members.Single().Role.Should().Be(MemberRole.Creator);
        (await alice.Client.SearchMembersAsync(group.Id, "zo", offset: 1, limit: 1)).Members.Select(m => m.UserId).Should().Equal(zoe);
        (await alice.Client.SearchMembersAsync(group.Id, "zoë")).Members.Select(m => m.UserId).Should().Equal([zoe], "Zoë Outside is no member");
        (await alice.Client.SearchMembersAsync(group.Id, "EMIL_")).Members.Select(m => m.UserId).Should().Equal(emil);

        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, new string('z', 65)), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, "   "), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, "zo\u0001"), SessionErrorNames.SearchQueryInvalid);
        await using var stranger = await host.MemberAsync("stranger_members");
        await ChatTestKit.FailsWith(() => stranger.Client.SearchMembersAsync(group.Id, "zo"), GroupErrorNames.ChatNotFound, 404);
    }

    [Fact]
    public async Task SearchPlans_ReadBoundedIndexRanges_AndTheMembersByTheirKey_NeverAWholeTable()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();

        var byIndexes = Plan(connection, SessionStore.MatchNameSql(among: false));
        byIndexes.Should().Contain(line => line.Contains("USING INDEX IX_session_users_display_name_key (display_name_key>? AND display_name_key<?)"));
        byIndexes.Should().Contain(line => line.Contains("USING INDEX IX_session_users_username_key (username_key>? AND username_key<?)"));
        byIndexes.Should().NotContain(line => line.Contains("SCAN session_users"), string.Join(" | ", byIndexes));

        var byIds = Plan(connection, SessionStore.MatchNameSql(among: true));
        byIds.Should().Contain(line => line.Contains("SEARCH session_users USING INTEGER PRIMARY KEY (rowid=?)"), string.Join(" | ", byIds));
        byIds.Should().NotContain(line => line.Contains("SCAN session_users"));

        // The primary key (chat_id, user_id), one lookup per candidate.
        var members = Plan(connection, GroupStore.MembersSql);
        members.Should().Contain(line => line.Contains("SEARCH message_members USING INDEX sqlite_autoindex_message_members_1 (chat_id=? AND user_id=?)"), string.Join(" | ", members));
    }

    [Fact]
    public async Task AccountsFromBeforeTheNameIndex_AreFoundByName_AfterTheNextStart()
    {
        using var data = new TempDirectory();
        long chatId;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.MemberAsync("alice_fill");
            await using var bob = await host.MemberAsync("bob_fill");
            await bob.Client.UpdateProfileAsync("Émile Bob", "");
            chatId = (await alice.Client.CreateGroupAsync("Old friends", [bob.Id])).Chat.Id;
            using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
            using var forget = connection.CreateCommand();
            forget.CommandText = "UPDATE session_users SET display_name_key = NULL";
            forget.ExecuteNonQuery();
            (await alice.Client.SearchMembersAsync(chatId, "émile")).Members.Should().BeEmpty("as a server from before the column");
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.DeviceAsync("alice_fill", 0, listen: false);
            // The fill runs beside the start: asked until it is done (or for 20 s).
            ChatMember[] found = [];
            for (var tries = 0; tries < 200 && found.Length == 0; tries++)
            {
                found = (await alice.Client.SearchMembersAsync(chatId, "ÉMILE")).Members;
                if (found.Length == 0)
                {
                    await Task.Delay(100);
                }
            }

            found.Single().Role.Should().Be(MemberRole.Member);
        }
    }

    private static List<string> Plan(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@from", "@to", "@limit", "@among", "@chat", "@ids" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, name is "@among" or "@ids" ? "[1,2]" : name is "@limit" or "@chat" ? 1L : "a");
            }
        }

        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(3));
        }

        return lines;
    }
}
