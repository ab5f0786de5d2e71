using Messenger.Contracts.Auth;
using Messenger.Contracts.Bots;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Session.Limits;

namespace Messenger.Session.Storage;

/// <summary>
/// The Bot HTTP API's bots (<c>session_bots</c>): each bot's owner, the hash of its token and its commands; the bot's
/// account itself is a row of <c>session_users</c> (<see cref="SessionStore"/>). Reads open their own pooled connection;
/// writes are units of the group-commit writer, so an owner's bot count and a username are checked in the unit that
/// creates the bot.
/// </summary>
internal sealed class BotStore(SqliteDatabase database, StorageWriter writer, SessionStore users)
{
    /// <summary>The Bot HTTP API's bots that are not deleted.</summary>
    public List<long> ApiBotIds()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT b.user_id FROM session_bots b JOIN session_users u ON u.id = b.user_id WHERE u.username <> ''";
        return command.ReadInt64Column();
    }

    /// <summary>Creates a bot of <paramref name="ownerId"/>'s: its account (is_bot, no password) and its row with the hash
    /// of its token, which names the bot's id (hence the function). The owner's count and the username are checked in the
    /// same unit.</summary>
    public Task<long> InsertAsync(long ownerId, string username, string displayName, Func<long, byte[]> tokenHash, long now) =>
        writer.WriteAsync(scope =>
        {
            if (Convert.ToInt64(scope.Scalar("SELECT count(*) FROM session_bots WHERE owner_id = @owner", ("@owner", ownerId))) >= BotLimits.PerOwner)
            {
                throw MessengerError.BadRequest(BotErrorNames.BotsTooMany);
            }

            var key = Rules.UsernameKey(username);
            var fold = Rules.UsernameFold(username);
            if (SessionStore.UsernameOwner(scope, key, fold) is not null)
            {
                throw MessengerError.BadRequest(SessionErrorNames.UsernameOccupied);
            }

            var id = Convert.ToInt64(scope.Scalar(
                "INSERT INTO session_users (username, username_key, username_fold, password_hash, display_name, display_name_key, bio, is_admin, is_blocked, created_at, is_bot) " +
                "VALUES (@username, @key, @fold, '', @name, '', '', 0, 0, @now, 1) RETURNING id",
                ("@username", username), ("@key", key), ("@fold", fold), ("@name", displayName), ("@now", now)));
            SessionStore.IndexName(scope, id, displayName);
            scope.Execute("INSERT INTO session_bots (user_id, owner_id, token_hash, created_at) VALUES (@id, @owner, @hash, @now)",
                ("@id", id), ("@owner", ownerId), ("@hash", tokenHash(id)), ("@now", now));
            return id;
        });

    public List<UserRecord> OwnedBy(long ownerId) =>
        users.QueryUsers($"SELECT {SessionStore.UserColumns} FROM session_users WHERE id IN (SELECT user_id FROM session_bots WHERE owner_id = @owner) ORDER BY id",
            ("@owner", ownerId));

    /// <summary>Replaces the token of <paramref name="ownerId"/>'s bot; false when it is not theirs.</summary>
    public Task<bool> SetTokenAsync(long ownerId, long botId, byte[] tokenHash) =>
        writer.WriteAsync(scope => scope.Execute(
            "UPDATE session_bots SET token_hash = @hash WHERE user_id = @bot AND owner_id = @owner",
            ("@hash", tokenHash), ("@bot", botId), ("@owner", ownerId)) > 0);

    /// <summary>The bot with this token's hash and whether it is blocked: an admin blocked the bot, or its owner (whose
    /// bots stop with them, as their devices do, until the owner is unblocked); null when none has it.</summary>
    public (long Id, bool Blocked)? FindByTokenHash(byte[] tokenHash)
    {
        using var connection = database.Open();
        using var command = SessionStore.Command(connection,
            "SELECT b.user_id, max(u.is_blocked, o.is_blocked) FROM session_bots b JOIN session_users u ON u.id = b.user_id " +
            "JOIN session_users o ON o.id = b.owner_id WHERE b.token_hash = @hash", ("@hash", tokenHash));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1) != 0) : null;
    }

    /// <summary>Sets the bot's commands (MessagePack), or clears them (null).</summary>
    public Task SetCommandsAsync(long botId, byte[]? commands) =>
        writer.WriteAsync(scope => scope.Execute("UPDATE session_bots SET commands = @commands WHERE user_id = @bot",
            ("@commands", (object?)commands ?? DBNull.Value), ("@bot", botId)));

    /// <summary>The bot's commands as stored (empty when it set none); null when it is not a bot of the Bot HTTP API.</summary>
    public byte[]? Commands(long botId)
    {
        using var connection = database.Open();
        using var command = SessionStore.Command(connection, "SELECT coalesce(commands, x'') FROM session_bots WHERE user_id = @bot", ("@bot", botId));
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>A bot of the Bot HTTP API (people may write to it and add it to groups), not a webhook's poster.</summary>
    public bool IsApiBot(long userId)
    {
        using var connection = database.Open();
        using var command = SessionStore.Command(connection, "SELECT 1 FROM session_bots WHERE user_id = @id", ("@id", userId));
        return command.ExecuteScalar() is not null;
    }
}
