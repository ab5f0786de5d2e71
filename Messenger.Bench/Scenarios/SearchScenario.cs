using System.Diagnostics;
using System.Text;
using HdrHistogram;
using Messenger.Client;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// Full-text search: <c>--users</c> users (default 200, one signed-in device each) share <c>--chats</c> chats (default
/// 1,000; a <c>--group-share</c> of 0.2 of them small groups of 3–5 members, the rest private chats), and
/// <c>--messages</c> messages (default 1,000,000) are sent into random chats by random members through the RPC, with
/// <c>--concurrency</c> sends in flight in total (default 512). Each text is 4–12 words drawn from a Zipf (s = 1)
/// distribution over a <c>--vocabulary</c> of generated words (default 5,000), so one-word queries range from a word in
/// most messages to one in a few hundred. Then user 0, a member of <c>--searcher-chats</c> chats (default 100), runs
/// <c>--queries</c> one-word <c>messages.search</c> calls (default 1,000, one at a time, limit 20), words picked
/// log-uniformly by rank, every second one with a peer (one of its chats): p50/p99 latency. Also the fill rate.
/// </summary>
internal static class SearchScenario
{
    private const long HighestMicros = 60_000_000;

    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var messages = options.Int("messages", 1_000_000);
        var chats = options.Int("chats", 1_000);
        var users = options.Int("users", 200);
        var vocabularySize = options.Int("vocabulary", 5_000);
        var searcherChats = Math.Min(options.Int("searcher-chats", 100), chats);
        var groupShare = options.Double("group-share", 0.2);
        var concurrency = options.Int("concurrency", 512);
        var queries = options.Int("queries", 1_000);
        var limit = options.Int("limit", 20);
        var report = new BenchReport("search");
        report.Parameters["messages"] = messages;
        report.Parameters["chats"] = chats;
        report.Parameters["users"] = users;
        report.Parameters["vocabulary"] = vocabularySize;
        report.Parameters["searcher_chats"] = searcherChats;
        report.Parameters["group_share"] = groupShare;
        report.Parameters["concurrency"] = concurrency;
        report.Parameters["queries"] = queries;
        report.Parameters["limit"] = limit;

        var random = new Random(6);
        var vocabulary = Vocabulary(vocabularySize, random);
        var cumulative = new double[vocabularySize];
        var total = 0.0;
        for (var i = 0; i < vocabularySize; i++)
        {
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }

