using Messenger.Contracts.Users;

namespace Messenger.Session.Storage;

internal static class Mapping
{
    public static User ToUser(this UserRecord user) => new(user.Id, user.Username, user.DisplayName, user.Bio, user.Deleted, user.Photo, user.IsBot);

    public static long UnixSeconds(long unixMs) => unixMs / 1000;
}
