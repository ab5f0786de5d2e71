using System.Reflection;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Media.Collection;
using Messenger.Media.Storage;
using Messenger.Media.Uploads;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Sdk;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Media;

/// <summary>What a sent file survives: the start-up sweep running beside sends, a restart between a send and its
/// resend, a database with no room for the file's row, and a power loss that takes parts the upload had recorded.</summary>
public sealed class MediaDurabilityTests
{
    [Fact]
    public async Task StartupSweep_WhenAFileIsSentAfterItListedTheRows_KeepsTheFile()
    {
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var goOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await SessionTestKit.StartHostAsync(configureServices: services => services.AddSingleton(new StartupSweepPause(async () =>
        {
            listed.TrySetResult();
            await goOn.Task;
        })));
        try
        {
            await listed.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await using var alice = await host.SignedInClientAsync("alice_swp");
            await using var bob = await host.SignedInClientAsync("bob_swp");
            var bytes = RandomBytes(300_000, 21);

            // Stored, recorded and sent (its hold let go) while the sweep waits with a list that does not name it.
            var sent = await alice.SendMediaAsync(Peer.User(await alice.IdOfAsync("bob_swp")), await alice.UploadAsync(bytes));
            goOn.SetResult();
            await host.Services.GetRequiredService<MediaCollector>().CollectAsync(CancellationToken.None); // waits for the sweep

            host.BlobFiles().Should().ContainSingle();
            Sha256(await bob.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
        }
        finally
        {
            // A failure before the sweep was let go must not leave it (and the host's shutdown after it) waiting.
            goOn.TrySetResult();
        }
    }

    [Fact]
    public async Task Send_ResentWithItsRandomIdAfterARestart_AnswersTheStoredMessage_AndSendsNoSecond()
    {
        using var data = new TempDirectory();
        Device alice;
        Device bob;
        InputMedia input;
        SentMessage first;
        var bytes = RandomBytes(700_000, 22);
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_rsn");
            bob = await host.SignUpAsync("bob_rsn");
            await using (alice)
            await using (bob)
            {
                input = await alice.Client.UploadAsync(bytes);
                first = await alice.Client.SendMediaAsync(bob.Peer, input, "once", randomId: 4_242);
            }
        }

        // The answer was lost (the server was killed after COMMIT): the SDK sends the same call again once it is back.
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);
            var again = await aliceAgain.Client.SendMediaAsync(bob.Peer, input, "once", randomId: 4_242);

