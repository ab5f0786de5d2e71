using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// What the TCP relays in front of a host share: a listener on 127.0.0.1, an accept loop that dials the host for each
/// connection, a pump per way of each link (noting which links are WebSockets and when the client closed its end), and a
/// dispose that closes every link. What a relay does to the bytes is its own: <see cref="ForwardAsync"/> and the hooks
/// around it. A relay's constructor calls <see cref="Start"/> once its own state is set.
/// </summary>
public abstract class Relay<TLink> : IAsyncDisposable
    where TLink : RelayLink
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TLink> _links = [];
    private readonly List<Task> _carrying = [];
    private Task _accepting = Task.CompletedTask;
    private (EndPoint Dialled, TaskCompletionSource<int> Accepted)? _mark;
    private int _accepted;

    protected Relay(Uri target)
    {
        _targetPort = target.Port;
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Connections accepted so far, carried or closed at once.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Held while the links or a relay's own state are read or changed.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Every link carried so far (read under <see cref="Gate"/>).</summary>
    protected IReadOnlyList<TLink> Links => _links;

    /// <summary>Cancelled once the relay is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>
    /// How many connections had been dialled to the relay by the time of the call: it dials one of its own and waits for
    /// the listener to hand it over. A listener's backlog is first in, first out, so by then every connection made before
    /// it has been accepted and counted, one that a client made and closed just before the call among them (it sat in the
    /// backlog: <see cref="Accepted"/> alone would count it later). Its own connection is not counted.
    /// </summary>
    public async Task<int> DialledSoFarAsync()
    {
        using var marker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Bound first, so the accept loop knows it by its address even when it is accepted before ConnectAsync returns.
        marker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var accepted = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (Gate)
        {
            _mark = (marker.LocalEndPoint!, accepted);
        }

        await marker.ConnectAsync(_listener.LocalEndpoint, Stopping);
        return await accepted.Task.WaitAsync(Stopping);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await StopAsync();
        Task[] carrying;
        lock (Gate)
        {
            foreach (var link in _links)
            {
                link.Dispose();
            }

            carrying = [.. _carrying];
        }

        await Task.WhenAll(carrying);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    protected void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A link for a connection just accepted, before the host is dialled for it.</summary>
    protected abstract TLink NewLink(Socket client, Socket server);

    /// <summary>Under <see cref="Gate"/>, once the host answered: false closes the link at once instead of carrying it.</summary>
    protected virtual bool Admit(TLink link) => true;

    /// <summary>Before each read of one way (a jammed link stops reading here).</summary>
    protected virtual Task BeforeReadAsync(TLink link, bool toServer, CancellationToken token) => Task.CompletedTask;

    /// <summary>Carries (or not) one chunk read; false ends this way at once, without passing its end on.</summary>
    protected abstract Task<bool> ForwardAsync(TLink link, bool toServer, ReadOnlyMemory<byte> chunk, CancellationToken token);

    /// <summary>Once the sender closed its end of a way: whether the end is passed on (a FIN to the receiver).</summary>
    protected virtual bool PassesEndOn(TLink link, bool toServer) => true;

    /// <summary>After the accept loop ended, before the links are closed.</summary>
    protected virtual Task StopAsync() => Task.CompletedTask;

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

            if (IsMark(client))
            {
                continue;
            }

            Interlocked.Increment(ref _accepted);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var link = NewLink(client, server);
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

            lock (Gate)
            {
                if (!Admit(link))
                {
                    link.Dispose();
                    continue;
                }

                _links.Add(link);
                _carrying.Add(CarryAsync(link, toServer: true));
                _carrying.Add(CarryAsync(link, toServer: false));
            }
        }
    }

    private bool IsMark(Socket client)
    {
        lock (Gate)
        {
            if (_mark is not { } mark || !mark.Dialled.Equals(client.RemoteEndPoint))
            {
                return false;
            }

            _mark = null;
            client.Dispose();
            mark.Accepted.TrySetResult(Accepted);
            return true;
        }
    }

    private async Task CarryAsync(TLink link, bool toServer)
    {
        var (from, to) = toServer ? (link.Client, link.Server) : (link.Server, link.Client);
        var buffer = new byte[64 * 1024];
        var token = _stop.Token;
        try
        {
            var ended = true;
            while (true)
            {
                await BeforeReadAsync(link, toServer, token);
                int read;
                try
                {
                    read = await from.ReceiveAsync(buffer, token);
                }
                catch (SocketException) when (toServer)
                {
                    link.ClientClosed = true;
                    throw;
                }

                if (read == 0)
                {
                    link.ClientClosed |= toServer;
                    break;
                }

                if (toServer && !link.IsWebSocket)
                {
                    link.IsWebSocket = Encoding.ASCII.GetString(buffer, 0, read).Contains("upgrade: websocket", StringComparison.OrdinalIgnoreCase);
                }

                if (!await ForwardAsync(link, toServer, buffer.AsMemory(0, read), token))
                {
                    ended = false;
                    break;
                }
            }

            if (ended && PassesEndOn(link, toServer))
            {
                to.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The relay stops, the link was closed or reset, or the other side went away.
        }

        if (link.OneWayEnded())
        {
            link.Dispose();
        }
    }
}

/// <summary>One connection a <see cref="Relay{TLink}"/> carries: the client's socket and the one it dialled to the host.</summary>
public class RelayLink(Socket client, Socket server) : IDisposable
{
    private volatile bool _isWebSocket;
    private volatile bool _clientClosed;
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

    /// <summary>The client closed (or reset) its end.</summary>
    public bool ClientClosed
    {
        get => _clientClosed;
        set => _clientClosed = value;
    }

    /// <summary>Closed by the relay.</summary>
    public bool Closed => _closed;

    /// <summary>Neither way has ended yet.</summary>
    public bool BothWaysOpen => Volatile.Read(ref _waysOpen) == 2;

    /// <summary>One way of the link has ended; true when it was the second.</summary>
    public bool OneWayEnded() => Interlocked.Decrement(ref _waysOpen) == 0;

    public void Dispose()
    {
        _closed = true;
        Client.Dispose();
        Server.Dispose();
        GC.SuppressFinalize(this);
    }
}
