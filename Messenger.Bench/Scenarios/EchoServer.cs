using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messenger.Bench.Scenarios;

/// <summary>The baseline: a bare SignalR hub (MessagePack) that sends each payload straight back.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<EchoServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR().AddMessagePackProtocol();
        var app = builder.Build();
        app.MapHub<EchoHub>("/echo");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EchoServer(app, new Uri(address));
    }

    public async Task<double> MeasureAsync(int connections, int window, TimeSpan duration, TimeSpan warmup = default)
    {
        var payload = new byte[200];
        Random.Shared.NextBytes(payload);
        var hubs = await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(Url, "/echo"), http =>
                {
                    http.SkipNegotiation = true;
                    http.Transports = HttpTransportType.WebSockets;
                })
                .AddMessagePackProtocol()
                .Build();
            await hub.StartAsync();
            return hub;
        }));

        long received = 0;
        var stop = false;
        var clock = new Stopwatch();
        foreach (var hub in hubs)
        {
            var connection = hub;
            connection.On<byte[]>("Receive", async echoed =>
            {
                Interlocked.Increment(ref received);
                if (!Volatile.Read(ref stop))
                {
                    await connection.SendAsync("Echo", echoed);
                }
            });
        }

        // Each connection keeps `window` payloads in flight: every echo that comes back is sent out again. The loop runs
        // for `warmup` first, not counted, as the measured side's does.
        foreach (var hub in hubs)
        {
            for (var i = 0; i < window; i++)
            {
                await hub.SendAsync("Echo", payload);
            }
        }

        await Task.Delay(warmup);
        var before = Interlocked.Read(ref received);
        clock.Start();
        await Task.Delay(duration);
        var total = Interlocked.Read(ref received) - before;
        var seconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
        return total / seconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class EchoHub : Hub
    {
        public Task Echo(byte[] payload) => Clients.Caller.SendAsync("Receive", payload);
    }
}
