using Messenger.Kernel.Storage;
using Messenger.Session.Storage;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Infrastructure.TableRows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Messenger.Tests.Session;

/// <summary>The migration that adds the usernames' folded key (<c>UsernameFold</c>) on a server upgraded in place: two
/// accounts that already read alike both keep their names; the older holds the fold.</summary>
public sealed class UsernameFoldMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("messenger-fold-migration-").FullName;

    [Fact]
    public void UsernameFold_WhenAccountsAlreadyReadAlike_TheOlderHoldsTheFold_AndADeletedAccountHasNone()
    {
        var connectionString = $"Data Source={Path.Combine(_directory, "messenger.db")};Pooling=False";
        var options = (DbContextOptions<SessionDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<SessionDbContext>(), connectionString, SessionDbContext.MigrationsHistoryTable).Options;
        using (var before = new SessionDbContext(options))
        {
            before.GetService<IMigrator>().Migrate("20261206095411_TemporaryPasswords");
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Insert(connection, "session_users", ("id", 1), ("username", "alice_m"), ("username_key", "alice_m"));
            Insert(connection, "session_users", ("id", 2), ("username", "AIice_m"), ("username_key", "aiice_m"));
            Insert(connection, "session_users", ("id", 3), ("username", ""), ("username_key", "~3"));
            Insert(connection, "session_users", ("id", 4), ("username", "Modern_B0b"), ("username_key", "modern_b0b"));
        }

        using (var after = new SessionDbContext(options))
        {
            after.GetService<IMigrator>().Migrate();
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Rows(connection, "SELECT id, coalesce(username_fold, '-') FROM session_users ORDER BY id")
                .Should().Equal("1,allce_m", "2,-", "3,-", "4,modem_bob");
            Rows(connection, "SELECT id, username FROM session_users ORDER BY id").Should().Equal("1,alice_m", "2,AIice_m", "3,", "4,Modern_B0b");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
