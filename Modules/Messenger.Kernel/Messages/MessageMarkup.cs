using System.Text;

namespace Messenger.Kernel.Messages;

/// <summary>One formatted run of a message's plain text, as Telegram's <c>MessageEntity</c>: <see cref="Type"/> is
/// Telegram's name (<c>bold</c>, <c>italic</c>, <c>strikethrough</c>, <c>spoiler</c>, <c>code</c>, <c>pre</c>,
/// <c>text_link</c>, <c>url</c>, <c>mention</c>, and on the way in also <c>underline</c> and the others Telegram has),
/// <see cref="Offset"/> and <see cref="Length"/> in UTF-16 code units.</summary>
public sealed record TextEntity(string Type, int Offset, int Length, string? Url = null, string? Language = null)
{
    public int End => Offset + Length;
}

/// <summary>A message's text without its markup, and the entities that say how it is formatted.</summary>
public sealed record FormattedText(string Text, IReadOnlyList<TextEntity> Entities);

/// <summary>
/// The markup messages carry in their text (the web client's <c>rich.ts</c> reads the same): <c>**bold**</c>,
/// <c>__italic__</c>, <c>~~strikethrough~~</c>, <c>||spoiler||</c>, <c>[text](https://…)</c>, bare http(s) addresses,
/// <c>`code`</c>, <c>```code blocks```</c> and <c>@mentions</c>, nested as typed, <c>\</c> before a marker showing it as
/// it is. <see cref="Parse"/> reads it into plain text and Telegram's entities (what the Bot API gives bots),
/// <see cref="Preview"/> into the one line a notification shows (a spoiler's words hidden), and <see cref="Write"/> writes
/// plain text and entities back as markup (what the Bot API makes of a bot's <c>parse_mode</c> and <c>entities</c>).
/// One pass with a stack of at most one open span of each kind: linear in the text, whatever it holds.
/// </summary>
public static class MessageMarkup
{
    /// <summary>What a spoiler's words become in a one-line preview (the web client's <c>SPOILER_PREVIEW</c>).</summary>
    public const string SpoilerPreview = "▒▒▒";

    /// <summary>Characters a backslash shows as they are; before anything else a backslash is itself.</summary>
    public const string Escapable = "\\*_~|`[]@";

    private static readonly (string Marker, string Type)[] Styles = [("**", "bold"), ("__", "italic"), ("~~", "strikethrough"), ("||", "spoiler")];

    /// <summary>The text without its markup and its entities, in the order they start (an outer one before an inner one
    /// starting with it).</summary>
    public static FormattedText Parse(string markup)
    {
        var text = new StringBuilder(markup.Length);
        var entities = new List<TextEntity>();
        Flatten(new Parser(markup).Run(), text, entities, preview: false);
        return new FormattedText(text.ToString(), entities);
    }

