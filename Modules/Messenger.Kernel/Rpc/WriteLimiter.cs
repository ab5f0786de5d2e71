namespace Messenger.Kernel.Rpc;

/// <summary>
/// How fast one user may make calls that change state (<see cref="RpcCost.Write"/>): a token bucket per user that
/// holds <c>burst</c> calls and refills at <c>perSecond</c>. Drafts, contacts, folders, dialog flags and the like each
/// append to an update log (sometimes another user's) and go through the one storage writer, so a script calling them
/// in a loop would fill logs and disk; past the bucket it gets 420 <c>FLOOD_WAIT</c> with the seconds until a call
/// fits again, before anything runs. Per user, not per device. In memory, per node; full buckets are swept, so it
/// holds only users who wrote within the last refill time. Taken by the dispatcher (and for the Bot HTTP API by
/// <see cref="RpcRegistration.InvokeAsUserAsync{TCall, TResult}"/>), never by a handler.
/// </summary>
public sealed class WriteLimiter(double perSecond, double burst, TimeProvider clock)
{
    private readonly TokenBuckets<long> _buckets = new(perSecond, burst, clock);

    public int Count => _buckets.Count;

    /// <summary>Takes one call from the user's bucket, or throws <c>FLOOD_WAIT</c> and takes none. 0 per second: no limit.</summary>
    public void Take(long userId) => _buckets.Take(userId);

    internal void Sweep() => _buckets.Sweep();
}
