using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Protocol;

/// <summary>The <c>Messenger:Protocol</c> section: limits of the encrypted transport and its sessions.</summary>
internal sealed class ProtocolOptions
{
    public const string Section = "Messenger:Protocol";

    /// <summary>Largest frame a client may send: a 512 KiB upload part plus envelope and chunk overhead.</summary>
    public int MaxFrameBytes { get; set; } = 600 * 1024;

    public int MaxCallsInFlight { get; set; } = 1024;

    /// <summary>Envelopes waiting to be sent to one connection; a client that stops reading is disconnected when full.</summary>
    public int OutboundQueueCapacity { get; set; } = 8192;

    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Answers kept per session until the client acks them, resent after a reconnect.</summary>
    public int UnackedResultsPerSession { get; set; } = 1024;

    public int UnackedResultMaxAgeSeconds { get; set; } = 300;

    /// <summary>Client msg_ids remembered per session (for at most 300 s) so a resent call runs once.</summary>
    public int RecentMsgIdsPerSession { get; set; } = 16384;

    public int SessionIdleTimeoutSeconds { get; set; } = 900;

    public int MaxSessionsPerDevice { get; set; } = 32;
}

internal sealed class ProtocolOptionsValidator : IValidateOptions<ProtocolOptions>
{
    public ValidateOptionsResult Validate(string? name, ProtocolOptions options)
    {
        var problems = new List<string>();
        Positive(problems, nameof(options.MaxFrameBytes), options.MaxFrameBytes);
        Positive(problems, nameof(options.MaxCallsInFlight), options.MaxCallsInFlight);
        Positive(problems, nameof(options.OutboundQueueCapacity), options.OutboundQueueCapacity);
        Positive(problems, nameof(options.HandshakeTimeoutSeconds), options.HandshakeTimeoutSeconds);
        Positive(problems, nameof(options.UnackedResultsPerSession), options.UnackedResultsPerSession);
        Positive(problems, nameof(options.UnackedResultMaxAgeSeconds), options.UnackedResultMaxAgeSeconds);
        Positive(problems, nameof(options.RecentMsgIdsPerSession), options.RecentMsgIdsPerSession);
        Positive(problems, nameof(options.SessionIdleTimeoutSeconds), options.SessionIdleTimeoutSeconds);
        Positive(problems, nameof(options.MaxSessionsPerDevice), options.MaxSessionsPerDevice);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, string key, int value)
    {
        if (value <= 0)
        {
            problems.Add($"{ProtocolOptions.Section}:{key}: must be greater than zero (was {value})");
        }
    }
}
