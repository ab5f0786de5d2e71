using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Update;

/// <summary>The <c>Messenger:Update</c> section: presence timing.</summary>
internal sealed class UpdateOptions
{
    public const string Section = "Messenger:Update";

    /// <summary>A user whose last device left is shown offline this long afterwards (a reconnect in between is not
    /// a flicker), with "last seen" at the moment they left.</summary>
    public int OfflineAfterSeconds { get; set; } = 30;
}

internal sealed class UpdateOptionsValidator : IValidateOptions<UpdateOptions>
{
    public ValidateOptionsResult Validate(string? name, UpdateOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequireInRange(problems, UpdateOptions.Section, nameof(options.OfflineAfterSeconds), options.OfflineAfterSeconds, 0, 3600);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
