using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Kernel.Storage;

/// <summary>The start-up step that checks the database file and applies every module's migrations.</summary>
public static class DatabaseMigrator
{
    private const int SqliteNotADatabase = 26;

    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var database = services.GetRequiredService<SqliteDatabase>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        EnsureIsSqlite(database.Path);
        using (var connection = database.Open())
        {
            // WAL is a property of the file: set it once before any module touches the schema.
        }

        foreach (var schema in services.GetServices<IModuleSchema>())
        {
            await schema.MigrateAsync(services, cancellationToken);
            logger.LogDebug("Schema {Schema} is up to date", schema.Name);
        }
    }

    // Opened read-only first, so a file that is not SQLite is reported and left exactly as it was.
    private static void EnsureIsSqlite(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA schema_version";
            command.ExecuteScalar();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteNotADatabase)
        {
            throw new StartupException($"Messenger:DataDirectory: '{path}' is not a SQLite database; it was left untouched");
        }
    }
}

/// <summary>A start-up failure with a message meant for the operator, printed as one line.</summary>
public sealed class StartupException(string message) : Exception(message);
