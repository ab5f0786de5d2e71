using Messenger.Kernel;
using Messenger.Kernel.Storage;
using Messenger.Protocol.Dispatch;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Messenger.Host.Metrics;

/// <summary>The <c>Messenger:Metrics</c> section.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Messenger:Metrics";

    /// <summary>Where Prometheus scrapes the server's metrics (e.g. <c>/metrics</c>); empty: no endpoint, and no
    /// metrics are collected in process.</summary>
    public string PrometheusPath { get; set; } = "";
}

internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options) =>
        // A null ("PrometheusPath": null in a JSON file) is as empty: off.
        string.IsNullOrEmpty(options.PrometheusPath) || (options.PrometheusPath.StartsWith('/') && !options.PrometheusPath.Contains(' '))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{MetricsOptions.Section}:{nameof(options.PrometheusPath)}: '{options.PrometheusPath}' is not a path such as /metrics");
}

/// <summary>
/// An opt-in Prometheus endpoint over the server's own meters (calls, the storage writer) and what ASP.NET Core and
/// the runtime already measure (HTTP requests, Kestrel and SignalR connections, GC, thread pool). Off by default:
/// the counts say how busy the server is, so the operator decides who may read them (a firewall, or a proxy that
/// does not pass the path).
/// </summary>
internal static class PrometheusMetrics
{
    private static readonly string[] Meters =
    [
        RpcMetrics.MeterName, WriterMetrics.MeterName, Backup.ScheduledBackups.MeterName,
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "System.Runtime",
    ];

    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MetricsOptions, MetricsOptionsValidator>(configuration, MetricsOptions.Section);
        if (PathOf(configuration).StartsWith('/'))
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        }

        return services;
    }

    /// <summary>The path Prometheus is pointed at by habit; answered with a hint when the endpoint is not there.</summary>
    public const string UsualPath = "/metrics";

    /// <summary>The one line <see cref="UsualPath"/> answers (404) when it is not the configured endpoint.</summary>
    public const string NotHereNote =
        "No metrics at " + UsualPath + ": the Prometheus endpoint is served at " + MetricsOptions.Section + ":PrometheusPath (empty: off); set it to " + UsualPath + " to serve them here.\n";

    public static void MapPrometheusMetrics(this WebApplication app)
    {
        var path = PathOf(app.Configuration);
        if (path.StartsWith('/'))
        {
            app.MapPrometheusScrapingEndpoint(path);
        }

        // Unrouted, /metrics would be a client-side route of the web client and answer its page with 200, which a
        // scraper pointed here takes for a broken exporter; routing ignores case and a trailing slash, so does this.
        if (!string.Equals(path.TrimEnd('/'), UsualPath, StringComparison.OrdinalIgnoreCase))
        {
            app.MapMethods(UsualPath, [HttpMethods.Get, HttpMethods.Head], () => Results.Text(NotHereNote, "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound));
        }
    }

    private static string PathOf(IConfiguration configuration) =>
        configuration[$"{MetricsOptions.Section}:{nameof(MetricsOptions.PrometheusPath)}"] ?? "";
}