    /// <summary>The text as one line for a notification: markers away, a spoiler's words as <see cref="SpoilerPreview"/>,
    /// a code block's content set apart by spaces, runs of white space one space (as the web client's <c>plainText</c>).</summary>
    public static string Preview(string markup)
    {
        var text = new StringBuilder(markup.Length);
        Flatten(new Parser(markup).Run(), text, null, preview: true);
        var line = string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 0 ? line : string.Join(' ', markup.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Whether <paramref name="text"/> reads as itself: no marker, escape or code in it would be taken as markup.</summary>
    public static bool IsPlain(string text)
    {
        var parsed = Parse(text);
        return parsed.Text == text && parsed.Entities.All(e => e.Type is "url" or "mention");
    }

    /// <summary>
    /// <paramref name="text"/> with every character that could be read as markup escaped, for a place next to markup:
    /// backslashes before an escapable character (or at the end), backticks and brackets always, and <c>* _ ~ |</c> where
    /// they could form or touch a marker (doubled, or at an end) — a lone one inside a word stays, so
    /// <c>@user_name</c> and <c>snake_case</c> read as typed.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = c switch
            {
                '\\' => i == text.Length - 1 || Escapable.Contains(text[i + 1]),
                '`' or '[' or ']' => true,
                '*' or '_' or '~' or '|' => i == 0 || i == text.Length - 1 || text[i - 1] == c || text[i + 1] == c,
                _ => false,
            };
            if (escape)
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>
    /// Plain text and entities as markup. Entities must lie within the text and nest (or stand apart): a
    /// <see cref="FormatException"/> says which does not. Underline, and the kinds markup has no marker for (hashtags,
    /// custom emoji, quotes), keep their text only; a mention or address is found again by its text. Spaces at the ends of
    /// bold, italic, strikethrough or a spoiler go outside its markers (markers must touch words); code holding a backtick
    /// or a line break, or a block holding <c>```</c>, stays plain text. A text without entities that reads as itself
    /// is kept as it is; otherwise literal markers are escaped.
    /// </summary>
    public static string Write(string text, IReadOnlyList<TextEntity> entities)
    {
        if (entities.Count == 0 && IsPlain(text))
        {
            return text;
        }

        var ordered = entities.Select((e, i) => (Entity: e, Index: i))
            .OrderBy(e => e.Entity.Offset).ThenByDescending(e => e.Entity.Length).ThenBy(e => e.Index).ToList();
        var root = new EntityNode(new TextEntity("root", 0, text.Length), []);
        var open = new Stack<EntityNode>();
        open.Push(root);
        foreach (var (entity, index) in ordered)
        {
            if (entity.Offset < 0 || entity.Length <= 0 || entity.End > text.Length)
            {
                throw new FormatException($"entity {index} is out of the text's bounds (offset {entity.Offset}, length {entity.Length}, text {text.Length} UTF-16 units)");
            }

            if (char.IsLowSurrogate(text[entity.Offset]) || (entity.End < text.Length && char.IsLowSurrogate(text[entity.End])))
            {
                throw new FormatException($"entity {index} begins or ends inside a character");
            }

            while (open.Peek().Entity.End <= entity.Offset && open.Count > 1)
            {
                open.Pop();
            }

            if (entity.End > open.Peek().Entity.End)
            {
                throw new FormatException($"entity {index} ({entity.Type} at {entity.Offset}) overlaps another without being inside it");
            }

            var node = new EntityNode(entity, []);
            open.Peek().Children.Add(node);
            open.Push(node);
        }

        var markup = new StringBuilder(text.Length + 16);
        WriteNode(text, root, markup, []);
        return markup.ToString();
    }

    private sealed record EntityNode(TextEntity Entity, List<EntityNode> Children);

    private static void WriteNode(string text, EntityNode node, StringBuilder markup, HashSet<string> active)
    {
        var entity = node.Entity;
        switch (entity.Type)
        {
            case "code":
                var code = text.Substring(entity.Offset, entity.Length);
                markup.Append(code.Contains('`') || code.Contains('\n') ? Escape(code) : $"`{code}`");
                return;
            case "pre":
                var block = text.Substring(entity.Offset, entity.Length);
                var language = entity.Language is { Length: > 0 and <= 32 } name && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '#' or '-') ? name : "";
                markup.Append(block.Contains("```", StringComparison.Ordinal) || block.EndsWith('`') ? Escape(block) : $"```{language}\n{block}```");
                return;
            case "text_link" when !active.Contains("link") && entity.Url is { } url && SafeUrl(url) is { } href:
                markup.Append('[');
                active.Add("link");
                WriteChildren(text, node, markup, active);
                active.Remove("link");
                markup.Append("](").Append(href).Append(')');
                return;
        }

        var marker = Styles.FirstOrDefault(s => s.Type == entity.Type).Marker;
        if (marker is null || !active.Add(entity.Type))
        {
            WriteChildren(text, node, markup, active);
            return;
        }

        var inner = new StringBuilder();
        WriteChildren(text, node, inner, active);
        active.Remove(entity.Type);
        var content = inner.ToString();
        var core = content.Trim();
        if (core.Length == 0)
        {
            markup.Append(content);
            return;
        }

        var lead = content.Length - content.TrimStart().Length;
        markup.Append(content, 0, lead).Append(marker).Append(core).Append(marker).Append(content, lead + core.Length, content.Length - lead - core.Length);
    }

    private static void WriteChildren(string text, EntityNode node, StringBuilder markup, HashSet<string> active)
    {
        var at = node.Entity.Offset;
        foreach (var child in node.Children)
        {
            markup.Append(Escape(text[at..child.Entity.Offset]));
            WriteNode(text, child, markup, active);
            at = child.Entity.End;
        }

        markup.Append(Escape(text[at..node.Entity.End]));
    }

    /// <summary>An http(s) address as a link's target in markup (characters that would end it early percent-encoded),
    /// or null for any other.</summary>
    public static string? SafeUrl(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return null;
        }

        var written = new StringBuilder();
        foreach (var c in uri.AbsoluteUri)
        {
            if (char.IsWhiteSpace(c) || c is '(' or ')' or '[' or ']' or '<' or '>' or '"' or '`')
            {
                written.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                written.Append(c);
            }
        }

        return written.ToString();
    }

