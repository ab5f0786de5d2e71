using System.Text.RegularExpressions;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Host;

/// <summary>
/// The README and docs/ point at each other a great deal (the README keeps the tables and a summary, docs/ the prose):
/// every relative link names a file that exists and, with a <c>#anchor</c>, a heading that file has, as GitHub makes
/// anchors of headings. Links inside code are not links.
/// </summary>
public sealed partial class DocsLinkTests
{
    [Fact]
    public void EveryRelativeLink_InTheReadmeAndDocs_ReachesAnExistingFileAndHeading()
    {
        var files = new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Select(f => Path.GetRelativePath(RepositoryPaths.Root, f)))
            .ToList();
        var problems = new List<string>();
        var linksSeen = 0;
        foreach (var file in files)
        {
            foreach (var line in Prose(Read(file)))
            {
                foreach (Match link in Link().Matches(InlineCode().Replace(line, "")))
                {
                    var target = link.Groups[2].Value;
                    if (Scheme().IsMatch(target))
                    {
                        continue;
                    }

                    linksSeen++;
                    var hash = target.IndexOf('#');
                    var path = hash < 0 ? target : target[..hash];
                    var anchor = hash < 0 ? "" : target[(hash + 1)..];
                    var resolved = path.Length == 0 ? file : Path.GetRelativePath(RepositoryPaths.Root, Path.GetFullPath(Path.Combine(RepositoryPaths.Root, Path.GetDirectoryName(file)!, path)));
                    var full = Path.Combine(RepositoryPaths.Root, resolved);
                    if (!File.Exists(full) && !Directory.Exists(full))
                    {
                        problems.Add($"{file}: {target}: no such file {resolved}");
                    }
                    else if (anchor.Length > 0 && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(resolved).Contains(anchor))
                    {
                        problems.Add($"{file}: {target}: no heading #{anchor} in {resolved}");
                    }
                }
            }
        }

        linksSeen.Should().BeGreaterThan(50, "the README and docs/ link to each other throughout");
        problems.Should().BeEmpty();
    }

    [Theory]
    [InlineData("## Session: accounts and devices", "session-accounts-and-devices")]
    [InlineData("### `messages.send` and its [rules](x.md)", "messagessend-and-its-rules")]
    [InlineData("## Groups, large groups and channels, search", "groups-large-groups-and-channels-search")]
    public void Slug_IsGitHubs(string heading, string expected) => Slug(heading).Should().Be(expected);

    private static string Read(string file) => File.ReadAllText(Path.Combine(RepositoryPaths.Root, file));

    // The lines outside fenced code.
    private static IEnumerable<string> Prose(string text)
    {
        var code = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                code = !code;
            }
            else if (!code)
            {
                yield return line;
            }
        }
    }

    // GitHub's anchors: the heading's text in lower case without its links' targets and its punctuation, spaces as
    // hyphens; a repeated heading gets -1, -2, ...
    private static HashSet<string> Anchors(string file)
    {
        var seen = new Dictionary<string, int>();
        var anchors = new HashSet<string>();
        foreach (var line in Prose(Read(file)).Where(l => l.StartsWith('#')))
        {
            var slug = Slug(line);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }

        return anchors;
    }

    private static string Slug(string heading)
    {
        var text = heading.TrimStart('#').Trim().ToLowerInvariant().Replace("`", "");
        text = Link().Replace(text, m => m.Groups[1].Value);
        return NotSlug().Replace(text, "").Replace(' ', '-');
    }

    [GeneratedRegex(@"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^()\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex("^[a-z]+:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex NotSlug();
}
