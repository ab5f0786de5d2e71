using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Infrastructure;

/// <summary>The real group-commit writer, started, on a SQLite file of its own in a temporary directory holding the
/// tables <c>schema</c> creates: for tests of the storage layer without a host.</summary>
public sealed class TempWriter : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    public TempWriter(string fileName, string schema)
    {
        Database = new SqliteDatabase(Path.Combine(_directory.Path, fileName), new StorageOptions());
        using (var connection = Database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = schema;
            command.ExecuteNonQuery();
        }

        Writer = new StorageWriter(Database, Options.Create(new StorageOptions()), NullLogger<StorageWriter>.Instance);
        Writer.Start();
    }

    public SqliteDatabase Database { get; }

    public StorageWriter Writer { get; }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