            again.Message.Should().Be(first.Message);
            (await bobAgain.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle().Which.Id.Should().Be(first.Message.Id);
            Sha256(await bobAgain.Client.DownloadAsync(again.Message.Media!)).Should().Be(Sha256(bytes));
        }
    }

    [Fact]
    public async Task Schedule_ResentWithItsRandomIdAfterARestart_AnswersTheStoredSchedule_AndKeepsNoSecond()
    {
        using var data = new TempDirectory();
        Device alice;
        Device bob;
        InputMedia input;
        ScheduledMessage first;
        var date = DateTimeOffset.UtcNow.AddHours(1);
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync("alice_rsc");
            bob = await host.SignUpAsync("bob_rsc");
            await using (alice)
            await using (bob)
            {
                input = await alice.Client.UploadAsync(RandomBytes(100_000, 23), "report.pdf", "application/pdf");
                first = await alice.Client.ScheduleMessageAsync(bob.Peer, "later", date, randomId: 4_343, media: input);
            }
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            var again = await aliceAgain.Client.ScheduleMessageAsync(bob.Peer, "later", date, randomId: 4_343, media: input);

            again.Should().Be(first);
            (await aliceAgain.Client.GetScheduledAsync(bob.Peer)).Should().ContainSingle().Which.Id.Should().Be(first.Id);
        }
    }

    /// <summary>
    /// The database (capped at 1 MiB) has no room at the very moment the file's blob is recorded: a trigger makes that
    /// insert write 2 MB first, so it meets SQLITE_FULL as it would on a full disk. Once there is room (the trigger gone,
    /// in the same run or after a restart), the same send with the same upload goes through.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_WhenTheFilesRowFindsNoRoom_FailsWithStorageFull_AndTheSameUploadIsSentOnceThereIsRoom(bool restart)
    {
        using var data = new TempDirectory();
        var suffix = restart ? "r" : "s";
        var bytes = RandomBytes((2 * MediaMethods.PartSize) + 1000, 24); // three parts: the last in a file of its own
        var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Storage:MaxDatabaseMiB"] = "1" }, dataDirectory: data.Path);
        try
        {
            var alice = await host.SignUpAsync($"alice_ful{suffix}");
            var bob = await host.SignUpAsync($"bob_ful{suffix}");
            var input = await alice.Client.UploadAsync(bytes);
            Execute(host, "CREATE TABLE test_filler (bytes BLOB); " +
                "CREATE TRIGGER test_no_room BEFORE INSERT ON media_blobs BEGIN INSERT INTO test_filler VALUES (zeroblob(2000000)); END");

            await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, input, randomId: 4_444), "STORAGE_FULL", 500);
            Execute(host, "DROP TRIGGER test_no_room");
            if (restart)
            {
                await alice.DisposeAsync();
                await bob.DisposeAsync();
                await host.DisposeAsync();
                host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path);
                alice = await host.ReconnectAsync(alice);
                bob = await host.ReconnectAsync(bob);
            }

            await using (alice)
            await using (bob)
            {
                var sent = await alice.Client.SendMediaAsync(bob.Peer, input, randomId: 4_444);
                Sha256(await bob.Client.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
                (await bob.Client.GetHistoryAsync(alice.Peer)).Should().ContainSingle();
                host.UploadFiles().Should().BeEmpty("stored now, the upload is over");
            }
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// An upload whose <c>.data</c> is gone from the disk before its send (all its parts recorded, its hash taken as they
    /// came): the send refuses and stores nothing, instead of a file of zeros ending in the last part under the hash of
    /// the bytes uploaded. The upload is over, and sent again from the start the file arrives whole.
    /// </summary>
    [Fact]
    public async Task Send_WhenTheUploadsDataFileIsGone_FailsWithFilePartsInvalid_AndStoresNothing()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var alice = await host.SignUpAsync("alice_gone");
        await using var bob = await host.SignUpAsync("bob_gone");
        var bytes = RandomBytes((2 * MediaMethods.PartSize) + 1000, 26);
        var input = await alice.Client.UploadAsync(bytes);
        File.Delete(Path.Combine(host.DataDirectory, "tmp", "uploads", $"{alice.UserId}-{(ulong)input.FileId:x16}.data"));

        await ChatTestKit.FailsWith(() => alice.Client.SendMediaAsync(bob.Peer, input), MediaErrorNames.FilePartsInvalid);
        host.BlobFiles().Should().BeEmpty("nothing is stored");
        (await alice.Client.CallAsync(new GetUploadedPartsCall(input.FileId))).Parts.Should().BeEmpty("the upload is over");
        var again = await alice.Client.UploadFileAsync(new MemoryStream(bytes), "file.bin", "application/octet-stream", fileId: input.FileId);
        var sent = await alice.Client.SendMediaAsync(bob.Peer, again);
        Sha256(await bob.Client.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
    }

    /// <summary>
    /// A completion whose file went into the store but whose send failed after it: reopened, the upload would be whole
    /// again with its content file gone. It is removed instead, so completing it again refuses rather than hands out a
    /// file that is not there (or, for a larger upload, one made anew of zeros and the last part).
    /// </summary>
    [Fact]
    public async Task Reopen_WhenTheCompletedUploadsFileWasMovedAway_RemovesTheUpload()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var uploads = host.Services.GetRequiredService<UploadStore>();
        await uploads.SaveAsync(1, 77, 0, 1, RandomBytes(5000, 27), (_, _) => { }, CancellationToken.None);
        var (path, _, _) = await uploads.CompleteAsync(1, 77, 1, CancellationToken.None);
        File.Move(path, Path.Combine(host.DataDirectory, "moved-into-the-store"));

        uploads.Reopen(1, 77);

        uploads.Parts(1, 77).Parts.Should().BeEmpty("a client that resumes it sends it all again");
        var completeAgain = () => uploads.CompleteAsync(1, 77, 1, CancellationToken.None);
        (await completeAgain.Should().ThrowAsync<MessengerError>()).Which.Name.Should().Be(MediaErrorNames.FilePartsInvalid);
        host.UploadFiles().Should().BeEmpty();
    }

    /// <summary>
    /// What a power loss can leave of an upload's parts, none of them fsynced: records in <c>.parts</c> for bytes that
    /// never reached the disk — <c>.data</c> cut short, or holding a hole (blocks never written read as zeros), or
    /// <c>.last</c> empty. After the restart those parts are reported missing, completing refuses, and the client's
    /// resume sends them again, so the file that arrives is the one uploaded.
    /// </summary>
    [Theory]
    [InlineData("data cut short", new[] { 0, 3 })]
    [WhereHolesShowInlineData("data with a hole", new[] { 0, 3 })]
    [InlineData("last empty", new[] { 0, 1, 2 })]
    public async Task Resume_AfterARestartLostRecordedParts_ReportsThemMissing_AndTheFileArrivesWhole(string loss, int[] kept)
    {
        using var data = new TempDirectory();
        var bytes = RandomBytes((3 * MediaMethods.PartSize) + 1000, 25); // parts 0-2 in .data, part 3 in .last
        Device alice;
        Device bob;
        InputMedia input;
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            alice = await host.SignUpAsync($"alice_pwr{kept.Length}{loss.Length}");
            bob = await host.SignUpAsync($"bob_pwr{kept.Length}{loss.Length}");
            await using (alice)
            await using (bob)
            {
                input = await alice.Client.UploadAsync(bytes);
            }
        }

        var basePath = Path.Combine(data.Path, "tmp", "uploads", $"{alice.UserId}-{(ulong)input.FileId:x16}");
        switch (loss)
        {
            case "data cut short":
                Resize(basePath + ".data", MediaMethods.PartSize);
                break;
            case "data with a hole":
                Resize(basePath + ".data", MediaMethods.PartSize);
                Resize(basePath + ".data", 3L * MediaMethods.PartSize); // the same size, parts 1-2 a hole
                break;
            default:
                Resize(basePath + ".last", 0);
                break;
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var aliceAgain = await host.ReconnectAsync(alice);
            await using var bobAgain = await host.ReconnectAsync(bob);

            (await aliceAgain.Client.CallAsync(new GetUploadedPartsCall(input.FileId))).Parts.Should().Equal(kept);
            await ChatTestKit.FailsWith(() => aliceAgain.Client.SendMediaAsync(bob.Peer, input), MediaErrorNames.FilePartMissing);
            var resumed = await aliceAgain.Client.UploadFileAsync(new MemoryStream(bytes), "file.bin", "application/octet-stream", fileId: input.FileId);
            var sent = await aliceAgain.Client.SendMediaAsync(bob.Peer, resumed);
            Sha256(await bobAgain.Client.DownloadAsync(sent.Message.Media!)).Should().Be(Sha256(bytes));
        }
    }

    /// <summary>
    /// <c>[InlineData]</c> for a case that needs the file system of the tests' temporary directories to show a hole in a
    /// sparse file (<see cref="DirectIo.HoldsData"/>: <c>SEEK_HOLE</c>, on 64-bit Linux, where the file system keeps
    /// files sparse): skipped, with the reason, where it does not.
    /// </summary>
    private sealed class WhereHolesShowInlineDataAttribute(params object[] data) : DataAttribute
    {
        private static readonly Lazy<string?> NoHoles = new(() =>
        {
            const int Length = 1024 * 1024;
            using var directory = new TempDirectory();
            using var sparse = File.OpenHandle(Path.Combine(directory.Path, "sparse"), FileMode.CreateNew, FileAccess.ReadWrite);
            RandomAccess.SetLength(sparse, Length);
            return DirectIo.HoldsData(sparse, 0, Length)
                ? $"no hole shows in a sparse file under {Path.GetDirectoryName(directory.Path)} (SEEK_HOLE: 64-bit Linux, a file system that keeps files sparse)"
                : null;
        });

        public override string? Skip => NoHoles.Value;

        public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [data];
    }

    private static void Resize(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    private static void Execute(TestHost host, string sql)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
