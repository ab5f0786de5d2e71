using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Update.WebPush;

/// <summary>The <c>Messenger:Push</c> section: Web Push notifications for devices that are not connected.</summary>
internal sealed class PushOptions
{
    public const string Section = "Messenger:Push";

    /// <summary>Off: devices cannot subscribe (<c>PUSH_DISABLED</c>) and nothing is pushed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The contact push services see in the VAPID token (<c>mailto:</c> or <c>https:</c>), for when they need
    /// to reach the server's admin.</summary>
    public string Subject { get; set; } = "mailto:admin@localhost";

    /// <summary>Whether a notification shows the message's text (encrypted for the device either way); off, it only
    /// says who wrote.</summary>
    public bool ShowText { get; set; } = true;

    /// <summary>How long a push service keeps a notification for a device that is offline (0 = deliver now or never).</summary>
    public int TimeToLiveHours { get; set; } = 24;

    /// <summary>Lets endpoints on loopback and private networks be reached (a push service of one's own on the LAN,
    /// tests); off, only public addresses over https are.</summary>
    public bool PrivateNetworks { get; set; }
}

internal sealed class PushOptionsValidator : IValidateOptions<PushOptions>
{
    public ValidateOptionsResult Validate(string? name, PushOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequireInRange(problems, PushOptions.Section, nameof(options.TimeToLiveHours), options.TimeToLiveHours, 0, 672);
        if (!(options.Subject.StartsWith("mailto:", StringComparison.Ordinal) && options.Subject.Length > 7
              || Uri.TryCreate(options.Subject, UriKind.Absolute, out var subject) && subject.Scheme == Uri.UriSchemeHttps))
        {
            problems.Add($"{PushOptions.Section}:{nameof(options.Subject)} must be a mailto: or https: address, not '{options.Subject}'");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
