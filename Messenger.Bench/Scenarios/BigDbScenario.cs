using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Messenger.Client;
using Messenger.Contracts.Messages;

namespace Messenger.Bench.Scenarios;

/// <summary>
/// A year of data: <c>--phase seed</c> fills <c>--data-dir</c> through the real host and the SDK (every row written by
/// the server itself), <c>--phase measure</c> starts the host on it again and times what a client does after a year of
/// use, one call at a time (<c>--reps</c>, default 15, after 3 warm-up calls each). Without <c>--phase</c> both run.
/// <para>
/// The seed (<c>--scale</c> 1.0 multiplies every message count): 300 active users with a signed-in device each
/// (user 0 the "heavy" user) and 1,500 registered users who never sign in. The heavy user has 1,500 private chats
/// (with users 1–1,500; chat i gets ≈ 60,000 / (i + 10) messages, both sides posting where the peer is active, the
/// heavy user alone otherwise), 4 large groups of ≈ 1,200 members (60,000 messages each, 10 posters), 3 channels of
/// ≈ 1,200 subscribers (5,000 posts each) and 193 small groups of 3–40 members (≈ 40,000 / (g + 10) messages each,
/// every member posting); the active users also share 1,000 private chats of 100 messages. Texts are 4–12 words from
/// a Zipf-distributed vocabulary of 5,000. Then: 3,000 edits, 3,000 deletions (for everyone), 10,000 reactions,
/// 3 pins in each of 100 chats, 1,000 media messages (small uploads), 500 contacts and 5 folders of the heavy user.
/// A manifest (<c>bigdb.json</c>) next to the database names the chats the measurement reads.
/// </para>
/// </summary>
internal static class BigDbScenario
{
    private const string Prefix = "bigdb";
    private const int Active = 300;
    private const int Passive = 1_500;
    private const int HeavyPrivateChats = 1_500;
    private const int LargeGroups = 4;
    private const int Channels = 3;
    private const int SmallGroups = 193;
    private const int OtherPrivateChats = 1_000;

    public static async Task<BenchReport> RunAsync(BenchOptions options)
    {
        var phase = options.Get("phase");
        var report = new BenchReport("bigdb");
        if (options.Get("data-dir") is null)
        {
            throw new ArgumentException("bigdb needs --data-dir DIR (seeded by --phase seed, read by --phase measure)");
        }

        report.Parameters["data_dir"] = options.Get("data-dir")!;
        if (phase is null or "seed")
        {
            await SeedAsync(options, report);
        }

        if (phase is null or "measure")
        {
            await MeasureAsync(options, report);
        }

        return report;
    }

    private sealed record ChatPlan(int Index, string Kind, Device[] Posters, Func<Device, Peer> PeerOf, int Messages);

    private sealed record Manifest(
        long HeavyUserId, long LargeGroupId, long ChannelId, long SmallGroupId, long TopPrivatePeerId, long PassivePrivatePeerId,
        long LargeGroupOldestId, long TopPrivateOldestId, long SmallGroupOldestId, string[] Words, long Messages);

