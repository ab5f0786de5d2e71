using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Message.Calls;

/// <summary>The <c>Messenger:Calls</c> section: how long a call rings, and the ICE servers clients use.</summary>
internal sealed class CallOptions
{
    public const string Section = "Messenger:Calls";

    /// <summary>Seconds a call rings before it is missed.</summary>
    public int RingTimeoutSeconds { get; set; } = 45;

    /// <summary>Seconds a call waits for a side whose connection to the server closed (a network change, a blip) to
    /// come back on the same device before it ends; the call's media does not pass through the server and may go on
    /// meanwhile. 0 ends it at once.</summary>
    public int ReconnectGraceSeconds { get; set; } = 20;

    /// <summary>Participants a group's voice chat may have: each app holds a connection to each other participant (a
    /// mesh), so its upload grows with their number.</summary>
    public int GroupCallMaxParticipants { get; set; } = 8;

    /// <summary>STUN/TURN servers handed to clients (<c>phone.getCallConfig</c>). None: the two sides connect directly,
    /// which works on one network; across NATs a TURN server (coturn) is needed.</summary>
    public List<IceServerOptions> IceServers { get; set; } = [];

    /// <summary>The secret shared with the TURN server (coturn's <c>static-auth-secret</c> with <c>use-auth-secret</c>):
    /// set, each user gets credentials of their own for every TURN server without a <c>Username</c> of its own, valid
    /// <see cref="TurnCredentialHours"/> (the TURN REST API: <c>username</c> "expiry:user id", <c>credential</c>
    /// base64(HMAC-SHA1(secret, username))), so a user blocked or signed out keeps no lasting way through the relay.</summary>
    public string? TurnSecret { get; set; }

    /// <summary>Hours the credentials minted with <see cref="TurnSecret"/> stay valid.</summary>
    public int TurnCredentialHours { get; set; } = 12;
}

internal sealed class IceServerOptions
{
    public List<string> Urls { get; set; } = [];

    public string? Username { get; set; }

    public string? Credential { get; set; }
}

internal sealed class CallOptionsValidator : IValidateOptions<CallOptions>
{
    public ValidateOptionsResult Validate(string? name, CallOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequireInRange(problems, CallOptions.Section, nameof(options.RingTimeoutSeconds), options.RingTimeoutSeconds, 5, 600);
        OptionsProblems.RequireInRange(problems, CallOptions.Section, nameof(options.ReconnectGraceSeconds), options.ReconnectGraceSeconds, 0, 300);
        OptionsProblems.RequireInRange(problems, CallOptions.Section, nameof(options.GroupCallMaxParticipants), options.GroupCallMaxParticipants, 2, 32);
        OptionsProblems.RequireInRange(problems, CallOptions.Section, nameof(options.TurnCredentialHours), options.TurnCredentialHours, 1, 168);
        if (options.IceServers.Any(server => server.Urls.Count == 0 || server.Urls.Any(url => !url.StartsWith("stun:") && !url.StartsWith("turn:") && !url.StartsWith("turns:"))))
        {
            problems.Add($"{CallOptions.Section}:{nameof(options.IceServers)}: each needs Urls starting with stun:, turn: or turns:.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
