using Messenger.Kernel.Configuration;
using Microsoft.Extensions.Options;

namespace Messenger.Kernel.Media;

/// <summary>When the background thumbnail passes start (<c>Messenger:Media</c>): the Media module's over blobs left
/// untried, and the descriptor passes (<see cref="DescriptorThumbnailPass"/>) of the modules that keep copies. Here in
/// the Kernel because both sides read it.</summary>
public sealed class ThumbnailPassOptions
{
    public const string Section = "Messenger:Media";

    /// <summary>Seconds after start before the Media module's first pass (the descriptor passes start at twice this);
    /// 0 runs none of them by themselves (tests run them by hand; images left untried stay so).</summary>
    public int ThumbnailPassDelaySeconds { get; set; } = 30;

    public TimeSpan? Delay => ThumbnailPassDelaySeconds > 0 ? TimeSpan.FromSeconds(ThumbnailPassDelaySeconds) : null;
}

internal sealed class ThumbnailPassOptionsValidator : IValidateOptions<ThumbnailPassOptions>
{
    public ValidateOptionsResult Validate(string? name, ThumbnailPassOptions options)
    {
        var problems = new List<string>();
        OptionsProblems.RequireInRange(problems, ThumbnailPassOptions.Section, nameof(options.ThumbnailPassDelaySeconds), options.ThumbnailPassDelaySeconds, 0, 86_400);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
