using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Infrastructure.TableRows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Messenger.Tests.Messages;

/// <summary>An upgraded database loses the "deleted for me" marks of messages deleted for everyone before the upgrade
/// (a revoke now takes them along), and keeps those of messages still there.</summary>
public sealed class RevokedHiddenMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("messenger-revoked-hidden-migration-").FullName;

    [Fact]
    public void ForgetRevokedHidden_DeletesTheMarksOfRevokedMessages_AndKeepsTheOthers()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "messenger.db")};Pooling=False";
        var options = (DbContextOptions<MessageDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<MessageDbContext>(), connectionString, MessageDbContext.MigrationsHistoryTable).Options;
        using (var before = new MessageDbContext(options))
        {
            before.GetService<IMigrator>().Migrate("20261206234903_FormerMembers");
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Insert(connection, "message_messages", ("id", 10), ("chat_id", 5), ("random_id", 1), ("deleted", 0));
            Insert(connection, "message_messages", ("id", 11), ("chat_id", 5), ("random_id", 2), ("deleted", 1));
            Insert(connection, "message_hidden", ("user_id", 1), ("message_id", 10));
            Insert(connection, "message_hidden", ("user_id", 1), ("message_id", 11));
            Insert(connection, "message_hidden", ("user_id", 2), ("message_id", 11));
        }

        using (var after = new MessageDbContext(options))
        {
            after.GetService<IMigrator>().Migrate();
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Rows(connection, "SELECT user_id, message_id FROM message_hidden ORDER BY user_id, message_id").Should().Equal("1,10");
            Rows(connection, "SELECT name FROM pragma_index_list('message_hidden') WHERE name = 'IX_message_hidden_message_id'")
                .Should().Equal("IX_message_hidden_message_id");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
