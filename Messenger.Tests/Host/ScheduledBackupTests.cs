using System.Diagnostics;
using System.Diagnostics.Metrics;
using Messenger.Client;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Host;
using Messenger.Host.Backup;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Media.MediaTestKit;

namespace Messenger.Tests.Host;

/// <summary>
/// <c>Messenger:Backup</c>: the server backs itself up on its clock into directories of their own, complete or not
/// there at all, links the blobs an earlier backup holds, keeps the newest few, and a failure costs nothing but a log
/// line and a retry.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ScheduledBackupTests
{
    [Fact]
    public async Task Schedule_BacksUpOnTheClock_LinksKnownBlobs_KeepsTheNewest_AndTheNewestRestores()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var backups = Path.Combine(directory.Path, "backups");
        Directory.CreateDirectory(Path.Combine(backups, ".messenger-20200101-000000.partial")); // a crash's leftover
        Directory.CreateDirectory(Path.Combine(backups, "notes")); // not a backup: left alone
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var bytes = RandomBytes(MediaMethods.PartSize + 100, 21);
        Device alice;
        Device bob;
        await using (var host = await StartAsync(data, backups, clock, keep: 2))
        {
            var schedule = host.Services.GetRequiredService<ScheduledBackups>();
            var first = await NextRunAsync(schedule, clock);
            first.Error.Should().BeNull("a server without a backup takes one at start");
            first.Summary!.LinkedFiles.Should().Be(0);

            alice = await host.SignUpAsync("alice_sched");
            bob = await host.SignUpAsync("bob_sched");
            await using (alice)
            await using (bob)
            {
                var media = await alice.Client.UploadFileAsync(new MemoryStream(bytes), "report.bin", "application/octet-stream");
                await alice.Client.SendMediaAsync(bob.Peer, media);
                await alice.Client.SendMessageAsync(bob.Peer, "after the first backup");

                clock.Advance(TimeSpan.FromMinutes(59));
                await Task.Delay(200);
                schedule.LastRun.Should().Be(first, "the next one is an interval after the newest");
                clock.Advance(TimeSpan.FromMinutes(1));
                var second = await NextRunAsync(schedule, clock);
                second.Error.Should().BeNull();
                second.Summary!.LinkedFiles.Should().Be(0, "the first backup had no files to link");

                await alice.Client.SendMessageAsync(bob.Peer, "after the second backup");
                clock.Advance(TimeSpan.FromMinutes(60));
                var third = await NextRunAsync(schedule, clock);
                third.Error.Should().BeNull();
                third.Summary!.LinkedFiles.Should().Be(1, "the blob is in the second backup already");
                third.Summary.FileBytes.Should().BeLessThan(bytes.Length, "a linked blob is not copied again");

                Entries(backups).Should().Equal([second.Name, third.Name, "notes"], "two are kept, the leftover is gone, other entries stay");
                File.GetUnixFileMode(Path.Combine(backups, third.Name)).Should().Be(PrivateFiles.OwnerOnly, "a backup holds message text in the clear");
                var blob = Directory.GetFiles(Path.Combine(backups, third.Name, "media"), "*", SearchOption.AllDirectories).Single();
                var earlier = Path.Combine(backups, second.Name, Path.GetRelativePath(Path.Combine(backups, third.Name), blob));
                Inode(blob).Should().Be(Inode(earlier), "the third backup's blob is a hard link to the second's");
            }
        }

        await using var restored = await SessionTestKit.StartHostAsync(dataDirectory: Path.Combine(backups, Entries(backups)[1]));
        await using var bobAgain = await restored.ReconnectAsync(bob);
        var history = await bobAgain.Client.GetHistoryAsync(alice.Peer, limit: 10);
        history.Select(m => m.Text).Should().StartWith(["after the second backup", "after the first backup"]);
        Sha256(await bobAgain.Client.DownloadAsync(history.Single(m => m.Media is not null).Media!)).Should().Be(Sha256(bytes));
    }

    /// <summary>An alert on <c>messenger.backup.last_success</c> ("older than a day") must not fire after every restart:
    /// a server that finds a backup reports that one's time until it takes the next.</summary>
    [Fact]
    public async Task LastSuccess_AfterARestart_IsTheNewestBackupsTime()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var backups = Path.Combine(directory.Path, "backups");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 22, 15, 0, TimeSpan.Zero));
        BackupRun first;
        await using (var host = await StartAsync(data, backups, clock, keep: 7))
        {
            first = await NextRunAsync(host.Services.GetRequiredService<ScheduledBackups>(), clock);
            first.Error.Should().BeNull();
        }

        // Its time is its name's: one taken before this process began (the copy renamed 40 minutes earlier) counts too.
        Directory.Move(Path.Combine(backups, first.Name), Path.Combine(backups, "messenger-20261203-213500"));
        clock.Advance(TimeSpan.FromMinutes(10));
        await using var restarted = await StartAsync(data, backups, clock, keep: 7);

        LastSuccess(restarted).Should().Be(new DateTimeOffset(2026, 12, 3, 21, 35, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        restarted.Services.GetRequiredService<ScheduledBackups>().LastRun.Should().BeNull("the next one is due an interval after it");
    }

    [Fact]
    public async Task Schedule_WhenABackupFails_LogsAndRetries_AndTheServerGoesOn()
    {
        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        var backups = Path.Combine(directory.Path, "backups");
        var logs = Path.Combine(directory.Path, "logs");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(data, backups, clock, keep: 7, logs);
        var schedule = host.Services.GetRequiredService<ScheduledBackups>();
        (await NextRunAsync(schedule, clock)).Error.Should().BeNull();
        await using var alice = await host.SignUpAsync("alice_fail");
        await using var bob = await host.SignUpAsync("bob_fail");

        // A file where the backups go: no backup can be written there (even by root, unlike a chmod).
        Directory.Delete(backups, recursive: true);
        await File.WriteAllTextAsync(backups, "in the way");
        clock.Advance(TimeSpan.FromMinutes(60));
        var failed = await NextRunAsync(schedule, clock);

        failed.Error.Should().NotBeNull();
        var line = LogFiles.Read(logs).Split('\n').Single(l => l.Contains($"Backup {failed.Name} into {backups} failed: ", StringComparison.Ordinal));
        line.Should().EndWith(". Trying again in 15 minutes.").And.NotContain(".;").And.NotContain("..");
        (await alice.Client.SendMessageAsync(bob.Peer, "still here")).Message.Id.Should().BePositive("a failed backup disturbs nobody");
        File.Delete(backups);
        clock.Advance(TimeSpan.FromMinutes(14));
        await Task.Delay(200);
        schedule.LastRun.Should().Be(failed, "a failure is tried again 15 minutes later");
        clock.Advance(TimeSpan.FromMinutes(1));
        var retried = await NextRunAsync(schedule, clock);
        retried.Error.Should().BeNull();
        Entries(backups).Should().Equal(retried.Name);
    }

    [Fact]
    public void TheRetrysWait_IsSaidInMinutes_OneInTheSingular()
    {
        ScheduledBackups.Minutes(1).Should().Be("1 minute");
        ScheduledBackups.Minutes(15).Should().Be("15 minutes");
    }

    [Fact]
    public async Task Admins_SeeTheBackups_AndBackUpNow_WhichTheScheduleCountsFrom()
    {
        using var directory = new TempDirectory();
        var backups = Path.Combine(directory.Path, "backups");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(Path.Combine(directory.Path, "data"), backups, clock, keep: 7);
        var schedule = host.Services.GetRequiredService<ScheduledBackups>();
        var first = await NextRunAsync(schedule, clock);
        await using var admin = await host.SignUpAsync("admin_backups"); // the first account is the admin
        await using var user = await host.SignUpAsync("user_backups");

        var list = await admin.Client.GetBackupsAsync();
        list.Directory.Should().Be(backups);
        list.IntervalMinutes.Should().Be(60);
        list.Keep.Should().Be(7);
        list.Backups.Should().Equal(new StoredBackup(first.Name, first.At.ToUnixTimeSeconds()));
        list.LastFailure.Should().BeNull();
        await SessionTestKit.FailsWith(() => user.Client.GetBackupsAsync(), SessionErrorNames.AdminRequired);
        await SessionTestKit.FailsWith(() => user.Client.BackupNowAsync(), SessionErrorNames.AdminRequired);

        clock.Advance(TimeSpan.FromMinutes(30));
        var now = await admin.Client.BackupNowAsync();
        now.Backups.Select(b => b.Name).Should().Equal(schedule.LastRun!.Name, first.Name);
        now.Backups[0].TakenAtUnixSeconds.Should().Be(clock.GetUtcNow().ToUnixTimeSeconds());
        var again = await admin.Client.BackupNowAsync();
        again.Backups.Should().HaveCount(3, "a second backup in the same second is a backup of its own");
        again.Backups[0].TakenAtUnixSeconds.Should().Be(clock.GetUtcNow().ToUnixTimeSeconds() + 1, "named a second later");
        clock.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(200);
        (await admin.Client.GetBackupsAsync()).Backups.Should().HaveCount(3, "the next one is due an interval after the newest");

        Directory.Delete(backups, recursive: true);
        await File.WriteAllTextAsync(backups, "in the way");
        var failed = await admin.Client.BackupNowAsync();
        failed.Backups.Should().BeEmpty();
        failed.LastFailure!.AtUnixSeconds.Should().Be(clock.GetUtcNow().ToUnixTimeSeconds());
        failed.LastFailure.Reason.Should().NotBeNullOrWhiteSpace();
        (await admin.Client.GetAuditLogAsync()).Select(e => (e.Action, e.Detail)).Should().Equal(
            (AuditActions.BackupNow, "failed"), (AuditActions.BackupNow, again.Backups[0].Name), (AuditActions.BackupNow, now.Backups[0].Name));
    }

    [Fact]
    public async Task BackupNow_OnAServerWithoutABackupDirectory_AnswersBackupsOff()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        await using var admin = await host.SignUpAsync("admin_nobackups");

        (await admin.Client.GetBackupsAsync()).Should().BeEquivalentTo(new BackupList("", 1440, 7, [], null));
        await SessionTestKit.FailsWith(() => admin.Client.BackupNowAsync(), AdminErrorNames.BackupsOff);
    }

    [Fact]
    public async Task Start_WithABackupDirectoryInsideTheDataDirectory_OrBadNumbers_ReportsEach()
    {
        using var directory = new TempDirectory();
        var settings = TestHost.Settings(directory.Path, new Dictionary<string, string?>
        {
            ["Messenger:Backup:Directory"] = Path.Combine(directory.Path, "backups"),
            ["Messenger:Backup:IntervalMinutes"] = "0",
            ["Messenger:Backup:Keep"] = "0",
        });
        await using var app = MessengerApp.Build([], settings);

        var start = () => app.StartMessengerAsync();

        (await start.Should().ThrowAsync<StartupException>()).Which.Message.Split(Environment.NewLine).Should().BeEquivalentTo(
            "Messenger:Backup:IntervalMinutes: must be between 1 and 44640 (was 0)",
            "Messenger:Backup:Keep: must be between 1 and 1000 (was 0)",
            $"Messenger:Backup:Directory: '{Path.Combine(directory.Path, "backups")}' is inside the data directory; backups go outside it");
    }

    private static Task<TestHost> StartAsync(string data, string backups, TimeProvider clock, int keep, string? logs = null) =>
        SessionTestKit.StartHostAsync(new Dictionary<string, string?>(logs is null ? [] : LogFiles.Settings(logs))
        {
            ["Messenger:Backup:Directory"] = backups,
            ["Messenger:Backup:IntervalMinutes"] = "60",
            ["Messenger:Backup:Keep"] = keep.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, clock, data);

    /// <summary>The run the schedule takes at the clock's present time (its name is that time's).</summary>
    private static async Task<BackupRun> NextRunAsync(ScheduledBackups schedule, TimeProvider clock)
    {
        var name = $"messenger-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}";
        await SessionTestKit.WaitUntil(() => schedule.LastRun?.Name == name);
        return schedule.LastRun!;
    }

    /// <summary>What this server's <c>messenger.backup.last_success</c> gauge reads now.</summary>
    private static long? LastSuccess(TestHost host)
    {
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "messenger.backup.last_success")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    private static string[] Entries(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).Cast<string>()];

    private static string Inode(string path)
    {
        var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d:%i", path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return output;
    }
}
