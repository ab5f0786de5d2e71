using Mediator;

namespace Messenger.Kernel.Events;

/// <summary>
/// A device's authorization ended (signed out, revoked, password changed, account blocked). The Protocol module
/// closes that device's live connections; caches keyed by the device drop it.
/// </summary>
public sealed record DeviceSignedOutEvent(byte[] DeviceKey, string Reason) : INotification
{
    /// <summary>The <see cref="Reason"/> of the sign-outs that deleting an account makes (modules that end things with
    /// the device tell the account's deletion apart).</summary>
    public const string AccountDeletedReason = "account deleted";
}
