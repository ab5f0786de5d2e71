using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a host: each connection it accepts is carried both ways to the host's port until
/// <see cref="Silence"/>, after which its WebSockets stay open but carry nothing either way — a link that died without a
/// word (a dead Wi-Fi, a suspended laptop), and new connections are closed as they come, until <see cref="Restore"/>.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    // Links with both ways still open (those Silence acts on); every link made (closed at the end); their pumps.
    private readonly List<Link> _links = [];
    private readonly List<Link> _every = [];
    private readonly List<Task> _carrying = [];
    private readonly Task _accepting;
    private bool _down;

    public TcpRelay(Uri target)
    {
        _targetPort = target.Port;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>
    /// Stops carrying bytes on every WebSocket open now, leaving it open, and returns how many. Its other connections
    /// (idle HTTP ones a client keeps for its next request) are closed, as a server closes an idle one: a browser would
    /// send its next request on one and wait for good, where after a real outage it notices the network change and
    /// drops them.
    /// </summary>
    public int Silence()
    {
        lock (_links)
        {
            _down = true;
            var silenced = 0;
            foreach (var link in _links)
            {
                if (link.IsWebSocket)
                {
                    link.Silent = true;
                    silenced++;
                }
                else
                {
                    link.Dispose();
                }
            }

            return silenced;
        }
    }

    /// <summary>Carries new connections again (the silenced ones stay silent).</summary>
    public void Restore()
    {
        lock (_links)
        {
            _down = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] carrying;
        lock (_links)
        {
            foreach (var link in _every)
            {
                link.Dispose();
            }

            carrying = [.. _carrying];
        }

        await Task.WhenAll(carrying);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var link = new Link(client, server);
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The host is down, or the relay stops: the client finds its connection closed, as with no server.
                link.Dispose();
                continue;
            }

            lock (_links)
            {
                if (_down)
                {
                    link.Dispose();
                    continue;
                }

                _links.Add(link);
                _every.Add(link);
                _carrying.Add(CarryAsync(link, link.Client, link.Server));
                _carrying.Add(CarryAsync(link, link.Server, link.Client));
            }
        }
    }

    private async Task CarryAsync(Link link, Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (from == link.Client && !link.IsWebSocket)
                {
                    link.IsWebSocket = Encoding.ASCII.GetString(buffer, 0, read).Contains("upgrade: websocket", StringComparison.OrdinalIgnoreCase);
                }

                // A silent link swallows what it reads, as a dead network would.
                if (!link.Silent)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }

            if (!link.Silent)
            {
                to.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The relay is stopping, or the other side closed.
        }

        // Not silenced any more once either way ends; closed once both have.
        lock (_links)
        {
            _links.Remove(link);
        }

        if (link.OneWayEnded())
        {
            link.Dispose();
        }
    }

    private sealed class Link(Socket client, Socket server) : IDisposable
    {
        private volatile bool _silent;
        private volatile bool _isWebSocket;
        private int _waysOpen = 2;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        /// <summary>The client asked for a WebSocket on it (an HTTP upgrade).</summary>
        public bool IsWebSocket
        {
            get => _isWebSocket;
            set => _isWebSocket = value;
        }

        public bool Silent
        {
            get => _silent;
            set => _silent = value;
        }

        /// <summary>One way of the link has ended; true when it was the second.</summary>
        public bool OneWayEnded() => Interlocked.Decrement(ref _waysOpen) == 0;

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }
}
