using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Host.Commands;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Host;

/// <summary>A data directory a server made and left after real traffic (<see cref="CheckedData.TrafficAsync"/>): each
/// test breaks a copy of it.</summary>
public sealed class CheckedData : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public string Path => System.IO.Path.Combine(_directory.Path, "data");

    public async Task InitializeAsync()
    {
        await using var host = await SessionTestKit.StartHostAsync(dataDirectory: Path);
        await TrafficAsync(host, "chk");
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Messages, edits, deletes (for everyone and for oneself), reactions, a small and a large group with a join
    /// and a leave, the same file uploaded twice (one blob, two media) and one of them deleted, and an account deleted.</summary>
    internal static async Task TrafficAsync(TestHost host, string suffix)
    {
        await using var alice = await host.SignUpAsync($"alice_{suffix}", startEvents: false);
        await using var bob = await host.SignUpAsync($"bob_{suffix}", startEvents: false);
        var carol = await host.SignUpAsync($"carol_{suffix}", startEvents: false);
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await alice.SendAsync(bob, $"hello {i}")).Message.Id);
            ids.Add((await bob.SendAsync(alice, $"hi {i}")).Message.Id);
        }

        await alice.Client.EditMessageAsync(bob.Peer, ids[0], "hello, edited");
        await alice.Client.DeleteMessagesAsync(bob.Peer, [ids[2]], revoke: true);
        await bob.Client.DeleteMessagesAsync(alice.Peer, [ids[4]], revoke: false);
        await bob.Client.SendReactionAsync(alice.Peer, ids[6], "👍");
        await bob.Client.ReadHistoryAsync(alice.Peer, ids[7]);

        var group = await alice.Client.CreateGroupAsync("Check group", [bob.UserId, carol.UserId]);
        var inGroup = Peer.Chat(group.Chat.Id);
        var groupMessage = (await alice.Client.SendMessageAsync(inGroup, "in the group")).Message.Id;
        await bob.Client.SendMessageAsync(inGroup, "me too");
        await carol.Client.SendReactionAsync(inGroup, groupMessage, "👍");
        await bob.Client.LeaveGroupAsync(group.Chat.Id);

        // Dave joins a small group with history: he reads from the message that added him.
        await using var dave = await host.SignUpAsync($"dave_{suffix}", startEvents: false);
        var older = await alice.Client.CreateGroupAsync("Check history", [bob.UserId]);
        await alice.Client.SendMessageAsync(Peer.Chat(older.Chat.Id), "before dave");
        await bob.Client.SendMessageAsync(Peer.Chat(older.Chat.Id), "before dave too");
        await alice.Client.AddMembersAsync(older.Chat.Id, [dave.UserId]);

        var large = await alice.Client.CreateGroupAsync("Check large", [bob.UserId], large: true);
        await alice.Client.SendMessageAsync(Peer.Chat(large.Chat.Id), "in the large group");

        var bytes = MediaTestKit.RandomBytes(40_000, seed: 47);
        var first = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(bytes));
        await bob.Client.SendMediaAsync(alice.Peer, await bob.Client.UploadAsync(bytes));
        var gone = await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadAsync(MediaTestKit.RandomBytes(30_000, seed: 48)));
        await alice.Client.DeleteMessagesAsync(bob.Peer, [gone.Message.Id], revoke: true);
        await alice.Client.EditMessageAsync(bob.Peer, first.Message.Id, "a caption");

        await carol.Client.DeleteAccountAsync(SessionTestKit.Password);
        await carol.DisposeAsync();
        // The deleted account leaves its groups after the answer: the host drains its writes at stop, and its
        // membership is gone once the group counts one member less.
        await SessionTestKit.WaitUntil(() => MemberCount(host, group.Chat.Id) == 1);
    }

    private static long MemberCount(TestHost host, long chatId)
    {
        using var connection = host.Services.GetRequiredService<Messenger.Kernel.Storage.SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT member_count FROM message_chats WHERE id = @chat";
        command.Parameters.AddWithValue("@chat", chatId);
        return (long)command.ExecuteScalar()!;
    }
}

