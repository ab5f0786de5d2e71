using System.Globalization;
using System.Text;

namespace Messenger.Kernel.Text;

/// <summary>
/// What user text may hold, for every module that takes it: names (display names, titles, file names) are shown in
/// lists and beside other people's words, so they refuse the invisible characters that only serve to spoof them;
/// message text refuses the control characters no keyboard types. Text stored before these rules is left as it is:
/// clients render it, and no download puts a stored name or type in a header (they answer
/// <c>application/octet-stream</c> without <c>Content-Disposition</c>).
/// </summary>
public static class TextRules
{
    /// <summary>
    /// Whether a name may hold <paramref name="c"/>: no control character (C0, DEL, C1), no bidirectional embedding,
    /// override, isolate or mark (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: "\u202Egnp.exe" shows as
    /// "exe.png" and reverses the text around it), and no invisible character that only hides or joins what the
    /// reader sees (U+200B zero-width space, U+2060–U+2064 word joiner and invisible operators, U+FEFF, U+00AD soft
    /// hyphen, U+206A–U+206F deprecated format controls). The zero-width joiner U+200D and the variation selectors stay:
    /// emoji sequences such as 👨‍👩‍👧 and ❤️ need them; so does the zero-width non-joiner U+200C, which Persian spelling needs.
    /// </summary>
    public static bool IsAllowedInName(char c) =>
        !char.IsControl(c) && c is not ('\u00AD' or '\u061C' or '\u200B' or '\u200E' or '\u200F' or '\uFEFF'
            or (>= '\u202A' and <= '\u202E') or (>= '\u2060' and <= '\u206F'));

    /// <summary>
    /// A name: 1–<paramref name="max"/> characters once trimmed, only characters <see cref="IsAllowedInName"/>, and at
    /// least one the reader can see — a name of joiners, selectors, combining marks or blank fillers alone is empty.
    /// </summary>
    public static bool IsName(string? text, int max)
    {
        var trimmed = text?.Trim();
        return !string.IsNullOrEmpty(trimmed) && trimmed.EnumerateRunes().Count() <= max && trimmed.All(IsAllowedInName)
            && HasVisibleCharacter(trimmed) && !HasLoneSurrogate(trimmed);
    }

    /// <summary>
    /// Whether message text (a text, a caption, an edit, a draft, a poll's words) is clean: no C0 control character
    /// but tab, line feed and carriage return, no DEL, no C1 control (U+0080–U+009F), and no lone surrogate. Bidi
    /// controls stay: mixed right-to-left and left-to-right text needs them, and a message's text is isolated when shown.
    /// </summary>
    public static bool IsCleanText(string? text)
    {
        if (text is null)
        {
            return true;
        }

        // A plain loop: every message send runs it, and LINQ over a string boxes an enumerator per call.
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return false;
            }
        }

        return !HasLoneSurrogate(text);
    }

    private static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800)
            {
                continue;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
                    or UnicodeCategory.Control or UnicodeCategory.Surrogate:
                    continue;
                default:
                    return true;
            }
        }

        return false;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
