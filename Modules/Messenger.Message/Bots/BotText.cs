using System.Globalization;
using System.Text;
using System.Text.Json;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Messages;
using Messenger.Kernel.Text;

namespace Messenger.Message.Bots;

/// <summary>
/// A bot's formatted text, as Telegram's Bot API takes it and gives it back. In: <c>parse_mode</c> (<c>HTML</c>,
/// <c>MarkdownV2</c>, legacy <c>Markdown</c>, any case) or an <c>entities</c> / <c>caption_entities</c> array (which wins
/// over <c>parse_mode</c>, as on Telegram), made into the messages' markup by <see cref="MessageMarkup.Write"/>; without
/// either the text is plain, its markers escaped where they would be read as markup. Out: a message's markup as plain
/// text and <c>entities</c> (<see cref="MessageMarkup.Parse"/>). Bad markup is Telegram's 400 "can't parse entities".
/// </summary>
internal static class BotText
{
    /// <summary>Telegram's entity types; the ones markup has no marker for keep their text.</summary>
    private static readonly HashSet<string> KnownTypes =
    [
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic", "underline",
        "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre", "text_link", "text_mention", "custom_emoji",
    ];

    /// <summary>The markup to send for <paramref name="textField"/> (with <paramref name="entitiesField"/> and
    /// <c>parse_mode</c>); an absent optional text is empty. A text (a caption when the field is not required) longer
    /// than its limit is refused before it is written as markup: writing reads the text again for addresses and
    /// mentions, work a 64 KB body should not buy when the send would be refused anyway.</summary>
    public static string Read(BotRequest request, string textField, string entitiesField, bool required)
    {
        var (limit, tooLong) = required
            ? (Sending.SendMessageValidator.MaxTextLength, MessageErrorNames.MessageTooLong)
            : (Sending.SendMessageValidator.MaxCaptionLength, MediaErrorNames.MediaCaptionTooLong);
        var text = required ? request.Required(textField) : request.String(textField) ?? "";
        if (!TextRules.IsCleanText(text))
        {
            throw MessengerError.BadRequest(MessageErrorNames.MessageTextInvalid);
        }

        var mode = request.String("parse_mode");
        var given = request.Json(entitiesField);
        // Entities win over parse_mode, as on Telegram: with them, parse_mode is not read at all.
        if (given is null && mode is { Length: > 0 } && !(Is(mode, "HTML") || Is(mode, "MarkdownV2") || Is(mode, "Markdown")))
        {
            throw MessengerError.BadRequest(BotErrorNames.ParseModeInvalid, mode);
        }

        try
        {
            var formatted = given is { } entities ? new FormattedText(text, ReadEntities(entities))
                : mode is not { Length: > 0 } ? new FormattedText(text, [])
                : Is(mode, "HTML") ? Html(text)
                : Is(mode, "MarkdownV2") ? MarkdownV2(text)
                : Markdown(text);
            // As the send's own check (Fits): the visible text, trimmed, counts.
            if (formatted.Text.Length > limit && formatted.Text.AsSpan().Trim().Length > limit)
            {
                throw MessengerError.BadRequest(tooLong);
            }

            return MessageMarkup.Write(formatted.Text, formatted.Entities);
        }
        catch (FormatException e)
        {
            throw MessengerError.BadRequest(BotErrorNames.EntitiesInvalid, e.Message);
        }
    }

    /// <summary>A message's text and its entities as a bot reads them: <c>(text, entities)</c>, entities null when none.</summary>
    public static (string Text, object[]? Entities) ForBot(string markup)
    {
        var formatted = MessageMarkup.Parse(markup);
        return (formatted.Text, formatted.Entities.Count == 0 ? null : [.. formatted.Entities.Select(e => new
        {
            type = e.Type, offset = e.Offset, length = e.Length,
            url = e.Type == "text_link" ? e.Url : null,
            language = e.Type == "pre" ? e.Language : null,
        })]);
    }

    private static bool Is(string mode, string name) => string.Equals(mode, name, StringComparison.OrdinalIgnoreCase);

    private static List<TextEntity> ReadEntities(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("entities must be an array");
        }

        if (array.GetArrayLength() > MessageMarkup.MaxEntities)
        {
            throw TooMany();
        }

