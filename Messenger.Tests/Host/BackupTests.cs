using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Host.Backup;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Host;

/// <summary>
/// <c>Messenger.Host backup &lt;target&gt;</c>: a copy taken while the server runs and writes is a server of its own,
/// with the same key, accounts, devices, messages and media.
/// </summary>
public sealed class BackupTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Backup_OfARunningServer_StartsAsTheSameServerWithEveryAcknowledgedMessageAndFile()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var copy = Path.Combine(directory.Path, "copy");
        var bytes = RandomBytes((2 * MediaMethods.PartSize) + 10, 11);
        byte[] serverKey;
        Device alice;
        Device bob;
        var acknowledged = new List<long>();
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data))
        {
            serverKey = host.ServerPublicKey;
            alice = await host.SignUpAsync("alice_bak");
            bob = await host.SignUpAsync("bob_bak");
            await using (alice)
            await using (bob)
            {
                var media = await alice.Client.UploadFileAsync(new MemoryStream(bytes), "photo.bin", "application/octet-stream");
                acknowledged.Add((await alice.Client.SendMediaAsync(bob.Peer, media)).Message.Id);

                // Sends keep coming while the copy is taken: it holds what was committed when its snapshot began.
                // (At most 90 of them, so one page of history shows the whole chat.)
                using var stop = new CancellationTokenSource();
                var sending = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested && acknowledged.Count < 91)
                    {
                        acknowledged.Add((await alice.Client.SendMessageAsync(bob.Peer, $"hello {acknowledged.Count}")).Message.Id);
                    }
                });
                await Task.Delay(50);
                var summary = DataBackup.Copy(data, copy);
                await stop.CancelAsync();
                await sending;

                summary.Files.Should().BeGreaterThanOrEqualTo(3, "the key pair and the blob");
            }
        }

        await using var restored = await SessionTestKit.StartHostAsync(dataDirectory: copy);
        restored.ServerPublicKey.Should().Equal(serverKey, "clients pin the server's key");
        File.GetUnixFileMode(Path.Combine(copy, "server.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllBytes(Path.Combine(copy, "push.key")).Should().Equal(File.ReadAllBytes(Path.Combine(data, "push.key")), "browsers' push subscriptions are bound to it");
        File.GetUnixFileMode(Path.Combine(copy, "push.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var bobAgain = await restored.ReconnectAsync(bob);
        var history = await bobAgain.Client.GetHistoryAsync(alice.Peer, limit: 100);
        var ids = history.Select(m => m.Id).Reverse().ToList();
        ids.Should().NotBeEmpty().And.Equal(acknowledged.Take(ids.Count), "the copy holds a prefix of what was acknowledged, in order, without gaps");
        var withMedia = history.Single(m => m.Media is not null);
        Sha256(await bobAgain.Client.DownloadAsync(withMedia.Media!)).Should().Be(Sha256(bytes));
    }

    [Fact]
    public async Task Backup_WhenABlobIsDeletedWhileTheCopyRuns_LeavesItOutAndCountsIt_AndTheCopyStarts()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var copy = Path.Combine(directory.Path, "copy");
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data))
        {
            await using var alice = await host.SignUpAsync("alice_gone");
            await using var bob = await host.SignUpAsync("bob_gone");
            var media = await alice.Client.UploadFileAsync(new MemoryStream(RandomBytes(5000, 12)), "gone.bin", "application/octet-stream");
            await alice.Client.SendMediaAsync(bob.Peer, media);
        }

        var blob = Directory.GetFiles(Path.Combine(data, "media", "sha256"), "*", SearchOption.AllDirectories).Single();

        // What the collector may do between the listing and the copy of that file.
        var summary = DataBackup.Copy(data, copy, copying: file =>
        {
            if (file == blob)
            {
                File.Delete(blob);
            }
        });

        summary.Vanished.Should().Be(1);
        Directory.GetFiles(Path.Combine(copy, "media", "sha256"), "*", SearchOption.AllDirectories).Should().BeEmpty();
        File.ReadAllText(Path.Combine(copy, "server.key")).Should().Be(File.ReadAllText(Path.Combine(data, "server.key")), "everything else is copied");
        await using var restored = await SessionTestKit.StartHostAsync(dataDirectory: copy);
    }

    /// <summary>A file the server cannot write (a blob made read-only by hand, or restored so) is copied with its mode and
    /// synced, by a user who may not write it either. (Run as root, which may write any file, this cannot fail.)</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Backup_OfAReadOnlyBlob_CopiesItWithItsMode()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var copy = Path.Combine(directory.Path, "copy");
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data))
        {
            await using var alice = await host.SignUpAsync("alice_ro");
            await using var bob = await host.SignUpAsync("bob_ro");
            await alice.Client.SendMediaAsync(bob.Peer, await alice.Client.UploadFileAsync(new MemoryStream(RandomBytes(5000, 13)), "ro.bin", "application/octet-stream"));
        }

        var blob = Directory.GetFiles(Path.Combine(data, "media", "sha256"), "*", SearchOption.AllDirectories).Single();
        const UnixFileMode readOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(blob, readOnly);

        var summary = DataBackup.Copy(data, copy);

        var copied = Path.Combine(copy, Path.GetRelativePath(data, blob));
        summary.Vanished.Should().Be(0);
        File.ReadAllBytes(copied).Should().Equal(File.ReadAllBytes(blob));
        File.GetUnixFileMode(copied).Should().Be(readOnly);
    }

    /// <summary>A relative <c>Messenger:Logging:FilePath</c> under the unit's working directory puts the logs in the data
    /// directory's root: they are not data, and up to 3.1 GB of them would go into every backup. A <c>.log</c> file
    /// deeper down (a media file of that name) is copied.</summary>
    [Fact]
    public async Task Backup_LeavesOutLogFilesInTheDataDirectorysRoot_ButNotElsewhere()
    {
        using var directory = new TempDirectory();
        var data = await HostProcess.DataWithOneAccountAsync(directory.Path, "alice_logs");
        await File.WriteAllTextAsync(Path.Combine(data, "messenger20261207.log"), "a log line");
        await File.WriteAllTextAsync(Path.Combine(data, "messenger20261207_001.LOG"), "another");
        Directory.CreateDirectory(Path.Combine(data, "notes"));
        await File.WriteAllTextAsync(Path.Combine(data, "notes", "kept.log"), "not the server's log");
        var copy = Path.Combine(directory.Path, "copy");

        DataBackup.Copy(data, copy);

        File.Exists(Path.Combine(copy, "messenger20261207.log")).Should().BeFalse();
        File.Exists(Path.Combine(copy, "messenger20261207_001.LOG")).Should().BeFalse();
        File.ReadAllText(Path.Combine(copy, "notes", "kept.log")).Should().Be("not the server's log");
        File.Exists(Path.Combine(copy, "server.key")).Should().BeTrue();
    }

    [Fact]
    public async Task BackupCommand_CopiesTheConfiguredDataDirectory_AndRefusesATargetThatIsNotEmpty()
    {
        using var directory = new TempDirectory();
        var data = await HostProcess.DataWithOneAccountAsync(directory.Path, "alice_cli");

        var copy = Path.Combine(directory.Path, "copy");
        var first = await HostProcess.RunAsync("backup", copy, $"--Messenger:DataDirectory={data}");
        var second = await HostProcess.RunAsync("backup", copy, $"--Messenger:DataDirectory={data}");
        var missing = Path.Combine(directory.Path, "missing");
        var nothing = await HostProcess.RunAsync("backup", Path.Combine(directory.Path, "other"), $"--Messenger:DataDirectory={missing}");
        var blank = await HostProcess.RunAsync("backup", Path.Combine(directory.Path, "blank"), "--Messenger:DataDirectory=");

        first.ExitCode.Should().Be(0, first.Output);
        first.Output.Should().Contain("quick_check ok");
        File.Exists(Path.Combine(copy, "messenger.db")).Should().BeTrue();
        Directory.GetFiles(copy, "messenger.db-*").Should().BeEmpty("the copied database is one file: no -wal or -shm beside it");
        File.ReadAllText(Path.Combine(copy, "server.pub")).Should().Be(File.ReadAllText(Path.Combine(data, "server.pub")));
        second.ExitCode.Should().Be(2);
        second.Output.Should().Contain("is not empty");
        nothing.ExitCode.Should().Be(2);
        nothing.Output.Should().Contain("no database at");
        Directory.Exists(missing).Should().BeFalse("a mistyped data directory is refused, not created empty");
        blank.ExitCode.Should().Be(2, "a blank data directory is refused, as a server refuses it, not read as ./data");
        blank.Output.Should().Contain("Configuration error: Messenger:DataDirectory: must not be empty");
    }

    /// <summary>A target inside the data directory would copy itself as it grows: refused, as
    /// <c>Messenger:Backup:Directory</c> there is, and nothing is made.</summary>
    [Fact]
    public async Task BackupCommand_IntoTheDataDirectory_IsRefused()
    {
        using var directory = new TempDirectory();
        var data = await HostProcess.DataWithOneAccountAsync(directory.Path, "alice_inside");

        var inside = Path.Combine(data, "bk");
        using var output = new StringWriter();
        using var error = new StringWriter();

        DataBackup.Run(inside, data, output, error).Should().Be(2, output.ToString());

        error.ToString().Should().Contain($"Backup failed: {inside} is inside the data directory {data}; a backup goes outside it");
        Directory.Exists(inside).Should().BeFalse();
    }

    /// <summary>A backup holds what the data directory does (message text, two-step secrets in the clear): a target the
    /// command makes is its owner's alone, as the data directory is; an empty one it is given stays as it is, with a
    /// warning when other users of the machine may read it.</summary>
    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task BackupCommand_MakesItsTargetItsOwnersAlone_AndWarnsOfAGivenOneOthersMayRead()
    {
        using var directory = new TempDirectory();
        var data = await HostProcess.DataWithOneAccountAsync(directory.Path, "alice_mode");

        var made = Path.Combine(directory.Path, "backups", "copy");
        var given = Path.Combine(directory.Path, "given");
        const UnixFileMode open = PrivateFiles.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(given);
        File.SetUnixFileMode(given, open);
        using var madeOutput = new StringWriter();
        using var madeError = new StringWriter();
        using var givenOutput = new StringWriter();
        using var givenError = new StringWriter();

        DataBackup.Run(made, data, madeOutput, madeError).Should().Be(0, madeError.ToString());
        DataBackup.Run(given, data, givenOutput, givenError).Should().Be(0, givenError.ToString());

        File.GetUnixFileMode(made).Should().Be(PrivateFiles.OwnerOnly);
        File.GetUnixFileMode(Path.GetDirectoryName(made)!).Should().Be(PrivateFiles.OwnerOnly, "a parent the command makes too");
        madeError.ToString().Should().BeEmpty();
        File.GetUnixFileMode(given).Should().Be(open, "the operator's directory is left as it is");
        givenError.ToString().Should().Contain($"{given} is open to other users of this machine (mode 0755)").And.Contain("chmod 700");
        File.Exists(Path.Combine(given, "messenger.db")).Should().BeTrue();
    }
}
