using Mediator;

namespace Messenger.Kernel.Users;

/// <summary>The device key of <paramref name="UserId"/>'s authorization <paramref name="AuthorizationId"/>, or null when
/// it is gone. Answered by the Session module (Web Push leaves a device out of the news of its own sign-in).</summary>
public sealed record DeviceKeyOfAuthorizationQuery(long UserId, long AuthorizationId) : IRequest<byte[]?>;
