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
/// One pass with a stack of at most one open span of each kind (an unclosed <c>[</c> read once more as text): linear in
/// the text, whatever it holds.
/// </summary>
public static class MessageMarkup
{
    /// <summary>What a spoiler's words become in a one-line preview (the web client's <c>SPOILER_PREVIEW</c>).</summary>
    public const string SpoilerPreview = "▒▒▒";

    /// <summary>Characters a backslash shows as they are; before anything else a backslash is itself.</summary>
    public const string Escapable = "\\*_~|`[]@";

    /// <summary>Every character the parser reacts to, but for an address's <c>://</c>: a text without any of them (most
    /// messages) reads as itself with no entities, and is not parsed at all.</summary>
    private static readonly System.Buffers.SearchValues<char> Reactive = System.Buffers.SearchValues.Create(Escapable);

    /// <summary>Whether the parser would read <paramref name="markup"/> as exactly itself, with no entity: none of the
    /// characters that start an escape, a marker, code, a link or a mention, and no <c>://</c> that could start an
    /// address.</summary>
    private static bool IsPlainText(string markup) =>
        !markup.AsSpan().ContainsAny(Reactive) && !markup.Contains("://", StringComparison.Ordinal);

    private static readonly (string Marker, string Type)[] Styles = [("**", "bold"), ("__", "italic"), ("~~", "strikethrough"), ("||", "spoiler")];

    /// <summary>Which of <see cref="Styles"/> a doubled <paramref name="c"/> is (a switch, not a lambda: this runs for
    /// every character parsed).</summary>
    private static int StyleOf(char c) => c switch
    {
        '*' => 0,
        '_' => 1,
        '~' => 2,
        '|' => 3,
        _ => -1,
    };

