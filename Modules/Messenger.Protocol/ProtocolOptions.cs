using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol;

/// <summary>The <c>Messenger:Protocol</c> section: limits of the encrypted transport and its sessions.</summary>
internal sealed class ProtocolOptions
{
    public const string Section = "Messenger:Protocol";

    /// <summary>Largest frame a client may send: a 512 KiB upload part plus envelope and chunk overhead. Between
    /// <see cref="MinFrameBytes"/> and <see cref="MaxMaxFrameBytes"/>.</summary>
    public int MaxFrameBytes { get; set; } = 600 * 1024;

    /// <summary>The smallest <see cref="MaxFrameBytes"/>: 64 KiB (an upload part needs 600 KiB; less serves no files).</summary>
    public const int MinFrameBytes = 64 * 1024;

    /// <summary>The largest <see cref="MaxFrameBytes"/>: 16 MiB, far above what any call needs, so no one who only did a
    /// handshake can make the server take in frames of hundreds of MB.</summary>
    public const int MaxMaxFrameBytes = 16 * 1024 * 1024;

    public int MaxCallsInFlight { get; set; } = 1024;

    /// <summary>Envelopes waiting to be sent to one connection; a client that stops reading is disconnected when full.</summary>
    public int OutboundQueueCapacity { get; set; } = 8192;

    /// <summary>Bytes waiting to be sent to one connection (answers' values, pushes' payloads) above which its new calls
    /// are refused (420 <c>CALLS_IN_FLIGHT_TOO_MANY</c>); at twice this, or over it for 30 s, the connection is closed.</summary>
    public int OutboundQueueBytes { get; set; } = 16 * 1024 * 1024;

    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Answers kept per session until the client acks them, resent after a reconnect.</summary>
    public int UnackedResultsPerSession { get; set; } = 1024;

    public int UnackedResultMaxAgeSeconds { get; set; } = 300;

    /// <summary>… and their bytes at most this many (the newest answer is always kept).</summary>
    public int UnackedResultBytesPerSession { get; set; } = 8 * 1024 * 1024;

    /// <summary>What a session keeps of those bytes once its connection is gone (the largest go first; a resend of one let
    /// go gets <c>RESULT_DROPPED</c>): 2 MiB, one 1 MiB file range with room to spare.</summary>
    public int UnackedResultBytesPerIdleSession { get; set; } = 2 * 1024 * 1024;

    /// <summary>Bytes of unacked answers all sessions without a connection hold together; past it the answers of the
    /// least recently used go first (down to 90 % of it).</summary>
    public long MaxIdleUnackedResultBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Bytes of unacked answers all sessions hold together, with or without a connection; past it the idle
    /// sessions' answers go first (least recently used first), then those of the connected sessions holding the most
    /// (down to 90 % of it).</summary>
    public long MaxUnackedResultBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Client msg_ids remembered per session (for at most 300 s) so a resent call runs once.</summary>
    public int RecentMsgIdsPerSession { get; set; } = 16384;

    public int SessionIdleTimeoutSeconds { get; set; } = 900;

    public int MaxSessionsPerDevice { get; set; } = 32;

    /// <summary>Sessions without a connection kept on the server at most; past it the least recently used go first,
    /// those that never signed in before any that did.</summary>
    public int MaxIdleSessions { get; set; } = 10_000;

    /// <summary>Msg_ids and unacked answers a session that never signed in keeps once its connection is gone.</summary>
    public const int AnonymousIdleMsgIds = 256;

    /// <summary>Connections open at once from one client address (an IPv6 client: its /64); more are closed as they
    /// come, so one source cannot take the server's memory. 0: no cap.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 1000;

    /// <summary>
    /// Pushes to a connection that was pushed to less than this long ago wait for the next tick of one shared timer
    /// and go out together in one frame: a busy connection gets at most one frame of pushes per period. 0 sends each
    /// at once.
    /// </summary>
    public int PushCoalescingMs { get; set; } = 50;

