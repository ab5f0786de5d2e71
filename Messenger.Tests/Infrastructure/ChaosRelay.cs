using System.Net.Sockets;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a host that misbehaves, once <see cref="Unleash"/>d, on each connection it
/// accepts as a seeded <see cref="Random"/> draws it (<see cref="Fault"/>): a reset at a random byte, one direction
/// closed, a cut in the middle of a frame, every chunk delayed, a silent stall longer than the keep-alive, a link that
/// swallows everything, or nothing at all. <see cref="Heal"/> ends it: faults not yet struck are called off, stalls end,
/// swallowing links are closed (the client dials again) and new connections run clean. Connections are drawn in the order
/// they come, so a seed replays the same plans, not the same timing.
/// </summary>
public sealed class ChaosRelay : Relay<ChaosRelay.Link>
{
    private static readonly (Fault Fault, int Weight)[] Weights =
    [
        (Fault.Clean, 20), (Fault.Delay, 20), (Fault.Reset, 15), (Fault.HalfClose, 10), (Fault.CutMidFrame, 10),
        (Fault.Stall, 15), (Fault.BlackHole, 10),
    ];

    private readonly Random _random;
    private readonly TimeSpan _longestStall;
    private readonly Dictionary<Fault, int> _struck = [];
    private readonly Dictionary<Fault, int> _planned = [];
    private Task _redrawing = Task.CompletedTask;
    private volatile bool _chaotic;
    private volatile bool _healed;

    /// <param name="longestStall">A stall lasts from half of it to all of it: keep its lower end past the host's keep-alive,
    /// and its upper end past the client's server timeout, so some stalls outlast the client's patience and some do not.</param>
    public ChaosRelay(Uri target, int seed, TimeSpan longestStall)
        : base(target)
    {
        _random = new Random(seed);
        _longestStall = longestStall;
        Start();
    }

    /// <summary>What the relay does to one connection.</summary>
    public enum Fault
    {
        /// <summary>Carried as it is.</summary>
        Clean,

        /// <summary>Every chunk either way waits a few to a few hundred milliseconds (order kept).</summary>
        Delay,

        /// <summary>At a random byte, both ends are reset (RST: linger on with a zero timeout, then closed).</summary>
        Reset,

        /// <summary>At a random byte one direction is closed (FIN); the other goes on.</summary>
        HalfClose,

        /// <summary>At a random byte inside a chunk, the part before it goes out and both ends are closed.</summary>
        CutMidFrame,

        /// <summary>At a random byte both directions stop for a while, holding what they carry, then go on.</summary>
        Stall,

        /// <summary>At a random byte both directions swallow everything from then on, the sockets left open.</summary>
        BlackHole,
    }

    /// <summary>From now on each connection gets a fault drawn for it: those open now (counting their bytes from here)
    /// and each new one; and every second or so each connection whose fault has not struck yet (a clean or delayed one
    /// among them) gets a new one drawn, so a client that was lucky once is not left alone for the rest of the chaos.</summary>
    public void Unleash()
    {
        _chaotic = true;
        Redraw();
        _redrawing = RedrawAsync();
    }

