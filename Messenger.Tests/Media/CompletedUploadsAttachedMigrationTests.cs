using Messenger.Kernel.Storage;
using Messenger.Media.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Messenger.Tests.Media;

/// <summary>A server upgraded in place: the completed uploads it remembers are counted as attached when their blob is
/// referenced (as the last release used to treat them all), and as never attached when it is not (the old release would
/// have forgotten them had they been).</summary>
public sealed class CompletedUploadsAttachedMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("messenger-completed-migration-").FullName;

    [Fact]
    public void CompletedUploadsAttached_CountsTheRecordsOfReferencedBlobsAsAttached_AndTheOthersAsNot()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "messenger.db")};Pooling=False";
        var options = (DbContextOptions<MediaDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<MediaDbContext>(), connectionString, MediaDbContext.MigrationsHistoryTable).Options;
        using (var before = new MediaDbContext(options))
        {
            before.GetService<IMigrator>().Migrate("20261206040421_CompletedUploads");
        }

        Execute(connectionString,
            "INSERT INTO media_blobs (hash, size, ref_count, zero_since) VALUES ('sent', 10, 1, NULL), ('refused', 20, 0, 100); " +
            "INSERT INTO media_completed_uploads (user_id, file_id, total_parts, hash, size, completed_at) VALUES " +
            "(1, 11, 1, 'sent', 10, 100), (2, 22, 1, 'sent', 10, 100), (3, 33, 1, 'refused', 20, 100)");

        using (var after = new MediaDbContext(options))
        {
            after.GetService<IMigrator>().Migrate();
        }

        Execute(connectionString, "SELECT group_concat(file_id || ':' || attached, ',') FROM (SELECT * FROM media_completed_uploads ORDER BY file_id)")
            .Should().Be("11:1,22:1,33:0");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static object? Execute(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
