using System.Text;
using Messenger.Kernel.Messages;

namespace Messenger.Tests.Messages;

/// <summary>The Kernel's markup reader and writer on their own: what the Bot API stores must read back as the bot gave
/// it, whatever the text holds.</summary>
public sealed class MessageMarkupTests
{
    private static readonly string[] Rendered = ["bold", "italic", "strikethrough", "spoiler", "code", "pre", "text_link"];

    [Theory]
    [InlineData("x\\ y", 0, 3, "bold")]
    [InlineData("~ x", 0, 2, "strikethrough")]
    [InlineData("@alice x", 1, 5, "italic")]
    [InlineData("line\n", 0, 5, "pre")]
    [InlineData("a*b", 1, 1, "bold")]
    [InlineData("a\\", 0, 2, "spoiler")]
    public void Write_WhenALiteralTouchesAMarker_ReadsBackAsGiven(string text, int offset, int length, string type)
    {
        var markup = MessageMarkup.Write(text, [new TextEntity(type, offset, length)]);

        var parsed = MessageMarkup.Parse(markup);
        parsed.Text.Should().Be(text, markup);
        parsed.Entities.Where(e => e.Type == type).Should().ContainSingle(markup);
        parsed.Entities.Should().NotContain(e => e.Type == "mention", "an @ before formatting is no mention ({0})", markup);
    }

    [Theory]
    [InlineData("Docs: https://example.com/a__b", "https://example.com/a__b")]
    [InlineData("Docs: https://example.com/?a[]=1", "https://example.com/?a")]
    [InlineData("Docs: https://example.com/x~ and", "https://example.com/x~")]
    [InlineData("Docs: https://example.com/q=a|b*c", "https://example.com/q=a|b*c")]
    public void Write_WhenTheTextHasABareAddress_KeepsItsCharactersUnescaped(string text, string address)
    {
        var markup = MessageMarkup.Write(text, [new TextEntity("bold", 0, 4)]);

        markup.Should().Contain(address);
        var parsed = MessageMarkup.Parse(markup);
        parsed.Text.Should().Be(text);
        parsed.Entities.Should().ContainSingle(e => e.Type == "url").Which.Url.Should().Be(address);
    }