    private async Task RedrawAsync()
    {
        try
        {
            while (_chaotic)
            {
                int wait;
                lock (Gate)
                {
                    wait = _random.Next(500, 1500);
                }

                await Task.Delay(wait, Stopping);
                if (_chaotic)
                {
                    Redraw();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Redraw()
    {
        lock (Gate)
        {
            foreach (var link in Links.Where(l => !l.Struck))
            {
                link.Plan = NextPlan(from: Interlocked.Read(ref link.Carried));
            }
        }
    }

    /// <summary>Ends the chaos: the network is good again from now on (see the class's summary).</summary>
    public void Heal()
    {
        _chaotic = false;
        _healed = true;
        lock (Gate)
        {
            foreach (var link in Links.Where(l => l.Swallowing))
            {
                link.Dispose();
            }
        }
    }

    /// <summary>Faults drawn and faults that struck, by kind, for a test's output.</summary>
    public string Summary()
    {
        lock (Gate)
        {
            return string.Join(", ", Enum.GetValues<Fault>().Skip(1).Select(f => $"{f} {_struck.GetValueOrDefault(f)}/{_planned.GetValueOrDefault(f)}"))
                + $" (struck/drawn, over {Links.Count} connections)";
        }
    }

    protected override Link NewLink(Socket client, Socket server) => new(client, server, NextPlan());

    protected override Task StopAsync() => _redrawing;

    private Plan NextPlan(long from = 0)
    {
        lock (Gate)
        {
            var fault = Fault.Clean;
            if (_chaotic)
            {
                var pick = _random.Next(Weights.Sum(w => w.Weight));
                foreach (var (candidate, weight) in Weights)
                {
                    if (pick < weight)
                    {
                        fault = candidate;
                        break;
                    }

                    pick -= weight;
                }
            }

            _planned[fault] = _planned.GetValueOrDefault(fault) + 1;
            // Up to 6 KB across both ways: a handshake is ≈ 1 KB, a message's push or call a few hundred bytes.
            return new Plan(
                fault,
                At: from + _random.Next(1, 6_000),
                TowardsServer: _random.Next(2) == 0,
                Stall: TimeSpan.FromMilliseconds(_random.Next((int)_longestStall.TotalMilliseconds / 2, (int)_longestStall.TotalMilliseconds)),
                Seed: _random.Next());
        }
    }

    private void Struck(Fault fault)
    {
        lock (Gate)
        {
            _struck[fault] = _struck.GetValueOrDefault(fault) + 1;
        }
    }

    protected override async Task<bool> ForwardAsync(Link link, bool toServer, ReadOnlyMemory<byte> chunk, CancellationToken token)
    {
        if (link.Swallowing)
        {
            return true;
        }

        var to = toServer ? link.Server : link.Client;
        var read = chunk.Length;
        var plan = link.Plan;
        if (plan.Fault == Fault.Delay && !_healed)
        {
            if (!link.Delayed)
            {
                link.Delayed = true;
                Struck(Fault.Delay);
            }

            await Task.Delay(link.Delays(toServer).Next(2, 300), token);
        }

        await link.WaitOutStallAsync(() => _healed, token);
        var start = Interlocked.Add(ref link.Carried, read) - read;
        if (plan.Fault is Fault.Clean or Fault.Delay || link.Struck || _healed || start + read <= plan.At)
        {
            await to.SendAsync(chunk, token);
            return true;
        }

        // The fault's byte is in this chunk (or was passed while the other way carried).
        link.Struck = true;
        Struck(plan.Fault);
        var before = (int)Math.Clamp(plan.At - start, 0, read);
        switch (plan.Fault)
        {
            case Fault.Reset:
                await to.SendAsync(chunk[..before], token);
                link.Reset();
                return false;
            case Fault.CutMidFrame:
                await to.SendAsync(chunk[..Math.Max(before, Math.Min(read - 1, 1))], token);
                link.Dispose();
                return false;
            case Fault.HalfClose:
                await to.SendAsync(chunk, token);
                (plan.TowardsServer ? link.Server : link.Client).Shutdown(SocketShutdown.Send);
                link.ShutDownTowardsServer = plan.TowardsServer;
                link.ShutDownTowardsClient = !plan.TowardsServer;
                return toServer != plan.TowardsServer;
            case Fault.Stall:
                link.StallUntil(DateTimeOffset.UtcNow + plan.Stall);
                await link.WaitOutStallAsync(() => _healed, token);
                await to.SendAsync(chunk, token);
                return true;
            default: // Fault.BlackHole
                link.Swallowing = true;
                return true;
        }
    }

    // A half-closed direction already sent its FIN.
    protected override bool PassesEndOn(Link link, bool toServer) =>
        !(toServer ? link.ShutDownTowardsServer : link.ShutDownTowardsClient);

    /// <summary>A fault drawn for a link: which, at which byte, which way a half-close closes, how long a stall lasts, and
    /// the seed of its delays.</summary>
    public sealed record Plan(Fault Fault, long At, bool TowardsServer, TimeSpan Stall, int Seed);

    public sealed class Link(Socket client, Socket server, Plan plan) : RelayLink(client, server)
    {
        public long Carried;
        private readonly Lock _gate = new();
        private DateTimeOffset _stallUntil = DateTimeOffset.MinValue;
        private volatile bool _struck;
        private volatile bool _delayed;
        private volatile bool _swallowing;
        private volatile bool _shutDownTowardsServer;
        private volatile bool _shutDownTowardsClient;

        // Each way's delays drawn from the link's first plan, so a seed replays them.
        private readonly Random[] _delays = [new(plan.Seed), new(plan.Seed + 1)];
        private volatile Plan _plan = plan;

        public Plan Plan
        {
            get => _plan;
            set => _plan = value;
        }

        public bool Struck
        {
            get => _struck;
            set => _struck = value;
        }

        /// <summary>A chunk of it was delayed (counted once).</summary>
        public bool Delayed
        {
            get => _delayed;
            set => _delayed = value;
        }

        public bool Swallowing
        {
            get => _swallowing;
            set => _swallowing = value;
        }

        public bool ShutDownTowardsServer
        {
            get => _shutDownTowardsServer;
            set => _shutDownTowardsServer = value;
        }

        public bool ShutDownTowardsClient
        {
            get => _shutDownTowardsClient;
            set => _shutDownTowardsClient = value;
        }

        public void StallUntil(DateTimeOffset until)
        {
            lock (_gate)
            {
                _stallUntil = until;
            }
        }

        // Both ways hold what they carry until the stall is over (or the network healed).
        public async Task WaitOutStallAsync(Func<bool> healed, CancellationToken token)
        {
            while (!healed())
            {
                DateTimeOffset until;
                lock (_gate)
                {
                    until = _stallUntil;
                }

                var left = until - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return;
                }

                await Task.Delay(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100), token);
            }
        }

        public Random Delays(bool toServer) => _delays[toServer ? 1 : 0];

        public void Reset()
        {
            foreach (var socket in new[] { Client, Server })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception error) when (error is SocketException or ObjectDisposedException)
                {
                }
            }

            Dispose();
        }
    }
}
