using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Session;
using Messenger.Session.Storage;
using Messenger.Session.Users;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Session;

/// <summary><c>users.search</c> by any word of a name: accents and case folded, words in any order, the username
/// still found by its start, best matches first.</summary>
public sealed class NameSearchTests
{
    private static readonly Dictionary<string, string?> ManyRegistrations = new() { ["Messenger:Session:RegistrationsPerAddress"] = "1000" };

    [Fact]
    public async Task SearchUsers_ByAnyWordOfTheName_IgnoresAccentsAndCase_ExactAndStartingMatchesFirst()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var me = await host.SignedInClientAsync("searcher");
        var ids = new Dictionary<string, long>();
        foreach (var (username, name) in new[]
                 {
                     ("jan_a", "Jan Andersson"), ("anna_a", "Anna Andersson"), ("jan_solo", "Jan"), ("andersson", "Bob"),
                     ("jose_g", "José García-Lorca"), ("zoe_m", "ZOË Müller"), ("fedor", "Фёдор Достоевский"), ("nikos", "Νίκος Αλεξίου"),
                     ("xiaoming", "王小明"),
                 })
        {
            ids[username] = (await me.RegisterAsync(username, SessionTestKit.Password, name)).User.Id;
        }

        async Task<string[]> Found(string query, int limit = 20) => [.. (await me.SearchUsersAsync(query, limit)).Select(u => u.Username)];

