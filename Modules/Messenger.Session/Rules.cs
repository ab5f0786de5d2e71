using System.Text;
using FluentValidation;
using Messenger.Contracts.Auth;
using Messenger.Kernel.Text;

namespace Messenger.Session;

/// <summary>The field rules the issue fixes, shared by every call that takes the field.</summary>
internal static class Rules
{
    public const int PasswordMinCharacters = 8;
    public const int PasswordMaxBytes = 1024;
    public const int DisplayNameMaxCharacters = 64;
    public const int BioMaxCharacters = 140;

    public static bool IsUsername(string? username) =>
        username is { Length: >= 5 and <= 32 } && username.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');

    /// <summary>Names ending in <c>_bot</c> are the bots' (a webhook's poster): nobody takes one for a person, so a bot's
    /// name in a chat always means a bot. Accounts that took one before keep it.</summary>
    public const string BotSuffix = "_bot";

    public static bool IsReservedForBots(string? username) => username?.EndsWith(BotSuffix, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Usernames are unique case-insensitively: this is the form stored in the unique index.</summary>
    public static string UsernameKey(string username) => username.ToLowerInvariant();

    /// <summary>
    /// The username as it may be read: the key with the look-alikes of a sans-serif font folded together — <c>i</c>,
    /// <c>l</c> and <c>1</c> (so a capital I) to <c>l</c>, <c>0</c> to <c>o</c>, then <c>rn</c> to <c>m</c>. It is
    /// unique like the key, so <c>AIice</c> or <c>a1ice</c> cannot register next to <c>alice</c>. The migration that
    /// added it (<c>UsernameFold</c>) spells the same fold in SQL: change both together.
    /// </summary>
    public static string UsernameFold(string username) =>
        UsernameKey(username).Replace('i', 'l').Replace('1', 'l').Replace('0', 'o').Replace("rn", "m", StringComparison.Ordinal);

    public static int Characters(string text) => text.EnumerateRunes().Count();

    /// <summary>A bio is one line shown under the name in a profile: empty, or held to the name rule (no control
    /// character, line break included; no bidi control or invisible spoofer; something visible).</summary>
    public static bool IsBio(string? bio) => string.IsNullOrWhiteSpace(bio) || TextRules.IsName(bio, int.MaxValue);

    /// <summary>Trimmed, 1–<paramref name="max"/> characters, no control character and none of the invisible ones that
    /// spoof a name (<see cref="TextRules.IsName"/>): they garble every list they appear in.</summary>
    public static bool IsName(string? text, int max) => TextRules.IsName(text, max);

    /// <summary>A username a person may take: the format, and not a bot's.</summary>
    public static IRuleBuilderOptions<T, string> Username<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(u => IsUsername(u) && !IsReservedForBots(u)).WithErrorCode(SessionErrorNames.UsernameInvalid);

    public static IRuleBuilderOptions<T, string> NewPassword<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(p => p is not null && Characters(p) >= PasswordMinCharacters).WithErrorCode(SessionErrorNames.PasswordTooShort)
            .Must(p => p is null || Encoding.UTF8.GetByteCount(p) <= PasswordMaxBytes).WithErrorCode(SessionErrorNames.PasswordTooLong);

    /// <summary>The password that confirms a change of a signed-in account: anything wrong with it is PASSWORD_INVALID.</summary>
    public static IRuleBuilderOptions<T, string> CurrentPassword<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotNull().WithErrorCode(SessionErrorNames.PasswordInvalid)
            .Must(p => p is null || Encoding.UTF8.GetByteCount(p) <= PasswordMaxBytes).WithErrorCode(SessionErrorNames.PasswordInvalid);

    public static IRuleBuilderOptions<T, string> DisplayName<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(n => IsName(n, DisplayNameMaxCharacters)).WithErrorCode(SessionErrorNames.DisplayNameInvalid);

    public static IRuleBuilderOptions<T, string> DeviceName<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(n => IsName(n, 64)).WithErrorCode(SessionErrorNames.DeviceNameInvalid);

    public static IRuleBuilderOptions<T, string> Platform<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(n => IsName(n, 32)).WithErrorCode(SessionErrorNames.PlatformInvalid);
}