    private static void Flatten(List<Node> nodes, StringBuilder text, List<TextEntity>? entities, bool preview)
    {
        foreach (var node in nodes)
        {
            var start = text.Length;
            if (preview && node.Type == "spoiler")
            {
                text.Append(SpoilerPreview);
                continue;
            }

            if (preview && node.Type == "pre")
            {
                text.Append(' ').Append(node.Text).Append(' ');
                continue;
            }

            var index = entities?.Count ?? 0;
            entities?.Add(null!);
            if (node.Children is { } children)
            {
                Flatten(children, text, entities, preview);
            }
            else
            {
                text.Append(node.Text);
            }

            if (entities is null)
            {
                continue;
            }

            if (node.Type == "text" || text.Length == start)
            {
                entities.RemoveAt(index);
            }
            else
            {
                entities[index] = new TextEntity(node.Type, start, text.Length - start, node.Url, node.Language);
            }
        }
    }

    /// <summary>A piece of parsed markup: text, an atom (code, pre, mention, url) or a span with children.</summary>
    private sealed class Node(string type, string text = "", List<Node>? children = null)
    {
        public string Type { get; } = type;

        public string Text { get; } = text;

        public List<Node>? Children { get; } = children;

        public string? Url { get; init; }

        public string? Language { get; init; }
    }

    /// <summary>The web client's parseRich, step for step: a change to one is a change to both.</summary>
    private sealed class Parser(string source)
    {
        private sealed record Frame(string Type, string Opener, List<Node> Children);

        private readonly List<Frame> _stack = [new("root", "", [])];
        private readonly StringBuilder _pending = new();

        private Frame Top => _stack[^1];

        private int DepthOf(string type) => _stack.FindIndex(f => f.Type == type);

        private void FlushText()
        {
            if (_pending.Length > 0)
            {
                Top.Children.Add(new Node("text", _pending.ToString()));
                _pending.Clear();
            }
        }

        private void Unwrap()
        {
            var frame = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            Top.Children.Add(new Node("text", frame.Opener));
            Top.Children.AddRange(frame.Children);
        }

        private void UnwrapFrom(int depth)
        {
            while (_stack.Count > depth)
            {
                Unwrap();
            }
        }

        private void CloseTo(int depth, string closer, string href = "")
        {
            FlushText();
            UnwrapFrom(depth + 1);
            var frame = _stack[^1];
            _stack.RemoveAt(_stack.Count - 1);
            if (frame.Type == "link")
            {
                Top.Children.Add(new Node("text_link", "", frame.Children.Count > 0 ? frame.Children : [new Node("text", href)]) { Url = href });
            }
            else if (frame.Children.Count == 0)
            {
                Top.Children.Add(new Node("text", frame.Opener + closer));
            }
            else
            {
                Top.Children.Add(new Node(frame.Type, "", frame.Children));
            }
        }