        (await Found("ander")).Should().Equal(["andersson", "anna_a", "jan_a"], "the username starts with it; then later words, by name");
        (await Found("andersson jan")).Should().Equal(["jan_a"], "every word, in any order");
        (await Found("jan")).Should().Equal(["jan_solo", "jan_a"], "the whole name first, then a name that starts with it");
        (await Found("JAN AND")).Should().Equal(["jan_a"]);
        (await Found("jan bob")).Should().BeEmpty("no one has both");
        (await Found("jose")).Should().Equal(["jose_g"]);
        (await Found("LORCA")).Should().Equal(["jose_g"], "a hyphen separates words");
        (await Found("garcía")).Should().Equal(["jose_g"]);
        (await Found("zoe")).Should().Equal(["zoe_m"]);
        (await Found("muller")).Should().Equal(["zoe_m"]);
        (await Found("MÜLLER zoë")).Should().Equal(["zoe_m"]);
        (await Found("достоев")).Should().Equal(["fedor"]);
        (await Found("ФЕДОР")).Should().Equal(["fedor"], "ё folds to е");
        (await Found("αλεξιου")).Should().Equal(["nikos"]);
        (await Found("ΝΊΚΟΣ")).Should().Equal(["nikos"], "tonos and final sigma folded");
        (await Found("王小")).Should().Equal(["xiaoming"]);
        (await Found("@JOSE_")).Should().Equal(["jose_g"], "the username by its start as typed");
        (await Found("ander", limit: 2)).Should().Equal(["andersson", "anna_a"]);
        (await Found("nobody")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("--")]
    [InlineData(" . _ ' ")]
    [InlineData("🙂")]
    [InlineData("\u2764\uFE0F")]
    [InlineData("\u0301")]
    [InlineData("@")]
    [InlineData("@@ ")]
    [InlineData("_-")]
    [InlineData("jan\u0001")]
    public async Task SearchUsers_WhenTheQueryHasNoWordOrControlCharacters_FailsWithSearchQueryInvalid(string query)
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var me = await host.SignedInClientAsync("searcher");
        await ChatTestKit.FailsWith(() => me.SearchUsersAsync(query), SessionErrorNames.SearchQueryInvalid);
    }

    [Fact]
    public async Task SearchUsers_WhenTheQueryIsTooLongOrTheLimitOutOfRange_Fails_AndTheServerStillAnswers()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var me = await host.SignedInClientAsync("searcher");
        await ChatTestKit.FailsWith(() => me.SearchUsersAsync(new string('a', 65)), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => me.SearchUsersAsync("searcher", limit: 0), SessionErrorNames.LimitInvalid);
        (await me.SearchUsersAsync(" " + new string('a', 64) + " ")).Should().BeEmpty("64 characters after trimming are fine");
        (await me.SearchUsersAsync("SEARCHER")).Select(u => u.Username).Should().Equal("searcher");
    }

    [Fact]
    public async Task SearchUsers_ByAUsername_PutsItsAccountFirst_AheadOfMoreAccountsThanTheLimitNamedLikeIt()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var me = await host.SignedInClientAsync("searcher");
        foreach (var username in new[] { "js_alpha", "js_bravo", "js_charlie" })
        {
            await me.RegisterAsync(username, SessionTestKit.Password, "John Smith");
        }

        var john = (await me.RegisterAsync("john_smith", SessionTestKit.Password, "Zed")).User.Id;

        (await me.SearchUsersAsync("@john_smith", 2)).Select(u => u.Id).First().Should().Be(john, "a mention's click looks for the username among the first few");
        (await me.SearchUsersAsync("JOHN_SMITH", 2)).Select(u => u.Id).First().Should().Be(john);
        (await me.SearchUsersAsync("@@john_smith", 1)).Select(u => u.Id).Should().Equal([john], "every leading '@' goes");
        (await me.SearchUsersAsync("john smith", 3)).Select(u => u.Username).Should().Equal(["js_alpha", "js_bravo", "js_charlie"], "the whole name, by id");
    }

    [Fact]
    public async Task SearchUsers_ByTheStartOfAUsernameWithoutAWord_FindsThoseUsernamesOnly()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var me = await host.SignedInClientAsync("searcher");
        await me.RegisterAsync("_____", SessionTestKit.Password, "Under Score");
        await me.RegisterAsync("__init", SessionTestKit.Password, "Init");
        await me.RegisterAsync("x_____", SessionTestKit.Password, "_ Lone");

        async Task<string[]> Found(string query) => [.. (await me.SearchUsersAsync(query)).Select(u => u.Username)];

        (await Found("_")).Should().Equal(["__init", "_____"], "usernames starting with it, by name; not a name with '_' in it");
        (await Found("@__")).Should().Equal(["__init", "_____"]);
        (await Found(" @_____ ")).Should().Equal(["_____"]);
        (await Found("___")).Should().Equal(["_____"]);
        (await Found("x_")).Should().Equal(["x_____"], "the username as typed");
    }

    [Fact]
    public async Task NameSearch_WhenTheFirstWordsRangeIsCutByTheLimit_ReadsTheRarestWord()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var me = await host.SignedInClientAsync("searcher");
        foreach (var username in new[] { "p_one", "p_two", "p_three" })
        {
            await me.RegisterAsync(username, SessionTestKit.Password, "Annabel Smith");
        }

        var zed = (await me.RegisterAsync("p_four", SessionTestKit.Password, "Annabel Zed")).User.Id;
        await me.RegisterAsync("zed_b", SessionTestKit.Password, "Bob");
        var store = host.Services.GetRequiredService<SessionStore>();

        // Two rows per range: "annabel" (the longest word, read first) starts four names, its range cut at the first
        // two; "zed" starts one name and one username, two rows as well, but none of its ranges cut: it is taken.
        NameSearch.Find(store, "annabel zed", among: null, candidatesPerIndex: 2, includeBlocked: false).Should().Equal(zed);
    }

    [Fact]
    public async Task NameSearch_WhenTheQueryHasMoreWordsThanTheProbed_ChoosesAmongTheLongestThree()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var me = await host.SignedInClientAsync("searcher");
        foreach (var username in new[] { "q_one", "q_two" })
        {
            await me.RegisterAsync(username, SessionTestKit.Password, "Amber Bern Cole");
        }

        var target = (await me.RegisterAsync("q_three", SessionTestKit.Password, "Amber Bern Cole Di")).User.Id;
        var store = host.Services.GetRequiredService<SessionStore>();

        // Two rows per range: "amber", "bern" and "cole" are each cut at the two others; only "di" is not.
        NameSearch.Find(store, "amber bern cole di", among: null, candidatesPerIndex: 2, includeBlocked: false).Should().BeEmpty(
            "only the three longest words are probed, all cut: a query's cost is bounded whatever its length");
        NameSearch.Find(store, "amber bern di", among: null, candidatesPerIndex: 2, includeBlocked: false).Should().Equal(target);
    }

    [Fact]
    public void NameQuery_WhenALookAlikeQueryFindsAUsername_EveryStartOfTheQueryFindsItToo()
    {
        // Every query of up to four of the letters the look-alikes read or yield (and one they leave) finds the username
        // spelled as its fold, and spelled with an rn for each m; so must each start of the query, or a name found at
        // "0rn" would vanish at "0r" while typing.
        var letters = "arnmil1o0";
        IEnumerable<string> queries = [""];
        for (var length = 1; length <= 4; length++)
        {
            queries = [.. queries.SelectMany(query => letters.Select(letter => query + letter))];
            foreach (var query in queries)
            {
                var fold = Rules.UsernameFold(query);
                foreach (var username in new[] { fold + "z", fold.Replace("m", "rn", StringComparison.Ordinal) + "z" })
                {
                    new NameQuery(query).Rank([], username).Should().NotBeNull($"\"{query}\" is a look-alike of {username}");
                    for (var start = 1; start < query.Length; start++)
                    {
                        new NameQuery(query[..start]).Rank([], username).Should().NotBeNull($"\"{query}\" finds {username}, so its start \"{query[..start]}\" must");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task NameCandidates_WhenTheQuerysOneWordIsAUsernamesStart_ReadsThatUsernameRangeOnce()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var me = await host.SignedInClientAsync("searcher");
        var zed = (await me.RegisterAsync("zed_b", SessionTestKit.Password, "Bob")).User.Id;
        var store = host.Services.GetRequiredService<SessionStore>();

        List<long> Candidates(string text)
        {
            var query = new NameQuery(text);
            return store.NameCandidates(query.ProbeOrder, query.Username, 2, includeBlocked: false);
        }

        Candidates("zed").Should().Equal([zed], "the word's username range is the query's as typed");
        Candidates("ZED_").Should().Equal([zed], "the query as typed is within the word's username range, read whole");
        Candidates("zed_b").Should().Equal([zed], "\"zed\" (no range cut) is the word read, and \"zed_b\" is within its usernames");

        var carl = (await me.RegisterAsync("zed_c", SessionTestKit.Password, "Carl")).User.Id;
        Candidates("zed").Should().Equal([zed, carl], "the same range, cut or not");
        Candidates("zed_").Should().Equal([zed, carl, zed, carl], "the word's usernames are cut at two: the query's own range is read");
    }

    [Fact]
    public async Task NameSearch_WhenWebhookPostersAndTheBlockedFillARange_ReadsNoMoreOfItThanTheLimit_AndDropsThem()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var admin = await host.MemberAsync("boss_wh"); // named BOSS_WH: no word starting "hook"
        var group = (await admin.Client.CreateGroupAsync("Hooks", [])).Chat.Id;
        for (var i = 0; i < 3; i++)
        {
            await admin.Client.CreateWebhookAsync(group, $"Poster {i}"); // hook_<hex>_bot, below "hookah…"
        }

        var blocked = new List<long>();
        foreach (var username in new[] { "blocked_one", "blocked_two", "blocked_three" })
        {
            blocked.Add((await admin.Client.RegisterAsync(username, SessionTestKit.Password, "Hook Blocked")).User.Id);
        }

        var fan = (await admin.Client.RegisterAsync("hookah_fan", SessionTestKit.Password, "Fan")).User.Id;
        var named = (await admin.Client.RegisterAsync("plain_named", SessionTestKit.Password, "Hook Named")).User.Id;
        foreach (var id in blocked)
        {
            await admin.Client.SetUserBlockedAsync(id, true);
        }

        var store = host.Services.GetRequiredService<SessionStore>();
        NameSearch.Find(store, "hook", among: null, candidatesPerIndex: 4, includeBlocked: false).Should().BeEquivalentTo([fan, named],
            "the four rows of each range are all of it: the posters and the blocked are dropped after the read");
        NameSearch.Find(store, "hook", among: null, candidatesPerIndex: 4, includeBlocked: true).Should().BeEquivalentTo([fan, named, .. blocked],
            "a group's member search finds the blocked; posters never");
        NameSearch.Find(store, "hook", among: null, candidatesPerIndex: 2, includeBlocked: false).Should().BeEmpty(
            "each range's read stops at its first two rows, blocked accounts and posters: however many pile up, no more are walked");
    }

    [Fact]
    public async Task SearchUsers_AfterARenameADeletionOrABlock_FindsTheNewNameOnly_AndNeitherTheDeletedNorTheBlocked()
    {
        await using var host = await SessionTestKit.StartHostAsync(ManyRegistrations);
        await using var admin = await host.SignedInClientAsync("admin_ns");
        await using var renamed = await host.SignedInClientAsync("renamed_ns");
        await using var leaving = await host.SignedInClientAsync("leaving_ns");
        await using var blocked = await host.SignedInClientAsync("blocked_ns");
        await renamed.UpdateProfileAsync("Olga Oldname", "");
        await leaving.UpdateProfileAsync("Lena Leaving", "");
        await blocked.UpdateProfileAsync("Bertil Blocked", "");
        var renamedId = (await admin.SearchUsersAsync("oldname")).Single(u => u.Username == "renamed_ns").Id;
        var leavingId = (await admin.SearchUsersAsync("lena")).Single().Id;
        var blockedId = (await admin.SearchUsersAsync("bertil")).Single().Id;

        await renamed.UpdateProfileAsync("Olga Newname", "");
        await leaving.DeleteAccountAsync(SessionTestKit.Password);
        await admin.SetUserBlockedAsync(blockedId, true);

        // The index itself, not only the results (which are checked against the current name anyway).
        WordsOf(host, renamedId).Should().Equal(["newname", "olga"], "the old name's words went with it");
        WordsOf(host, leavingId).Should().BeEmpty("a deleted account keeps no words");
        WordsOf(host, blockedId).Should().Equal(["bertil", "blocked"], "blocking hides, it does not unindex");
        (await admin.SearchUsersAsync("oldname")).Should().BeEmpty("the old name's words went with it");
        (await admin.SearchUsersAsync("newname olga")).Select(u => u.Username).Should().Equal("renamed_ns");
        (await admin.SearchUsersAsync("lena")).Should().BeEmpty();
        (await admin.SearchUsersAsync("leaving")).Should().BeEmpty();
        (await admin.SearchUsersAsync("deleted account")).Should().BeEmpty("a deleted account is found by nothing");
        (await admin.SearchUsersAsync("bertil")).Should().BeEmpty("blocked accounts are not found by search");

        var bot = await admin.CreateBotAsync("weather_ns_bot", "Weather Helper");
        (await renamed.SearchUsersAsync("helper")).Select(u => u.Id).Should().Equal([bot.Bot.Id], "people find a Bot API bot by its name");
    }

    private static List<string> WordsOf(TestHost host, long userId)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT word FROM session_user_name_words WHERE user_id = @user ORDER BY word";
        command.Parameters.AddWithValue("@user", userId);
        using var reader = command.ExecuteReader();
        var words = new List<string>();
        while (reader.Read())
        {
            words.Add(reader.GetString(0));
        }

        return words;
    }

    [Fact]
    public async Task AccountsWrittenBeforeTheWordIndex_AreFoundByAnyWord_AfterTheNextStart()
    {
        using var data = new TempDirectory();
        long bobId;
        long chatId;
        await using (var host = await SessionTestKit.StartHostAsync(ManyRegistrations, dataDirectory: data.Path))
        {
            await using var alice = await host.MemberAsync("alice_fill");
            await using var bob = await host.MemberAsync("bob_fill");
            await bob.Client.UpdateProfileAsync("Émile Bob", "");
            bobId = bob.Id;
            chatId = (await alice.Client.CreateGroupAsync("Old friends", [bob.Id])).Chat.Id;
        }

        // The database as the build before the word index left it: the migration undone, Bob's key lower-cased the old
        // way, and an account written by that build.
        var connectionString = $"Data Source={Path.Combine(data.Path, MessengerOptions.DatabaseFileName)};Pooling=False";
        var options = (DbContextOptions<SessionDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<SessionDbContext>(), connectionString, SessionDbContext.MigrationsHistoryTable).Options;
        await using (var before = new SessionDbContext(options))
        {
            await before.GetService<IMigrator>().MigrateAsync("20261204215032_ThumbnailPasses");
        }

        long joseId;
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using (var left = connection.CreateCommand())
            {
                left.CommandText = "SELECT count(*) FROM session_users WHERE display_name_key IS NOT NULL";
                Convert.ToInt64(left.ExecuteScalar()).Should().Be(0, "undoing the migration leaves every key for the previous build's fill to write its way");
            }

            using var old = connection.CreateCommand();
            old.CommandText =
                "UPDATE session_users SET display_name_key = 'émile bob' WHERE id = @bob; " +
                "INSERT INTO session_users (username, username_key, password_hash, display_name, display_name_key, bio, is_admin, is_blocked, created_at, is_bot) " +
                "VALUES ('jose_fill', 'jose_fill', '', 'José Ölander', 'josé ölander', '', 0, 0, 0, 0) RETURNING id";
            old.Parameters.AddWithValue("@bob", bobId);
            joseId = Convert.ToInt64(old.ExecuteScalar());
        }

        SqliteConnection.ClearAllPools();
        await using (var host = await SessionTestKit.StartHostAsync(
                         new Dictionary<string, string?> { ["Messenger:Message:MemberSearchScanLimit"] = "0" }, dataDirectory: data.Path))
        {
            await using var alice = await host.DeviceAsync("alice_fill", 0, listen: false);
            // The fill runs beside the start: asked until it is done (or for 20 s).
            for (var tries = 0; tries < 200 && (await alice.Client.SearchUsersAsync("olander")).Length == 0; tries++)
            {
                await Task.Delay(100);
            }

            (await alice.Client.SearchUsersAsync("OLANDER JOSE")).Select(u => u.Id).Should().Equal(joseId);
            (await alice.Client.SearchUsersAsync("bob")).Select(u => u.Id).Should().Contain(bobId, "a later word of the name");
            (await alice.Client.SearchMembersAsync(chatId, "emile")).Members.Select(m => m.UserId).Should().Equal([bobId],
                "through the server's word index, the group being above MemberSearchScanLimit");
        }
    }
}
