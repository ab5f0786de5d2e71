using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>The device key of <paramref name="UserId"/>'s authorization <paramref name="AuthorizationId"/>, or null when
/// it is gone. Answered by the Session module (Web Push leaves a device out of the news of its own sign-in).</summary>
public sealed record DeviceKeyOfAuthorizationQuery(long UserId, long AuthorizationId) : IRequest<byte[]?>;

/// <summary>For each of <paramref name="DeviceKeys"/>, in order, whether a device with that key is signed in now (has an
/// authorization). Answered by the Session module (the secret chats' sweep ends chats bound to a device that is gone,
/// whose sign-out's event was lost or raced a request).</summary>
public sealed record SignedInDevicesQuery(byte[][] DeviceKeys) : IRequest<bool[]>;
