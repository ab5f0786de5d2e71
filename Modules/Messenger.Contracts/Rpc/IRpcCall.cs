using Mediator;

namespace Messenger.Contracts.Rpc;

/// <summary>A call a client makes, answered with <typeparamref name="TResult"/>. Calls are Mediator requests, so the
/// server dispatches them through its bus to the one module that handles them.</summary>
public interface IRpcCall<TResult> : IRequest<TResult>;
