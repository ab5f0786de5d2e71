using Mediator;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Updates;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Devices;

/// <summary>
/// Binds a device to an account and tells the account's other devices at once: <see cref="NewAuthorizationUpdate"/> goes
/// into the user's own log in the unit that creates the authorization (it is there exactly when the authorization is),
/// then to their online devices; a device offline meanwhile finds it with getDifference. An account's only device has
/// nobody to tell: its sign-in logs nothing.
/// </summary>
internal sealed class NewAuthorizations(LoggedWriter writer, IPublisher bus)
{
    /// <summary>Adds the authorization; <paramref name="passwordHash"/>, for a sign-in by password, is the hash the
    /// password was checked against (<see cref="SessionStore.InsertAuthorization"/> refuses a stale one);
    /// <paramref name="passwordChangeRequired"/>: that password is an admin's temporary one.</summary>
    public Task<long> AddAsync(
        long userId, byte[] deviceKey, string deviceName, string platform, string clientAddress, long nowMs, string? passwordHash = null,
        bool passwordChangeRequired = false)
    {
        var date = Mapping.UnixSeconds(nowMs);
        return writer.WriteAsync(bus, (scope, appends) =>
        {
            var id = SessionStore.InsertAuthorization(scope, userId, deviceKey, deviceName, platform, clientAddress, nowMs, passwordHash,
                passwordChangeRequired);
            if (SessionStore.HasOtherAuthorizations(scope, userId, id))
            {
                appends.Append(userId, new NewAuthorizationUpdate(id, deviceName, platform, clientAddress, date), date);
            }

            return id;
        }, CancellationToken.None);
    }
}

internal sealed class DeviceKeyOfAuthorizationHandler(SessionStore store) : IRequestHandler<DeviceKeyOfAuthorizationQuery, byte[]?>
{
    public ValueTask<byte[]?> Handle(DeviceKeyOfAuthorizationQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.DeviceKeyOf(query.UserId, query.AuthorizationId));
}
