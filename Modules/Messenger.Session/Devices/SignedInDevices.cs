using Mediator;
using Messenger.Kernel.Users;
using Messenger.Session.Storage;

namespace Messenger.Session.Devices;

/// <summary>Whether devices are signed in, by key: a device is as long as its authorization exists.</summary>
internal sealed class SignedInDevicesHandler(SessionStore store) : IRequestHandler<SignedInDevicesQuery, bool[]>
{
    public ValueTask<bool[]> Handle(SignedInDevicesQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.AreSignedIn(query.DeviceKeys));
}
