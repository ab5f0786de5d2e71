using System.Globalization;
using System.Text;

namespace Messenger.Kernel.Users;

/// <summary>
/// How names are compared when people look for each other: folded (<see cref="Fold"/>) and cut into words
/// (<see cref="Words"/>). The Session module stores names' words in this form and the Message module checks queries
/// with it, so both sides fold alike.
/// </summary>
public static class NameKey
{
    /// <summary>
    /// Case and accents folded: a Latin, Greek or Cyrillic letter becomes its base letters, as its compatibility
    /// decomposition (NFKD) without marks would give ("é" → "e", "ё" → "е", "ά" → "α", "ﬁ" → "fi", full-width "Ａ" → "A");
    /// a combining mark typed after such a letter is dropped; everything is lower-cased invariantly; and the few letters
    /// that do not decompose are spelled as people type them ("ß" → "ss", "ł" → "l", "ø" → "o", final "ς" → "σ");
    /// variation selectors and zero-width (non-)joiners go. Other
    /// scripts keep their marks — a Devanagari vowel sign or a Japanese voicing mark is part of the letter, not an
    /// accent — so they match as written. The table is built in (<see cref="NameFoldTable"/>): the server runs in
    /// invariant globalization mode, without ICU's normalization.
    /// </summary>
    public static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        var accentsDrop = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsInvisibleSelector(rune.Value))
            {
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark)
            {
                if (!accentsDrop)
                {
                    folded.Append(rune);
                }

                continue;
            }

            accentsDrop = IsLatinGreekOrCyrillic(rune.Value);
            if (rune.Value is >= 0xFF01 and <= 0xFF5E)
            {
                AppendLower(folded, new Rune(rune.Value - 0xFEE0)); // full-width ASCII
            }
            else if (rune.IsBmp && NameFoldTable.Bases.TryGetValue((char)rune.Value, out var bases))
            {
                foreach (var letter in bases.EnumerateRunes())
                {
                    AppendLower(folded, letter);
                }
            }
            else
            {
                AppendLower(folded, rune);
            }
        }

        return folded.ToString();
    }

    // Variation selectors (an emoji's U+FE0F) and the zero-width (non-)joiners only choose how their neighbours are
    // drawn: nobody types them in a query, so a name folds as if they were not there.
    private static bool IsInvisibleSelector(int c) => c is (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF) or 0x200C or 0x200D;

    private static void AppendLower(StringBuilder folded, Rune rune)
    {
        var lower = Rune.ToLowerInvariant(rune);
        folded.Append(lower.Value switch
        {
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'ø' => "o",
            'ł' => "l",
            'đ' or 'ð' => "d",
            'þ' => "th",
            'ı' => "i",
            'ς' => "σ",
            _ => lower.ToString(),
        });
    }

    /// <summary>The folded words of <paramref name="text"/>: runs of letters, digits and their marks, each begun by a
    /// letter or a digit; anything else — spaces, punctuation such as <c>- . _ '</c>, symbols, emoji, a mark with no
    /// letter before it — separates them. Empty when there is no word.</summary>
    public static List<string> Words(string text)
    {
        var folded = Fold(text);
        var words = new List<string>();
        var start = -1;
        var index = 0;
        foreach (var rune in folded.EnumerateRunes())
        {
            // A mark carries on a word, never begins one: a lone accent or an emoji's keycap is no word to find.
            var kind = WordRuneKind(rune);
            if (kind == WordRune.LetterOrDigit || (kind == WordRune.Mark && start >= 0))
            {
                start = start < 0 ? index : start;
            }
            else if (start >= 0)
            {
                words.Add(folded[start..index]);
                start = -1;
            }

            index += rune.Utf16SequenceLength;
        }

        if (start >= 0)
        {
            words.Add(folded[start..]);
        }

        return words;
    }

    /// <summary>Whether <paramref name="query"/> has a word to look for (not only spaces and punctuation).</summary>
    public static bool HasWord(string query) => Words(query).Count > 0;

    /// <summary>
    /// The start of a username <paramref name="query"/> may be, lower-cased: the query trimmed and without its leading
    /// '@'s, when only the characters of usernames (<c>A–Z a–z 0–9 _</c>) are left; otherwise null. Such a query is
    /// searchable even without a word (<c>_</c>, <c>@__</c>), since usernames may be underscores and digits alone.
    /// </summary>
    public static string? UsernamePrefix(string query)
    {
        var typed = query.Trim().TrimStart('@');
        return typed.Length > 0 && typed.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? typed.ToLowerInvariant() : null;
    }

    /// <summary>Whether a name search can look for <paramref name="query"/>: it has a word, or it is the start of a
    /// username (<see cref="UsernamePrefix"/>).</summary>
    public static bool IsSearchable(string query) => HasWord(query) || UsernamePrefix(query) is not null;

    private enum WordRune
    {
        None,
        LetterOrDigit,
        Mark,
    }

    private static WordRune WordRuneKind(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => WordRune.LetterOrDigit,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => WordRune.LetterOrDigit,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => WordRune.Mark,
        _ => WordRune.None,
    };

    // Basic Latin to Cyrillic Supplement, Cyrillic Extended-C, the phonetic extensions, Latin Extended Additional and
    // Greek Extended, Latin Extended-C, Cyrillic Extended-B, Latin Extended-D and -E.
    private static bool IsLatinGreekOrCyrillic(int c) =>
        c < 0x0530 || c is (>= 0x1C80 and <= 0x1C8F) or (>= 0x1D00 and <= 0x1FFF) or (>= 0x2C60 and <= 0x2C7F)
            or (>= 0xA640 and <= 0xA69F) or (>= 0xA720 and <= 0xA7FF) or (>= 0xAB30 and <= 0xAB6F);
}
