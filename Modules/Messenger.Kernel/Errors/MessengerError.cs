namespace Messenger.Kernel.Errors;

/// <summary>
/// The one error type a call can end with: a stable UPPER_SNAKE <see cref="Name"/> clients switch on,
/// a code class borrowed from HTTP (400, 401, 403, 404, 420, 500) and, for 420, seconds to wait.
/// </summary>
public sealed class MessengerError : Exception
{
    public MessengerError(string name, int code, int? retryAfterSeconds = null, string? detail = null)
        : base(detail ?? name)
    {
        Name = name;
        Code = code;
        RetryAfterSeconds = retryAfterSeconds;
    }

    public string Name { get; }

    public int Code { get; }

    public int? RetryAfterSeconds { get; }

    public static MessengerError BadRequest(string name, string? detail = null) => new(name, 400, detail: detail);

    public static MessengerError Unauthorized(string name) => new(name, 401);

    public static MessengerError Forbidden(string name) => new(name, 403);

    public static MessengerError NotFound(string name) => new(name, 404);

    public static MessengerError FloodWait(int seconds) => new("FLOOD_WAIT", 420, seconds);

    public static MessengerError Internal() => new("INTERNAL", 500);

    public static MessengerError Unavailable() => new("SERVER_SHUTTING_DOWN", 500);

    /// <summary>The storage writer stopped (its database could not be opened): nothing can be written until a restart.</summary>
    public static MessengerError StorageUnavailable() => new("STORAGE_UNAVAILABLE", 500);

    /// <summary>The database cannot grow (the disk is full, or <c>Messenger:Storage:MaxDatabaseMiB</c> is reached): the
    /// write was not made; the same call may succeed once space is freed (a send is safe to retry with its random_id).</summary>
    public static MessengerError StorageFull() => new("STORAGE_FULL", 500);
}