        public List<Node> Run()
        {
            var text = source;
            var n = text.Length;
            var tokenEnd = 0;
            var noFence = false;
            var i = 0;
            while (i < n)
            {
                var c = text[i];
                if (c == '\\' && i + 1 < n && Escapable.Contains(text[i + 1]))
                {
                    _pending.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                if (c == '`')
                {
                    if (!noFence && string.CompareOrdinal(text, i, "```", 0, 3) == 0)
                    {
                        var close = text.IndexOf("```", i + 3, StringComparison.Ordinal);
                        if (close >= 0)
                        {
                            FlushText();
                            var body = text[(i + 3)..close];
                            var language = "";
                            var line = body.IndexOf('\n');
                            if (line >= 0 && body[..line].All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch is '+' or '#' or '-'))
                            {
                                language = body[..line];
                                body = body[(line + 1)..];
                            }

                            if (body.EndsWith('\n'))
                            {
                                body = body[..^1];
                            }

                            Top.Children.Add(new Node("pre", body) { Language = language.Length > 0 ? language : null });
                            // The line break after a block shows in the web client as the block's end; a bot reads it as text.
                            i = tokenEnd = close + 3;
                            continue;
                        }

                        noFence = true;
                    }

                    var j = i + 1;
                    while (j < n && text[j] != '`' && text[j] != '\n')
                    {
                        j++;
                    }

                    if (j < n && text[j] == '`' && j > i + 1)
                    {
                        FlushText();
                        Top.Children.Add(new Node("code", text[(i + 1)..j]));
                        i = tokenEnd = j + 1;
                        continue;
                    }

                    _pending.Append(c);
                    i++;
                    continue;
                }

                var style = i + 1 < n ? Array.FindIndex(Styles, s => s.Marker[0] == c && s.Marker[1] == text[i + 1]) : -1;
                if (style >= 0)
                {
                    var (marker, type) = Styles[style];
                    var open = DepthOf(type);
                    if (open > 0 && i > 0 && !char.IsWhiteSpace(text[i - 1]))
                    {
                        CloseTo(open, marker);
                        i = tokenEnd = i + 2;
                        continue;
                    }

                    if (open < 0 && i + 2 < n && !char.IsWhiteSpace(text[i + 2]))
                    {
                        FlushText();
                        _stack.Add(new Frame(type, marker, []));
                        i = tokenEnd = i + 2;
                        continue;
                    }

                    _pending.Append(marker);
                    i += 2;
                    continue;
                }

                var inLink = DepthOf("link") > 0;
                if (c == '[')
                {
                    FlushText();
                    if (inLink)
                    {
                        UnwrapFrom(DepthOf("link"));
                    }

                    _stack.Add(new Frame("link", "[", []));
                    i = tokenEnd = i + 1;
                    continue;
                }

                if (c == ']' && inLink)
                {
                    if (LinkTarget(text, i + 1) is { } target)
                    {
                        CloseTo(DepthOf("link"), "", target.Href);
                        i = tokenEnd = target.End;
                        continue;
                    }

                    FlushText();
                    UnwrapFrom(DepthOf("link"));
                }

                if (c == 'h' && !inLink && (i == 0 || !IsWord(text[i - 1])) && StartsWithScheme(text, i))
                {
                    var j = i;
                    while (j < n && !IsUrlStop(text[j]))
                    {
                        j++;
                    }

                    var url = TrimUrl(text[i..j]);
                    if (url.Length > (url.StartsWith("https", StringComparison.Ordinal) ? 8 : 7))
                    {
                        FlushText();
                        Top.Children.Add(new Node("url", "", [new Node("text", url)]) { Url = url });
                        i = tokenEnd = i + url.Length;
                        continue;
                    }
                }

                if (c == '@' && !inLink && (i == 0 || !(IsWord(text[i - 1]) || text[i - 1] == '@') || i == tokenEnd))
                {
                    var j = i + 1;
                    while (j < n && IsWord(text[j]))
                    {
                        j++;
                    }

                    if (j - i > 3 && text[j - 2] == '_' && text[j - 1] == '_' && DepthOf("italic") > 0)
                    {
                        j -= 2;
                    }

                    var name = text[(i + 1)..j];
                    if (name.Length is >= 5 and <= 32)
                    {
                        FlushText();
                        Top.Children.Add(new Node("mention", "@" + name));
                        i = tokenEnd = j;
                        continue;
                    }
                }

                _pending.Append(c);
                i++;
            }

            FlushText();
            UnwrapFrom(1);
            return _stack[0].Children;
        }

        private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

        private static bool IsUrlStop(char c) => char.IsWhiteSpace(c) || c is '<' or '>' or '"' or '`' or '*' or '|' or '[' or ']';

        private static bool IsLinkStop(char c) => char.IsWhiteSpace(c) || c is '<' or '>' or '"' or '`' or '[' or ']';

        private static bool StartsWithScheme(string text, int at) =>
            string.CompareOrdinal(text, at, "http://", 0, 7) == 0 || string.CompareOrdinal(text, at, "https://", 0, 8) == 0;

        private static (string Href, int End)? LinkTarget(string text, int at)
        {
            if (at >= text.Length || text[at] != '(' || !StartsWithScheme(text, at + 1))
            {
                return null;
            }

            var depth = 0;
            for (var j = at + 1; j < text.Length; j++)
            {
                var c = text[j];
                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && depth-- == 0)
                {
                    var href = text[(at + 1)..j];
                    return Uri.TryCreate(href, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? (href, j + 1) : null;
                }
                else if (IsLinkStop(c))
                {
                    return null;
                }
            }

            return null;
        }

        /// <summary>As the web client's trimUrl; counts kept as it goes, so a run of closing parentheses costs no more
        /// than its length.</summary>
        private static string TrimUrl(string url)
        {
            var end = url.Length;
            var opens = url.Count(ch => ch == '(');
            var closes = url.Count(ch => ch == ')');
            while (true)
            {
                var before = end;
                while (end > 0 && url[end - 1] is '.' or ',' or ';' or ':' or '!' or '?' or '\'' or '"' or '»' or '”' or '’')
                {
                    end--;
                }

                if (end > 0 && url[end - 1] == ')' && opens < closes)
                {
                    end--;
                    closes--;
                }

                if (end >= 2 && url[end - 1] == url[end - 2] && url[end - 1] is '_' or '~')
                {
                    end -= 2;
                }

                if (end == before)
                {
                    return url[..end];
                }
            }
        }
    }
}