    // Bounded by the run's timeout, not timed: linear, these take milliseconds; the quadratic address scan they once
    // met took seconds and hundreds of megabytes each (the Bot API writes up to 64 KB before checking any length).
    [Theory]
    [InlineData("http://a,", 7281)]
    [InlineData("http://./", 0)]
    [InlineData("http://a!", 7281)]
    [InlineData("**http://a!", 5957)]
    [InlineData("https://a@", 3277)] // https://a@https: user a, host https, no port
    [InlineData("http://a:/", 6553)]
    [InlineData("http://»?", 1)] // one address to the end of the run
    public void Parse_And_Write_WhenA64KTextRepeatsShortAddresses_FindEachOnce(string unit, int links)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 64 * 1024 / unit.Length));

        var parsed = MessageMarkup.Parse(text);
        var bare = MessageMarkup.Parse("[" + text);
        var written = MessageMarkup.Write(text, []);

        parsed.Entities.Count(e => e.Type == "url").Should().Be(links);
        bare.Text.Should().Be("[" + parsed.Text);
        MessageMarkup.Parse(written).Text.Should().Be(text);
        MessageMarkup.Mentions(text).Should().BeEmpty();
        MessageMarkup.Preview(text).Should().NotBeEmpty();
    }

    [Fact]
    public void Write_WhenEntitiesNestDeeply_CollapsesThemAndRefusesMoreThanAHundred()
    {
        var text = "x";
        var hundred = Enumerable.Repeat(new TextEntity("bold", 0, 1), 100).ToList();
        MessageMarkup.Write(text, hundred).Should().Be("**x**");

        var act = () => MessageMarkup.Write(text, Enumerable.Repeat(new TextEntity("bold", 0, 1), 1600).ToList());
        act.Should().Throw<FormatException>().WithMessage("too many entities*");
    }

    [Fact]
    public void Write_OfParsedMarkup_ReadsBackTheSame_ForRandomMarkup()
    {
        string[] atoms = ["a", "b", " ", "**", "__", "~~", "||", "*", "_", "~", "|", "`", "```", "\\", "[", "]", "(", ")", "@", "@alice_1",
            "https://x.org", "](https://e.org)", "\n", ".", "\u0085", "h"];
        var random = new Random(20261205);
        for (var round = 0; round < 5000; round++)
        {
            var markup = new StringBuilder();
            for (var k = random.Next(1, 14); k > 0; k--)
            {
                markup.Append(atoms[random.Next(atoms.Length)]);
            }

            var given = MessageMarkup.Parse(markup.ToString());
            var written = MessageMarkup.Write(given.Text, given.Entities);
            var back = MessageMarkup.Parse(written);
            back.Text.Should().Be(given.Text, "markup {0} was written as {1}", System.Text.Json.JsonSerializer.Serialize(markup.ToString()), System.Text.Json.JsonSerializer.Serialize(written));
            var expected = Expected(given.Text, [.. given.Entities.Where(e => Rendered.Contains(e.Type))]);
            Shown(back).Should().BeEquivalentTo(expected, "markup {0} was written as {1}", System.Text.Json.JsonSerializer.Serialize(markup.ToString()), System.Text.Json.JsonSerializer.Serialize(written));
        }
    }

    [Fact]
    public void Write_OfRandomEntitySets_ReadsBackTheTextAndItsFormatting()
    {
        const string alphabet = "ab *_~|`[]\\@()h.:/-x\u0085";
        var random = new Random(5122026);
        for (var round = 0; round < 5000; round++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(1, 16)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var entities = new List<TextEntity>();
            for (var k = random.Next(0, 6); k > 0; k--)
            {
                var offset = random.Next(text.Length);
                var length = random.Next(1, text.Length - offset + 1);
                var type = Rendered[random.Next(Rendered.Length)];
                var entity = new TextEntity(type, offset, length, type == "text_link" ? $"https://e.org/{k}" : null);
                if (entities.All(e => e.End <= offset || e.Offset >= entity.End || (e.Offset <= offset && entity.End <= e.End) || (offset <= e.Offset && e.End <= entity.End)))
                {
                    entities.Add(entity);
                }
            }

            var written = MessageMarkup.Write(text, entities);
            var back = MessageMarkup.Parse(written);
            var because = $"{System.Text.Json.JsonSerializer.Serialize(text)} with {string.Join(", ", entities)} was written as {System.Text.Json.JsonSerializer.Serialize(written)}";
            back.Text.Should().Be(text, because);
            Shown(back).Should().BeEquivalentTo(Expected(text, entities), because);
        }
    }

    /// <summary>What the writer promises of entities: one inside its own kind or in code adds nothing, spaces at the ends
    /// of a style go outside it, code holding a backtick or line break (a block holding ``` or ending in `) is text.</summary>
    private static List<string> Expected(string text, IReadOnlyList<TextEntity> entities)
    {
        var kept = new List<TextEntity>();
        foreach (var e in entities.Select((e, i) => (e, i)).OrderBy(x => x.e.Offset).ThenByDescending(x => x.e.Length).ThenBy(x => x.i).Select(x => x.e))
        {
            if (kept.Any(o => o.Offset <= e.Offset && e.End <= o.End && (o.Type == e.Type || o.Type is "code" or "pre")))
            {
                continue;
            }

            kept.Add(e);
        }

        kept.RemoveAll(e =>
        {
            var content = text.Substring(e.Offset, e.Length);
            return (e.Type == "code" && (content.Contains('`') || content.Contains('\n'))) || (e.Type == "pre" && (content.Contains("```") || content.EndsWith('`')));
        });
        var shown = new List<string>();
        foreach (var e in kept)
        {
            var (start, end) = (e.Offset, e.End);
            if (e.Type is "bold" or "italic" or "strikethrough" or "spoiler")
            {
                // Only the spaces outside anything atomic (code, links) move out of the markers.
                var atoms = kept.Where(a => a.Type is "code" or "pre" or "text_link" && kept.IndexOf(a) > kept.IndexOf(e) && e.Offset <= a.Offset && a.End <= e.End).ToList();
                while (start < end && char.IsWhiteSpace(text[start]) && !atoms.Any(a => a.Offset <= start && start < a.End))
                {
                    start++;
                }

                while (end > start && char.IsWhiteSpace(text[end - 1]) && !atoms.Any(a => a.Offset < end && end <= a.End))
                {
                    end--;
                }
            }

            if (end > start)
            {
                shown.Add($"{e.Type} {start} {end - start} {(e.Type == "text_link" ? MessageMarkup.SafeUrl(e.Url!) : "")}");
            }
        }

        return shown;
    }

    private static List<string> Shown(FormattedText parsed) =>
        [.. parsed.Entities.Where(e => Rendered.Contains(e.Type)).Select(e => $"{e.Type} {e.Offset} {e.Length} {(e.Type == "text_link" ? MessageMarkup.SafeUrl(e.Url!) : "")}")];
}
