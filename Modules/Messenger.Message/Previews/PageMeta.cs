using System.Net;
using System.Text.RegularExpressions;
using Messenger.Contracts.Messages;
using Messenger.Kernel.Messages;

namespace Messenger.Message.Previews;

/// <summary>
/// Finds a text's first link, and reads a page's preview from its HTML: Open Graph tags (<c>og:site_name</c>,
/// <c>og:title</c>, <c>og:description</c>), else Twitter's, else <c>&lt;title&gt;</c> and the <c>description</c> meta
/// tag. Regular expressions over the page's first bytes, not an HTML parser: these tags sit in the head, and nothing of
/// the page is ever rendered — every value is decoded to plain text, collapsed and cut to a length.
/// </summary>
internal static partial class PageMeta
{
    public const int MaxUrlLength = 2048;
    private const int MaxTitle = 256;
    private const int MaxSiteName = 128;
    private const int MaxDescription = 512;

    // A page is someone else's text: no expression may spend longer than this on it.
    private const int MatchTimeoutMs = 250;

    /// <summary>The first link in the message markup <paramref name="text"/> as its reader sees it
    /// (<see cref="MessageMarkup.FirstLink"/>: a bare address or a <c>[text](url)</c>, none inside a spoiler or code, the
    /// markers around it not part of it), or null. A user name or password in it is left out: the server fetches the
    /// page as anybody would, never with credentials someone put in a message.</summary>
    public static Uri? FirstLink(string text) =>
        MessageMarkup.FirstLink(text) is { Length: <= MaxUrlLength } link && Uri.TryCreate(link, UriKind.Absolute, out var url)
        && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.Host.Length > 0
            ? url.UserInfo.Length == 0 ? url : new Uri(url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped))
            : null;

    /// <summary>The preview of the page at <paramref name="url"/>, or null when it names nothing to show (or a hostile
    /// page keeps the expressions busy past their time limit).</summary>
    public static WebPage? Read(Uri url, string html)
    {
        // The tags are in the head: the body is not searched.
        if (html.IndexOf("</head>", StringComparison.OrdinalIgnoreCase) is > 0 and var end)
        {
            html = html[..end];
        }

        try
        {
            return ReadHead(url, html);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static WebPage? ReadHead(Uri url, string html)
    {
        var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match tag in MetaTag().Matches(html))
        {
            string? key = null;
            string? content = null;
            foreach (Match attribute in Attribute().Matches(tag.Value))
            {
                var value = attribute.Groups["v1"].Success ? attribute.Groups["v1"].Value
                    : attribute.Groups["v2"].Success ? attribute.Groups["v2"].Value : attribute.Groups["v3"].Value;
                switch (attribute.Groups["name"].Value.ToLowerInvariant())
                {
                    case "property" or "name":
                        key = value;
                        break;
                    case "content":
                        content = value;
                        break;
                }
            }

            if (key is not null && content is not null)
            {
                meta.TryAdd(key, content);
            }
        }

        var title = Clean(First(meta, "og:title", "twitter:title") ?? (Title().Match(html) is { Success: true } t ? t.Groups[1].Value : null), MaxTitle);
        var description = Clean(First(meta, "og:description", "twitter:description", "description"), MaxDescription);
        var site = Clean(First(meta, "og:site_name"), MaxSiteName);
        return title is null && description is null ? null : new WebPage(url.AbsoluteUri, site, title, description);
    }

    private static string? First(Dictionary<string, string> meta, params string[] keys) =>
        keys.Select(key => meta.GetValueOrDefault(key)).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    private static string? Clean(string? value, int max)
    {
        if (value is null)
        {
            return null;
        }

        var text = Whitespace().Replace(WebUtility.HtmlDecode(value), " ").Trim();
        text = new string([.. text.Where(c => !char.IsControl(c))]);
        return text.Length == 0 ? null : text.Length <= max ? text : text[..(max - 1)].TrimEnd() + "…";
    }

    [GeneratedRegex(@"<meta\b(?:[^>""']|""[^""]*""|'[^']*')*>", RegexOptions.IgnoreCase, MatchTimeoutMs)]
    private static partial Regex MetaTag();

    [GeneratedRegex(@"(?<name>[a-zA-Z:-]+)\s*=\s*(?:""(?<v1>[^""]*)""|'(?<v2>[^']*)'|(?<v3>[^\s""'>]+))", RegexOptions.None, MatchTimeoutMs)]
    private static partial Regex Attribute();

    [GeneratedRegex(@"<title\b[^>]*>([^<]*)</title>", RegexOptions.IgnoreCase, MatchTimeoutMs)]
    private static partial Regex Title();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
