using System.Collections.Concurrent;
using System.Diagnostics;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Xunit.Abstractions;
using StoredMessage = Messenger.Contracts.Messages.Message;

namespace Messenger.Tests.Client;

/// <summary>
/// The promise that a message is never lost or duplicated whatever the network does, put to a <see cref="ChaosRelay"/>:
/// six devices of four users (two with two devices) talk through it in their private chats, a small and a large group —
/// sends, edits, deletes for everyone, reads and forwards, two callers a device at once — while it resets, half-closes,
/// cuts, delays and stalls their connections as its seed draws it. Then the network heals, every call returns, every send
/// that failed is sent again with its random_id (as an app's outbox does), every device catches up, and each device's
/// view (its update stream alone) must match the server's: every message once, edits and deletes applied, its pts as
/// <c>updates.getState</c> says, unread counts as the history has them. What the SDK promises, and this checks: a call
/// left unanswered on a dead link is sent again on the next one, so while the network comes back within the call's
/// timeout no call fails for it (a timeout or a lost connection here is a failure); a call that fails anyway — here, one
/// the app gave up waiting for — may have run or not, and a send of it again with the same random_id answers the first
/// run's message, so it is there exactly once. A failure names the seed:
/// <c>MESSENGER_CHAOS_SEED=n dotnet test --filter NetworkChaosTests</c> replays its plans (the timing is the machine's).
/// </summary>
public sealed class NetworkChaosTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ChaosLasts = TimeSpan.FromSeconds(6);

    // Generous: they bound a hang, they measure nothing.
    private static readonly TimeSpan CatchUpBound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(20261207)]
    [InlineData(48)]
    [InlineData(7)]
    public async Task Conversations_WhenTheNetworkMisbehaves_LoseNothing_DuplicateNothing_AndConverge(int fixedSeed)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MESSENGER_CHAOS_SEED"), out var chosen) ? chosen : fixedSeed;
        var clock = Stopwatch.StartNew();
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Messenger:Protocol:KeepAliveSeconds"] = "1",
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:PostsPerSecond"] = "0",
            ["Messenger:Protocol:WritesPerSecond"] = "100000",
            ["Messenger:Protocol:WriteBurst"] = "100000",
        });
        await using var relay = new ChaosRelay(host.BaseAddress, seed, longestStall: TimeSpan.FromSeconds(6));
        await using var world = await ChaosWorld.StartAsync(host, relay, seed);
        output.WriteLine($"seed {seed}: set up in {clock.Elapsed.TotalSeconds:F1} s");

        relay.Unleash();
        await world.TalkAsync(ChaosLasts);
        relay.Heal();
        await world.FinishCallsAsync();
        output.WriteLine($"seed {seed}: {world.Tally()}; {relay.Summary()}; calls back at {clock.Elapsed.TotalSeconds:F1} s");

        // Caught up before anything new is sent: a push lost with a dead link is not revealed by a later one.
        var problems = await world.CatchUpAsync(CatchUpBound);
        await world.ResendFailedAsync();
        problems.AddRange(await world.CheckAsync(CatchUpBound));
        output.WriteLine($"seed {seed}: checked at {clock.Elapsed.TotalSeconds:F1} s");

        output.WriteLine(string.Join("\n", problems));
        problems.Should().BeEmpty(
            $"seed {seed} (MESSENGER_CHAOS_SEED={seed} replays it; {relay.Summary()}; {world.Tally()}): every sent message reaches every device "
            + "once, edits and deletes converge, pts and unread counts match the server; found:\n" + string.Join("\n", problems.Take(40)) + "\n");
    }
}

/// <summary>The users, their devices, the chats and what was asked of the server and with what outcome.</summary>
internal sealed class ChaosWorld : IAsyncDisposable
{
    private const string Separator = "~";

    private readonly int _seed;
    private readonly List<ChaosDevice> _devices = [];
    private readonly Dictionary<long, string> _names = [];
    private readonly ConcurrentBag<SendAttempt> _sends = [];
    private readonly ConcurrentBag<EditAttempt> _edits = [];
    private readonly ConcurrentBag<DeleteAttempt> _deletes = [];
    private readonly ConcurrentBag<ForwardAttempt> _forwards = [];
    private readonly ConcurrentDictionary<string, int> _tally = new();
    private readonly ConcurrentBag<string> _networkFailures = [];
    private readonly CancellationTokenSource _stopTalking = new();

