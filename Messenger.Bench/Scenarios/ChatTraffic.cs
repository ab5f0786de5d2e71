using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Messenger.Client;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Pairs of devices (0↔1, 2↔3, …) that send each other messages through the SDK and record what arrives as
/// <see cref="MessageReceived"/> events. Each text is <c>bench {sender} {seq} {timestamp}</c>: the receiver checks
/// the sender and sequence (duplicates, losses) and takes the send→deliver latency from the timestamp (both ends
/// are in this process, so one monotonic clock). Closed loop: <c>window</c> sends in flight per device; open loop:
/// a fixed total <c>rate</c>, each message stamped with its scheduled time (no coordinated omission).
/// </summary>
internal sealed class ChatTraffic
{
    private const long HighestMicros = 120_000_000; // 2 minutes

    private readonly Party[] _parties;
    private readonly bool _retry;

    // One histogram of each kind for all devices, each behind its own lock: a thousand devices with three each made
    // ≈ 440 MB of histogram arrays in this process, whose collections then paused the clients being measured.
    private readonly LongHistogram _latencies = new(HighestMicros, 3);
    private readonly LongHistogram _ackLatencies = new(HighestMicros, 3);
    private readonly LongHistogram _startLags = new(HighestMicros, 3);
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;
    private volatile bool _stop;
    private long _errors;
    private long _retries;
    private long _deduplicated;
    private long _sendsStarted;

    /// <param name="retry">Retry a failed send with the same random_id until it gets a result (the crash scenario);
    /// otherwise a failed send is counted as an error and dropped.</param>
    public ChatTraffic(Device[] devices, bool retry)
    {
        if (devices.Length % 2 != 0)
        {
            throw new ArgumentException("devices come in pairs: give an even number of connections");
        }

        _retry = retry;
        _parties = devices.Select(d => new Party(d)).ToArray();
        foreach (var party in _parties)
        {
            party.Partner = _parties[party.Device.Index ^ 1];
        }
    }

    public long Errors => Interlocked.Read(ref _errors);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Sends answered with the message a previous attempt with the same random_id had stored (pts_count 0).</summary>
    public long Deduplicated => Interlocked.Read(ref _deduplicated);

    public long Acknowledged => _parties.Sum(p => (long)p.Acked.Count);

    public long Duplicated => _parties.Sum(p => Volatile.Read(ref p.Duplicates));

    /// <summary>Acknowledged messages whose receiver has not (yet) seen them as an event.</summary>
    public long Missing => _parties.Sum(p => p.Acked.Keys.LongCount(seq => !p.Partner.HasReceived(seq)));

    /// <summary>Starts every device's update stream and its reader.</summary>
    public async Task StartReadersAsync()
    {
        await Task.WhenAll(_parties.Select(p => p.Device.Client.Events.StartAsync(p.Device.UserId)));
        foreach (var party in _parties)
        {
            party.Reader = Task.Run(() => ReadAsync(party));
        }
    }

    /// <summary>Starts the senders: <paramref name="window"/> in flight per device, or a total of <paramref name="rate"/> per second.</summary>
    public Task StartSenders(int window, double? rate)
    {
        if (rate is { } perSecond)
        {
            return Task.Run(() => PaceAsync(perSecond));
        }

        return Task.WhenAll(_parties.SelectMany(p => Enumerable.Range(0, window).Select(_ => Task.Run(() => LoopAsync(p)))));
    }

    public void Stop() => _stop = true;

    /// <summary>Deliveries and latencies are counted from now until <see cref="EndWindow"/> (delivery time).</summary>
    public void BeginWindow() => Interlocked.Exchange(ref _windowStart, Stopwatch.GetTimestamp());

    public void EndWindow() => Interlocked.Exchange(ref _windowEnd, Stopwatch.GetTimestamp());

    public long DeliveredInWindow => _parties.Sum(p => Volatile.Read(ref p.DeliveredInWindow));

    public long AckedInWindow => _parties.Sum(p => Volatile.Read(ref p.AckedInWindow));

    /// <summary>Send→deliver latencies of the messages delivered in the window (microseconds).</summary>
    public HistogramBase Latencies() => Snapshot(_latencies);

    /// <summary>Send→result latencies of the sends answered in the window (microseconds).</summary>
    public HistogramBase AckLatencies() => Snapshot(_ackLatencies);

    /// <summary>
    /// How late the bench itself started the sends answered in the window, after their scheduled time (microseconds;
    /// open loop only): the clients' own share of the latency, e.g. a timer or a collection in this process.
    /// </summary>
    public HistogramBase StartLags() => Snapshot(_startLags);

    private static HistogramBase Snapshot(LongHistogram histogram)
    {
        lock (histogram)
        {
            return histogram.Copy();
        }
    }

    private static void Record(LongHistogram histogram, long from, long to)
    {
        var micros = (long)Stopwatch.GetElapsedTime(from, to).TotalMicroseconds;
        lock (histogram)
        {
            histogram.RecordValue(Math.Clamp(micros, 0, HighestMicros));
        }
    }

