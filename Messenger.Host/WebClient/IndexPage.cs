using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Messenger.Protocol.Keys;

namespace Messenger.Host.WebClient;

/// <summary>The built index.html with the server's public key written into its meta tag, so the client pins it.</summary>
internal sealed partial class IndexPage(WebRoot root, ServerKeyStore keys)
{
    private const string KeyMetaName = "messenger-server-key";

    private Rendered? _rendered;

    public string Html()
    {
        var written = File.GetLastWriteTimeUtc(root.IndexPath);
        if (_rendered is { } cached && cached.Written == written)
        {
            return cached.Html;
        }

        var html = InjectKey(File.ReadAllText(root.IndexPath), keys.PublicKeyHex);
        _rendered = new Rendered(written, html);
        return html;
    }

    public static string InjectKey(string html, string publicKeyHex)
    {
        var content = $"content=\"{HtmlEncoder.Default.Encode(publicKeyHex)}\"";
        var meta = KeyMeta().Match(html);
        if (!meta.Success)
        {
            var tag = $"<meta name=\"{KeyMetaName}\" {content}>";
            var head = html.IndexOf("</head>", StringComparison.OrdinalIgnoreCase);
            return head < 0 ? tag + html : html.Insert(head, tag);
        }

        var attribute = ContentAttribute().Match(meta.Value);
        var replaced = attribute.Success
            ? meta.Value[..attribute.Index] + content + meta.Value[(attribute.Index + attribute.Length)..]
            : meta.Value.Insert("<meta".Length, " " + content);
        return html[..meta.Index] + replaced + html[(meta.Index + meta.Length)..];
    }

    [GeneratedRegex("""<meta\b[^>]*\bname\s*=\s*["']?messenger-server-key["']?[^>]*>""", RegexOptions.IgnoreCase)]
    private static partial Regex KeyMeta();

    [GeneratedRegex("""\bcontent\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ContentAttribute();

    private sealed record Rendered(DateTime Written, string Html);
}
