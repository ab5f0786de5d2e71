using Messenger.Kernel.Storage;

namespace Messenger.Kernel.Users;

/// <summary>
/// Accounts that post for something outside the server (a group's webhook), provided by the Session module. A bot has
/// a display name and a username ending in <c>_bot</c>, no password, no devices, and is found by no search; people
/// see its messages and its profile like anyone's.
/// </summary>
public interface IBotAccounts
{
    /// <summary>Creates a bot named <paramref name="displayName"/> inside <paramref name="scope"/>'s unit (so the bot and
    /// what it posts for commit together) and returns its user id.</summary>
    long Create(WriteScope scope, string displayName, DateTimeOffset now);
}
