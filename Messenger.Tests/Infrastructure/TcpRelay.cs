using System.Net.Sockets;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a host: each connection it accepts is carried both ways to the host's port until
/// <see cref="Silence"/>, after which its WebSockets stay open but carry nothing either way — a link that died without a
/// word (a dead Wi-Fi, a suspended laptop), and new connections are closed as they come, until <see cref="Restore"/>.
/// <see cref="HoldHandshakes"/> lets new WebSockets open but holds them silent from SignalR's handshake or from the app's
/// first message (a server that never answers the Noise handshake). It counts the connections it accepted and the links
/// whose client still holds them open, so a test sees a client close its socket or dial again.
/// </summary>
public sealed class TcpRelay : Relay<TcpRelay.Link>
{
    private bool _down;
    private HeldHandshake? _hold;

    public TcpRelay(Uri target)
        : base(target)
    {
        Start();
    }

    /// <summary>Where <see cref="HoldHandshakes"/> makes a new WebSocket go silent.</summary>
    public enum HeldHandshake
    {
        /// <summary>Once its upgrade is answered: SignalR's handshake waits.</summary>
        SignalR,

        /// <summary>Once SignalR's handshake is answered: the app's first message (the Noise handshake) waits.</summary>
        Noise,
    }

    /// <summary>Links carried whose client end is still open: the client has not closed it, nor has the relay (once both
    /// ways ended, or an idle HTTP one when silenced). A silent link swallows the close, so there only the client's own
    /// socket ends it.</summary>
    public int Open
    {
        get
        {
            lock (Gate)
            {
                return Links.Count(link => !link.ClientClosed && !link.Closed);
            }
        }
    }

    /// <summary>Links held by <see cref="HoldHandshakes"/> so far.</summary>
    public int Held
    {
        get
        {
            lock (Gate)
            {
                return Links.Count(link => link.Held);
            }
        }
    }

    // Links with both ways still open: those Silence, Jam and Cut act on (read under Gate).
    private IEnumerable<Link> Carried => Links.Where(link => link.BothWaysOpen);

    /// <summary>
    /// Stops carrying bytes on every WebSocket open now, leaving it open, and returns how many. Its other connections
    /// (idle HTTP ones a client keeps for its next request) are closed, as a server closes an idle one: a browser would
    /// send its next request on one and wait for good, where after a real outage it notices the network change and
    /// drops them.
    /// </summary>
    public int Silence()
    {
        lock (Gate)
        {
            _down = true;
            var silenced = 0;
            foreach (var link in Carried)
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
        lock (Gate)
        {
            foreach (var link in Carried.Where(l => httpToo || l.IsWebSocket))
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
        lock (Gate)
        {
            _down = true;
            foreach (var link in Carried)
            {
                link.Dispose();
            }
        }
    }

    /// <summary>Carries new connections again, and no longer holds new handshakes (the silenced links stay silent).</summary>
    public void Restore()
    {
        lock (Gate)
        {
            _down = false;
            _hold = null;
        }
    }

    /// <summary>
    /// From now on each new WebSocket opens, carries what comes before <paramref name="hold"/>, then goes silent and stays
    /// open: a connect that waits for the server's answer waits for good.
    /// </summary>
    public void HoldHandshakes(HeldHandshake hold = HeldHandshake.Noise)
    {
        lock (Gate)
        {
            _hold = hold;
        }
    }

    protected override Link NewLink(Socket client, Socket server) => new(client, server);

    protected override bool Admit(Link link)
    {
        link.Hold = _hold;
        return !_down;
    }

    protected override async Task BeforeReadAsync(Link link, bool toServer, CancellationToken token)
    {
        while (toServer && link is { Jammed: true, Closed: false })
        {
            await Task.Delay(20, token);
        }
    }

    protected override async Task<bool> ForwardAsync(Link link, bool toServer, ReadOnlyMemory<byte> chunk, CancellationToken token)
    {
        // A silent link swallows what it reads, as a dead network would. A held one goes silent with the answer it is held
        // after, still carried: the upgrade's (the server's first read), or SignalR's handshake's (its JSON ends in 0x1E,
        // which the server's frames carry unmasked).
        var carry = !link.Silent;
        if (!toServer && link is { Hold: { } hold, IsWebSocket: true, Held: false }
            && (hold == HeldHandshake.SignalR || chunk.Span.Contains((byte)0x1E)))
        {
            link.Held = true;
            link.Silent = true;
        }

        if (carry)
        {
            await (toServer ? link.Server : link.Client).SendAsync(chunk, token);
        }

        return true;
    }

    // Not silenced any more once either way ends (BothWaysOpen); a silent link swallows the end too.
    protected override bool PassesEndOn(Link link, bool toServer) => !link.Silent;

    public sealed class Link(Socket client, Socket server) : RelayLink(client, server)
    {
        private volatile bool _silent;
        private volatile bool _jammed;
        private volatile bool _held;

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
    }
}