        await using var server = await ServerProcess.StartAsync(options, ChatKit.SignUpSettings());
        var setup = Stopwatch.StartNew();
        var devices = await ChatKit.SignUpAsync(server, "search", users, keys => ChatKit.ClientOptions(server, keys, autoReceipt: false));
        try
        {
            // Every device's stream runs and is drained, so the pushes of the fill do not pile up in the clients.
            await Task.WhenAll(devices.Select(d => d.Client.Events.StartAsync(d.UserId)));
            foreach (var device in devices)
            {
                _ = Task.Run(async () =>
                {
                    await foreach (var _ in device.Client.Events.Reader.ReadAllAsync())
                    {
                    }
                });
            }

            var chatList = await CreateChatsAsync(devices, chats, searcherChats, groupShare, random);
            var setupSeconds = setup.Elapsed.TotalSeconds;

            long next = 0;
            long failed = 0;
            var cpuBefore = server.CpuTime();
            var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var fill = Stopwatch.StartNew();
            var progress = Task.Run(async () =>
            {
                while (Interlocked.Read(ref next) < messages)
                {
                    await Task.Delay(TimeSpan.FromSeconds(30));
                    Console.Error.WriteLine($"  fill: {Math.Min(Interlocked.Read(ref next), messages):N0} sent, {fill.Elapsed.TotalSeconds:0} s");
                }
            });
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                var text = new StringBuilder();
                while (Interlocked.Increment(ref next) <= messages)
                {
                    var chat = chatList[Random.Shared.Next(chatList.Length)];
                    var (device, peer) = chat.Senders[Random.Shared.Next(chat.Senders.Length)];
                    text.Clear();
                    var words = Random.Shared.Next(4, 13);
                    for (var w = 0; w < words; w++)
                    {
                        var rank = Array.BinarySearch(cumulative, Random.Shared.NextDouble() * total);
                        text.Append(w == 0 ? "" : " ").Append(vocabulary[rank < 0 ? ~rank : rank]);
                    }

                    try
                    {
                        await device.Client.SendMessageAsync(peer, text.ToString());
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })));
            var fillSeconds = fill.Elapsed.TotalSeconds;
            var fillServerCpu = server.CpuTime() - cpuBefore;
            var fillBenchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore;
            await progress;

            // Queries: user 0, one at a time; words log-uniform by rank (common and rare ones alike).
            var searcher = devices[0].Client;
            var ownChats = chatList.Where(c => c.SearcherPeer is not null).Select(c => c.SearcherPeer!).ToArray();
            var all = new LongHistogram(HighestMicros, 3);
            var global = new LongHistogram(HighestMicros, 3);
            var scoped = new LongHistogram(HighestMicros, 3);
            long hits = 0;
            long empty = 0;
            long queryErrors = 0;
            for (var i = 0; i < 20; i++)
            {
                await searcher.SearchMessagesAsync(vocabulary[i], null, limit: limit); // warms the path (JIT, page cache)
            }

            var queryCpuBefore = server.CpuTime();
            var queryClock = Stopwatch.StartNew();
            for (var i = 0; i < queries; i++)
            {
                var rank = Math.Min(vocabularySize - 1, (int)Math.Exp(random.NextDouble() * Math.Log(vocabularySize)) - 1);
                var peer = i % 2 == 1 ? ownChats[random.Next(ownChats.Length)] : null;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var found = await searcher.SearchMessagesAsync(vocabulary[Math.Max(0, rank)], peer, limit: limit);
                    hits += found.Length;
                    if (found.Length == 0)
                    {
                        empty++;
                    }
                }
                catch (Exception)
                {
                    queryErrors++;
                    continue;
                }

                var micros = Math.Clamp((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds, 0, HighestMicros);
                all.RecordValue(micros);
                (peer is null ? global : scoped).RecordValue(micros);
            }

            var querySeconds = queryClock.Elapsed.TotalSeconds;
            var queryServerCpu = server.CpuTime() - queryCpuBefore;

            report.Figures["messages"] = messages - failed;
            report.Figures["p50_ms"] = all.GetValueAtPercentile(50) / 1000.0;
            report.Figures["p99_ms"] = all.GetValueAtPercentile(99) / 1000.0;
            report.Figures["max_ms"] = all.GetValueAtPercentile(100) / 1000.0;
            report.Figures["all_chats_p50_ms"] = global.GetValueAtPercentile(50) / 1000.0;
            report.Figures["all_chats_p99_ms"] = global.GetValueAtPercentile(99) / 1000.0;
            report.Figures["with_peer_p50_ms"] = scoped.GetValueAtPercentile(50) / 1000.0;
            report.Figures["with_peer_p99_ms"] = scoped.GetValueAtPercentile(99) / 1000.0;
            report.Figures["results_per_query_avg"] = queries > 0 ? hits / (double)queries : 0;
            report.Figures["empty_results"] = empty;
            report.Figures["query_errors"] = queryErrors;
            report.Figures["searcher_messages"] = chatList.Where(c => c.SearcherPeer is not null).Count() * (double)messages / chats;
            if (queryServerCpu is { } qcpu)
            {
                report.Figures["query_server_cpu_ms_each"] = 1000 * qcpu.TotalSeconds / Math.Max(1, queries);
            }

            report.Figures["fill_per_sec"] = (messages - failed) / fillSeconds;
            report.Figures["fill_s"] = fillSeconds;
            report.Figures["fill_errors"] = failed;
            if (fillServerCpu is { } fcpu)
            {
                report.Figures["fill_server_cpu_pct"] = 100 * fcpu.TotalSeconds / fillSeconds;
            }

            report.Figures["fill_bench_cpu_pct"] = 100 * fillBenchCpu.TotalSeconds / fillSeconds;
            report.Figures["query_s"] = querySeconds;
            if (server.DataDirectory is { } data && new FileInfo(Path.Combine(data, "messenger.db")) is { Exists: true } db)
            {
                report.Figures["db_mb"] = db.Length / 1048576.0;
            }

            if (server.RssKiB() is { } kib)
            {
                report.Figures["server_rss_mb"] = kib / 1024.0;
            }

            report.Figures["setup_s"] = setupSeconds;
            report.Notes.Add("latency: one messages.search call at a time by user 0 (SDK call, encryption included), after 20 warm-up calls; half without a peer (all its chats), half with one of its chats");
            report.Notes.Add("searcher_messages: messages in the searcher's chats (expected, from the uniform chat choice)");
            report.Notes.Add("fill: messages.send through the RPC into random chats by random members; fill_*_cpu_pct: % of one core during the fill");
        }
        finally
        {
            await ChatKit.DisposeAllAsync(devices);
        }

        return report;
    }

    /// <summary>Pronounceable, distinct words of 2–4 syllables (lower-case ASCII letters).</summary>
    internal static string[] Vocabulary(int size, Random random)
    {
        const string consonants = "bcdfghjklmnprstvz";
        const string vowels = "aeiou";
        var words = new HashSet<string>();
        var list = new List<string>(size);
        var builder = new StringBuilder();
        while (list.Count < size)
        {
            builder.Clear();
            var syllables = random.Next(2, 5);
            for (var s = 0; s < syllables; s++)
            {
                builder.Append(consonants[random.Next(consonants.Length)]).Append(vowels[random.Next(vowels.Length)]);
            }

            if (words.Add(builder.ToString()))
            {
                list.Add(builder.ToString());
            }
        }

        return [.. list];
    }

    private static async Task<SearchChat[]> CreateChatsAsync(Device[] devices, int chats, int searcherChats, double groupShare, Random random)
    {
        var result = new SearchChat[chats];
        var pairs = new HashSet<(int, int)>();
        for (var c = 0; c < chats; c++)
        {
            var withSearcher = c < searcherChats;
            var isGroup = random.NextDouble() < groupShare;
            if (isGroup)
            {
                var size = random.Next(3, 6);
                var members = new HashSet<int>();
                if (withSearcher)
                {
                    members.Add(0);
                }

                while (members.Count < size)
                {
                    members.Add(random.Next(withSearcher ? 1 : 0, devices.Length));
                }

                var order = members.ToArray();
                var creator = devices[order[0]];
                var created = await creator.Client.CreateGroupAsync($"search {c}", [.. order[1..].Select(i => devices[i].UserId)]);
                var peer = Peer.Chat(created.Chat.Id);
                result[c] = new SearchChat([.. order.Select(i => (devices[i], peer))], withSearcher ? peer : null);
            }
            else
            {
                int a, b;
                do
                {
                    a = withSearcher ? 0 : random.Next(1, devices.Length);
                    b = random.Next(1, devices.Length);
                }
                while (a == b || !pairs.Add((Math.Min(a, b), Math.Max(a, b))));

                result[c] = new SearchChat(
                    [(devices[a], Peer.User(devices[b].UserId)), (devices[b], Peer.User(devices[a].UserId))],
                    withSearcher ? Peer.User(devices[b].UserId) : null);
            }
        }

        return result;
    }

    private sealed record SearchChat((Device Device, Peer Peer)[] Senders, Peer? SearcherPeer);
}