/// <summary><c>Messenger.Host check</c>: a healthy directory checks whole; each invariant broken by hand is reported as
/// itself and exits 1; it refuses while a server runs; a damaged database is reported, not crashed on.</summary>
public sealed class CheckCommandTests(CheckedData data) : IClassFixture<CheckedData>
{
    [Fact]
    public void Check_AfterRealTraffic_IsWhole()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);

        var (code, output) = Check(directory);

        code.Should().Be(0, output);
        output.Should().NotContain("problem").And.Contain(": whole");
        Check(directory, "--full", "--hashes").Code.Should().Be(0, "integrity_check and every file's hash agree too");
    }

    [Fact]
    public void Check_WhenAMemberJoinedAGroupWithHistoryUnderAnEarlierBuild_TakesTheirLowerUnreadCountAsWhole()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        const string Lower =
            "SELECT count(*) FROM message_dialogs d WHERE d.unread_count < (SELECT count(*) FROM message_messages m WHERE m.chat_id = d.chat_id " +
            "AND m.deleted = 0 AND m.from_id <> d.user_id AND m.id > d.read_inbox_max_id)";
        Scalar(directory, Lower).Should().Be(0, "dave's dialog reads from the message that added him");
        // What a build from before 2026-12-07 wrote for him: the same count, read from 0.
        Execute(directory, "UPDATE message_dialogs SET read_inbox_max_id = 0 WHERE chat_id = (SELECT id FROM message_chats WHERE title = 'Check history') " +
            "AND user_id NOT IN (SELECT from_id FROM message_messages m WHERE m.chat_id = message_dialogs.chat_id)");

        var (code, output) = Check(directory);

        Scalar(directory, Lower).Should().Be(1, "the history before dave holds two more");
        code.Should().Be(0, output);
    }

    [Fact]
    public void Check_NeverWrites_TheDatabaseOrTheStore()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        var database = System.IO.Path.Combine(directory, "messenger.db");
        var before = File.ReadAllBytes(database);
        var written = File.GetLastWriteTimeUtc(database);

        Check(directory, "--full", "--hashes").Code.Should().Be(0);

        File.ReadAllBytes(database).Should().Equal(before);
        File.GetLastWriteTimeUtc(database).Should().Be(written);
    }

    [Theory]
    [InlineData("update-log-gap",
        "DELETE FROM queue_updates WHERE owner_id = (SELECT owner_id FROM queue_updates WHERE owner_id > 0 GROUP BY owner_id HAVING count(*) >= 3 LIMIT 1) " +
        "AND pts = (SELECT min(pts) + 1 FROM queue_updates WHERE owner_id = (SELECT owner_id FROM queue_updates WHERE owner_id > 0 GROUP BY owner_id HAVING count(*) >= 3 LIMIT 1))")]
    [InlineData("dialog-top-message", "UPDATE message_dialogs SET top_message_id = top_message_id - 1 WHERE rowid = (SELECT min(rowid) FROM message_dialogs WHERE top_message_id > 1)")]
    [InlineData("dialog-unread-count", "UPDATE message_dialogs SET unread_count = unread_count + 3 WHERE rowid = (SELECT min(rowid) FROM message_dialogs)")]
    [InlineData("group-member-count", "UPDATE message_chats SET member_count = member_count + 1 WHERE id = (SELECT min(id) FROM message_chats WHERE kind >= 2)")]
    [InlineData("media-ref-count", "UPDATE media_files SET ref_count = ref_count + 1 WHERE id = (SELECT min(id) FROM media_files)")]
    [InlineData("blob-ref-count", "UPDATE media_blobs SET ref_count = ref_count + 1 WHERE hash = (SELECT min(hash) FROM media_blobs WHERE ref_count > 0)")]
    [InlineData("reference-without-holder", "UPDATE media_refs SET message_id = 999999999 WHERE message_id = (SELECT min(message_id) FROM media_refs WHERE message_id > 0)")]
    [InlineData("reference-without-media", "INSERT INTO media_refs (message_id, media_id) SELECT max(id), 999999 FROM message_messages WHERE deleted = 0 AND id NOT IN (SELECT message_id FROM media_refs)")]
    [InlineData("deleted-account-devices",
        "INSERT INTO session_authorizations (user_id, device_key, device_name, platform, created_at, last_active_at, client_address, password_change_required) " +
        "SELECT id, randomblob(32), 'Ghost', 'tests', 0, 0, '', 0 FROM session_users WHERE username = ''")]
    public void Check_WhenAnInvariantIsBroken_ReportsExactlyThatProblem_AndExits1(string kind, string sql)
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        Execute(directory, sql).Should().BeGreaterThan(0, "the test must break something");

        var (code, output) = Check(directory);

        code.Should().Be(1, output);
        Kinds(output).Should().Be(kind, output);
        output.Should().Contain($"1 problems ({kind} 1)");
    }

    [Fact]
    public void Check_WhenABlobFileIsMissing_OrTheWrongSize_OrAltered_SaysSo()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        var blobs = BlobsWithReferences(directory);
        blobs.Should().HaveCountGreaterThanOrEqualTo(1);
        var file = BlobFile(directory, blobs[0]);
        var bytes = File.ReadAllBytes(file);

        File.Delete(file);
        var (missingCode, missing) = Check(directory);
        File.WriteAllBytes(file, [.. bytes, 1]);
        var (longerCode, longer) = Check(directory);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        var (alteredCode, altered) = Check(directory);
        var (hashedCode, hashed) = Check(directory, "--hashes");

        (missingCode, Kinds(missing)).Should().Be((1, "blob-file-missing"), missing);
        missing.Should().Contain($"blob {blobs[0]}: 2 references, no file at {file}");
        (longerCode, Kinds(longer)).Should().Be((1, "blob-file-size"), longer);
        (alteredCode, Kinds(altered)).Should().Be((0, ""), "the same size, and the content is read only with --hashes");
        (hashedCode, Kinds(hashed)).Should().Be((1, "blob-hash"), hashed);
    }

    [Fact]
    public void Check_WhenAFileHasNoRow_ListsItAndItsSize_ForTheServerToDelete()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        var hash = new string('a', 64);
        var orphan = BlobFile(directory, hash);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(orphan)!);
        File.WriteAllBytes(orphan, new byte[12_345]);

        var (code, output) = Check(directory);

        code.Should().Be(0, "the server's start-up sweep deletes a file no row counts");
        output.Should().Contain($"tidy blob-file-without-row: {orphan}: 12,345 bytes, deleted at the server's next start")
            .And.Contain("whole; 1 files without a row (12,345 bytes)");
    }

    [Fact]
    public void Check_WhenADeletedAccountsCleanUpIsUnfinished_ListsIt_ForTheServerToFinish()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        // What a kill between the deletion's unit and the Message module's clean-up leaves: still a member of a group.
        Execute(directory,
            "INSERT INTO message_members (chat_id, user_id, role, joined_at, read_inbox_max_id) " +
            "SELECT (SELECT min(id) FROM message_chats WHERE kind >= 2 AND deleted = 0), id, 0, 0, 0 FROM session_users WHERE username = ''; " +
            "UPDATE message_chats SET member_count = member_count + 1 WHERE id = (SELECT min(id) FROM message_chats WHERE kind >= 2 AND deleted = 0)")
            .Should().BeGreaterThan(0);

        var (code, output) = Check(directory);

        code.Should().Be(0, "the server runs every deleted account's clean-up again at its start");
        output.Should().MatchRegex("tidy deleted-account-member: deleted account [0-9]+: 1 groups it is still a member of, finished at the server's next start")
            .And.Contain("whole; 1 clean-ups for the server to finish at its next start");
    }

    [Fact]
    public void Check_WhenTheDatabaseIsDamaged_ReportsIt_AndExits1()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        var database = System.IO.Path.Combine(directory, "messenger.db");
        using (var file = new FileStream(database, FileMode.Open, FileAccess.ReadWrite))
        {
            // Pages in the middle (the header and schema on page 1 stay): a disk that lost a few sectors.
            var pageSize = 4096;
            var pages = file.Length / pageSize;
            var garbage = MediaTestKit.RandomBytes(pageSize * 3, seed: 9);
            file.Position = pages / 2 * pageSize;
            file.Write(garbage);
        }

        var (code, output) = Check(directory);

        code.Should().Be(1, output);
        output.Should().Contain("problem database: quick_check: ");
    }

    [Fact]
    public void Check_WhenTheFileIsNoDatabase_ReportsIt_AndExits1()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        File.WriteAllBytes(System.IO.Path.Combine(directory, "messenger.db"), MediaTestKit.RandomBytes(64 * 1024, seed: 3));

        var (code, output) = Check(directory);

        code.Should().Be(1, output);
        output.Should().Contain("problem database: ").And.Contain("cannot be read: ");
    }

    [Fact]
    public async Task Check_WhileTheServerRuns_IsRefused_WithExitCode2()
    {
        using var copy = new TempDirectory();
        var directory = CopyOf(copy);
        await using var host = await SessionTestKit.StartHostAsync(dataDirectory: directory);
        var (output, error) = (new StringWriter(), new StringWriter());

        CheckCommand.Run(false, false, [$"--Messenger:DataDirectory={directory}"], output, error).Should().Be(2);

        error.ToString().Should().StartWith("Check refused: ").And.Contain($"another Messenger server is using '{directory}'");
        output.ToString().Should().BeEmpty();
    }

    [Fact]
    public void Check_WithoutADatabase_IsRefused()
    {
        using var directory = new TempDirectory();
        var (output, error) = (new StringWriter(), new StringWriter());

        CheckCommand.Run(false, false, [$"--Messenger:DataDirectory={directory.Path}"], output, error).Should().Be(2);

        error.ToString().Should().StartWith("Check refused: no database at");
    }

    [Fact]
    public void Parse_CheckWithItsOptions_AndThoseOptionsWithoutCheck()
    {
        var both = CommandLine.Parse(["check", "--hashes", "--Messenger:DataDirectory", "/data", "--full"]).Should().BeOfType<HostCommand.Check>().Subject;
        (both.Full, both.Hashes).Should().Be((true, true));
        both.Settings.Should().Equal("--Messenger:DataDirectory", "/data");
        ((HostCommand.Check)CommandLine.Parse(["check"])).Should().Match<HostCommand.Check>(c => !c.Full && !c.Hashes && c.Settings.Length == 0);
        ((HostCommand.Check)CommandLine.Parse(["--Messenger:DataDirectory", "/data", "check", "--full"])).Settings.Should().Equal("--Messenger:DataDirectory", "/data");
        CommandLine.Parse(["compact", "--full"]).Should().Be(new HostCommand.Usage("'--full' is an option of check"));
        CommandLine.Parse(["check", "data"]).Should().BeOfType<HostCommand.Usage>("check takes no operand");
    }

    internal static (int Code, string Output) Check(string directory, params string[] options)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = CheckCommand.Run(options.Contains("--full"), options.Contains("--hashes"), [$"--Messenger:DataDirectory={directory}"], output, error);
        return (code, output + error.ToString());
    }

    /// <summary>The kinds of the problems reported, sorted, comma-separated.</summary>
    internal static string Kinds(string output) =>
        string.Join(",", output.Split('\n').Where(l => l.StartsWith("problem ", StringComparison.Ordinal)).Select(l => l[8..l.IndexOf(':', StringComparison.Ordinal)]).Distinct().Order());

    private string CopyOf(TempDirectory target)
    {
        var copy = System.IO.Path.Combine(target.Path, "data");
        foreach (var file in Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories))
        {
            var to = System.IO.Path.Combine(copy, System.IO.Path.GetRelativePath(data.Path, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        return copy;
    }

    private static int Execute(string directory, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={System.IO.Path.Combine(directory, "messenger.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private static long Scalar(string directory, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={System.IO.Path.Combine(directory, "messenger.db")};Pooling=false;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> BlobsWithReferences(string directory)
    {
        using var connection = new SqliteConnection($"Data Source={System.IO.Path.Combine(directory, "messenger.db")};Pooling=false;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash FROM media_blobs WHERE ref_count = 2";
        using var reader = command.ExecuteReader();
        var hashes = new List<string>();
        while (reader.Read())
        {
            hashes.Add(reader.GetString(0));
        }

        return hashes;
    }

    private static string BlobFile(string directory, string hash) => System.IO.Path.Combine(directory, "media", "sha256", hash[..2], hash[2..4], hash);
}