    // What the callers pick from, kept as they go (reading the attempts back each time costs the square of their number).
    private readonly ConcurrentDictionary<long, ConcurrentQueue<SendAttempt>> _sentBy = new();
    private readonly ConcurrentDictionary<long, byte> _deleting = new();
    private readonly ConcurrentDictionary<long, byte> _forwarding = new();
    private readonly List<Task> _workers = [];
    private long[] _users = [];
    private Peer _small = null!;
    private Peer _large = null!;

    private ChaosWorld(int seed) => _seed = seed;

    public static async Task<ChaosWorld> StartAsync(TestHost host, ChaosRelay relay, int seed)
    {
        var world = new ChaosWorld(seed);
        try
        {
            await world.SetUpAsync(host, relay);
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync(TestHost host, ChaosRelay relay)
    {
        string[] usernames = ["chaos_alice", "chaos_bob", "chaos_carol", "chaos_dave"];
        var signedUp = await Task.WhenAll(usernames.Select(async (username, index) =>
        {
            var first = await ConnectAsync(host, relay);
            await first.RegisterAsync(username, SessionTestKit.Password, username.ToUpperInvariant());
            var userId = (await first.SignInAsync(username, SessionTestKit.Password, "First", "tests")).User.Id;
            List<ChaosDevice> devices = [new(first, userId, $"{username}#1")];
            if (index < 2)
            {
                var second = await ConnectAsync(host, relay);
                await second.SignInAsync(username, SessionTestKit.Password, "Second", "tests");
                devices.Add(new ChaosDevice(second, userId, $"{username}#2"));
            }

            return (Name: username, UserId: userId, Devices: devices);
        }));
        var users = new List<long>();
        foreach (var (username, userId, devices) in signedUp)
        {
            users.Add(userId);
            _names[userId] = username;
            _devices.AddRange(devices);
        }

        _users = [.. users];
        var creator = _devices[0].Client;
        _small = Peer.Chat((await creator.CreateGroupAsync("Small", [.. _users.Skip(1)])).Chat.Id);
        _large = Peer.Chat((await creator.CreateGroupAsync("Large", [.. _users.Skip(1)], large: true)).Chat.Id);
        foreach (var device in _devices)
        {
            await device.Client.Events.StartAsync(device.UserId);
            device.StartReading();
        }

        // Everything before the talk read, so the unread counts are the talk's alone.
        foreach (var userId in _users)
        {
            var device = _devices.First(d => d.UserId == userId);
            foreach (var chat in ChatsOf(userId))
            {
                if ((await device.Client.GetHistoryAsync(chat, limit: 1)).FirstOrDefault() is { } newest)
                {
                    await device.Client.ReadHistoryAsync(chat, newest.Id);
                }
            }
        }
    }

    private static Task<MessengerClient> ConnectAsync(TestHost host, ChaosRelay relay)
    {
        var defaults = host.ClientOptions(serverUrl: relay.Address);
        return MessengerClient.ConnectAsync(new MessengerClientOptions
        {
            ServerUrl = defaults.ServerUrl,
            ServerPublicKey = defaults.ServerPublicKey,
            DeviceKeys = defaults.DeviceKeys,
            CallTimeout = TimeSpan.FromSeconds(20),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            // Twice the host's 1 s keep-alive and more: a stall of the relay's 3 to 6 s outlasts it or not.
            ServerTimeout = TimeSpan.FromSeconds(4),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
    }

    private IEnumerable<Peer> ChatsOf(long userId) => _users.Where(u => u != userId).Select(Peer.User).Append(_small).Append(_large);

    private IEnumerable<long> MembersOf(Peer chat, long sender) => chat.Kind == PeerKind.Chat ? _users : [sender, chat.Id];

    /// <summary>Two callers a device talk until <paramref name="lasting"/> has passed (their calls in flight then go on).</summary>
    public async Task TalkAsync(TimeSpan lasting)
    {
        var random = new Random(_seed);
        foreach (var device in _devices)
        {
            for (var caller = 0; caller < 2; caller++)
            {
                var callerSeed = random.Next();
                var name = $"{device.Name}.{caller}";
                _workers.Add(Task.Run(() => CallerAsync(device, name, new Random(callerSeed), _stopTalking.Token)));
            }
        }

        await Task.Delay(lasting);
        await _stopTalking.CancelAsync();
    }

    public async Task FinishCallsAsync() => await Task.WhenAll(_workers);

    private async Task CallerAsync(ChaosDevice device, string name, Random random, CancellationToken stop)
    {
        var count = 0;
        while (!stop.IsCancellationRequested)
        {
            var pick = random.Next(100);
            var chats = ChatsOf(device.UserId).ToArray();
            var chat = chats[random.Next(chats.Length)];
            var own = _sentBy.GetOrAdd(device.UserId, _ => new()).Where(s => !_deleting.ContainsKey(s.Sent!.Id)).ToArray();
            try
            {
                if (pick < 12 && own.Length > 0)
                {
                    var target = own[random.Next(own.Length)];
                    var text = $"{target.Text}{Separator}{name}.{count++}";
                    var edit = new EditAttempt(target.Sent!.Id, text);
                    _edits.Add(edit);
                    await Outcome(device, "edit", edit, () => device.Client.EditMessageAsync(target.Chat, target.Sent.Id, text));
                }
                else if (pick < 20 && own.Length > 0)
                {
                    var target = own[random.Next(own.Length)];
                    var delete = new DeleteAttempt(target.Sent!.Id, device);
                    _deletes.Add(delete);
                    _deleting[delete.Id] = 0;
                    await Outcome(device, "delete", delete, async () =>
                    {
                        await device.Client.DeleteMessagesAsync(target.Chat, [target.Sent.Id], revoke: true);
                        device.DeletedHere(target.Sent.Id);
                    });
                }
                else if (pick < 35)
                {
                    if (device.NewestIncoming(chat) is { } newest)
                    {
                        await Outcome(device, "read", null, () => device.Client.ReadHistoryAsync(chat, newest));
                    }
                }
                else if (pick < 43 && own.Where(s => !_forwarding.ContainsKey(s.Sent!.Id)).ToArray() is { Length: > 0 } unforwarded)
                {
                    var source = unforwarded[random.Next(unforwarded.Length)];
                    var forward = new ForwardAttempt(device, source.Sent!.Id, source.Text, chat);
                    _forwards.Add(forward);
                    _forwarding[forward.SourceId] = 0;
                    await Outcome(device, "forward", forward, async () =>
                    {
                        var forwarded = await device.Client.ForwardMessagesAsync(source.Chat, [source.Sent.Id], chat);
                        forward.Copies = [.. forwarded.Messages.Select(m => m.Id)];
                    });
                }
                else
                {
                    var send = new SendAttempt(device.UserId, chat, $"m{name}.{count++}", random.NextInt64(1, long.MaxValue));
                    _sends.Add(send);
                    // One send in five is given up by the app after a moment (its screen closed): it may have run or not.
                    using var impatient = new CancellationTokenSource();
                    if (random.Next(5) == 0)
                    {
                        impatient.CancelAfter(random.Next(20, 1500));
                    }

                    await Outcome(device, "send", send, async () =>
                    {
                        send.Sent = (await device.Client.SendMessageAsync(chat, send.Text, randomId: send.RandomId, cancellationToken: impatient.Token)).Message;
                        _sentBy.GetOrAdd(device.UserId, _ => new()).Enqueue(send);
                    });
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task Outcome(ChaosDevice device, string kind, Attempt? attempt, Func<Task> call)
    {
        try
        {
            await call();
            _tally.AddOrUpdate($"{kind} ok", 1, (_, n) => n + 1);
        }
        catch (Exception e) when (e is RpcException or TimeoutException or OperationCanceledException or MessengerConnectionException)
        {
            var error = e is RpcException rpc ? rpc.Name : e.GetType().Name;
            if (e is TimeoutException or MessengerConnectionException or RpcException { Code: >= 500 })
            {
                // The network came back well within the call's timeout: the SDK's resend owes every call its answer.
                _networkFailures.Add($"{device.Name}'s {kind} failed with {error} ({device.Client.ConnectionCount} connections, connected: {device.Client.IsConnected}): {e.Message}");
            }

            _tally.AddOrUpdate($"{kind} {error}", 1, (_, n) => n + 1);
            if (attempt is not null)
            {
                attempt.Failed = error;
            }
        }
    }

    public string Tally() => string.Join(", ", _tally.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}"));

    /// <summary>Each send that failed is sent again with its random_id, and each delete again, as an app's outbox would
    /// (a failed edit is left as it is: it ran or not).</summary>
    public async Task ResendFailedAsync()
    {
        foreach (var send in _sends.Where(s => s.Sent is null))
        {
            var device = _devices.First(d => d.UserId == send.Sender);
            await Outcome(device, "send again", send, async () =>
                send.Sent = (await device.Client.SendMessageAsync(send.Chat, send.Text, randomId: send.RandomId)).Message);
        }

        foreach (var delete in _deletes.Where(d => d.Failed is not null))
        {
            var chat = _sends.First(s => s.Sent?.Id == delete.Id).Chat;
            await Outcome(delete.By, "delete again", delete, async () =>
            {
                await delete.By.Client.DeleteMessagesAsync(chat, [delete.Id], revoke: true);
                delete.By.DeletedHere(delete.Id);
                delete.Failed = null;
            });
        }
    }

    /// <summary>Waits for every device to reach the server's positions, and lists those that did not.</summary>
    public async Task<List<string>> CatchUpAsync(TimeSpan bound)
    {
        var problems = new List<string>();
        await WaitForCatchUpAsync(bound, problems);
        return problems;
    }

    public async Task<List<string>> CheckAsync(TimeSpan bound)
    {
        var problems = _networkFailures.ToList();
        await WaitForCatchUpAsync(bound, problems);

        var deleted = _deletes.Where(d => d.Failed is null).Select(d => d.Id).ToHashSet();
        var histories = new Dictionary<(long User, Peer Chat), StoredMessage[]>();
        foreach (var userId in _users)
        {
            var reader = _devices.First(d => d.UserId == userId).Client;
            foreach (var chat in ChatsOf(userId))
            {
                histories[(userId, chat)] = [.. (await HistoryAsync(reader, chat)).Where(m => m.Action is null)];
            }
        }

        foreach (var ((userId, chat), history) in histories)
        {
            var where = $"{_names[userId]}'s history of {chat}";
            foreach (var twice in history.GroupBy(m => m.Id).Where(g => g.Count() > 1))
            {
                problems.Add($"{where}: message {twice.Key} {twice.Count()} times");
            }

            foreach (var twice in history.Where(m => m.FwdFromId is null).GroupBy(m => Key(m.Text)).Where(g => g.Count() > 1))
            {
                problems.Add($"{where}: send {twice.Key} stored {twice.Count()} times ({string.Join(", ", twice.Select(m => m.Id))})");
            }

            foreach (var twice in history.Where(m => m.FwdFromId is not null).GroupBy(m => Key(m.Text)).Where(g => g.Count() > 1))
            {
                problems.Add($"{where}: one forward of {twice.Key} stored {twice.Count()} times");
            }
        }

        foreach (var send in _sends)
        {
            if (send.Sent is null)
            {
                problems.Add($"{send.Text} was never answered, sent again or not");
                continue;
            }

            var id = send.Sent.Id;
            foreach (var member in MembersOf(send.Chat, send.Sender))
            {
                var chat = ChatOf(send.Chat, send.Sender, member);
                var stored = histories[(member, chat)].Where(m => m.Id == id).ToArray();
                if (deleted.Contains(id) ? stored.Length != 0 : stored.Length != 1)
                {
                    problems.Add($"{send.Text} (id {id}, {(deleted.Contains(id) ? "deleted" : "kept")}) is {stored.Length} times in {_names[member]}'s history of {chat}");
                }
            }
        }

        foreach (var forward in _forwards.Where(f => f.Failed is null))
        {
            foreach (var copy in forward.Copies)
            {
                foreach (var member in MembersOf(forward.Chat, forward.Sender))
                {
                    var chat = ChatOf(forward.Chat, forward.Sender, member);
                    if (histories[(member, chat)].Count(m => m.Id == copy) != 1)
                    {
                        problems.Add($"forward {copy} of {forward.SourceText} is not once in {_names[member]}'s history of {chat}");
                    }
                }
            }
        }

        // Edits race one another (two callers, two devices of a user), so any of them may be last; one that failed may
        // have run or not. One that succeeded leaves the original text gone.
        foreach (var message in histories.Values.SelectMany(h => h).Where(m => m.FwdFromId is null).DistinctBy(m => m.Id))
        {
            var tried = _edits.Where(e => e.Id == message.Id).ToArray();
            if (message.Text == Key(message.Text) ? tried.Any(e => e.Failed is null) : !tried.Any(e => e.Text == message.Text))
            {
                problems.Add($"message {message.Id} reads {message.Text} after the edits {string.Join(", ", tried.Select(e => $"{e.Text} ({e.Failed ?? "ok"})"))}");
            }
        }

        foreach (var device in _devices)
        {
            foreach (var chat in ChatsOf(device.UserId))
            {
                var history = histories[(device.UserId, chat)].ToDictionary(m => m.Id);
                var seen = device.Live(chat);
                foreach (var missing in history.Keys.Except(seen.Keys))
                {
                    var forwardedBy = _forwards.FirstOrDefault(f => f.Copies.Contains(missing))?.By.Name;
                    problems.Add($"{device.Name} never got message {missing} ({history[missing].Text}) of {chat}"
                        + (forwardedBy is null ? "" : $", a copy {forwardedBy} forwarded"));
                }

                foreach (var extra in seen.Keys.Except(history.Keys))
                {
                    problems.Add($"{device.Name} shows message {extra} ({seen[extra]}) of {chat}, which history no longer has");
                }

                foreach (var (id, text) in seen.Where(s => history.ContainsKey(s.Key) && history[s.Key].Text != s.Value))
                {
                    problems.Add($"{device.Name} shows message {id} of {chat} as {text}; history has {history[id].Text}");
                }
            }

            problems.AddRange(device.Anomalies);
        }

        foreach (var userId in _users)
        {
            var reader = _devices.First(d => d.UserId == userId).Client;
            var dialogs = (await reader.GetDialogsAsync(limit: 100)).Items;
            foreach (var chat in ChatsOf(userId))
            {
                if (dialogs.SingleOrDefault(d => d.Peer == chat) is not { } dialog)
                {
                    if (chat.Kind == PeerKind.User && histories[(userId, chat)].Length == 0)
                    {
                        // Every message of the private chat deleted for everyone (or none sent): it has no row.
                        continue;
                    }

                    problems.Add($"{_names[userId]} has no dialog for {chat} (of {dialogs.Length}), whose history has {histories[(userId, chat)].Length} messages");
                    continue;
                }

                var unread = histories[(userId, chat)].Count(m => m.FromId != userId && m.Id > dialog.ReadInboxMaxId);
                if (dialog.UnreadCount != unread)
                {
                    problems.Add($"{_names[userId]}'s {chat}: unread count {dialog.UnreadCount}, history has {unread} after {dialog.ReadInboxMaxId}");
                }
            }
        }

        return problems;
    }

    private static Peer ChatOf(Peer addressed, long sender, long viewer) =>
        addressed.Kind == PeerKind.Chat ? addressed : Peer.User(viewer == sender ? addressed.Id : sender);

    private static string Key(string text) => text.Split(Separator)[0];

    private async Task WaitForCatchUpAsync(TimeSpan bound, List<string> problems)
    {
        var until = DateTime.UtcNow + bound;
        foreach (var device in _devices)
        {
            string? behind = null;
            do
            {
                UpdatesState state;
                try
                {
                    state = await device.Client.GetStateAsync();
                }
                catch (Exception e) when (e is TimeoutException or RpcException or MessengerConnectionException)
                {
                    problems.Add($"{device.Name}'s getState after the heal failed ({device.Client.ConnectionCount} connections, connected: {device.Client.IsConnected}): {e.Message}");
                    break;
                }

                behind = device.Client.Events.Pts != state.Pts
                    ? $"{device.Name}: pts {device.Client.Events.Pts}, server {state.Pts}"
                    : (state.Channels ?? []).FirstOrDefault(c => device.Client.Events.ChannelPts.GetValueOrDefault(c.ChatId, -1) != c.Pts) is { } channel
                        ? $"{device.Name}: large group {channel.ChatId} at {device.Client.Events.ChannelPts.GetValueOrDefault(channel.ChatId, -1)}, server {channel.Pts}"
                        : device.Client.Events.Reader.Count > 0 ? $"{device.Name}: events not read yet" : null;
                if (behind is not null)
                {
                    await Task.Delay(100);
                }
            }
            while (behind is not null && DateTime.UtcNow < until);

            if (behind is not null)
            {
                problems.Add($"stuck after {bound}: {behind}");
            }
        }

        foreach (var device in _devices)
        {
            device.Drain();
        }
    }

    private static async Task<List<StoredMessage>> HistoryAsync(MessengerClient client, Peer chat)
    {
        var all = new List<StoredMessage>();
        long offset = 0;
        while (true)
        {
            var page = await client.GetHistoryAsync(chat, offset, 100);
            all.AddRange(page);
            if (page.Length < 100)
            {
                return all;
            }

            offset = page[^1].Id;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopTalking.CancelAsync();
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }

        _stopTalking.Dispose();
    }

    internal abstract class Attempt
    {
        private volatile string? _failed;

        /// <summary>The error the call ended with (null: it succeeded, or has not ended).</summary>
        public string? Failed
        {
            get => _failed;
            set => _failed = value;
        }
    }

    internal sealed class SendAttempt(long sender, Peer chat, string text, long randomId) : Attempt
    {
        private volatile StoredMessage? _sent;

        public long Sender { get; } = sender;

        public Peer Chat { get; } = chat;

        public string Text { get; } = text;

        public long RandomId { get; } = randomId;

        public StoredMessage? Sent
        {
            get => _sent;
            set => _sent = value;
        }
    }

    internal sealed class EditAttempt(long id, string text) : Attempt
    {
        public long Id { get; } = id;

        public string Text { get; } = text;
    }

    internal sealed class DeleteAttempt(long id, ChaosDevice by) : Attempt
    {
        public long Id { get; } = id;

        public ChaosDevice By { get; } = by;
    }

    internal sealed class ForwardAttempt(ChaosDevice by, long sourceId, string sourceText, Peer chat) : Attempt
    {
        public ChaosDevice By { get; } = by;

        public long Sender => By.UserId;

        public long SourceId { get; } = sourceId;

        public string SourceText { get; } = sourceText;

        public Peer Chat { get; } = chat;

        public long[] Copies { get; set; } = [];
    }
}

/// <summary>One device and what its update stream told it: the messages of each chat with their text now, and anything
/// that should not happen (a message reported twice).</summary>
internal sealed class ChaosDevice(MessengerClient client, long userId, string name) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (Peer Chat, string Text, long FromId)> _messages = [];
    private readonly HashSet<long> _deleted = [];
    private readonly List<string> _anomalies = [];
    private Task _reading = Task.CompletedTask;

    public MessengerClient Client { get; } = client;

    public long UserId { get; } = userId;

    public string Name { get; } = name;

    public IReadOnlyList<string> Anomalies
    {
        get
        {
            lock (_gate)
            {
                return [.. _anomalies];
            }
        }
    }

    public void StartReading() => _reading = Task.Run(ReadAsync);

    private async Task ReadAsync()
    {
        try
        {
            while (await Client.Events.Reader.WaitToReadAsync())
            {
                ApplyQueued();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or MessengerConnectionException)
        {
        }
    }

    // Read and applied under the lock, so the checker's drain and the reader never apply out of order.
    private void ApplyQueued()
    {
        lock (_gate)
        {
            while (Client.Events.Reader.TryRead(out var next))
            {
                Apply(next);
            }
        }
    }

    private void Apply(MessengerEvent next)
    {
        switch (next)
        {
            case MessageReceived { Message: { Action: null } message } received:
                if (!_messages.TryAdd(message.Id, (received.Peer, message.Text, message.FromId)))
                {
                    _anomalies.Add($"{Name} got message {message.Id} ({message.Text}) twice");
                }

                break;
            case MessageEdited edited when _messages.ContainsKey(edited.Message.Id):
                _messages[edited.Message.Id] = (edited.Peer, edited.Message.Text, edited.Message.FromId);
                break;
            case MessageEdited edited when !_deleted.Contains(edited.Message.Id):
                _anomalies.Add($"{Name} got an edit of message {edited.Message.Id} ({edited.Message.Text}) before the message");
                break;
            case MessagesDeleted deleted:
                _deleted.UnionWith(deleted.Ids);
                break;
        }
    }

    /// <summary>This device deleted it (not reported to it again).</summary>
    public void DeletedHere(long id)
    {
        lock (_gate)
        {
            _deleted.Add(id);
        }
    }

    public long? NewestIncoming(Peer chat)
    {
        lock (_gate)
        {
            var incoming = _messages.Where(m => m.Value.Chat == chat && m.Value.FromId != UserId && !_deleted.Contains(m.Key)).Select(m => m.Key).ToArray();
            return incoming.Length > 0 ? incoming.Max() : null;
        }
    }

    /// <summary>The messages of <paramref name="chat"/> it holds and not deleted, with their text now.</summary>
    public Dictionary<long, string> Live(Peer chat)
    {
        lock (_gate)
        {
            return _messages.Where(m => m.Value.Chat == chat && !_deleted.Contains(m.Key)).ToDictionary(m => m.Key, m => m.Value.Text);
        }
    }

    /// <summary>Applies what the stream has reported so far.</summary>
    public void Drain() => ApplyQueued();

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _reading;
    }
}
