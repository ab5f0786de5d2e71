using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Messenger.Session.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Microsoft.Data.Sqlite;
using static Messenger.Tests.Infrastructure.TableRows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>The migration that adds the usernames' folded key (<c>UsernameFold</c>) on a server upgraded in place: two
/// accounts that already read alike both keep their names; the older holds the fold, and the later ones' names still
/// block it once the older gives it up.</summary>
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

    [Fact]
    public async Task UsernameFold_WhenTheHolderRenamesOrIsDeleted_ALaterLookAlikeStillBlocksTheFold()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Messenger:Session:RegistrationsPerAddress"] = "1000" };
        await using (var host = await SessionTestKit.StartHostAsync(settings, dataDirectory: data.Path))
        {
            foreach (var username in new[] { "admin_gap", "alice_gap", "other_gap", "alice_del", "other_del", "helper_gap_bot", "other_bot" })
            {
                await using var device = await host.SignUpAsync(username.Replace("_bot", "_bxt"), startEvents: false);
            }
        }

        // The database as the build before the fold left it, with look-alikes it accepted: the fold's migration undone,
        // and the later account of each pair renamed the way that build let it.
        var connectionString = $"Data Source={Path.Combine(data.Path, MessengerOptions.DatabaseFileName)};Pooling=False";
        var options = (DbContextOptions<SessionDbContext>)ModuleStorage.Configure(
            new DbContextOptionsBuilder<SessionDbContext>(), connectionString, SessionDbContext.MigrationsHistoryTable).Options;
        await using (var before = new SessionDbContext(options))
        {
            await before.GetService<IMigrator>().MigrateAsync("20261206095411_TemporaryPasswords");
        }

        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var old = connection.CreateCommand();
            old.CommandText =
                "UPDATE session_users SET username = 'helper_gap_bot', username_key = 'helper_gap_bot' WHERE username = 'helper_gap_bxt'; " +
                "UPDATE session_users SET username = 'AIice_gap', username_key = 'aiice_gap' WHERE username = 'other_gap'; " +
                "UPDATE session_users SET username = 'AIice_del', username_key = 'aiice_del' WHERE username = 'other_del'; " +
                "UPDATE session_users SET username = 'heIper_gap_bot', username_key = 'heiper_gap_bot' WHERE username = 'other_bxt'";
            old.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        await using (var host = await SessionTestKit.StartHostAsync(settings, dataDirectory: data.Path))
        {
            await using var admin = await host.SignedInClientAsync("admin_gap", register: false);
            await using var alice = await host.SignedInClientAsync("alice_gap", register: false);
            await using var aliceDeleted = await host.SignedInClientAsync("alice_del", register: false);
            await using var helper = await host.SignedInClientAsync("helper_gap_bot", register: false);
            await using var stranger = await host.ConnectAsync();

            await alice.UpdateUsernameAsync("alice_moved");
            await FailsWith(() => stranger.RegisterAsync("a1lce_gap", Password, "Impostor"), SessionErrorNames.UsernameOccupied);
            await FailsWith(() => stranger.RegisterAsync("alice_gap", Password, "Impostor"), SessionErrorNames.UsernameOccupied);
            await FailsWith(() => admin.UpdateUsernameAsync("ALICE_GAP"), SessionErrorNames.UsernameOccupied);

            await aliceDeleted.DeleteAccountAsync(Password);
            await FailsWith(() => stranger.RegisterAsync("a1lce_del", Password, "Impostor"), SessionErrorNames.UsernameOccupied);

            await helper.UpdateUsernameAsync("helper_moved");
            await FailsWith(() => admin.CreateBotAsync("he1per_gap_bot", "Impostor"), SessionErrorNames.UsernameOccupied);

            // The look-alike itself may still change the case of its own name, and a name reading like none is free. (No
            // registration here: undoing the migrations rebuilt session_users from a model without is_bot's DEFAULT 0, which
            // the Bots migration gave the column and registration relies on.)
            await using var lookAlike = await host.SignedInClientAsync("AIice_gap", register: false);
            (await lookAlike.UpdateUsernameAsync("AIICE_gap")).Username.Should().Be("AIICE_gap");
            (await admin.UpdateUsernameAsync("a1lce_new")).Username.Should().Be("a1lce_new");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
