using Messenger.Contracts.Auth;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Messenger.Session.Storage;

namespace Messenger.Session.Admin;

internal static class AdminGuard
{
    /// <summary>The caller's user id if the caller is an admin; 403 ADMIN_REQUIRED otherwise.</summary>
    public static long RequireAdmin(this RpcContext caller, SessionStore store)
    {
        var userId = caller.RequireUserId();
        return store.GetUser(userId) is { IsAdmin: true } ? userId : throw MessengerError.Forbidden(SessionErrorNames.AdminRequired);
    }
}
