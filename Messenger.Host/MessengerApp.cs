using Messenger.Host.Backup;
using Messenger.Host.Logging;
using Messenger.Host.Metrics;
using Messenger.Host.Transport;
using Messenger.Host.WebClient;
using Messenger.Kernel;
using Messenger.Kernel.Backups;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Events;
using Messenger.Kernel.Net;
using Messenger.Kernel.Storage;
using Messenger.Media;
using Messenger.Protocol;
using Messenger.Message;
using Messenger.Queue;
using Messenger.Session;
using Messenger.Update;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;
using Serilog.Filters;

namespace Messenger.Host;

/// <summary>The composition root: configuration, logging, the modules in a fixed list, migrate, map, run.</summary>
public static class MessengerApp
{
    /// <param name="args">Command-line arguments (they override the configuration file and environment).</param>
    /// <param name="overrides">Configuration values that win over everything (tests use a temp data directory).</param>
    /// <param name="configureServices">Extra services after the modules (tests add probe RPC methods).</param>
    public static WebApplication Build(
        string[] args,
        IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(Options(args));
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        var configuration = builder.Configuration;
        HonourAspNetUrls(configuration);
        builder.WebHost.UseUrls(ListenUrls(configuration));
        // Each host its own logger: by default Serilog routes every host's events through the static Log.Logger, the
        // last one built, so two hosts in one process (the tests) would write to each other's sinks.
        builder.Services.AddSerilog((_, logger) => ConfigureLogging(logger, configuration), preserveStaticLogger: true);

        builder.Services
            .AddKernelModule(configuration)
            .AddProtocolModule(configuration)
            .AddSessionModule(configuration)
            .AddMessageModule(configuration)
            .AddQueueModule(configuration)
            .AddUpdateModule(configuration)
            .AddMediaModule(configuration)
            .AddMediator(options =>
            {
                options.ServiceLifetime = ServiceLifetime.Scoped;
                options.NotificationPublisherType = typeof(EveryHandlerPublisher);
            })
            .AddWebClient(builder.Environment.ContentRootPath);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, TransportMemoryPoolFactory>();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<MessengerOptions>>(TrustProxies);
        builder.Services.AddPrometheusMetrics(configuration);
        builder.Services.AddValidatedOptions<BackupOptions, BackupOptionsValidator>(configuration, BackupOptions.Section);
        builder.Services.AddSingleton<ScheduledBackups>();
        builder.Services.AddSingleton<IServerBackups>(provider => provider.GetRequiredService<ScheduledBackups>());
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ScheduledBackups>());
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseForwardedHeaders();
        app.MapKernelModule();
        app.MapProtocolModule();
        app.MapMediaModule();
        app.MapMessageModule();
        app.MapPrometheusMetrics();
        app.UseWebClient();
        return app;
    }

    /// <summary>
    /// Where <c>Messenger:DataDirectory</c> points, read from the sources the server reads (appsettings.json, the
    /// environment, <paramref name="args"/>) without building the app: the options' validation creates the directory,
    /// and a command given the wrong one must refuse, not leave an empty data directory behind.
    /// </summary>
    /// <exception cref="StartupException">It is set but blank, which the server refuses too.</exception>
    public static string DataDirectory(string[] args)
    {
        using var configuration = WebApplication.CreateBuilder(Options(args)).Configuration;
        return DataDirectory(configuration) ?? throw new StartupException("Messenger:DataDirectory: must not be empty");
    }

    // Null when set but blank (the options' validation says so at a server's start).
    private static string? DataDirectory(IConfiguration configuration) =>
        configuration[$"{MessengerOptions.Section}:DataDirectory"] is { } configured
            ? string.IsNullOrWhiteSpace(configured) ? null : Path.GetFullPath(configured)
            : Path.GetFullPath(new MessengerOptions().DataDirectory);

    /// <summary>The database's path when <see cref="DataDirectory"/> holds none (the console commands then refuse, with
    /// nothing created); null when it is there.</summary>
    public static string? MissingDatabase(string[] args)
    {
        var path = Path.Combine(DataDirectory(args), MessengerOptions.DatabaseFileName);
        return File.Exists(path) ? null : path;
    }

    // The content root is the binary's folder: the top-level appsettings.json is copied there by the build,
    // so the same file is read from the repository root, from Messenger.Host/ or as a published binary.
    private static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = AppContext.BaseDirectory,
    };

    /// <summary>
    /// Validates the configuration, migrates the database and starts listening. Configuration and data problems
    /// surface as one <see cref="StartupException"/> whose message has one line per problem.
    /// </summary>
    public static async Task StartMessengerAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        // Read before the validation, which creates it.
        var newDataDirectory = DataDirectory(app.Configuration) is { } dataDirectory && !Directory.Exists(dataDirectory);
        Listening.CheckPortsFree(ListenUrls(app.Configuration));
        ValidateConfiguration(app.Services);
        Listening.LoadKestrelConfiguration(app);
        await app.Services.MigrateDatabaseAsync(cancellationToken);
        await app.Services.LoadServerKeyAsync(cancellationToken);
        await Listening.StartAsync(app, cancellationToken);

        var messenger = app.Services.GetRequiredService<IOptions<MessengerOptions>>().Value;
        var startup = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(LoggingOptions.StartupCategory);
        startup.LogInformation("Messenger listening on {Addresses}", string.Join(", ", app.ListeningAddresses()));
        startup.LogInformation("Data directory {DataDirectory}, database {DatabasePath}", messenger.DataDirectoryFullPath, messenger.DatabasePath);
        if (newDataDirectory)
        {
            // A relative Messenger:DataDirectory is taken from the current directory: started from another one, a server
            // with data would otherwise come up empty without a word.
            app.Logger.LogWarning(
                "Created a new, empty data directory {DataDirectory}; if this server has data elsewhere, stop it and set Messenger:DataDirectory to that directory (a relative path is taken from the current directory, {CurrentDirectory})",
                messenger.DataDirectoryFullPath, Environment.CurrentDirectory);
        }

        foreach (var address in app.ListeningAddresses().Where(ListenAddresses.IsPlainHttpBeyondLoopback))
        {
            app.Logger.LogWarning(
                "Listening on {Address} with plain HTTP beyond this machine: a browser elsewhere would load the web client and the server key it pins unencrypted, open to change on the way; serve it over HTTPS or behind a TLS proxy (if a TLS proxy is the only way in to this address, ignore this)",
                address);
        }

        app.AnnounceWebClient(startup);
    }

    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void ValidateConfiguration(IServiceProvider services)
    {
        var problems = ConfigurationKeys.Problems(services.GetRequiredService<IConfiguration>(), services.GetServices<BoundSection>()).ToList();
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            problems.AddRange(e is AggregateException aggregate
                ? aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(v => v.Failures)
                : ((OptionsValidationException)e).Failures);
        }

        if (problems.Count > 0)
        {
            throw new StartupException(string.Join(Environment.NewLine, problems));
        }
    }

    // Only the last hop's X-Forwarded-For entry (ForwardLimit 1, the default): the one the trusted proxy wrote itself.
    // With no known proxy at all the middleware would believe every sender, so then it reads no header.
    private static void TrustProxies(ForwardedHeadersOptions forwarded, IOptions<MessengerOptions> messenger)
    {
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var (_, network) in messenger.Value.TrustedProxyNetworks())
        {
            if (network is { } known)
            {
                forwarded.KnownIPNetworks.Add(known);
            }
        }

        forwarded.ForwardedHeaders = forwarded.KnownIPNetworks.Count > 0 ? ForwardedHeaders.XForwardedFor : ForwardedHeaders.None;
    }

    /// <summary>
    /// ASP.NET Core's own <c>--urls</c> / <c>ASPNETCORE_URLS</c> (configuration key <c>urls</c>), the first thing people
    /// try, stands for <c>Messenger:Urls</c> unless that key was chosen where <c>urls</c> does not outrank it: a settings
    /// file's value counts as chosen unless it is the shipped default (so an edited appsettings.json keeps its address
    /// even where a container image sets <c>ASPNETCORE_URLS</c>); the environment, the command line and the host's own
    /// overrides (tests') always count, each at its rank (the command line above the environment).
    /// </summary>
    private static void HonourAspNetUrls(ConfigurationManager configuration)
    {
        var providers = ((IConfigurationRoot)configuration).Providers.ToList();
        var urlsRank = providers.FindLastIndex(p => p.TryGet("urls", out var value) && !string.IsNullOrWhiteSpace(value));
        var chosenRank = providers.FindLastIndex(p =>
            p.TryGet(UrlsKey, out var value) && (p is not FileConfigurationProvider || value != new MessengerOptions().Urls));
        if (urlsRank >= 0 && urlsRank > chosenRank)
        {
            // The value that was ranked: a blank urls above it does not count.
            providers[urlsRank].TryGet("urls", out var urls);
            configuration[UrlsKey] = urls;
        }
    }

    private const string UrlsKey = $"{MessengerOptions.Section}:{nameof(MessengerOptions.Urls)}";

    // Kestrel is given only URLs that parse; the validator reports the rest with a clear line before start.
    private static string[] ListenUrls(IConfiguration configuration)
    {
        var urls = (configuration[UrlsKey] ?? new MessengerOptions().Urls)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(url => Uri.TryCreate(url, UriKind.Absolute, out _))
            .ToArray();
        return urls.Length > 0 ? urls : [new MessengerOptions().Urls];
    }

    /// <summary>
    /// SignalR logs every exception a hub method throws as an error with its stack. The protocol throws
    /// <see cref="HubException"/> only to refuse a client: a bad handshake, after logging the reason and closing the
    /// connection itself, or a handshake on a connection that is already gone (nothing to report). Anyone could
    /// otherwise fill the log with errors. Any other exception from a hub method is still logged.
    /// </summary>
    private static bool IsRefusalLoggedByTheProtocol(LogEvent logEvent) =>
        logEvent.Exception is HubException && Matching.FromSource("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher")(logEvent);

    private static void ConfigureLogging(LoggerConfiguration logger, IConfiguration configuration)
    {
        var options = configuration.GetSection(LoggingOptions.Section).Get<LoggingOptions>() ?? new LoggingOptions();
        var level = Enum.TryParse<LogEventLevel>(options.MinimumLevel, ignoreCase: true, out var parsed) ? parsed : LogEventLevel.Information;
        logger.MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override(LoggingOptions.StartupCategory, LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Filter.ByExcluding(IsRefusalLoggedByTheProtocol)
            // A listen address Kestrel could not take is thrown to Program, which prints it as one line: the host's own
            // report of it would print it a second time, with a stack trace. Any other failed start is logged.
            .Filter.ByExcluding(e => e.MessageTemplate.Text == "Hosting failed to start" && Matching.FromSource("Microsoft.Extensions.Hosting")(e)
                && Listening.BindFailure(e.Exception) is not null)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        if (!string.IsNullOrWhiteSpace(options.FilePath))
        {
            // A new file each day and whenever one reaches its size limit, so a flood of lines rolls the file rather than
            // filling the day's and silencing the log (Serilog writes nothing more to a full file).
            logger.WriteTo.File(
                options.FilePath,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: (long)Math.Max(1, options.FileSizeLimitMiB) << 20,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: Math.Max(1, options.RetainedFileCount),
                hooks: new PrivateLogFiles());
        }
    }
}