    /// <summary>Waits until every acknowledged message was seen by its receiver, or <paramref name="grace"/> passes.</summary>
    public async Task WaitForDeliveriesAsync(TimeSpan grace)
    {
        var deadline = Stopwatch.StartNew();
        while (Missing > 0 && deadline.Elapsed < grace)
        {
            await Task.Delay(200);
        }
    }

    /// <summary>The acknowledged messages of one device: sequence → message id.</summary>
    public IReadOnlyDictionary<long, long> AckedBy(Device device) => _parties[device.Index].Acked;

    private async Task LoopAsync(Party party)
    {
        while (!_stop)
        {
            await SendOneAsync(party, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>
    /// The open loop: one pacer for every device (a timer each made the runtime's timer queue walk a thousand timers at
    /// each of the 4,400 fires a second: 14 % of the bench's own CPU at <c>--rate 4400</c>, taken from the server's
    /// cores). The devices take turns in a random order fixed at the start, a send every 1/<paramref name="perSecond"/>
    /// seconds, so each device still sends once per N/rate seconds; a send is stamped with its scheduled time, and a
    /// pacer that fell behind starts what is due at once.
    /// </summary>
    private async Task PaceAsync(double perSecond)
    {
        var order = _parties.OrderBy(_ => Random.Shared.Next()).ToArray();
        var stepTicks = Stopwatch.Frequency / perSecond;
        var start = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        for (long k = 0; !_stop; k++)
        {
            var due = start + (long)(k * stepTicks);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            inFlight.Add(SendOneAsync(order[k % order.Length], due));
            if (inFlight.Count >= 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendOneAsync(Party party, long stamp)
    {
        var started = Stopwatch.GetTimestamp();
        var seq = Interlocked.Increment(ref party.NextSeq);
        var randomId = Random.Shared.NextInt64(1, long.MaxValue);
        var text = string.Create(CultureInfo.InvariantCulture, $"bench {party.Device.Index} {seq} {stamp}");
        var peer = Peer.User(party.Partner.Device.UserId);
        Interlocked.Increment(ref _sendsStarted);
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var sent = await party.Device.Client.SendMessageAsync(peer, text, randomId: randomId);
                party.Acked[seq] = sent.Message.Id;
                if (sent.PtsCount == 0)
                {
                    Interlocked.Increment(ref _deduplicated);
                }

                if (Stopwatch.GetTimestamp() is var now && now >= Interlocked.Read(ref _windowStart) && now < Interlocked.Read(ref _windowEnd))
                {
                    Interlocked.Increment(ref party.AckedInWindow);
                    Record(_ackLatencies, stamp, now);
                    Record(_startLags, stamp, started);
                }

                return;
            }
            catch (RpcException e) when (e.Code is >= 400 and < 500 && e.Code != 420)
            {
                Interlocked.Increment(ref _errors); // a refusal: retrying the same call would be refused again
                return;
            }
            catch (Exception) when (_retry && giveUp.Elapsed < TimeSpan.FromMinutes(2))
            {
                // A connection error or timeout (e.g. the server was killed): the same random_id again is idempotent.
                Interlocked.Increment(ref _retries);
                await Task.Delay(100);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _errors);
                return;
            }
        }
    }

    private async Task ReadAsync(Party party)
    {
        var partnerIndex = party.Partner.Device.Index;
        await foreach (var update in party.Device.Client.Events.Reader.ReadAllAsync())
        {
            if (update is not MessageReceived { IsOutgoing: false, Message.Text: var text })
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            var parts = text.Split(' ');
            if (parts.Length != 4 || parts[0] != "bench" || int.Parse(parts[1], CultureInfo.InvariantCulture) != partnerIndex)
            {
                Interlocked.Increment(ref party.Foreign);
                continue;
            }

            var seq = long.Parse(parts[2], CultureInfo.InvariantCulture);
            var stamp = long.Parse(parts[3], CultureInfo.InvariantCulture);
            if (!party.Received.TryAdd(seq, 0))
            {
                Interlocked.Increment(ref party.Duplicates);
                continue;
            }

            if (now >= Interlocked.Read(ref _windowStart) && now < Interlocked.Read(ref _windowEnd))
            {
                Interlocked.Increment(ref party.DeliveredInWindow);
                Record(_latencies, stamp, now);
            }
        }
    }

    private sealed class Party(Device device)
    {
        public Device Device { get; } = device;

        public Party Partner { get; set; } = null!;

        public Task? Reader { get; set; }

        public ConcurrentDictionary<long, long> Acked { get; } = new();

        public ConcurrentDictionary<long, byte> Received { get; } = new();

        public long NextSeq;
        public long Duplicates;
        public long Foreign;
        public long DeliveredInWindow;
        public long AckedInWindow;

        public bool HasReceived(long seq) => Received.ContainsKey(seq);
    }
}
