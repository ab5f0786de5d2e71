using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Messenger.Client;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Large-group fan-out: a large group of <c>--members</c> users (default 10,000, the sender included) of whom
/// <c>--online</c> (default 2,000, the sender not included) have a device connected with its update stream running
/// (one SDK connection each). One sender posts at <c>--rate</c> messages/s (default 20) for the duration, or with
/// <c>--rate 0</c> as fast as <c>--window</c> sends in flight allow (default 16: saturation). Reported: time from send
/// (the scheduled time with a rate, the call's start otherwise) to the receipt by the LAST online member of each
/// message (p50/p99, HdrHistogram), MessageReceived events per second on all online devices together, and rows added to
/// the message and log tables per message posted (read from the child's SQLite file).
/// </summary>
internal static class GroupFanoutScenario
{
    private const long HighestMicros = 300_000_000;
    private static readonly string[] Tables = ["message_messages", "queue_updates", "message_dialogs", "message_members"];

    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var members = options.Int("members", 10_000);
        var online = options.Int("online", 2_000);
        var rate = options.Double("rate", 20);
        var window = options.Int("window", 16);
        var warmupMessages = options.Int("warmup-messages", 10);
        var grace = TimeSpan.FromSeconds(options.Double("grace", 30));
        if (online > members - 1 || online < 1)
        {
            throw new ArgumentException("--online must be between 1 and --members - 1");
        }

        var report = new BenchReport("group-fanout");
        report.Parameters["members"] = members;
        report.Parameters["online"] = online;
        report.Parameters["mode"] = rate > 0 ? $"open loop, {rate:0.##} msgs/s" : $"saturation, window {window}";
        report.Parameters["duration_s"] = options.Duration.TotalSeconds;

        await using var server = await ServerProcess.StartAsync(options, ChatKit.SignUpSettings());
        var setup = Stopwatch.StartNew();
        // Device 0 is the sender (the group's creator); devices 1..online are the online members.
        var devices = await ChatKit.SignUpAsync(
            server, "fan_on", online + 1, keys => ChatKit.ClientOptions(server, keys, autoReceipt: false));
        var offline = await ChatKit.RegisterOnlyAsync(server, "fan_off", members - online - 1);
        var signUpSeconds = setup.Elapsed.TotalSeconds;
        var sender = devices[0];
        var receivers = devices[1..];
        try
        {
            var others = receivers.Select(d => d.UserId).Concat(offline).ToArray();
            var created = await sender.Client.CreateGroupAsync("fan-out bench", others[..Math.Min(199, others.Length)], large: true);
            var chatId = created.Chat.Id;
            for (var i = 199; i < others.Length; i += 200)
            {
                await sender.Client.AddMembersAsync(chatId, others[i..Math.Min(i + 200, others.Length)]);
            }

            var full = await sender.Client.GetFullChatAsync(chatId, 0, 1);
            var setupSeconds = setup.Elapsed.TotalSeconds;
            if (full.Chat.MemberCount != members)
            {
                throw new InvalidOperationException($"the group has {full.Chat.MemberCount} members, expected {members}");
            }

            // Streams start after the additions: each tracks the chat from its first push.
            await Task.WhenAll(devices.Select(d => d.Client.Events.StartAsync(d.UserId)));
            var state = new FanoutState(online);
            foreach (var receiver in receivers)
            {
                _ = Task.Run(() => ReadAsync(receiver, chatId, state));
            }

            _ = Task.Run(async () =>
            {
                await foreach (var _ in sender.Client.Events.Reader.ReadAllAsync())
                {
                }
            });

            var peer = Peer.Chat(chatId);
            var seq = 0L;
            // Warm-up: a few messages one after the other, each awaited until every online member has it.
            for (var i = 0; i < warmupMessages; i++)
            {
                var s = ++seq;
                await SendAsync(sender.Client, peer, s, Stopwatch.GetTimestamp(), state);
                var waited = Stopwatch.StartNew();
                while (!state.IsComplete(s) && waited.Elapsed < grace)
                {
                    await Task.Delay(10);
                }
            }

            var rowsBefore = ChatKit.CountRows(server, Tables);
            var firstMeasured = seq + 1;
            var cpuBefore = server.CpuTime();
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            state.BeginWindow(firstMeasured);
            var clock = Stopwatch.StartNew();
            var stopAt = Stopwatch.GetTimestamp() + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
            long errors = 0;
            if (rate > 0)
            {
                var interval = (long)(Stopwatch.Frequency / rate);
                var next = Stopwatch.GetTimestamp();
                var inFlight = new List<Task>();
                while (next < stopAt)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait);
                    }

