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
    /// The look-alikes of a sans-serif font, in the order <see cref="UsernameFold"/> reads them: <c>i</c> and <c>1</c>
    /// (so a capital I) as <c>l</c>, <c>0</c> as <c>o</c>, then <c>rn</c> as <c>m</c>. The migration that added the fold
    /// (<c>UsernameFold</c>) spells the same table in SQL, and the web client's <c>nameSearch.ts</c> in TypeScript:
    /// change all three together.
    /// </summary>
    public static readonly IReadOnlyList<(string From, string To)> UsernameLookAlikes = [("i", "l"), ("1", "l"), ("0", "o"), ("rn", "m")];

    /// <summary>
    /// The username as it may be read: the key with <see cref="UsernameLookAlikes"/> folded together. It is unique like
    /// the key, so <c>AIice</c> or <c>a1ice</c> cannot register next to <c>alice</c>.
    /// </summary>
    public static string UsernameFold(string username)
    {
        var fold = UsernameKey(username);
        foreach (var (from, to) in UsernameLookAlikes)
        {
            fold = fold.Replace(from, to, StringComparison.Ordinal);
        }

        return fold;
    }

    /// <summary>The letters <see cref="UsernameLookAlikes"/> read or yield (<c>rn</c> yields <c>m</c>): a query with
    /// none of them has no look-alike but itself.</summary>
    public static readonly System.Buffers.SearchValues<char> UsernameFoldLetters =
        System.Buffers.SearchValues.Create(string.Concat(UsernameLookAlikes.Select(rule => rule.From + rule.To)));

    /// <summary>
    /// What a username's fold starts with when a query's fold (<paramref name="queryFold"/>) finds it: the query's fold,
    /// and for a query that ends in the first letters of a longer look-alike (<c>bar</c>, of <c>rn</c>) the same with
    /// those letters read as it (<c>bam</c>). The fold of a start is not always the start of the fold (<c>bar</c> →
    /// <c>bar</c>, <c>barn</c> → <c>bam</c>); with this a query that finds a name still finds it with its last letters
    /// deleted, so search-as-you-type only narrows. No look-alike yields a letter that begins a longer one, so a fold
    /// ending in <c>r</c> ends in a query's own <c>r</c>.
    /// </summary>
    public static IEnumerable<string> UsernameFoldStarts(string queryFold)
    {
        yield return queryFold;
        foreach (var (from, to) in UsernameLookAlikes)
        {
            for (var typed = 1; typed < from.Length; typed++)
            {
                if (queryFold.EndsWith(from.AsSpan(0, typed), StringComparison.Ordinal))
                {
                    yield return queryFold[..^typed] + to;
                }
            }
        }
    }

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
