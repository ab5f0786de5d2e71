using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Infrastructure.TableRows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Messenger.Tests.Groups;

/// <summary>The migration that deletes the settings (dialog pins, archive entries, unread marks, mutes, drafts, topic
/// mutes) users kept of groups they had left before leaving took them along (a server upgraded in place).</summary>
public sealed class LeftChatSettingsMigrationTests : IDisposable
{
    private static readonly string[] Tables =
        ["message_dialog_pins", "message_dialog_archive", "message_unread_marks", "message_notify", "message_drafts", "message_topic_notify"];

    private readonly string _directory = Directory.CreateTempSubdirectory("messenger-left-settings-migration-").FullName;

    [Fact]
    public void ForgetLeftChatSettings_DeletesTheRowsOfGroupsTheUserIsNotIn_AndKeepsMembersAndPrivateChats()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "messenger.db")};Pooling=False";
        var options = (DbContextOptions<MessageDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<MessageDbContext>(), connectionString, MessageDbContext.MigrationsHistoryTable).Options;
        using (var before = new MessageDbContext(options))
        {
            before.GetService<IMigrator>().Migrate("20261206193448_AdminMembersIndex");
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Insert(connection, "message_chats", ("id", 7), ("kind", 2), ("title", "Small"));
            Insert(connection, "message_chats", ("id", 8), ("kind", 1), ("user_low", 1), ("user_high", 2), ("title", ""));
            Insert(connection, "message_chats", ("id", 9), ("kind", 3), ("title", "Large"));
            Insert(connection, "message_members", ("chat_id", 7), ("user_id", 1));
            Insert(connection, "message_members", ("chat_id", 9), ("user_id", 2));
            foreach (var table in Tables)
            {
                foreach (var (user, chat) in new[] { (1, 7), (2, 7), (1, 8), (2, 8), (1, 9), (2, 9) })
                {
                    (string, object)[] key = [("user_id", user), ("chat_id", chat)];
                    Insert(connection, table, table == "message_topic_notify" ? [.. key, ("topic_id", 0)] : key);
                }
            }
        }

        using (var after = new MessageDbContext(options))
        {
            after.GetService<IMigrator>().Migrate();
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            foreach (var table in Tables)
            {
                Rows(connection, $"SELECT user_id, chat_id FROM {table} ORDER BY chat_id, user_id")
                    .Should().Equal(["1,7", "1,8", "2,8", "2,9"], $"{table} keeps members' rows and private chats'");
            }
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