        var entities = new List<TextEntity>();
        foreach (var (item, index) in array.EnumerateArray().Select((item, index) => (item, index)))
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("offset", out var offset) || offset.ValueKind != JsonValueKind.Number || !offset.TryGetInt32(out var at)
                || !item.TryGetProperty("length", out var length) || length.ValueKind != JsonValueKind.Number || !length.TryGetInt32(out var count))
            {
                throw new FormatException($"entity {index} must be an object with a string type and whole-number offset and length");
            }

            var name = type.GetString()!;
            if (!KnownTypes.Contains(name))
            {
                throw new FormatException($"entity {index} has an unsupported type \"{name}\"");
            }

            string? url = null;
            if (name == "text_link")
            {
                url = item.TryGetProperty("url", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
                if (url is null || MessageMarkup.SafeUrl(url) is null)
                {
                    throw new FormatException($"entity {index} (text_link) needs an http or https url");
                }
            }

            var language = name == "pre" && item.TryGetProperty("language", out var lang) && lang.ValueKind == JsonValueKind.String ? lang.GetString() : null;
            entities.Add(new TextEntity(name, at, count, url, language));
        }

        return entities;
    }

    private static FormatException TooMany() => new($"too many entities (at most {MessageMarkup.MaxEntities})");

    /// <summary>Where in the source an error is, as Telegram says it: in UTF-8 bytes.</summary>
    private static int ByteOffset(string source, int at) => Encoding.UTF8.GetByteCount(source.AsSpan(0, Math.Min(at, source.Length)));

    private static string LinkUrl(string url, string source, int at) =>
        MessageMarkup.SafeUrl(url) is not null ? url : throw new FormatException($"Unsupported URL \"{url}\" at byte offset {ByteOffset(source, at)}: only http and https links are allowed");

    /// <summary>Telegram's HTML: b, strong, i, em, u, ins, s, strike, del, span class="tg-spoiler", tg-spoiler, a href,
    /// code, pre (with code class="language-…" inside), blockquote and tg-emoji (their text kept); the entities &amp;lt;
    /// &amp;gt; &amp;amp; &amp;quot; and numeric ones.</summary>
    private static FormattedText Html(string source)
    {
        var text = new StringBuilder(source.Length);
        var entities = new List<TextEntity>();
        var open = new Stack<(string Tag, string? Type, int Start, string? Url)>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '&')
            {
                var (decoded, used) = HtmlEntity(source, i);
                text.Append(decoded);
                i += used;
                continue;
            }

            if (c != '<')
            {
                text.Append(c);
                i++;
                continue;
            }

            var close = TagEnd(source, i + 1);
            if (close < 0)
            {
                throw new FormatException($"Unclosed start tag at byte offset {ByteOffset(source, i)}");
            }

            var tag = source[(i + 1)..close];
            if (tag.StartsWith('/'))
            {
                var name = tag[1..].Trim().ToLowerInvariant();
                if (open.Count == 0)
                {
                    throw new FormatException($"Unexpected end tag at byte offset {ByteOffset(source, i)}");
                }

                var top = open.Pop();
                if (top.Tag != name)
                {
                    throw new FormatException($"Unmatched end tag at byte offset {ByteOffset(source, i)}, expected \"</{top.Tag}>\", found \"</{name}>\"");
                }

                if (top.Type is { } type && text.Length > top.Start)
                {
                    entities.Add(new TextEntity(type, top.Start, text.Length - top.Start, top.Url));
                }

                i = close + 1;
                continue;
            }

            var nameEnd = 0;
            while (nameEnd < tag.Length && (char.IsAsciiLetterOrDigit(tag[nameEnd]) || tag[nameEnd] == '-'))
            {
                nameEnd++;
            }

            var tagName = tag[..nameEnd].ToLowerInvariant();
            var attributes = HtmlAttributes(tag[nameEnd..], source, i);
            string? entityType = tagName switch
            {
                "b" or "strong" => "bold",
                "i" or "em" => "italic",
                "u" or "ins" => "underline",
                "s" or "strike" or "del" => "strikethrough",
                "tg-spoiler" => "spoiler",
                "span" => attributes.GetValueOrDefault("class") == "tg-spoiler"
                    ? "spoiler"
                    : throw new FormatException($"Tag \"span\" must have class \"tg-spoiler\" at byte offset {ByteOffset(source, i)}"),
                "a" => "text_link",
                "code" => open.Count > 0 && open.Peek().Tag == "pre" ? null : "code",
                "pre" => "pre",
                "blockquote" or "tg-emoji" => null,
                _ => throw new FormatException($"Unsupported start tag \"{tagName}\" at byte offset {ByteOffset(source, i)}"),
            };
            string? url = null;
            if (tagName == "a")
            {
                url = LinkUrl(attributes.GetValueOrDefault("href") ?? "", source, i);
            }

            if (tagName == "code" && entityType is null && attributes.GetValueOrDefault("class") is { } language && language.StartsWith("language-", StringComparison.Ordinal))
            {
                var pre = open.Pop();
                open.Push(pre with { Url = language["language-".Length..] });
            }

            // Every open tag with a kind becomes an entity: more than a message may hold fails before any nesting piles up.
            if (open.Count + entities.Count >= MessageMarkup.MaxEntities)
            {
                throw TooMany();
            }

            open.Push((tagName, entityType, text.Length, url));
            i = close + 1;
        }

        if (open.Count > 0)
        {
            throw new FormatException($"Can't find end tag corresponding to start tag \"{open.Peek().Tag}\"");
        }

        // A pre's language rode in its Url slot.
        return new FormattedText(text.ToString(), [.. entities.Select(e => e.Type == "pre" ? e with { Url = null, Language = e.Url } : e)]);
    }

    /// <summary>The <c>&gt;</c> that ends the tag starting before <paramref name="at"/>: one inside a quoted attribute
    /// value does not; -1 when none does.</summary>
    private static int TagEnd(string source, int at)
    {
        char? quote = null;
        for (var i = at; i < source.Length; i++)
        {
            var c = source[i];
            if (quote is { } q)
            {
                quote = c == q ? null : q;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i;
            }
        }

        return -1;
    }

    private static Dictionary<string, string> HtmlAttributes(string rest, string source, int at)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < rest.Length)
        {
            if (char.IsWhiteSpace(rest[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < rest.Length && (char.IsAsciiLetterOrDigit(rest[i]) || rest[i] is '-' or '_'))
            {
                i++;
            }

            if (i == start)
            {
                throw new FormatException($"Unexpected character '{rest[i]}' in a tag at byte offset {ByteOffset(source, at)}");
            }

            var name = rest[start..i].ToLowerInvariant();
            var value = "";
            if (i < rest.Length && rest[i] == '=')
            {
                i++;
                if (i < rest.Length && rest[i] is '"' or '\'')
                {
                    var quote = rest[i];
                    var end = rest.IndexOf(quote, i + 1);
                    if (end < 0)
                    {
                        throw new FormatException($"Unclosed attribute value in a tag at byte offset {ByteOffset(source, at)}");
                    }

                    value = rest[(i + 1)..end];
                    i = end + 1;
                }
                else
                {
                    var end = i;
                    while (end < rest.Length && !char.IsWhiteSpace(rest[end]))
                    {
                        end++;
                    }

                    value = rest[i..end];
                    i = end;
                }
            }

            attributes[name] = HtmlDecode(value);
        }

        return attributes;
    }

    private static string HtmlDecode(string value)
    {
        var decoded = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length;)
        {
            if (value[i] == '&')
            {
                var (text, used) = HtmlEntity(value, i);
                decoded.Append(text);
                i += used;
            }
            else
            {
                decoded.Append(value[i++]);
            }
        }

        return decoded.ToString();
    }

    /// <summary>An entity at <paramref name="at"/> (<c>&amp;lt;</c>, <c>&amp;gt;</c>, <c>&amp;amp;</c>, <c>&amp;quot;</c>,
    /// <c>&amp;#N;</c>, <c>&amp;#xN;</c>) and how many characters it took; any other <c>&amp;</c> is itself.</summary>
    private static (string Text, int Used) HtmlEntity(string source, int at)
    {
        // The longest entity read (&#x10FFFF;) is 10 characters: the search goes no further, so a text of & is linear.
        var end = source.IndexOf(';', at, Math.Min(11, source.Length - at));
        if (end < 0)
        {
            return ("&", 1);
        }

        var name = source[(at + 1)..end];
        var named = name switch { "lt" => "<", "gt" => ">", "amp" => "&", "quot" => "\"", _ => null };
        if (named is not null)
        {
            return (named, end - at + 1);
        }

        if (name.StartsWith('#')
            && (name.Length > 1 && (name[1] is 'x' or 'X')
                ? int.TryParse(name.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                : int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out code))
            && code is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF))
        {
            return (char.ConvertFromUtf32(code), end - at + 1);
        }

        return ("&", 1);
    }

    private static readonly Dictionary<string, string> V2Names = new()
    {
        ["bold"] = "Bold", ["italic"] = "Italic", ["underline"] = "Underline", ["strikethrough"] = "Strikethrough",
        ["spoiler"] = "Spoiler", ["text_link"] = "TextUrl",
    };

    /// <summary>Telegram's MarkdownV2: *bold*, _italic_, __underline__, ~strikethrough~, ||spoiler||, [text](url),
    /// `code`, ```pre```, a &gt; at a line's start (a quote: its text kept); every reserved character elsewhere escaped with
    /// a backslash, as Telegram requires.</summary>
    private static FormattedText MarkdownV2(string source)
    {
        const string reserved = "_*[]()~`>#+-=|{}.!";
        var text = new StringBuilder(source.Length);
        var entities = new List<TextEntity>();
        var open = new List<(string Type, int Start, int At)>();
        // Where each kind is open in `open` (a kind is open at most once: its marker closes it), so a marker costs O(1).
        var openAt = new Dictionary<string, int>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '\\' && i + 1 == source.Length)
            {
                throw new FormatException($"Character '\\' at byte offset {ByteOffset(source, i)} escapes nothing");
            }

            if (c == '\\' && source[i + 1] is >= (char)1 and <= (char)126)
            {
                text.Append(source[i + 1]);
                i += 2;
                continue;
            }

            if (c == '`')
            {
                var fence = string.CompareOrdinal(source, i, "```", 0, 3) == 0;
                var (content, end) = V2Literal(source, i + (fence ? 3 : 1), fence ? "```" : "`")
                    ?? throw new FormatException($"Can't find end of {(fence ? "Pre" : "Code")} entity at byte offset {ByteOffset(source, i)}");
                string? language = null;
                if (fence && content.IndexOf('\n') is var line and >= 0 && content[..line].All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '+' or '#' or '-' or '_'))
                {
                    language = line > 0 ? content[..line] : null;
                    content = content[(line + 1)..];
                }

                if (content.Length > 0)
                {
                    entities.Add(new TextEntity(fence ? "pre" : "code", text.Length, content.Length, Language: language));
                }

                text.Append(content);
                i = end;
                continue;
            }

            string? type = c switch
            {
                '*' => "bold",
                '_' => i + 1 < source.Length && source[i + 1] == '_' ? "underline" : "italic",
                '~' => "strikethrough",
                '|' when i + 1 < source.Length && source[i + 1] == '|' => "spoiler",
                _ => null,
            };
            if (type is not null)
            {
                var width = type is "underline" or "spoiler" ? 2 : 1;
                if (openAt.TryGetValue(type, out var at))
                {
                    if (at != open.Count - 1)
                    {
                        var inner = open[^1];
                        throw new FormatException($"Can't find end of {V2Names[inner.Type]} entity at byte offset {ByteOffset(source, inner.At)}");
                    }

                    var entity = open[^1];
                    open.RemoveAt(open.Count - 1);
                    openAt.Remove(type);
                    if (text.Length > entity.Start)
                    {
                        entities.Add(new TextEntity(type, entity.Start, text.Length - entity.Start));
                    }
                }
                else
                {
                    Opens(type, i);
                }

                i += width;
                continue;
            }

            if (c == '[')
            {
                // Links do not nest: a [ inside a link's text is reserved, as on Telegram.
                if (openAt.ContainsKey("text_link"))
                {
                    throw new FormatException($"Character '[' is reserved and must be escaped with the preceding '\\'");
                }

                Opens("text_link", i);
                i++;
                continue;
            }

            if (c == ']' && open.Count > 0 && open[^1].Type == "text_link")
            {
                var link = open[^1];
                open.RemoveAt(open.Count - 1);
                openAt.Remove("text_link");
                if (i + 1 >= source.Length || source[i + 1] != '(' || V2Literal(source, i + 2, ")") is not var (url, end))
                {
                    throw new FormatException($"Can't find end of a URL at byte offset {ByteOffset(source, i)}");
                }

                if (text.Length > link.Start)
                {
                    entities.Add(new TextEntity("text_link", link.Start, text.Length - link.Start, LinkUrl(url, source, i)));
                }

                i = end;
                continue;
            }

            if (c == '>' && (i == 0 || source[i - 1] == '\n'))
            {
                i++;
                continue;
            }

            if (reserved.Contains(c))
            {
                throw new FormatException($"Character '{c}' is reserved and must be escaped with the preceding '\\'");
            }

            text.Append(c);
            i++;
        }

        if (open.Count > 0)
        {
            throw new FormatException($"Can't find end of {V2Names[open[^1].Type]} entity at byte offset {ByteOffset(source, open[^1].At)}");
        }

        return new FormattedText(text.ToString(), entities);

        void Opens(string type, int at)
        {
            if (open.Count + entities.Count >= MessageMarkup.MaxEntities)
            {
                throw TooMany();
            }

            openAt[type] = open.Count;
            open.Add((type, text.Length, at));
        }
    }

    /// <summary>Code, a block or a link's address from <paramref name="at"/> to <paramref name="closer"/>, with
    /// MarkdownV2's escapes inside; null when it never closes.</summary>
    private static (string Content, int End)? V2Literal(string source, int at, string closer)
    {
        var content = new StringBuilder();
        for (var i = at; i < source.Length;)
        {
            if (source[i] == '\\' && i + 1 < source.Length)
            {
                content.Append(source[i + 1]);
                i += 2;
            }
            else if (string.CompareOrdinal(source, i, closer, 0, closer.Length) == 0)
            {
                return (content.ToString(), i + closer.Length);
            }
            else
            {
                content.Append(source[i++]);
            }
        }

        return null;
    }

    /// <summary>Telegram's legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url), not nested; a backslash
    /// escapes _ * ` [ outside them.</summary>
    private static FormattedText Markdown(string source)
    {
        var text = new StringBuilder(source.Length);
        var entities = new List<TextEntity>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '\\' && i + 1 < source.Length && source[i + 1] is '_' or '*' or '`' or '[')
            {
                text.Append(source[i + 1]);
                i += 2;
                continue;
            }

            if (c is not ('*' or '_' or '`' or '['))
            {
                text.Append(c);
                i++;
                continue;
            }

            var unclosed = new FormatException($"Can't find end of the entity starting at byte offset {ByteOffset(source, i)}");
            if (c == '[')
            {
                var close = source.IndexOf(']', i + 1);
                if (close < 0 || close + 1 >= source.Length || source[close + 1] != '(' || source.IndexOf(')', close + 2) is var end && end < 0)
                {
                    throw unclosed;
                }

                var label = source[(i + 1)..close];
                if (label.Length > 0)
                {
                    entities.Add(new TextEntity("text_link", text.Length, label.Length, LinkUrl(source[(close + 2)..end], source, i)));
                }

                text.Append(label);
                i = end + 1;
                continue;
            }

            var marker = c == '`' && string.CompareOrdinal(source, i, "```", 0, 3) == 0 ? "```" : c.ToString();
            var closing = source.IndexOf(marker, i + marker.Length, StringComparison.Ordinal);
            if (closing < 0)
            {
                throw unclosed;
            }

            var content = source[(i + marker.Length)..closing];
            string? language = null;
            if (marker == "```" && content.IndexOf('\n') is var line and >= 0 && content[..line].All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '+' or '#' or '-' or '_'))
            {
                language = line > 0 ? content[..line] : null;
                content = content[(line + 1)..];
            }

            if (content.Length > 0)
            {
                var type = marker switch { "*" => "bold", "_" => "italic", "`" => "code", _ => "pre" };
                entities.Add(new TextEntity(type, text.Length, content.Length, Language: language));
            }

            text.Append(content);
            i = closing + marker.Length;
        }

        return new FormattedText(text.ToString(), entities);
    }
}
