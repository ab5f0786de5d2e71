using Mediator;

namespace Messenger.Kernel.Events;

/// <summary>
/// An update for one device, whether or not it is signed in (e.g. "your login token was accepted"). The Protocol
/// module pushes it as <c>UpdatesBody(Kind, Payload)</c> to that device's live connections; a device that is not
/// connected misses it.
/// </summary>
public sealed record DeviceUpdateEvent(byte[] DeviceKey, string Kind, byte[] Payload) : INotification;
