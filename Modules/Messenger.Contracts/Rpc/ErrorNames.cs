namespace Messenger.Contracts.Rpc;

/// <summary>Stable error names of the protocol layer. Modules add their own (e.g. <c>MESSAGE_TOO_LONG</c>).</summary>
public static class ErrorNames
{
    /// <summary>400: no method of that name.</summary>
    public const string MethodInvalid = "METHOD_INVALID";

    /// <summary>400: the call's arguments are not valid MessagePack for that method.</summary>
    public const string ArgsInvalid = "ARGS_INVALID";

    /// <summary>420: more calls in flight on this connection than the server allows; retry after the given seconds.</summary>
    public const string TooManyCallsInFlight = "CALLS_IN_FLIGHT_TOO_MANY";

    /// <summary>420: generic rate limit; retry after the given seconds.</summary>
    public const string FloodWait = "FLOOD_WAIT";

    /// <summary>401: this device key has no authorization.</summary>
    public const string AuthKeyUnregistered = "AUTH_KEY_UNREGISTERED";

    /// <summary>403: this device signed in with a temporary password an admin set; until <c>account.changePassword</c>
    /// replaces it, only that, <c>auth.signOut</c> and the methods open to anyone (help.*) are answered.</summary>
    public const string PasswordChangeRequired = "PASSWORD_CHANGE_REQUIRED";

    /// <summary>500: an unexpected server error in this one call.</summary>
    public const string Internal = "INTERNAL";

    /// <summary>500, to a call resent with its msg_id: it ran, but its answer was let go before the client acked it (the
    /// session keeps unacked answers up to a count, an age and a size); it is not run again.</summary>
    public const string ResultDropped = "RESULT_DROPPED";

    /// <summary>500: the server is stopping; retry on another connection.</summary>
    public const string ServerShuttingDown = "SERVER_SHUTTING_DOWN";
}
