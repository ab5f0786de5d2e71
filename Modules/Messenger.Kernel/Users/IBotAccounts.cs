using Messenger.Kernel.Storage;

namespace Messenger.Kernel.Users;

/// <summary>
/// Accounts that post for something outside the server, provided by the Session module: a group's webhook (found by
/// no search, written to by nobody) or a program over the Bot HTTP API (<c>bots.create</c>: found, written to and
/// added to groups like a person). A bot has a display name and a username ending in <c>_bot</c>, no password and no
/// devices; people see its messages and its profile like anyone's.
/// </summary>
public interface IBotAccounts
{
    /// <summary>Creates a bot named <paramref name="displayName"/> inside <paramref name="scope"/>'s unit (so the bot and
    /// what it posts for commit together) and returns its user id.</summary>
    long Create(WriteScope scope, string displayName, DateTimeOffset now);

    /// <summary>The bot (of the Bot HTTP API) whose token this is, or null; 403 <c>USER_BLOCKED</c> when an admin
    /// blocked it.</summary>
    long? FindByToken(string token);

    /// <summary>Whether the account is a bot (any kind).</summary>
    bool IsBot(long userId);

    /// <summary>Whether <paramref name="userId"/> made the bot <paramref name="botId"/> (of the Bot HTTP API).</summary>
    bool IsOwnedBy(long botId, long userId);

    /// <summary>Every bot of the Bot HTTP API that is not deleted (the ones people add to groups).</summary>
    IReadOnlyList<long> ApiBotIds();
}
