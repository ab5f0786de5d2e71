using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Infrastructure.TableRows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Messenger.Tests.Messages;

/// <summary>The migration that keeps topic read positions apart (<c>message_topic_reads</c>) moves the ones stored among
/// the thread positions — under a topic's id, or General's under minus the chat's id — and leaves real threads' alone.</summary>
public sealed class TopicReadsMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("messenger-topic-reads-migration-").FullName;

    [Fact]
    public void TopicReads_WhenTopicPositionsWereThreadRows_MovesThemAndKeepsThreadPositions()
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
            Insert(connection, "message_topics", ("id", 40), ("chat_id", 5), ("title", "Releases"), ("top_message_id", 43));
            Insert(connection, "message_thread_reads", ("user_id", 1), ("msg_id", 40), ("read_max_id", 43));
            Insert(connection, "message_thread_reads", ("user_id", 1), ("msg_id", -5), ("read_max_id", 12));
            Insert(connection, "message_thread_reads", ("user_id", 2), ("msg_id", 40), ("read_max_id", 41));
            Insert(connection, "message_thread_reads", ("user_id", 2), ("msg_id", 77), ("read_max_id", 80));
        }

        using (var after = new MessageDbContext(options))
        {
            after.GetService<IMigrator>().Migrate("20261206212128_TopicReads");
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Rows(connection, "SELECT user_id, chat_id, topic_id, read_max_id FROM message_topic_reads ORDER BY user_id, topic_id")
                .Should().Equal("1,5,0,12", "1,5,40,43", "2,5,40,41");
            Rows(connection, "SELECT user_id, msg_id, read_max_id FROM message_thread_reads").Should().Equal("2,77,80");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