    /// <summary>The text without its markup and its entities, in the order they start (an outer one before an inner one
    /// starting with it).</summary>
    public static FormattedText Parse(string markup)
    {
        if (IsPlainText(markup))
        {
            return new FormattedText(markup, []);
        }

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
        if (IsPlainText(markup))
        {
            text.Append(markup);
        }
        else
        {
            Flatten(new Parser(markup).Run(), text, null, preview: true);
        }

        var line = string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length > 0 ? line : string.Join(' ', markup.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The address of the first link in the markup, a bare address or a <c>[text](url)</c>, as the reader sees
    /// it: none inside a spoiler (its preview would tell what the spoiler hides), none in code; null when there is none.</summary>
    public static string? FirstLink(string markup)
    {
        if (!markup.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        var spoilerEnd = -1;
        foreach (var entity in Parse(markup).Entities)
        {
            if (entity.Type == "spoiler")
            {
                spoilerEnd = Math.Max(spoilerEnd, entity.End);
            }
            else if (entity.Type is "url" or "text_link" && entity.Offset >= spoilerEnd)
            {
                return entity.Url;
            }
        }

        return null;
    }

    /// <summary>The usernames the markup mentions (<c>@name</c> as the reader sees a mention: not escaped, not in code
    /// or a link's text), distinct in any case, in order.</summary>
    public static IEnumerable<string> Mentions(string markup)
    {
        if (!markup.Contains('@'))
        {
            return [];
        }

        var parsed = Parse(markup);
        return parsed.Entities.Where(e => e.Type == "mention").Select(e => parsed.Text.Substring(e.Offset + 1, e.Length - 1)).Distinct(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="text"/> reads as itself: no marker, escape or code in it would be taken as markup.</summary>
    public static bool IsPlain(string text)
    {
        var parsed = Parse(text);
        return parsed.Text == text && parsed.Entities.All(e => e.Type is "url" or "mention");
    }

    /// <summary>Whether a literal <paramref name="c"/> between <paramref name="before"/> and <paramref name="after"/> (the
    /// markup's characters around it, null at an end) needs a backslash to read as itself.</summary>
    private static bool EscapeHere(char c, char? before, char? after) => c switch
    {
        '\\' => after is null || Escapable.Contains(after.Value),
        '`' or '[' or ']' => true,
        // Markers are doubled: a lone one forms none unless a neighbour is the same character.
        '*' or '_' or '~' or '|' => before == c || after == c,
        '@' => after is { } next && (IsWord(next) || next == '@'),
        _ => false,
    };

    /// <summary>At most this many entities in one message, as Telegram: more is "too many entities".</summary>
    public const int MaxEntities = 100;

    private static readonly HashSet<string> Rendered = ["bold", "italic", "strikethrough", "spoiler", "code", "pre", "text_link"];

    /// <summary>
    /// Plain text and entities as markup. At most <see cref="MaxEntities"/> entities; they must lie within the text and
    /// nest (or stand apart): a <see cref="FormatException"/> says which does not. Underline, and the kinds markup has no
    /// marker for (hashtags, custom emoji, quotes), keep their text only; an entity inside one of its own kind adds
    /// nothing (so nesting is at most one level per kind, and writing never recurses deeper than that). Mentions and bare
    /// addresses are found again in the text by the parser's own rules and written as they are (an address's characters
    /// are never escaped); one that would not read back the same (an address touching a marker) becomes a
    /// <c>[address](address)</c> link, a mention plain text. Spaces at the ends of bold, italic, strikethrough or a
    /// spoiler go outside its markers (markers must touch words); code holding a backtick or a line break, or a block
    /// holding <c>```</c>, stays plain text. A text without entities that reads as itself is kept as it is; otherwise
    /// literal markers are escaped, judged by their neighbours in the finished markup, so that
    /// <c>Parse(Write(text, entities))</c> gives the text back.
    /// </summary>
    public static string Write(string text, IReadOnlyList<TextEntity> entities)
    {
        if (entities.Count > MaxEntities)
        {
            throw new FormatException($"too many entities ({entities.Count}; at most {MaxEntities})");
        }

        if (entities.Count == 0 && IsPlain(text))
        {
            return text;
        }

        for (var index = 0; index < entities.Count; index++)
        {
            var entity = entities[index];
            if (entity.Offset < 0 || entity.Length <= 0 || entity.Offset > text.Length - entity.Length)
            {
                throw new FormatException($"entity {index} is out of the text's bounds (offset {entity.Offset}, length {entity.Length}, text {text.Length} UTF-16 units)");
            }

            if (char.IsLowSurrogate(text[entity.Offset]) || (entity.End < text.Length && char.IsLowSurrogate(text[entity.End])))
            {
                throw new FormatException($"entity {index} begins or ends inside a character");
            }
        }

        var ordered = entities.Select((e, i) => (Entity: e, Index: i))
            .Where(e => Rendered.Contains(e.Entity.Type) && (e.Entity.Type != "text_link" || (e.Entity.Url is { } url && SafeUrl(url) is not null)))
            .OrderBy(e => e.Entity.Offset).ThenByDescending(e => e.Entity.Length).ThenBy(e => e.Index).ToList();
        var root = new EntityNode(new TextEntity("root", 0, text.Length), []);
        var open = new List<EntityNode> { root };
        foreach (var (entity, index) in ordered)
        {
            while (open.Count > 1 && open[^1].Entity.End <= entity.Offset)
            {
                open.RemoveAt(open.Count - 1);
            }

            if (entity.End > open[^1].Entity.End)
            {
                throw new FormatException($"entity {index} ({entity.Type} at {entity.Offset}) overlaps another without being inside it");
            }

            // One of a kind inside another of its kind says nothing more; inside code nothing is formatted.
            if (open.Exists(o => o.Entity.Type == entity.Type || o.Entity.Type is "code" or "pre"))
            {
                continue;
            }

            var node = new EntityNode(entity, []);
            open[^1].Children.Add(node);
            open.Add(node);
        }

        // The parser lets an address or mention start right after a marker: where an entity starts or ends, one may.
        var found = Found(text, [.. ordered.SelectMany(e => new[] { e.Entity.Offset, e.Entity.End })]);
        var placed = new List<TextEntity>();
        foreach (var auto in found)
        {
            if (Place(root, auto) is { } at)
            {
                placed.Add(auto);
                at.Parent.Children.Insert(at.Index, new EntityNode(auto, []));
            }
        }

        // An address or mention that would not read back the same in its place (one touching a marker that would extend
        // it) is written again differently: an address as a [link](…) to itself, a mention as plain text.
        var demoted = new HashSet<TextEntity>();
        var markup = Render(text, root, demoted);
        for (var attempt = 0; attempt < 3 && Misread(markup, text, placed) is { Count: > 0 } misread; attempt++)
        {
            demoted.UnionWith(misread);
            markup = Render(text, root, demoted);
        }

        return markup;
    }

    private sealed record EntityNode(TextEntity Entity, List<EntityNode> Children);

    private enum Piece
    {
        Markup,
        Literal,
        Verbatim,
    }

    private static string Render(string text, EntityNode root, HashSet<TextEntity> demoted)
    {
        var pieces = new List<(Piece Kind, string Text)>();
        WriteChildren(text, root, pieces, demoted);
        var raw = new StringBuilder(text.Length + 16);
        foreach (var piece in pieces)
        {
            raw.Append(piece.Text);
        }

        var markup = new StringBuilder(raw.Length + 16);
        var at = 0;
        foreach (var (kind, piece) in pieces)
        {
            for (var k = 0; k < piece.Length; k++, at++)
            {
                if (kind == Piece.Literal && EscapeHere(piece[k], at == 0 ? null : raw[at - 1], at == raw.Length - 1 ? null : raw[at + 1]))
                {
                    markup.Append('\\');
                }

                markup.Append(piece[k]);
            }
        }

        return markup.ToString();
    }

    /// <summary>The addresses and mentions placed that the markup does not read back as placed (all of them when even
    /// the text differs).</summary>
    private static List<TextEntity> Misread(string markup, string text, List<TextEntity> placed)
    {
        var parsed = Parse(markup);
        if (parsed.Text != text)
        {
            return placed;
        }

        var read = parsed.Entities.Where(e => e.Type is "url" or "mention").Select(e => (e.Type, e.Offset, e.Length)).ToHashSet();
        return [.. placed.Where(e => !read.Contains((e.Type, e.Offset, e.Length)))];
    }

    // Depth is bounded: an entity of a kind already open is never a node, so a path holds each kind at most once.
    private static void WriteNode(string text, EntityNode node, List<(Piece, string)> pieces, HashSet<TextEntity> demoted)
    {
        var entity = node.Entity;
        var content = text.Substring(entity.Offset, entity.Length);
        switch (entity.Type)
        {
            case "code":
                pieces.Add(content.Contains('`') || content.Contains('\n') ? (Piece.Literal, content) : (Piece.Markup, $"`{content}`"));
                return;
            case "pre":
                var language = entity.Language is { Length: > 0 and <= 32 } name && name.All(IsLanguageChar) ? name : "";
                // The parser takes one line break before the closing ``` away: a block ending in one gets another.
                pieces.Add(content.Contains("```", StringComparison.Ordinal) || content.EndsWith('`')
                    ? (Piece.Literal, content)
                    : (Piece.Markup, $"```{language}\n{content}{(content.EndsWith('\n') ? "\n" : "")}```"));
                return;
            case "url" when demoted.Contains(entity):
                pieces.Add((Piece.Markup, "["));
                pieces.Add((Piece.Literal, content));
                pieces.Add((Piece.Markup, $"]({SafeUrl(content) ?? content})"));
                return;
            case "url" or "mention" when entity.Url is "found":
                pieces.Add((entity.Type == "mention" && demoted.Contains(entity) ? Piece.Literal : Piece.Verbatim, content));
                return;
            case "text_link":
                pieces.Add((Piece.Markup, "["));
                WriteChildren(text, node, pieces, demoted);
                pieces.Add((Piece.Markup, $"]({SafeUrl(entity.Url!)})"));
                return;
        }

        var marker = Styles.FirstOrDefault(s => s.Type == entity.Type).Marker;
        var inner = new List<(Piece Kind, string Text)>();
        WriteChildren(text, node, inner, demoted);
        if (marker is null)
        {
            pieces.AddRange(inner);
            return;
        }

        // Markers must touch words: white space at the span's ends goes outside them.
        var lead = new StringBuilder();
        while (inner.Count > 0 && inner[0].Kind == Piece.Literal)
        {
            var piece = inner[0].Text;
            var words = piece.TrimStart();
            lead.Append(piece, 0, piece.Length - words.Length);
            if (words.Length > 0)
            {
                inner[0] = (Piece.Literal, words);
                break;
            }

            inner.RemoveAt(0);
        }

        var trail = new StringBuilder();
        while (inner.Count > 0 && inner[^1].Kind == Piece.Literal)
        {
            var piece = inner[^1].Text;
            var words = piece.TrimEnd();
            trail.Insert(0, piece[words.Length..]);
            if (words.Length > 0)
            {
                inner[^1] = (Piece.Literal, words);
                break;
            }

            inner.RemoveAt(inner.Count - 1);
        }

        pieces.Add((Piece.Literal, lead.ToString()));
        if (inner.Count > 0)
        {
            pieces.Add((Piece.Markup, marker));
            pieces.AddRange(inner);
            pieces.Add((Piece.Markup, marker));
        }

        pieces.Add((Piece.Literal, trail.ToString()));
    }

    private static void WriteChildren(string text, EntityNode node, List<(Piece, string)> pieces, HashSet<TextEntity> demoted)
    {
        var at = node.Entity.Offset;
        foreach (var child in node.Children)
        {
            pieces.Add((Piece.Literal, text[at..child.Entity.Offset]));
            WriteNode(text, child, pieces, demoted);
            at = child.Entity.End;
        }

        pieces.Add((Piece.Literal, text[at..node.Entity.End]));
    }

    /// <summary>The bare addresses and mentions in plain text, by the parser's rules (nothing open around them; a marker
    /// may stand at <paramref name="boundaries"/>).</summary>
    private static List<TextEntity> Found(string text, HashSet<int> boundaries)
    {
        var found = new List<TextEntity>();
        var addressEnd = -1;
        var runs = default(RunCache);
        for (var i = 0; i < text.Length; i++)
        {
            var start = i == 0 || boundaries.Contains(i);
            if (text[i] == 'h' && (start || !IsWord(text[i - 1])) && StartsWithScheme(text, i))
            {
                var length = AddressAt(text, i, false, false, false, false, ref runs);
                if (length > 0)
                {
                    found.Add(new TextEntity("url", i, length, "found"));
                    addressEnd = i + length;
                    i += length - 1;
                    continue;
                }
            }

            // As the parser: no mention right where an address ends, unless a marker will stand between them.
            if (text[i] == '@' && (i != addressEnd || boundaries.Contains(i)) && (start || !(IsWord(text[i - 1]) || text[i - 1] == '@')))
            {
                var j = i + 1;
                while (j < text.Length && IsWord(text[j]))
                {
                    j++;
                }

                if (j - i - 1 is >= 5 and <= 32)
                {
                    found.Add(new TextEntity("mention", i, j - i, "found"));
                    i = j - 1;
                }
            }
        }

        return found;
    }

    /// <summary>Where a found address or mention goes in the tree: inside the innermost entity holding it, unless an
    /// entity crosses it or it sits in code or a link (where the parser finds none), or its own characters would end a
    /// span around it.</summary>
    private static (EntityNode Parent, int Index)? Place(EntityNode root, TextEntity auto)
    {
        var node = root;
        var kinds = new HashSet<string>();
        while (true)
        {
            if (node.Entity.Type is "code" or "pre" or "text_link")
            {
                return null;
            }

            kinds.Add(node.Entity.Type);
            var index = 0;
            EntityNode? inside = null;
            foreach (var child in node.Children)
            {
                if (child.Entity.End <= auto.Offset)
                {
                    index++;
                    continue;
                }

                if (child.Entity.Offset >= auto.End)
                {
                    break;
                }

                if (child.Entity.Offset <= auto.Offset && auto.End <= child.Entity.End)
                {
                    inside = child;
                    break;
                }

                return null;
            }

            if (inside is null)
            {
                return (node, index);
            }

            node = inside;
        }
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
            if (IsSpace(c) || c is '(' or ')' or '[' or ']' or '<' or '>' or '"' or '`')
            {
                written.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                written.Append(c);
            }
        }

        return IsAddress(written.ToString()) ? written.ToString() : null;
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
                // An empty block is nothing, as on the web (no spaces set apart around it).
                if (node.Text.Length > 0)
                {
                    text.Append(' ').Append(node.Text).Append(' ');
                }

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
        /// <summary>An open span; a link's also remembers where its <c>[</c> was and the state before it, to read the text
        /// after it again should it be no link.</summary>
        private sealed record Frame(string Type, string Opener, List<Node> Children, int Start = -1, int TokenEnd = 0, bool NoFence = false);

        private readonly List<Frame> _stack = [new("root", "", [])];
        private readonly StringBuilder _pending = new();

        private Frame Top => _stack[^1];

        private int DepthOf(string type)
        {
            for (var k = 0; k < _stack.Count; k++)
            {
                if (ReferenceEquals(_stack[k].Type, type) || _stack[k].Type == type)
                {
                    return k;
                }
            }

            return -1;
        }

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
            // A [ found to be no link (never closed by ](address)) is read again as text, and so is all after it: inside
            // a link nothing is an address or a mention, outside it they are. Each [ is read again at most once, and
            // what is read again holds no other [ that opens a link, so the parse stays linear.
            var literalAt = -1;
            var addressEnd = -1;
            var runs = default(RunCache);
            int Restart()
            {
                var depth = DepthOf("link");
                var link = _stack[depth];
                _stack.RemoveRange(depth, _stack.Count - depth);
                _pending.Clear();
                tokenEnd = link.TokenEnd;
                noFence = link.NoFence;
                literalAt = link.Start;
                return link.Start;
            }

            var i = 0;
            while (true)
            {
                if (i >= n)
                {
                    if (DepthOf("link") > 0)
                    {
                        i = Restart();
                        continue;
                    }

                    break;
                }

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
                            if (line >= 0 && body[..line].All(IsLanguageChar))
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

                var style = i + 1 < n && text[i + 1] == c ? StyleOf(c) : -1;
                if (style >= 0)
                {
                    var (marker, type) = Styles[style];
                    var open = DepthOf(type);
                    if (open > 0 && i > 0 && !IsSpace(text[i - 1]))
                    {
                        if (DepthOf("link") > open)
                        {
                            i = Restart();
                            continue;
                        }

                        CloseTo(open, marker);
                        i = tokenEnd = i + 2;
                        continue;
                    }

                    if (open < 0 && i + 2 < n && !IsSpace(text[i + 2]))
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
                if (c == '[' && i != literalAt)
                {
                    // A second [ before the first is closed: the first was no link.
                    if (inLink)
                    {
                        i = Restart();
                        continue;
                    }

                    FlushText();
                    _stack.Add(new Frame("link", "[", [], i, tokenEnd, noFence));
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

                    i = Restart();
                    continue;
                }

                if (c == 'h' && !inLink && (i == 0 || !IsWord(text[i - 1]) || i == tokenEnd) && StartsWithScheme(text, i))
                {
                    var length = AddressAt(text, i, DepthOf("bold") > 0, DepthOf("spoiler") > 0, DepthOf("italic") > 0, DepthOf("strikethrough") > 0, ref runs);
                    if (length > 0)
                    {
                        var url = text.Substring(i, length);
                        FlushText();
                        Top.Children.Add(new Node("url", "", [new Node("text", url)]) { Url = url });
                        i = tokenEnd = addressEnd = i + length;
                        continue;
                    }
                }

                // Never right where an address ends: http://x.org@alice is no address and a mention.
                if (c == '@' && !inLink && i != addressEnd && (i == 0 || !(IsWord(text[i - 1]) || text[i - 1] == '@') || i == tokenEnd))
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
    }

    /// <summary>White space, the same set on both sides (Unicode's White_Space: what <c>char.IsWhiteSpace</c> says, and
    /// the web client's <c>SPACE</c>).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c);

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsLanguageChar(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '+' or '#' or '-';

    private static bool IsLinkStop(char c) => IsSpace(c) || c is '<' or '>' or '"' or '`' or '[' or ']';

    /// <summary>Where a bare address ends: white space, <c>&lt; &gt; " ` [ ]</c>, an escape, and <c>**</c> or
    /// <c>||</c> only when they would close an open bold or spoiler.</summary>
    private static bool UrlStopsAt(string text, int at, bool bold, bool spoiler)
    {
        var c = text[at];
        var next = at + 1 < text.Length ? text[at + 1] : '\0';
        return IsLinkStop(c) || (c == '\\' && Escapable.Contains(next) && next != '\0')
            || (bold && c == '*' && next == '*') || (spoiler && c == '|' && next == '|');
    }

    private static bool StartsWithScheme(string text, int at) =>
        string.CompareOrdinal(text, at, "http://", 0, 7) == 0 || string.CompareOrdinal(text, at, "https://", 0, 8) == 0;

    /// <summary>The address grammar both parsers share (no URL library on either side): <c>http://</c> or
    /// <c>https://</c>, optionally user information (letters, digits, <c>. _ - + % :</c>) and <c>@</c>, a host of
    /// letters, digits, <c>. - _</c> or non-ASCII characters with at least one letter or digit, an optional
    /// <c>:port</c>, then nothing or <c>/ ? #</c> and anything.</summary>
    public static bool IsAddress(string url)
    {
        var (end, open) = HostEnd(url);
        return end > 0 && (end == url.Length || (open && url[end] is '/' or '?' or '#'));
    }

    private static bool IsUserInfoChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '%' or ':';

    /// <summary>Where the scheme, user information, host and port at the start of <paramref name="url"/> end (0 when
    /// there is no such start), and whether a path may follow (not after a bad port: <c>http://x.org:/a</c> is
    /// <c>http://x.org</c>). Looks no further than the host and port, so a caller never pays for the rest of a run.</summary>
    private static (int End, bool Open) HostEnd(ReadOnlySpan<char> url)
    {
        var at = url.StartsWith("https://", StringComparison.Ordinal) ? 8 : url.StartsWith("http://", StringComparison.Ordinal) ? 7 : -1;
        if (at < 0)
        {
            return (0, false);
        }

        var user = at;
        while (user < url.Length && IsUserInfoChar(url[user]))
        {
            user++;
        }

        // user@host: the whole is the address (https://alice@host/repo.git is no link to https://alice and a mention).
        if (user > at && user < url.Length && url[user] == '@' && HostPortEnd(url, user + 1) is { End: > 0 } withUser)
        {
            return withUser;
        }

        return HostPortEnd(url, at);
    }

    private static (int End, bool Open) HostPortEnd(ReadOnlySpan<char> url, int at)
    {
        var named = false;
        while (at < url.Length && (char.IsAsciiLetterOrDigit(url[at]) || url[at] is '.' or '-' or '_' || url[at] >= 0x80) && !IsSpace(url[at]))
        {
            named |= url[at] is not ('.' or '-' or '_');
            at++;
        }

        if (!named)
        {
            return (0, false);
        }

        if (at < url.Length && url[at] == ':')
        {
            var port = at + 1;
            var end = port;
            while (end < url.Length && char.IsAsciiDigit(url[end]))
            {
                end++;
            }

            if (end == port || end - port > 5)
            {
                return (at, false);
            }

            at = end;
        }

        return (at, true);
    }

    /// <summary>Where the last run scanned ended (runs end where <see cref="UrlStopsAt"/> says, which depends only on
    /// the position and the open bold and spoiler): a later address in the same run reuses its end instead of scanning
    /// it again, so all the scanning of a text costs at most its length.</summary>
    private struct RunCache
    {
        public int From;
        public int End;
        public bool Bold;
        public bool Spoiler;
        public bool Set;
    }

    /// <summary>The length of the bare address at <paramref name="at"/> (0 when there is none): the grammar's host and
    /// port read on the text itself, the run scanned to its stop only when a path follows, then trimmed.</summary>
    private static int AddressAt(string text, int at, bool bold, bool spoiler, bool italic, bool strike, ref RunCache runs)
    {
        var (host, open) = HostEnd(text.AsSpan(at));
        if (host == 0)
        {
            return 0;
        }

        var end = at + host;
        if (open && end < text.Length && text[end] is '/' or '?' or '#')
        {
            if (!(runs.Set && runs.Bold == bold && runs.Spoiler == spoiler && runs.From <= end && end <= runs.End))
            {
                var stop = end;
                while (stop < text.Length && !UrlStopsAt(text, stop, bold, spoiler))
                {
                    stop++;
                }

                runs = new RunCache { From = end, End = stop, Bold = bold, Spoiler = spoiler, Set = true };
            }

            end = runs.End;
        }

        var url = text.AsSpan(at, TrimUrl(text.AsSpan(at, end - at), italic, strike));
        var (kept, keptOpen) = HostEnd(url);
        return kept > 0 && (kept == url.Length || (keptOpen && url[kept] is '/' or '?' or '#')) ? url.Length : 0;
    }

    /// <summary>As the web client's trimUrl: sentence punctuation, a closing parenthesis the address did not open, and
    /// the <c>__</c> or <c>~~</c> that closes an italic or strikethrough span open around it (once each). Counts kept as
    /// it goes, so a run of closing parentheses costs no more than its length.</summary>
    private static int TrimUrl(ReadOnlySpan<char> url, bool italic, bool strike)
    {
        var end = url.Length;
        var opens = url.Count('(');
        var closes = url.Count(')');
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

            if (end >= 2 && url[end - 1] == url[end - 2] && ((url[end - 1] == '_' && italic) || (url[end - 1] == '~' && strike)))
            {
                italic &= url[end - 1] != '_';
                strike &= url[end - 1] != '~';
                end -= 2;
            }

            if (end == before)
            {
                return end;
            }
        }
    }

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
                return IsAddress(href) ? (href, j + 1) : null;
            }
            else if (IsLinkStop(c))
            {
                return null;
            }
        }

        return null;
    }
}