    private static async Task SeedAsync(BenchOptions options, BenchReport report)
    {
        var scale = options.Double("scale", 1.0);
        var concurrency = options.Int("concurrency", 256);
        var random = new Random(47);
        var vocabulary = SearchScenario.Vocabulary(5_000, random);
        var cumulative = new double[vocabulary.Length];
        var total = 0.0;
        for (var i = 0; i < vocabulary.Length; i++)
        {
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }

        string Text(Random r)
        {
            var text = new StringBuilder();
            var words = r.Next(4, 13);
            for (var w = 0; w < words; w++)
            {
                var rank = Array.BinarySearch(cumulative, r.NextDouble() * total);
                text.Append(w == 0 ? "" : " ").Append(vocabulary[rank < 0 ? ~rank : rank]);
            }

            return text.ToString();
        }

        var clock = Stopwatch.StartNew();
        await using var server = await ServerProcess.StartAsync(options, ChatKit.SignUpSettings());
        var devices = await ChatKit.SignUpAsync(server, Prefix, Active, keys => ChatKit.ClientOptions(server, keys, autoReceipt: false));
        var passive = await ChatKit.RegisterOnlyAsync(server, $"{Prefix}p", Passive);
        Console.Error.WriteLine($"  users: {clock.Elapsed.TotalSeconds:0} s");
        try
        {
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

            var heavy = devices[0];
            long UserIdOf(int i) => i < Active ? devices[i].UserId : passive[i - Active];
            var plans = new List<ChatPlan>();
            for (var i = 1; i <= HeavyPrivateChats; i++)
            {
                var peerIndex = i;
                var count = Math.Max(2, (int)(scale * 60_000 / (i + 10)));
                Device[] posters = peerIndex < Active ? [heavy, devices[peerIndex]] : [heavy];
                var peerId = UserIdOf(peerIndex);
                plans.Add(new ChatPlan(plans.Count, "private", posters, d => d == heavy ? Peer.User(peerId) : Peer.User(heavy.UserId), count));
            }

            var pairs = new HashSet<(int, int)>();
            for (var c = 0; c < OtherPrivateChats; c++)
            {
                int a, b;
                do
                {
                    a = random.Next(1, Active);
                    b = random.Next(1, Active);
                }
                while (a == b || !pairs.Add((Math.Min(a, b), Math.Max(a, b))));

                var (da, db) = (devices[a], devices[b]);
                plans.Add(new ChatPlan(plans.Count, "other", [da, db], d => d == da ? Peer.User(db.UserId) : Peer.User(da.UserId), (int)(scale * 100)));
            }

            var groupIds = new List<(string Kind, long Id)>();
            async Task<long> CreateAsync(Device creator, string title, long[] members, bool large, bool broadcast)
            {
                var created = await creator.Client.CreateGroupAsync(title, [.. members.Take(199)], large, broadcast);
                foreach (var chunk in members.Skip(199).Chunk(199))
                {
                    await creator.Client.AddMembersAsync(created.Chat.Id, chunk);
                }

                return created.Chat.Id;
            }

            for (var g = 0; g < LargeGroups; g++)
            {
                var posters = new[] { heavy }.Concat(Enumerable.Range(0, 9).Select(_ => devices[random.Next(1, Active)])).Distinct().ToArray();
                var members = posters.Skip(1).Select(d => d.UserId).Concat(passive.OrderBy(_ => random.Next()).Take(1_190)).ToArray();
                var id = await CreateAsync(heavy, $"big group {g}", members, large: true, broadcast: false);
                groupIds.Add(("large", id));
                plans.Add(new ChatPlan(plans.Count, "large", posters, _ => Peer.Chat(id), (int)(scale * 60_000)));
            }

            for (var g = 0; g < Channels; g++)
            {
                var owner = devices[random.Next(1, Active)];
                var members = new[] { heavy.UserId }.Concat(passive.OrderBy(_ => random.Next()).Take(1_200)).ToArray();
                var id = await CreateAsync(owner, $"channel {g}", members, large: true, broadcast: true);
                groupIds.Add(("channel", id));
                plans.Add(new ChatPlan(plans.Count, "channel", [owner], _ => Peer.Chat(id), (int)(scale * 5_000)));
            }

            for (var g = 0; g < SmallGroups; g++)
            {
                var size = random.Next(2, 40);
                var posters = new[] { heavy }.Concat(Enumerable.Range(0, size).Select(_ => devices[random.Next(1, Active)])).Distinct().ToArray();
                var id = await CreateAsync(heavy, $"small group {g}", [.. posters.Skip(1).Select(d => d.UserId)], large: false, broadcast: false);
                groupIds.Add(("small", id));
                plans.Add(new ChatPlan(plans.Count, "small", posters, _ => Peer.Chat(id), Math.Max(2, (int)(scale * 40_000 / (g + 10)))));
            }

            Console.Error.WriteLine($"  chats: {plans.Count}, {clock.Elapsed.TotalSeconds:0} s");

            // Every chat's messages in one shuffled queue; the heavy user's first send in each chat goes first, so its
            // oldest message there is known (ids in a private chat or small group are the heavy user's own).
            var queue = plans.SelectMany(p => Enumerable.Repeat(p.Index, p.Messages - 1)).ToArray();
            random.Shuffle(queue);
            var oldest = new ConcurrentDictionary<int, long>();
            var samples = new ConcurrentBag<(Device Device, Peer Peer, long Id)>();
            foreach (var plan in plans)
            {
                var poster = plan.Posters[0];
                var sent = await poster.Client.SendMessageAsync(plan.PeerOf(poster), Text(random));
                if (poster == heavy)
                {
                    oldest[plan.Index] = sent.Message.Id;
                }
            }

            long next = -1;
            long failed = 0;
            var fill = Stopwatch.StartNew();
            var progress = Task.Run(async () =>
            {
                while (Interlocked.Read(ref next) < queue.Length)
                {
                    await Task.Delay(TimeSpan.FromSeconds(30));
                    Console.Error.WriteLine($"  fill: {Math.Min(Interlocked.Read(ref next), queue.Length):N0} of {queue.Length:N0}, {fill.Elapsed.TotalSeconds:0} s, {failed} failed");
                }
            });
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(lane => Task.Run(async () =>
            {
                var r = new Random(lane);
                while (Interlocked.Increment(ref next) is var i && i < queue.Length)
                {
                    var plan = plans[queue[i]];
                    var poster = plan.Posters[r.Next(plan.Posters.Length)];
                    var peer = plan.PeerOf(poster);
                    try
                    {
                        var sent = await poster.Client.SendMessageAsync(peer, Text(r));
                        if (i % 50 == 0)
                        {
                            samples.Add((poster, peer, sent.Message.Id));
                        }
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })));
            var fillSeconds = fill.Elapsed.TotalSeconds;
            await progress;
            Console.Error.WriteLine($"  fill done: {queue.Length:N0} in {fillSeconds:0} s");

            // Edits, deletions, reactions, pins, media, contacts, folders: the rest of a year's traffic.
            var sampleList = samples.OrderBy(_ => random.Next()).ToArray();
            long extrasFailed = 0;
            async Task Each<T>(IEnumerable<T> items, Func<T, Task> action, int parallel = 64) =>
                await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (item, _) =>
                {
                    try
                    {
                        await action(item);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref extrasFailed);
                    }
                });

            var edits = sampleList.Take(3_000).ToArray();
            var deletes = sampleList.Skip(3_000).Take(3_000).ToArray();
            var reacted = sampleList.Skip(6_000).Take(10_000).ToArray();
            await Each(edits, s => s.Device.Client.EditMessageAsync(s.Peer, s.Id, "edited " + Text(Random.Shared)));
            await Each(deletes, s => s.Device.Client.DeleteMessagesAsync(s.Peer, [s.Id], revoke: true));
            string[] emoji = ["👍", "❤", "🔥", "😂", "🎉"];
            await Each(reacted, s => s.Device.Client.SendReactionAsync(s.Peer, s.Id, emoji[Random.Shared.Next(emoji.Length)]));
            var pinChats = reacted.Where(s => s.Device == heavy).GroupBy(s => s.Peer).Take(100);
            await Each(pinChats, async chat =>
            {
                foreach (var s in chat.Take(3))
                {
                    await heavy.Client.PinMessageAsync(s.Peer, s.Id, silent: true);
                }
            });
            var mediaPeers = plans.Where(p => p.Posters.Contains(heavy)).Take(200).Select(p => p.PeerOf(heavy)).ToArray();
            await Each(Enumerable.Range(0, (int)(scale * 1_000)), async m =>
            {
                var bytes = new byte[256 + (m * 37 % 4_000)];
                Random.Shared.NextBytes(bytes);
                using var content = new MemoryStream(bytes);
                var media = await heavy.Client.UploadFileAsync(content, $"file{m}.bin", "application/octet-stream");
                await heavy.Client.SendMediaAsync(mediaPeers[m % mediaPeers.Length], media, $"file {m}");
            }, parallel: 16); // a user may have 32 uploads in progress (UploadsInProgressPerUser)
            await Each(Enumerable.Range(1, 500), i => heavy.Client.AddContactAsync(UserIdOf(i), $"Contact {i}"));
            for (var f = 0; f < 5; f++)
            {
                await heavy.Client.SaveDialogFilterAsync(new DialogFilter(f + 2, $"Folder {f}", PrivateChats: f % 2 == 0, Groups: f % 2 == 1,
                    IncludePeers: [.. plans.Skip(f * 20).Take(20).Select(p => p.PeerOf(heavy))]));
            }

            var large = plans.First(p => p.Kind == "large");
            var small = plans.First(p => p.Kind == "small");
            var manifest = new Manifest(
                heavy.UserId, groupIds.First(g => g.Kind == "large").Id, groupIds.First(g => g.Kind == "channel").Id,
                groupIds.First(g => g.Kind == "small").Id, devices[1].UserId, passive[0],
                oldest.GetValueOrDefault(large.Index), oldest.GetValueOrDefault(plans[0].Index), oldest.GetValueOrDefault(small.Index),
                [vocabulary[0], vocabulary[30], vocabulary[1_000], vocabulary[4_000]], queue.Length + plans.Count);
            await File.WriteAllTextAsync(Path.Combine(server.DataDirectory!, "bigdb.json"), JsonSerializer.Serialize(manifest));

            report.Figures["seed_messages"] = queue.Length + plans.Count - failed;
            report.Figures["seed_failed"] = failed;
            report.Figures["seed_extras_failed"] = extrasFailed;
            report.Figures["seed_fill_per_sec"] = queue.Length / fillSeconds;
            report.Figures["seed_s"] = clock.Elapsed.TotalSeconds;
            foreach (var (table, rows) in ChatKit.CountRows(server, "message_messages", "message_dialogs", "queue_updates", "message_members", "message_reactions", "media_files"))
            {
                report.Figures[$"rows_{table}"] = rows;
            }
        }
        finally
        {
            await ChatKit.DisposeAllAsync(devices);
        }

