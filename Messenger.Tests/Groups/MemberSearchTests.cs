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

/// <summary><c>groups.getFull</c> with a query: a group's members by any word of their display name or by their
/// username, in groups read whole and in groups searched through the name indexes.</summary>
public sealed class MemberSearchTests
{
    [Theory]
    [InlineData(2000)] // the group is read whole
    [InlineData(2)] // the group is bigger than that: the server's name indexes are walked
    public async Task SearchMembers_ByAnyWordOfANameInAnyCase_FindsMembersBeyondTheFirstPage_AndNobodyElse(int scanLimit)
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
        (await alice.Client.SearchMembersAsync(group.Id, "Stone")).Members.Select(m => m.UserId).Should().Equal([bob, carl], "a later word, by name");
        (await alice.Client.SearchMembersAsync(group.Id, "stone CARL")).Members.Select(m => m.UserId).Should().Equal([carl], "words in any order");
        (await alice.Client.SearchMembersAsync(group.Id, "angstrom")).Members.Select(m => m.UserId).Should().Equal(zoe);
        (await alice.Client.SearchMembersAsync(group.Id, "zorro_mem")).Members.Select(m => m.UserId).Should().Equal([zorro], "the username as typed");
        (await alice.Client.SearchMembersAsync(group.Id, "bob stone")).Members.Single().Should()
            .BeEquivalentTo(new { UserId = bob, Role = MemberRole.Member });
        (await alice.Client.SearchMembersAsync(group.Id, "xylophone")).Members.Should().BeEmpty();
        (await alice.Client.SearchMembersAsync(group.Id, "D0RA")).Members.Select(m => m.UserId).Should().Equal([dora], "a look-alike of the username");
        (await alice.Client.SearchMembersAsync(group.Id, "0utsider")).Members.Should().BeEmpty("a look-alike finds members only");
        (await alice.Client.SearchMembersAsync(group.Id, "ALICE")).Members.Single().Role.Should().Be(MemberRole.Creator);
        (await alice.Client.SearchMembersAsync(group.Id, "zo", offset: 1, limit: 1)).Members.Select(m => m.UserId).Should().Equal(zoe);
        (await alice.Client.SearchMembersAsync(group.Id, "zoë")).Members.Select(m => m.UserId).Should().Equal([zoe], "Zoë Outside is no member");
        (await alice.Client.SearchMembersAsync(group.Id, "EMIL_")).Members.Select(m => m.UserId).Should().Equal(emil);

        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, new string('z', 65)), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, "   "), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, "zo\u0001"), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, " -._' "), SessionErrorNames.SearchQueryInvalid);
        (await alice.Client.SearchMembersAsync(group.Id, "bob")).Members.Should().ContainSingle("a bad query disturbed nothing");
        await using var stranger = await host.MemberAsync("stranger_members");
        await ChatTestKit.FailsWith(() => stranger.Client.SearchMembersAsync(group.Id, "zo"), GroupErrorNames.ChatNotFound, 404);
    }

    [Theory]
    [InlineData(2000)] // the group is read whole
    [InlineData(2)] // the group is bigger than that: the server's name indexes are walked
    public async Task SearchMembers_ByAnRnForAnM_AndByAQueryEndingInR_FindsTheMember_AndNoOutsider(int scanLimit)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:MemberSearchScanLimit"] = scanLimit.ToString(),
        });
        await using var alice = await host.MemberAsync("alice_alike");
        var ids = new List<long>();
        await using (var registrar = await host.ConnectAsync())
        {
            foreach (var (username, name) in new[]
                     {
                         ("maxx_alike", "Maxx"), ("bam_alike", "Bam"), ("ornella_alike", "Ornella"), ("maxim_outside", "Maxim"),
                     })
            {
                ids.Add((await registrar.RegisterAsync(username, SessionTestKit.Password, name)).User.Id);
            }
        }

        var (maxx, bam, ornella) = (ids[0], ids[1], ids[2]);
        var group = (await alice.Client.CreateGroupAsync("Look-alikes", [maxx, bam, ornella], large: true)).Chat;

        (await alice.Client.SearchMembersAsync(group.Id, "rnaxx")).Members.Select(m => m.UserId).Should().Equal([maxx]);
        (await alice.Client.SearchMembersAsync(group.Id, "rnax")).Members.Select(m => m.UserId).Should().Equal([maxx], "maxim is no member");
        (await alice.Client.SearchMembersAsync(group.Id, "bar")).Members.Select(m => m.UserId).Should().Equal([bam], "a trailing r may be the start of an rn");
        (await alice.Client.SearchMembersAsync(group.Id, "0r")).Members.Select(m => m.UserId).Should().Equal([ornella], "as 0rn finds her");
        (await alice.Client.SearchMembersAsync(group.Id, "0rn")).Members.Select(m => m.UserId).Should().Equal([ornella]);
    }

    [Fact]
    public async Task SearchPlans_ReadBoundedIndexRanges_AndTheMembersByTheirKey_NeverAWholeTable()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();

        var words = Plan(connection, SessionStore.WordRangeSql);
        // At most @limit rows of the range (the co-routine), then each account looked up by its key: the blocked and
        // webhooks' posters are dropped after the limit, so however many there are, no more rows are walked.
        words.Should().Equal([
            "CO-ROUTINE w",
            "SEARCH session_user_name_words USING COVERING INDEX sqlite_autoindex_session_user_name_words_1 (word>? AND word<?)",
            "SCAN w",
            "SEARCH u USING INTEGER PRIMARY KEY (rowid=?)",
            "USING ROWID SEARCH ON TABLE session_bots FOR IN-OPERATOR",
        ]);

        var usernames = Plan(connection, SessionStore.UsernameRangeSql);
        usernames.Should().Equal([
            "CO-ROUTINE u",
            "SEARCH session_users USING INDEX IX_session_users_username_key (username_key>? AND username_key<?)",
            "SCAN u",
            "USING ROWID SEARCH ON TABLE session_bots FOR IN-OPERATOR",
        ]);

        // A look-alike's range (the query's fold) reads the fold's unique index the same way.
        Plan(connection, SessionStore.UsernameFoldRangeSql).Should().Equal([
            "CO-ROUTINE u",
            "SEARCH session_users USING INDEX IX_session_users_username_fold (username_fold>? AND username_fold<?)",
            "SCAN u",
            "USING ROWID SEARCH ON TABLE session_bots FOR IN-OPERATOR",
        ]);

        // Which word to read is told by the indexes alone: at most @limit entries each, no account row.
        Plan(connection, SessionStore.WordCountSql).Should().Equal([
            "CO-ROUTINE (subquery-1)",
            "SEARCH session_user_name_words USING COVERING INDEX sqlite_autoindex_session_user_name_words_1 (word>? AND word<?)",
            "SCAN (subquery-1)",
        ]);
        Plan(connection, SessionStore.UsernameCountSql).Should().Equal([
            "CO-ROUTINE (subquery-1)",
            "SEARCH session_users USING COVERING INDEX IX_session_users_username_key (username_key>? AND username_key<?)",
            "SCAN (subquery-1)",
        ]);

        var byIds = Plan(connection, SessionStore.NameRowsSql);
        byIds.Should().Contain(line => line.Contains("SEARCH session_users USING INTEGER PRIMARY KEY (rowid=?)"), string.Join(" | ", byIds));
        byIds.Should().NotContain(line => line.Contains("SCAN session_users"));

        // The primary key (chat_id, user_id), one lookup per candidate.
        var members = Plan(connection, GroupStore.MembersSql);
        members.Should().Contain(line => line.Contains("SEARCH message_members USING INDEX sqlite_autoindex_message_members_1 (chat_id=? AND user_id=?)"), string.Join(" | ", members));

        // A chat's admins (join requests' count, a channel's comings and goings) from the partial index, not a walk
        // over a channel's subscribers.
        Plan(connection, GroupStore.AdminIdsSql).Should().Equal(["SEARCH message_members USING INDEX IX_message_members_admins (chat_id=?)"]);
    }

    private static List<string> Plan(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@from", "@to", "@limit", "@among", "@chat", "@ids", "@blocked" })
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, name is "@among" or "@ids" ? "[1,2]" : name is "@limit" or "@chat" ? 1L : name is "@blocked" ? 0L : "a");
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
