using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Infrastructure.TableRows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Messenger.Tests.Messages;

/// <summary>The migration from one pinned message per chat to a list keeps each chat's pin (a server upgraded in place).</summary>
public sealed class PinMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("messenger-pin-migration-").FullName;

    [Fact]
    public void PinnedMessageList_WhenChatsHadAPinnedMessage_MovesEachIntoTheList_AndKeepsTheChatsRows()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "messenger.db")};Pooling=False";
        var options = (DbContextOptions<MessageDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<MessageDbContext>(), connectionString, MessageDbContext.MigrationsHistoryTable).Options;
        using (var before = new MessageDbContext(options))
        {
            before.GetService<IMigrator>().Migrate("20261204194703_ThreadReads");
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Insert(connection, "message_chats", ("id", 7), ("kind", 2), ("title", "Pinned"), ("pinned_message_id", 70));
            Insert(connection, "message_chats", ("id", 8), ("kind", 2), ("title", "Not"), ("pinned_message_id", 0));
            Insert(connection, "message_chats", ("id", 9), ("kind", 2), ("title", "Gone"), ("pinned_message_id", 90));
            Insert(connection, "message_messages", ("id", 70), ("chat_id", 7), ("from_id", 1), ("to_kind", 2), ("to_id", 7), ("date", 1000), ("text", "rules"), ("random_id", 1), ("deleted", 0));
            Insert(connection, "message_messages", ("id", 90), ("chat_id", 9), ("from_id", 1), ("to_kind", 2), ("to_id", 9), ("date", 1001), ("text", ""), ("random_id", 2), ("deleted", 1));
        }

        using (var after = new MessageDbContext(options))
        {
            after.GetService<IMigrator>().Migrate();
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Rows(connection, "SELECT chat_id, msg_id, pinned_at FROM message_pins").Should().Equal("7,70,1000");
            Rows(connection, "SELECT id, title FROM message_chats ORDER BY id").Should().Equal("7,Pinned", "8,Not", "9,Gone");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
