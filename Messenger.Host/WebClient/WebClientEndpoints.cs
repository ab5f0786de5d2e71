using Messenger.Contracts.Wire;
using Messenger.Kernel.Net;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Messenger.Host.WebClient;

/// <summary>
/// Serves the web client: index.html (with the server key) for / and for client-side routes, never cached and under
/// a strict CSP; the hashed files under /assets/ cached for a year. Without a built client, / explains why.
/// </summary>
internal static class WebClientEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    public const string NotBuiltNote =
        "This Messenger server runs without its web client: it was built with -p:SkipWebClient=true or without Node.js. " +
        "Build the host with Node.js 20+ and npm on PATH (dotnet build) to serve the app here. The API is at " + ProtocolConstants.HubPath + ".\n";

    // Vite names every file under assets/ after a hash of its content, so a cached copy can never be stale.
    private const string AssetsPrefix = "/assets/";

    private const string PrecompressedItem = "messenger.precompressed";

    // The build's compressed copies of an asset, in the order they are preferred.
    private static readonly (string Encoding, string Extension)[] Copies = [("br", ".br"), ("gzip", ".gz")];

    private static readonly string[] ServerPaths = [ProtocolConstants.HubPath, "/.well-known/", "/health/", "/hooks/", "/bot/", "/file/bot", AssetsPrefix];

    public static IServiceCollection AddWebClient(this IServiceCollection services, string contentRoot)
    {
        services.AddSingleton(new WebRoot(Path.Combine(contentRoot, "wwwroot")));
        services.AddSingleton<IndexPage>();
        return services;
    }

    public static WebApplication UseWebClient(this WebApplication app)
    {
        var root = app.Services.GetRequiredService<WebRoot>();
        if (!root.IsBuilt)
        {
            app.MapGet("/", () => Results.Text(NotBuiltNote, "text/plain; charset=utf-8"));
            return app;
        }

        var index = app.Services.GetRequiredService<IndexPage>();
        app.Use((context, next) => IsIndexRequest(context) ? ServeIndex(context, index) : next(context));
        var types = ContentTypes();
        app.Use(async (context, next) =>
        {
            var asked = context.Request.Path;
            PickPrecompressed(context, root, types);
            try
            {
                await next(context);
            }
            finally
            {
                // Later middleware and the request log see the path that was asked for, not the copy's.
                context.Request.Path = asked;
            }
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root.Path),
            ContentTypeProvider = types,
            OnPrepareResponse = file => SetFileHeaders(file.Context),
        });
        app.Use((context, next) => IsClientRoute(context) ? ServeIndex(context, index) : next(context));
        app.Use((context, next) => IsFaviconRequest(context) ? NoFavicon(context) : next(context));
        return app;
    }

    public static void AnnounceWebClient(this WebApplication app, ILogger startup)
    {
        if (!app.Services.GetRequiredService<WebRoot>().IsBuilt)
        {
            app.Logger.LogWarning("The web client is not built into this server (SkipWebClient or no Node.js at build time); / shows a note");
            return;
        }

        foreach (var address in app.ListeningAddresses())
        {
            startup.LogInformation("Open {Url} in a browser", ListenAddresses.BrowserUrl(address));
        }
    }

    private static bool IsIndexRequest(HttpContext context) =>
        IsUnroutedRead(context) && context.Request.Path.Value is "/" or "/index.html";

    // A path without an extension outside the server's own prefixes is one of the client's routes (a deep link or a
    // reload); a missing file keeps its 404.
    private static bool IsClientRoute(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        return IsUnroutedRead(context)
            && !Path.HasExtension(path)
            && !ServerPaths.Any(prefix => path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || path == prefix.TrimEnd('/'));
    }

    private static bool IsFaviconRequest(HttpContext context) =>
        IsUnroutedRead(context) && context.Request.Path.Value == "/favicon.ico";

    // Browsers ask for /favicon.ico on their own; a client without one gets "nothing" rather than a 404 that every
    // page load would report as a console error.
    private static Task NoFavicon(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        context.Response.Headers.CacheControl = "public, max-age=86400";
        return Task.CompletedTask;
    }

    private static bool IsUnroutedRead(HttpContext context) =>
        context.GetEndpoint() is null && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));

    private static async Task ServeIndex(HttpContext context, IndexPage index)
    {
        var html = index.Html();
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        context.Response.ContentType = "text/html; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(html);
            return;
        }

        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    // The build leaves Brotli and gzip copies beside the files under /assets/ (x.js.br, x.js.gz). A browser that
    // accepts one gets it, marked with Content-Encoding and its original type; the answer varies by Accept-Encoding
    // either way. Nothing else is compressed: index.html is made per request and small.
    private static void PickPrecompressed(HttpContext context, WebRoot root, FileExtensionContentTypeProvider types)
    {
        var path = context.Request.Path.Value;
        if (!IsUnroutedRead(context) || path is null || !path.StartsWith(AssetsPrefix, StringComparison.OrdinalIgnoreCase)
            || path.Contains("..", StringComparison.Ordinal) || !types.TryGetContentType(path, out var contentType))
        {
            return;
        }

        var file = Path.Combine(root.Path, path.TrimStart('/'));
        var copies = Copies.Where(copy => File.Exists(file + copy.Extension)).ToList();
        if (copies.Count == 0)
        {
            return;
        }

        context.Response.Headers.Vary = "Accept-Encoding";
        var accepted = context.Request.GetTypedHeaders().AcceptEncoding;
        if (copies.FirstOrDefault(copy => Accepts(accepted, copy.Encoding)) is ({ } encoding, { } extension))
        {
            context.Request.Path = path + extension;
            context.Items[PrecompressedItem] = (encoding, contentType);
        }
    }

    private static bool Accepts(IList<Microsoft.Net.Http.Headers.StringWithQualityHeaderValue> accepted, string encoding)
    {
        var named = accepted.FirstOrDefault(value => string.Equals(value.Value.Value, encoding, StringComparison.OrdinalIgnoreCase))
            ?? accepted.FirstOrDefault(value => value.Value.Value == "*");
        return named is not null && (named.Quality ?? 1) > 0;
    }

    private static void SetFileHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (context.Items[PrecompressedItem] is (string encoding, string contentType) && context.Response.StatusCode < 400)
        {
            headers.ContentEncoding = encoding;
            context.Response.ContentType = contentType;
        }

        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = context.Request.Path.StartsWithSegments(AssetsPrefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
    }

    private static FileExtensionContentTypeProvider ContentTypes()
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";

        // The compressed copies, when asked for by name, are what they are; picked for a browser, they get the
        // original's type and a Content-Encoding (SetFileHeaders).
        types.Mappings[".br"] = "application/octet-stream";
        types.Mappings[".gz"] = "application/gzip";
        return types;
    }
}
