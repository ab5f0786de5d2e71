namespace Messenger.Media.Attachments;

/// <summary>The MIME type a media's description may carry.</summary>
internal static class MediaInputRules
{
    /// <summary>RFC 6838 §4.2: a type and a subtype name are each 1–127 restricted-name characters.</summary>
    private const int MaxNameLength = 127;

    /// <summary>
    /// <paramref name="mimeType"/> as stored: its parameters (from the first ';', as in "text/plain; charset=utf-8")
    /// dropped, since no client needs them to show a file and a browser's or a bot's upload often sends them; trimmed
    /// and lower-cased; or null when the rest is not RFC 6838's <c>type/subtype</c>, each a letter or digit followed by
    /// letters, digits and <c>! # $ &amp; - ^ _ . +</c> — so no space, no control character, nothing a header or a
    /// file type check would read otherwise ("image/svg+xml\r\nX-Evil: 1" is refused, not stored as a photo).
    /// </summary>
    public static string? MimeType(string? mimeType)
    {
        var essence = (mimeType?.Split(';', 2)[0].Trim() ?? "").ToLowerInvariant();
        return essence.Split('/') is [var type, var subtype] && IsRestrictedName(type) && IsRestrictedName(subtype) ? essence : null;
    }

    private static bool IsRestrictedName(string name) =>
        name.Length is > 0 and <= MaxNameLength && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '&' or '-' or '^' or '_' or '.' or '+');
}
