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