                    var s = ++seq;
                    var stamp = next;
                    inFlight.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await SendAsync(sender.Client, peer, s, stamp, state);
                        }
                        catch (Exception)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }));
                    inFlight.RemoveAll(t => t.IsCompleted);
                    next += interval;
                }

                await Task.WhenAll(inFlight);
            }
            else
            {
                await Task.WhenAll(Enumerable.Range(0, window).Select(_ => Task.Run(async () =>
                {
                    while (Stopwatch.GetTimestamp() < stopAt)
                    {
                        var s = Interlocked.Increment(ref seq);
                        try
                        {
                            await SendAsync(sender.Client, peer, s, Stopwatch.GetTimestamp(), state);
                        }
                        catch (Exception)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                })));
            }

            var lastMeasured = Interlocked.Read(ref seq);
            state.EndWindow();
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuAfter = server.CpuTime();
            var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore;
            var rss = server.RssKiB();
            var posted = lastMeasured - firstMeasured + 1 - errors;

            var drained = Stopwatch.StartNew();
            while (state.CompleteBetween(firstMeasured, lastMeasured) < posted && drained.Elapsed < grace)
            {
                await Task.Delay(100);
            }

            var drainSeconds = drained.Elapsed.TotalSeconds;
            var rowsAfter = ChatKit.CountRows(server, Tables);
            var latencies = state.Latencies();
            var complete = state.CompleteBetween(firstMeasured, lastMeasured);

            report.Figures["p50_ms"] = latencies.GetValueAtPercentile(50) / 1000.0;
            report.Figures["p99_ms"] = latencies.GetValueAtPercentile(99) / 1000.0;
            report.Figures["max_ms"] = latencies.GetValueAtPercentile(100) / 1000.0;
            report.Figures["pushes_per_sec"] = state.PushesInWindow / seconds;
            report.Figures["pushes_per_sec_incl_drain"] = state.PushesOfMeasured / (seconds + drainSeconds);
            report.Figures["messages_per_sec"] = posted / seconds;
            report.Figures["messages_posted"] = posted;
            report.Figures["messages_complete"] = complete;
            report.Figures["send_errors"] = errors;
            var totalRows = 0L;
            foreach (var table in Tables)
            {
                var added = rowsAfter[table] - rowsBefore[table];
                totalRows += added;
                report.Figures[$"rows_per_msg_{table.Split('_')[1]}"] = posted > 0 ? added / (double)posted : 0;
            }

            report.Figures["rows_per_message"] = posted > 0 ? totalRows / (double)posted : 0;
            if (cpuBefore is { } before && cpuAfter is { } after)
            {
                report.Figures["server_cpu_pct"] = 100 * (after - before).TotalSeconds / seconds;
            }

            report.Figures["bench_cpu_pct"] = 100 * benchCpu.TotalSeconds / seconds;
            if (rss is { } kib)
            {
                report.Figures["server_rss_mb"] = kib / 1024.0;
            }

            report.Figures["sign_up_s"] = signUpSeconds;
            report.Figures["setup_s"] = setupSeconds;
            report.Notes.Add("latency: send (scheduled time with --rate, call start with --rate 0) → MessageReceived on the LAST of the online members' devices; only messages every online device received count");
            report.Notes.Add($"pushes_per_sec: MessageReceived events (large-group pushes) on all online devices during the sending window; _incl_drain: those of the measured messages until all arrived or {grace.TotalSeconds:0} s");
            report.Notes.Add("rows_per_message: rows added to message_messages + queue_updates + message_dialogs + message_members during the window / messages posted");
            report.Notes.Add("server_cpu_pct / bench_cpu_pct: utime+stime of the child / of this process (sender + all online clients) over the window, % of one core; both share the machine's cores");
        }
        finally
        {
            await ChatKit.DisposeAllAsync(devices);
        }

        return report;
    }

    private static async Task SendAsync(MessengerClient client, Peer peer, long seq, long stamp, FanoutState state)
    {
        state.Expect(seq, stamp);
        await client.SendMessageAsync(peer, string.Create(CultureInfo.InvariantCulture, $"fan {seq} {stamp}"));
    }

    private static async Task ReadAsync(Device device, long chatId, FanoutState state)
    {
        await foreach (var update in device.Client.Events.Reader.ReadAllAsync())
        {
            if (update is MessageReceived { IsOutgoing: false, ChannelId: { } channel, Message.Text: var text } && channel == chatId && text.StartsWith("fan ", StringComparison.Ordinal))
            {
                var now = Stopwatch.GetTimestamp();
                var space = text.IndexOf(' ', 4);
                state.Received(long.Parse(text.AsSpan(4, space - 4), CultureInfo.InvariantCulture), now);
            }
        }
    }

    /// <summary>Receipts per message: how many online devices have it, and the latency when the last one gets it.</summary>
    private sealed class FanoutState(int online)
    {
        private readonly ConcurrentDictionary<long, Tracked> _messages = new();
        private readonly LongHistogram _histogram = new(HighestMicros, 3);
        private long _firstMeasured = long.MaxValue;
        private long _windowEnd = long.MaxValue;
        private long _pushesInWindow;
        private long _pushesOfMeasured;

        public long PushesInWindow => Interlocked.Read(ref _pushesInWindow);

        public long PushesOfMeasured => Interlocked.Read(ref _pushesOfMeasured);

        public void BeginWindow(long firstMeasured) => Interlocked.Exchange(ref _firstMeasured, firstMeasured);

        public void EndWindow() => Interlocked.Exchange(ref _windowEnd, Stopwatch.GetTimestamp());

        public void Expect(long seq, long stamp) => _messages[seq] = new Tracked(stamp);

        public bool IsComplete(long seq) => _messages.TryGetValue(seq, out var t) && Volatile.Read(ref t.Count) >= online;

        public long CompleteBetween(long first, long last)
        {
            long n = 0;
            for (var s = first; s <= last; s++)
            {
                if (IsComplete(s))
                {
                    n++;
                }
            }

            return n;
        }

        public void Received(long seq, long now)
        {
            if (!_messages.TryGetValue(seq, out var tracked))
            {
                return;
            }

            var measured = seq >= Interlocked.Read(ref _firstMeasured);
            if (measured)
            {
                Interlocked.Increment(ref _pushesOfMeasured);
            }

            if (Interlocked.Read(ref _firstMeasured) != long.MaxValue && now < Interlocked.Read(ref _windowEnd))
            {
                Interlocked.Increment(ref _pushesInWindow);
            }

            if (Interlocked.Increment(ref tracked.Count) == online && measured)
            {
                var micros = (long)Stopwatch.GetElapsedTime(tracked.Stamp, now).TotalMicroseconds;
                lock (_histogram)
                {
                    _histogram.RecordValue(Math.Clamp(micros, 0, HighestMicros));
                }
            }
        }

        public HistogramBase Latencies()
        {
            lock (_histogram)
            {
                return _histogram.Copy();
            }
        }
    }

    private sealed class Tracked(long stamp)
    {
        public long Stamp { get; } = stamp;

        public int Count;
    }
}