        var database = new FileInfo(Path.Combine(options.Get("data-dir")!, "messenger.db"));
        report.Figures["db_mb"] = database.Length / 1048576.0;
    }

    private static async Task MeasureAsync(BenchOptions options, BenchReport report)
    {
        var reps = options.Int("reps", 15);
        var settings = ChatKit.SignUpSettings();
        await using var server = await ServerProcess.StartAsync(options, settings);
        report.Figures["startup_ms"] = server.StartupTime.TotalMilliseconds;
        report.Figures["startup_rss_mb"] = (server.RssKiB() ?? 0) / 1024.0;
        var manifest = JsonSerializer.Deserialize<Manifest>(await File.ReadAllTextAsync(Path.Combine(server.DataDirectory!, "bigdb.json")))!;

        var keys = new InMemoryDeviceKeyStore();
        var signIn = Stopwatch.StartNew();
        await using var client = await MessengerClient.ConnectAsync(ChatKit.ClientOptions(server, keys, autoReceipt: false));
        await client.SignInAsync($"{Prefix}_00000", ChatKit.Password, "measuring device", "bench");
        report.Figures["connect_and_signin_ms"] = signIn.Elapsed.TotalMilliseconds;
        report.Notes.Add("sign-in at the bench's cheap Argon2id (1 MiB): the hash's cost is the login scenario's");

        var rows = new List<(string Name, double P50, double Max, string Note)>();
        async Task Time<T>(string name, Func<Task<T>> call, Func<T, string>? note = null)
        {
            var last = default(T);
            for (var w = 0; w < 3; w++)
            {
                last = await call();
            }

            var times = new double[reps];
            for (var r = 0; r < reps; r++)
            {
                var started = Stopwatch.GetTimestamp();
                last = await call();
                times[r] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(times);
            var key = name.Replace(' ', '_').Replace(",", "").Replace("(", "").Replace(")", "").Replace("=", "_").Replace(".", "_");
            report.Figures[$"{key}_p50_ms"] = times[reps / 2];
            report.Figures[$"{key}_max_ms"] = times[^1];
            rows.Add((name, times[reps / 2], times[^1], note is null || last is null ? "" : note(last)));
        }

        var large = Peer.Chat(manifest.LargeGroupId);
        var small = Peer.Chat(manifest.SmallGroupId);
        var channel = Peer.Chat(manifest.ChannelId);
        var top = Peer.User(manifest.TopPrivatePeerId);
        var state = await client.GetStateAsync();
        await Time("updates.getState", () => client.GetStateAsync(), s => $"pts {s.Pts}, {s.Channels?.Length ?? 0} channels");
        async Task<int> CatchUp(long behind)
        {
            var pts = Math.Max(0, state.Pts - behind);
            var updates = 0;
            while (true)
            {
                var difference = await client.GetDifferenceAsync(pts, 1000);
                updates += difference.Updates.Length;
                pts = difference.State.Pts;
                if (!difference.Slice || difference.TooLong)
                {
                    return updates;
                }
            }
        }

        await Time("getDifference, a day behind (1,100 updates)", () => CatchUp(1_100), n => $"{n} updates");
        await Time("getDifference, a week behind (8,000 updates)", () => CatchUp(8_000), n => $"{n} updates");
        var channelPts = state.Channels?.FirstOrDefault(c => c.ChatId == manifest.LargeGroupId)?.Pts ?? 0;
        await Time("getChannelDifference, large group, 1,000 behind", () => client.GetChannelDifferenceAsync(manifest.LargeGroupId, Math.Max(0, channelPts - 1_000)),
            d => $"{d.Updates.Length} updates");
        await Time("getDialogs first page (50)", () => client.GetDialogsAsync(0, 50), d => $"total {d.Total}");
        await Time("getDialogs offset 1,000", () => client.GetDialogsAsync(1_000, 50), d => $"{d.Items.Length} rows");
        await Time("getDialogs offset 1,650 (last)", () => client.GetDialogsAsync(1_650, 50), d => $"{d.Items.Length} rows");
        await Time("getHistory large group newest", () => client.GetHistoryAsync(large, 0, 50), m => $"{m.Length}");
        await Time("getHistory large group deep", () => client.GetHistoryAsync(large, manifest.LargeGroupOldestId + 60, 50), m => $"{m.Length}");
        await Time("getHistory channel newest", () => client.GetHistoryAsync(channel, 0, 50), m => $"{m.Length}");
        await Time("getHistory top private newest", () => client.GetHistoryAsync(top, 0, 50), m => $"{m.Length}");
        await Time("getHistory top private deep", () => client.GetHistoryAsync(top, manifest.TopPrivateOldestId + 60, 50), m => $"{m.Length}");
        await Time("getHistory small group deep", () => client.GetHistoryAsync(small, manifest.SmallGroupOldestId + 60, 50), m => $"{m.Length}");
        foreach (var word in manifest.Words)
        {
            await Time($"search global '{word}'", () => client.SearchMessagesAsync(word, null, limit: 20), m => $"{m.Length}");
        }

        await Time("search in large group, common word", () => client.SearchMessagesAsync(manifest.Words[1], large, limit: 20), m => $"{m.Length}");
        await Time("search in large group, rare word", () => client.SearchMessagesAsync(manifest.Words[3], large, limit: 20), m => $"{m.Length}");
        await Time("search in large group by sender", () => client.SearchMessagesAsync("", large, limit: 20, fromId: manifest.HeavyUserId), m => $"{m.Length}");
        await Time("search global by sender", () => client.SearchMessagesAsync("", null, limit: 20, fromId: manifest.TopPrivatePeerId), m => $"{m.Length}");
        var day = DateTimeOffset.UtcNow.AddDays(-1);
        await Time("search in top private by date", () => client.SearchMessagesAsync("", top, limit: 20, minDate: day), m => $"{m.Length}");
        await Time("search global by date", () => client.SearchMessagesAsync("", null, limit: 20, minDate: day), m => $"{m.Length}");
        await Time("getFullChat large group (200 members)", () => client.GetFullChatAsync(manifest.LargeGroupId, 0, 200), c => $"{c.Members.Length}");
        await Time("getFullChat large group offset 1,000", () => client.GetFullChatAsync(manifest.LargeGroupId, 1_000, 200), c => $"{c.Members.Length}");
        await Time("member search large group", () => client.SearchMembersAsync(manifest.LargeGroupId, "bench 1"), c => $"{c.Members.Length}");
        await Time("getDialogFilters", () => client.GetDialogFiltersAsync(), f => $"{f.Length}");
        await Time("getPeerDialogs (unread counts, 100 peers)", () => client.GetPeerDialogsAsync(
            Enumerable.Range(0, 100).Select(i => i == 0 ? large : Peer.User(manifest.TopPrivatePeerId + i))), d => $"{d.Length}");
        await Time("getUnreadMentions large group", () => client.GetUnreadMentionsAsync(large), m => $"{m.Messages.Length}");
        await Time("contacts.get", () => client.GetContactsAsync(), c => $"{c.Length}");
        await Time("getPinned large group", () => client.GetPinnedAsync(large), m => $"{m.Length}");
        await Time("getPinned top private", () => client.GetPinnedAsync(top), m => $"{m.Length}");
        await Time("getSharedMedia top private (files)", () => client.GetSharedMediaAsync(top, "document"), m => $"{m.Messages.Length}");
        await Time("getSharedMedia large group (files)", () => client.GetSharedMediaAsync(large, "document"), m => $"{m.Messages.Length}");
        var media = (await client.GetSharedMediaAsync(top, "document")).Messages.FirstOrDefault(m => m.Media is not null)?.Media;
        if (media is not null)
        {
            await Time("download a small file", async () =>
            {
                using var destination = new MemoryStream();
                await client.DownloadFileAsync(media, destination);
                return destination.Length;
            }, n => $"{n} bytes");
        }

        report.Figures["rss_after_mb"] = (server.RssKiB() ?? 0) / 1024.0;
        Console.WriteLine();
        Console.WriteLine($"  {"call",-52} {"p50 ms",8} {"max ms",8}  result");
        foreach (var (name, p50, max, note) in rows)
        {
            Console.WriteLine($"  {name,-52} {p50,8:0.0} {max,8:0.0}  {note}");
        }
    }
}
