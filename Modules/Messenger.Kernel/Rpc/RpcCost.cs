namespace Messenger.Kernel.Rpc;

/// <summary>
/// What a call of a method costs its caller against the per-user write limit (<see cref="WriteLimiter"/>). Every
/// method declares one where it is registered (<see cref="RpcRegistration.AddRpcMethod{TCall, TResult}"/>), so a new
/// method cannot be added without deciding it.
/// </summary>
public enum RpcCost
{
    /// <summary>Reads only: free (lists, history, search, state, a download ticket).</summary>
    Read,

    /// <summary>Changes state (a log entry, a push to someone, a stored setting): takes one token from the caller's
    /// write bucket before it runs, and answers 420 <c>FLOOD_WAIT</c> when the bucket is empty.</summary>
    Write,

    /// <summary>Changes state, but its handler is already bounded by a limiter of its own (posts by the post limit,
    /// sign-in and registration by their attempt limits, upload parts by the upload quota): not counted again.</summary>
    OwnLimit,
}
