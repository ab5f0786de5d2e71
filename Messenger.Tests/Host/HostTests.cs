using System.Net;
using Messenger.Host;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Messenger.Tests.Host;

public sealed class HostTests
{
    [Fact]
    public async Task HealthReady_WhenHostStarted_Returns200()
    {
        await using var host = await TestHost.StartAsync();
        using var http = host.CreateHttpClient();

        var ready = await http.GetAsync("/health/ready");
        var live = await http.GetAsync("/health/live");

        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Start_CreatesTheDatabaseWithTheKernelSchemaAndKeepsItAcrossRestarts()
    {
        using var directory = new TempDirectory();
        var dataDirectory = Path.Combine(directory.Path, "nested", "data");

        await using (await TestHost.StartAsync(dataDirectory))
        {
        }

        var firstServerId = ReadServerId(dataDirectory);
        await using (await TestHost.StartAsync(dataDirectory))
        {
        }

        File.Exists(Path.Combine(dataDirectory, "messenger.db")).Should().BeTrue();
        ReadServerId(dataDirectory).Should().Be(firstServerId).And.NotBeNullOrEmpty();
        Query(dataDirectory, "SELECT count(*) FROM kernel_migrations").Should().Be(1L);
        Query(dataDirectory, "PRAGMA journal_mode").Should().Be("wal");
    }

    private static string? ReadServerId(string dataDirectory) =>
        (string?)Query(dataDirectory, "SELECT value FROM kernel_server_info WHERE key = 'server_id'");

    private static object? Query(string dataDirectory, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "messenger.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task Start_WhenDatabaseFileIsNotSqlite_FailsClearlyAndLeavesTheFileUntouched()
    {
        using var directory = new TempDirectory();
        var databasePath = Path.Combine(directory.Path, "messenger.db");
        var garbage = Enumerable.Range(0, 8192).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(databasePath, garbage);

        var start = () => TestHost.StartAsync(directory.Path);

        await start.Should().ThrowAsync<StartupException>().WithMessage("*is not a SQLite database*");
        (await File.ReadAllBytesAsync(databasePath)).Should().Equal(garbage);
        Directory.GetFiles(directory.Path).Should().Equal(databasePath);
    }

    [Fact]
    public async Task Start_AfterAStartWasKilledWhileMigrating_RemovesTheMigrationLockItLeftAndStarts()
    {
        using var directory = new TempDirectory();
        await using (await TestHost.StartAsync(directory.Path))
        {
        }

        // What a start killed between EF Core's taking its migration lock and letting it go leaves behind.
        Query(directory.Path, "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-01 00:00:00+00:00')");
        await using var app = MessengerApp.Build([], TestHost.Settings(directory.Path));
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // Bounded: without the fix the start waits for the lock forever.
        await app.StartMessengerAsync(giveUp.Token).WaitAsync(giveUp.Token);

        using var http = new HttpClient { BaseAddress = new Uri(app.ListeningAddresses().First()) };
        (await http.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.StopAsync();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Start_OnADatabaseANewerServerMigrated_FailsClearly_AndChangesNothing()
    {
        using var directory = new TempDirectory();
        await using (await TestHost.StartAsync(directory.Path))
        {
        }

        // What a later version's migration leaves in its module's history.
        Query(directory.Path, "INSERT INTO message_migrations (MigrationId, ProductVersion) VALUES ('29991231000000_FromTheFuture', '99.0.0')");
        var before = Query(directory.Path, "SELECT count(*) FROM message_migrations");
        await using var app = MessengerApp.Build([], TestHost.Settings(directory.Path));

        var start = () => app.StartMessengerAsync();

        (await start.Should().ThrowAsync<StartupException>()).Which.Message.Should().Be(
            "Messenger:DataDirectory: the database was migrated by a newer Messenger (MessageDbContext has migration " +
            "29991231000000_FromTheFuture, which this version does not know); run that version or a later one, or restore a " +
            "backup taken before the upgrade");
        Query(directory.Path, "SELECT count(*) FROM message_migrations").Should().Be(before);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>A server from before the lock takes none: a process named so that holds the database open stands for it
    /// (its file descriptor inherited, its name set with <c>exec -a</c>).</summary>
    [Fact]
    public async Task Start_WhileAnUnlockedMessengerProcessHasTheDatabaseOpen_FailsClearly_AndAnyOtherHolderIsOnlyLogged()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // read from /proc
        }

        using var directory = new TempDirectory();
        var data = Path.Combine(directory.Path, "data");
        await using (await TestHost.StartAsync(data))
        {
        }

        var database = Path.Combine(data, "messenger.db");
        using (var oldServer = HoldOpen(database, "Messenger.Host"))
        {
            var start = () => TestHost.StartAsync(data);

            (await start.Should().ThrowAsync<StartupException>()).Which.Message.Should().Be(
                $"Messenger:DataDirectory: process {oldServer.Id} (Messenger.Host 600) has '{database}' open without holding the data directory's lock: a Messenger server from before 2026-12-05 (which takes none) or a command of this program still running; stop it first");
        }

        var logs = Path.Combine(directory.Path, "logs");
        using (var shell = HoldOpen(database, "sqlite3"))
        {
            await using (await TestHost.StartAsync(data, LogFiles.Settings(logs)))
            {
            }

            LogFiles.Read(logs).Should().Contain($"Process {shell.Id} (sqlite3 600) has the database {database} open");
        }
    }

    private static Holder HoldOpen(string path, string name)
    {
        var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", $"exec 3<\"$1\"; exec -a {name} sleep 600", "hold", path },
        })!;
        // Until bash has opened the file and become the named process.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.ReadAllText($"/proc/{process.Id}/cmdline").StartsWith(name + "\0", StringComparison.Ordinal))
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the holder starts");
            Thread.Sleep(10);
        }

        return new Holder(process);
    }

    private sealed class Holder(System.Diagnostics.Process process) : IDisposable
    {
        public int Id => process.Id;

        public void Dispose()
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
        }
    }

    [Fact]
    public async Task Start_WhileAnotherServerUsesTheDataDirectory_FailsClearly_AndStartsOnceThatOneStopped()
    {
        using var directory = new TempDirectory();
        var first = await TestHost.StartAsync(directory.Path);

        var second = () => TestHost.StartAsync(directory.Path);

        (await second.Should().ThrowAsync<StartupException>()).Which.Message.Should().Be(
            $"Messenger:DataDirectory: another Messenger server is using '{directory.Path}' (it holds messenger.lock); stop it first, or give this one a directory of its own");
        using (var http = first.CreateHttpClient())
        {
            (await http.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.OK, "the server that holds the directory goes on");
        }

        await first.DisposeAsync();
        await using var after = await TestHost.StartAsync(directory.Path);
    }

    [Fact]
    public async Task Stop_DrainsWritesQueuedBeforeShutdown()
    {
        using var directory = new TempDirectory();
        var host = await TestHost.StartAsync(directory.Path);
        var writer = (StorageWriter)host.Services.GetService(typeof(StorageWriter))!;
        await writer.WriteAsync(scope => scope.Command("CREATE TABLE drained (n INTEGER)").ExecuteNonQuery());
        var writes = Enumerable.Range(0, 1000).Select(i => writer.WriteAsync(scope =>
        {
            var command = scope.Command("INSERT INTO drained (n) VALUES ($n)");
            command.Parameters.AddWithValue("$n", i);
            command.ExecuteNonQuery();
        })).ToList();

        await host.App.StopAsync();

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));
        await host.DisposeAsync();
        Query(directory.Path, "SELECT count(*) FROM drained").Should().Be(1000L);
    }
}