    /// <summary>
    /// A connection that was sent nothing for this long gets SignalR's keep-alive ping, so a client learns that a
    /// link went silent (a dead Wi-Fi, a suspended laptop, a NAT that forgot it) within its server timeout, 15 s in
    /// both clients. At most 7: half the clients' timeout, so a ping late by one interval still arrives in time.
    /// </summary>
    public int KeepAliveSeconds { get; set; } = 5;

    /// <summary>
    /// Calls that change state (<c>RpcCost.Write</c>: drafts, contacts, folders, dialog flags, profile, …) one user may
    /// make per second, all devices together; past <see cref="WriteBurst"/> they answer 420 <c>FLOOD_WAIT</c>. Posts
    /// have their own limit (<c>Messenger:Messages:PostsPerSecond</c>). 0: no limit.
    /// </summary>
    public int WritesPerSecond { get; set; } = 30;

    /// <summary>Such calls one user may make at once before <see cref="WritesPerSecond"/> applies.</summary>
    public int WriteBurst { get; set; } = 300;

    /// <summary>The longest <see cref="KeepAliveSeconds"/> the clients' 15 s server timeout allows.</summary>
    public const int MaxKeepAliveSeconds = 7;
}

internal sealed class ProtocolOptionsValidator : IValidateOptions<ProtocolOptions>
{
    public ValidateOptionsResult Validate(string? name, ProtocolOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequireInRange(
            problems, ProtocolOptions.Section, nameof(options.MaxFrameBytes), options.MaxFrameBytes, ProtocolOptions.MinFrameBytes, ProtocolOptions.MaxMaxFrameBytes);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.MaxCallsInFlight), options.MaxCallsInFlight);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.OutboundQueueCapacity), options.OutboundQueueCapacity);
        // At least one 1 MiB file range; at most 1 GiB (the close comes at twice it).
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.OutboundQueueBytes), options.OutboundQueueBytes, 1 << 20, 1 << 30);
        // A timer per connection (at most 49.7 days); a handshake takes one round trip.
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.HandshakeTimeoutSeconds), options.HandshakeTimeoutSeconds, 1, 300);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.UnackedResultsPerSession), options.UnackedResultsPerSession);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.UnackedResultMaxAgeSeconds), options.UnackedResultMaxAgeSeconds, 1, 86_400);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.UnackedResultBytesPerSession), options.UnackedResultBytesPerSession);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.UnackedResultBytesPerIdleSession), options.UnackedResultBytesPerIdleSession);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.MaxIdleUnackedResultBytes), options.MaxIdleUnackedResultBytes, 1L << 20, 1L << 40);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.MaxUnackedResultBytes), options.MaxUnackedResultBytes, 1L << 20, 1L << 40);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.RecentMsgIdsPerSession), options.RecentMsgIdsPerSession);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.SessionIdleTimeoutSeconds), options.SessionIdleTimeoutSeconds, 1, 86_400);
        OptionsProblems.RequirePositive(problems, ProtocolOptions.Section, nameof(options.MaxSessionsPerDevice), options.MaxSessionsPerDevice);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.MaxIdleSessions), options.MaxIdleSessions, 1, 10_000_000);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.PushCoalescingMs), options.PushCoalescingMs, 0, 10_000);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.MaxConnectionsPerAddress), options.MaxConnectionsPerAddress, 0, 10_000_000);
        OptionsProblems.RequireInRange(
            problems, ProtocolOptions.Section, nameof(options.KeepAliveSeconds), options.KeepAliveSeconds, 1, ProtocolOptions.MaxKeepAliveSeconds);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.WritesPerSecond), options.WritesPerSecond, 0, 1_000_000);
        OptionsProblems.RequireInRange(problems, ProtocolOptions.Section, nameof(options.WriteBurst), options.WriteBurst, 1, 10_000_000);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
