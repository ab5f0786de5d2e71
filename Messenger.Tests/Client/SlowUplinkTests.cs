using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;
using Microsoft.AspNetCore.Http.Connections;

namespace Messenger.Tests.Client;

/// <summary>
/// A link whose uplink is slow but alive — the client's bytes keep flowing at 32 or 64 KB/s, the server's pings keep
/// arriving every second — is not taken for dead. A send that finds no room on the socket within ServerTimeout gives
/// the link up only if the link also brought nothing for as long (MessengerClient.WatchSendAsync): bounding the send
/// alone (found by the forty-ninth session's review) aborted such a link again and again during an RPC upload, whose
/// 512 KiB part frames take longer than ServerTimeout to get through. A jammed link is still replaced
/// (LinkClosedAtHandshakeTests).
/// </summary>
public sealed class SlowUplinkTests
{
    // SignalR's own pipe (1 MiB: the default) at 32 KB/s (≈ 260 kbit/s), a 64 KiB pipe at 64 KB/s, and long polling at
    // 32 KB/s (no pings come down there while a POST goes up: found by the forty-ninth session's second review).
    [Theory]
    [InlineData(0, 32 * 1024, false)]
    [InlineData(64 * 1024, 64 * 1024, false)]
    [InlineData(0, 32 * 1024, true)]
    public async Task RpcUpload_OverASlowButLiveUplink_KeepsItsLink(int pipeBytes, int bytesPerSecond, bool longPolling)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Protocol:KeepAliveSeconds"] = "1" });
        await using var relay = new SlowUplinkRelay(host.BaseAddress, bytesPerSecond);
        var defaults = host.ClientOptions(serverUrl: relay.Address);
        var client = await MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = defaults.ServerUrl,
            ServerPublicKey = defaults.ServerPublicKey,
            DeviceKeys = defaults.DeviceKeys,
            CallTimeout = TimeSpan.FromSeconds(120),
            // Four times the host's 1 s keep-alive, as NetworkChaosTests has it: the downlink's pings keep the link alive.
            ServerTimeout = TimeSpan.FromSeconds(4),
            ConfigureTransport = transport =>
            {
                // A small socket send buffer, as on a slow mobile uplink (on loopback the kernel would otherwise take
                // megabytes at once): once the pipe is full, the hub's send waits while it drains at the link's pace.
                if (pipeBytes > 0)
                {
                    transport.TransportMaxBufferSize = pipeBytes;
                }

                if (longPolling)
                {
                    transport.Transports = HttpTransportType.LongPolling;
                }

                transport.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var socket = new ClientWebSocket();
                    var handler = new SocketsHttpHandler
                    {
                        ConnectCallback = async (connect, token) =>
                        {
                            var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 16 * 1024 };
                            await raw.ConnectAsync(IPAddress.Loopback, connect.DnsEndPoint.Port, token);
                            return new NetworkStream(raw, ownsSocket: true);
                        },
                    };
                    await socket.ConnectAsync(context.Uri, new HttpMessageInvoker(handler), cancellationToken);
                    return socket;
                };
            },
        });
        Task<InputMedia>? upload = null;
        try
        {
            await client.RegisterAsync("slow_uplink", SessionTestKit.Password, "SLOW");
            await client.SignInAsync("slow_uplink", SessionTestKit.Password, "Test device", "tests");
            client.ConnectionCount.Should().Be(1);
            var before = relay.Uplink;

            upload = client.UploadFileAsync(
                new MemoryStream(MediaTestKit.RandomBytes(4 * 512 * 1024, 49)), "slow.bin", "application/octet-stream", parallelism: 4,
                transport: MediaTransport.Rpc);

            // More than one part's frame has gone up, at the link's pace (≈ 11 to 19 s): bytes flowed all along.
            using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                while (relay.Uplink - before < 700 * 1024)
                {
                    await Task.Delay(50, bound.Token);
                }
            }

            client.ConnectionCount.Should().Be(1, "the link carried the upload's bytes all along and the server's pings kept coming: it was never dead");
            relay.WebSockets.Should().Be(longPolling ? 0 : 1, "no second link was opened");
        }
        finally
        {
            await client.DisposeAsync();
            if (upload is not null)
            {
                try
                {
                    await upload;
                }
                catch (Exception)
                {
                    // Given up with the client.
                }
            }
        }
    }

    /// <summary>A relay that carries the server's bytes as they come and the client's at <c>bytesPerSecond</c>, reading
    /// them through a small receive buffer, and counts the client's bytes carried and the WebSockets opened.</summary>
    private sealed class SlowUplinkRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _targetPort;
        private readonly int _bytesPerSecond;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _sockets = [];
        private readonly Task _accepting;
        private long _uplink;
        private int _accepted;

        public SlowUplinkRelay(Uri target, int bytesPerSecond)
        {
            _targetPort = target.Port;
            _bytesPerSecond = bytesPerSecond;
            _listener.Server.ReceiveBufferSize = 8 * 1024;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public long Uplink => Interlocked.Read(ref _uplink);

        /// <summary>The WebSocket upgrades carried: one per link the client opened.</summary>
        public int WebSockets => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    client.NoDelay = true;
                    client.ReceiveBufferSize = 8 * 1024;
                    var server = new TcpClient { NoDelay = true };
                    await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                    lock (_sockets)
                    {
                        _sockets.Add(client);
                        _sockets.Add(server);
                    }

                    _ = PumpAsync(server.GetStream(), client.GetStream(), throttle: false);
                    _ = PumpAsync(client.GetStream(), server.GetStream(), throttle: true);
                }
            }
            catch (Exception)
            {
                // Stopped.
            }
        }

        private async Task PumpAsync(Stream from, Stream to, bool throttle)
        {
            var buffer = new byte[throttle ? 4096 : 64 * 1024];
            var started = DateTime.UtcNow;
            long carried = 0;
            var upgraded = false;
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    if (!throttle)
                    {
                        continue;
                    }

                    if (!upgraded && System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains("Upgrade: websocket", StringComparison.OrdinalIgnoreCase))
                    {
                        upgraded = true;
                        Interlocked.Increment(ref _accepted);
                    }

                    Interlocked.Add(ref _uplink, read);
                    carried += read;
                    var due = started + TimeSpan.FromSeconds((double)carried / _bytesPerSecond);
                    var wait = due - DateTime.UtcNow;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _stop.Token);
                    }
                }
            }
            catch (Exception)
            {
                // Closed either way, or stopped.
            }
            finally
            {
                from.Dispose();
                to.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_sockets)
            {
                foreach (var socket in _sockets)
                {
                    socket.Dispose();
                }
            }

            await _accepting;
        }
    }
}
