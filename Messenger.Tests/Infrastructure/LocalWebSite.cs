using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Infrastructure;

/// <summary>A small web site on 127.0.0.1 (a free port) with the routes a test maps: pages for the server to fetch.</summary>
internal sealed class LocalWebSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalWebSite(WebApplication app, string origin)
    {
        _app = app;
        Origin = origin;
    }

    /// <summary><c>http://127.0.0.1:port</c>, without a trailing slash.</summary>
    public string Origin { get; }

    public static async Task<LocalWebSite> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new LocalWebSite(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
