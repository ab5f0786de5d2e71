using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a host: each connection it accepts is carried both ways to the host's port until
/// <see cref="Silence"/>, after which its WebSockets stay open but carry nothing either way — a link that died without a
/// word (a dead Wi-Fi, a suspended laptop), and new connections are closed as they come, until <see cref="Restore"/>.
/// <see cref="HoldHandshakes"/> lets new WebSockets open but holds them silent from SignalR's handshake or from the app's
/// first message (a server that never answers the Noise handshake). It counts the connections it accepted and the links
/// whose client still holds them open, so a test sees a client close its socket or dial again.
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
    private HeldHandshake? _hold;
    private int _accepted;

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

    /// <summary>
    /// Jams every WebSocket open now, leaving it open: what the server sends is swallowed (as <see cref="Silence"/> does),
    /// and what the client sends is no longer read, so once the socket's buffers fill, the client's writes wait for room
    /// that never comes. With <paramref name="httpToo"/> its plain HTTP connections open now are jammed as well (a
    /// long-polling client's poll, and the idle one its next send goes out on: that request waits for an answer that
    /// never comes). New connections are carried as before.
    /// </summary>
    public void Jam(bool httpToo = false)
    {
        lock (_links)
        {
            foreach (var link in _links.Where(l => httpToo || l.IsWebSocket))
            {
                link.Silent = true;
                link.Jammed = true;
            }
        }
    }

    /// <summary>Closes every link open now (a network that went away with a reset) and closes new connections as they come,
    /// until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        lock (_links)
        {
            _down = true;
            foreach (var link in _links)
            {
                link.Dispose();
            }
        }
    }

    /// <summary>Carries new connections again, and no longer holds new handshakes (the silenced links stay silent).</summary>
    public void Restore()
    {
        lock (_links)
        {
            _down = false;
            _hold = null;
        }
    }

    /// <summary>Where <see cref="HoldHandshakes"/> makes a new WebSocket go silent.</summary>
    public enum HeldHandshake
    {
        /// <summary>Once its upgrade is answered: SignalR's handshake waits.</summary>
        SignalR,

        /// <summary>Once SignalR's handshake is answered: the app's first message (the Noise handshake) waits.</summary>
        Noise,
    }

    /// <summary>
    /// From now on each new WebSocket opens, carries what comes before <paramref name="hold"/>, then goes silent and stays
    /// open: a connect that waits for the server's answer waits for good.
    /// </summary>
    public void HoldHandshakes(HeldHandshake hold = HeldHandshake.Noise)
    {
        lock (_links)
        {
            _hold = hold;
        }
    }

    /// <summary>Connections accepted so far, carried or closed at once (while silenced).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Links carried whose client end is still open: the client has not closed it, nor has the relay (once both
    /// ways ended, or an idle HTTP one when silenced). A silent link swallows the close, so there only the client's own
    /// socket ends it.</summary>
    public int Open
    {
        get
        {
            lock (_links)
            {
                return _every.Count(link => !link.ClientClosed && !link.Closed);
            }
        }
    }

    /// <summary>Links held by <see cref="HoldHandshakes"/> so far.</summary>
    public int Held
    {
        get
        {
            lock (_links)
            {
                return _every.Count(link => link.Held);
            }
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

            Interlocked.Increment(ref _accepted);
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

                link.Hold = _hold;
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
                while (from == link.Client && link is { Jammed: true, Closed: false })
                {
                    await Task.Delay(20, _stop.Token);
                }

                int read;
                try
                {
                    read = await from.ReceiveAsync(buffer, _stop.Token);
                }
                catch (Exception error) when (from == link.Client && error is SocketException)
                {
                    link.ClientClosed = true;
                    throw;
                }

                if (read == 0)
                {
                    link.ClientClosed |= from == link.Client;
                    break;
                }

                if (from == link.Client && !link.IsWebSocket)
                {
                    link.IsWebSocket = Encoding.ASCII.GetString(buffer, 0, read).Contains("upgrade: websocket", StringComparison.OrdinalIgnoreCase);
                }

                // A silent link swallows what it reads, as a dead network would. A held one goes silent with the answer it
                // is held after, still carried: the upgrade's (the server's first read), or SignalR's handshake's (its JSON
                // ends in 0x1E, which the server's frames carry unmasked).
                var carry = !link.Silent;
                if (from == link.Server && link is { Hold: { } hold, IsWebSocket: true, Held: false }
                    && (hold == HeldHandshake.SignalR || buffer.AsSpan(0, read).Contains((byte)0x1E)))
                {
                    link.Held = true;
                    link.Silent = true;
                }

                if (carry)
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
        private volatile bool _jammed;
        private volatile bool _isWebSocket;
        private volatile bool _clientClosed;
        private volatile bool _held;
        private volatile bool _closed;
        private int _waysOpen = 2;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        /// <summary>The client asked for a WebSocket on it (an HTTP upgrade).</summary>
        public bool IsWebSocket
        {
            get => _isWebSocket;
            set => _isWebSocket = value;
        }

        public bool Jammed
        {
            get => _jammed;
            set => _jammed = value;
        }

        public bool Silent
        {
            get => _silent;
            set => _silent = value;
        }

        /// <summary>Made while the relay held handshakes.</summary>
        public HeldHandshake? Hold { get; set; }

        /// <summary>Silenced where <see cref="Hold"/> says.</summary>
        public bool Held
        {
            get => _held;
            set => _held = value;
        }

        /// <summary>Closed by the relay.</summary>
        public bool Closed => _closed;

        /// <summary>The client closed (or reset) its end.</summary>
        public bool ClientClosed
        {
            get => _clientClosed;
            set => _clientClosed = value;
        }

        /// <summary>One way of the link has ended; true when it was the second.</summary>
        public bool OneWayEnded() => Interlocked.Decrement(ref _waysOpen) == 0;

        public void Dispose()
        {
            _closed = true;
            Client.Dispose();
            Server.Dispose();
        }
    }
}
