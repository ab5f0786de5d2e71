using System.Security.Cryptography;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Users;

/// <summary>Bots as rows of <c>session_users</c>: <c>is_bot</c> set, an empty password hash (sign-in verifies a bot
/// against the decoy, so it never signs in). A webhook's poster is named <c>hook_&lt;12 hex&gt;_bot</c>, a name no person
/// may take; a bot of the Bot HTTP API also has a <c>session_bots</c> row with its token's hash.</summary>
internal sealed class BotAccounts(SessionStore store, BotStore bots) : IBotAccounts
{
    public long? FindByToken(string token) =>
        (token.Length is > 0 and <= 128 ? bots.FindByTokenHash(Bots.BotTokens.Hash(token)) : null) switch
        {
            null => null,
            { Blocked: true } => throw MessengerError.Forbidden(SessionErrorNames.UserBlocked),
            { Id: var id } => id,
        };

    public bool IsBot(long userId) => store.GetUser(userId) is { IsBot: true };

    public bool IsOwnedBy(long botId, long userId) => bots.OwnedBy(userId).Any(bot => bot.Id == botId);

    public IReadOnlyList<long> ApiBotIds() => bots.ApiBotIds();

    public long Create(WriteScope scope, string displayName, DateTimeOffset now)
    {
        var username = $"hook_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}{Rules.BotSuffix}";
        return Convert.ToInt64(scope.Scalar(
            "INSERT INTO session_users (username, username_key, username_fold, password_hash, display_name, display_name_key, bio, is_admin, is_blocked, created_at, is_bot) " +
            "VALUES (@username, @key, @fold, '', @name, '', '', 0, 0, @now, 1) RETURNING id",
            ("@username", username), ("@key", Rules.UsernameKey(username)), ("@fold", Rules.UsernameFold(username)), ("@name", displayName),
            ("@now", now.ToUnixTimeMilliseconds())));
    }
}
