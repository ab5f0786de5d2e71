using Messenger.Kernel.Configuration;
using Messenger.Message.Forwarding;
using Microsoft.Extensions.Options;

namespace Messenger.Message;

/// <summary>The <c>Messenger:Message</c> section: group sizes and how fast one user may post.</summary>
internal sealed class MessageOptions
{
    public const string Section = "Messenger:Message";

    /// <summary>Members of a small group (each message is copied into every member's log). Adding past this turns
    /// the group into a large group (one way).</summary>
    public int SmallGroupLimit { get; set; } = 200;

    /// <summary>Members of a large group or channel.</summary>
    public int LargeGroupLimit { get; set; } = 200_000;

    /// <summary>Posts (messages sent, forwarded or edited) per second one user keeps up; 0 turns the limit off.</summary>
    public int PostsPerSecond { get; set; } = 20;

    /// <summary>Posts one user may make at once before <see cref="PostsPerSecond"/> applies. At least a whole forward
    /// (100 messages), so every call can pass.</summary>
    public int PostBurst { get; set; } = 200;

    /// <summary>Days a message is kept: older ones are deleted for everyone, in every chat (a server-wide retention
    /// policy); 0 keeps them for good.</summary>
    public int RetentionDays { get; set; }

    /// <summary>Whether the server fetches a preview of the first link in a text message (title, description, site).</summary>
    public bool LinkPreviews { get; set; } = true;

    /// <summary>Whether those fetches may reach loopback, private and link-local addresses (an intranet's pages); off,
    /// a link can only lead the server to public addresses.</summary>
    public bool LinkPreviewsPrivateNetworks { get; set; }

    /// <summary>Groups of up to this many members are read whole when their members are searched by name; larger ones
    /// are searched through the server's name indexes (<c>groups.getFull</c> with a query).</summary>
    public int MemberSearchScanLimit { get; set; } = 2000;

    /// <summary>Secret chats one user may start with the same person in 24 hours (however each ended: a request a script
    /// cancels and starts again costs the other side log entries and a listed row); 0 turns the limit off.</summary>
    public int SecretChatsPerPeerPerDay { get; set; } = 10;

    /// <summary>Whether secret chats may carry files (encrypted blobs the operator cannot look into); off,
    /// <c>secret.sendEncrypted</c> with a file answers 403 <c>ENCRYPTED_FILES_DISABLED</c>.</summary>
    public bool SecretFiles { get; set; } = true;
}

internal sealed class MessageOptionsValidator : IValidateOptions<MessageOptions>
{
    public ValidateOptionsResult Validate(string? name, MessageOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.SmallGroupLimit), options.SmallGroupLimit, 2, 10_000);
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.LargeGroupLimit), options.LargeGroupLimit, 2, 10_000_000);
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.PostsPerSecond), options.PostsPerSecond, 0, 1_000_000);
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.PostBurst), options.PostBurst, ForwardMessagesValidator.MaxIds, 10_000_000);
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.RetentionDays), options.RetentionDays, 0, 36_600);
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.MemberSearchScanLimit), options.MemberSearchScanLimit, 0, 100_000);
        OptionsProblems.RequireInRange(problems, MessageOptions.Section, nameof(options.SecretChatsPerPeerPerDay), options.SecretChatsPerPeerPerDay, 0, 10_000);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
