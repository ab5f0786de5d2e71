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
