namespace Messenger.Client;

/// <summary>A call answered with an error: the server's stable <see cref="Name"/> (e.g. <c>MESSAGE_TOO_LONG</c>),
/// its code class (400, 401, 403, 404, 420, 500) and, for 420, the seconds to wait.</summary>
public sealed class RpcException(string name, int code, int? retryAfterSeconds)
    : Exception($"{code} {name}" + (retryAfterSeconds is { } s ? $" (retry after {s} s)" : ""))
{
    public string Name { get; } = name;

    public int Code { get; } = code;

    public int? RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>The connection or handshake failed: wrong server key, server unreachable, or the server closed it.</summary>
public sealed class MessengerConnectionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A call got no answer within <see cref="MessengerClientOptions.CallTimeout"/>. Its outcome is unknown: the
/// server may have run it and the answer been lost. Retry a call that must not run twice only with its own key from
/// the first try (e.g. <see cref="MessageMethods.SendMessageAsync(MessengerClient, Contracts.Messages.Peer, string, long?, long?, bool, Contracts.Messages.ReplyQuote?, long?, CancellationToken)"/>
/// with the same <c>randomId</c>): the server then stores it once.</summary>
public sealed class CallTimeoutException(string method, TimeSpan timeout)
    : TimeoutException($"{method} got no answer within {timeout}; it may still have run (retry with the same random_id to be safe)")
{
    /// <summary>The RPC method that timed out (e.g. <c>messages.send</c>).</summary>
    public string Method { get; } = method;
}
