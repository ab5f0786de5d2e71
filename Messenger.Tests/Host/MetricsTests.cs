using System.Net;
using Messenger.Contracts.Help;
using Messenger.Host.WebClient;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Host;

public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_WithAPrometheusPath_ServeCallsTheWriterAndConnectionsInTextFormat()
    {
        await using var host = await StartHostAsync(new Dictionary<string, string?> { ["Messenger:Metrics:PrometheusPath"] = "/metrics" });
        await using var client = await host.SignedInClientAsync("metered");
        await client.CallAsync(new PingCall(7));
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync("/metrics");

        response.IsSuccessStatusCode.Should().BeTrue();
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("messenger_rpc_duration_milliseconds_count{").And.Contain("method=\"help.ping\"")
            .And.Contain("messenger_writer_commit_duration_milliseconds_bucket{")
            .And.Contain("signalr_server_active_connections");
    }

    /// <summary>The names docs/operations.md gives for alert rules are the ones Prometheus gets (the meters' names with
    /// their unit and <c>_total</c>), not the meters' dotted names.</summary>
    [Fact]
    public async Task Metrics_WithAPrometheusPath_ServeTheBackupGaugeUnderTheNameTheDocumentedAlertUses()
    {
        using var backups = new TempDirectory();
        await using var host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Metrics:PrometheusPath"] = "/metrics",
            ["Messenger:Backup:Directory"] = backups.Path,
        });
        await using var client = await host.SignedInClientAsync("metered_backup");
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync("/metrics");

        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("\nmessenger_backup_last_success_seconds").And.Contain("\nmessenger_writer_commits_total");
    }

    [Fact]
    public async Task Metrics_ByDefault_AreNotServed()
    {
        await using var host = await StartHostAsync();
        using var http = host.CreateHttpClient();

        var text = await http.GetStringAsync("/metrics").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "");

        text.Should().NotContain("messenger_rpc_duration");
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("/internal/metrics")]
    public async Task Metrics_WhenSlashMetricsIsNotThePrometheusPath_Answer404SayingWhichKeyServesThem_AndOtherRoutesStillGetTheWebClient(string? prometheusPath)
    {
        using var root = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(root.Path, "index.html"), "<html><head></head><body>the web client</body></html>");
        await using var host = await TestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Messenger:Metrics:PrometheusPath"] = prometheusPath },
            configureServices: services => services.AddSingleton(new WebRoot(root.Path)));
        using var http = host.CreateHttpClient();

        using var metrics = await http.GetAsync("/metrics");
        using var route = await http.GetAsync("/settings");

        metrics.StatusCode.Should().Be(HttpStatusCode.NotFound);
        metrics.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var note = await metrics.Content.ReadAsStringAsync();
        note.Should().Contain("Messenger:Metrics:PrometheusPath").And.NotContain("<html");
        note.TrimEnd('\n').Should().NotContain("\n", "the note is one line");
        route.StatusCode.Should().Be(HttpStatusCode.OK);
        (await route.Content.ReadAsStringAsync()).Should().Contain("the web client");
    }
}
