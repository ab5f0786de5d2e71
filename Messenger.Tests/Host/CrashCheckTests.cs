using System.Diagnostics;
using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Session;

namespace Messenger.Tests.Host;

/// <summary>
/// The real host in a child process, SIGKILLed at seeded random points while edits, deletes for everyone, reactions,
/// group creation, joins and leaves, media sends and account deletions run (the <c>crash</c> benchmark covers plain
/// sends): after each kill <c>check</c> finds the data directory whole, and once started again every operation the
/// server acknowledged is visible. An operation cut off by a kill may or may not have happened: what it touched is not
/// checked (nor used again).
/// </summary>
public sealed class CrashCheckTests
{
    private const int Kills = 4;
    private const int AcknowledgedPerRound = 3;

    [Fact]
    public async Task KilledDuringEditsDeletesGroupsMediaReactionsAndAccountDeletions_TheDirectoryChecksWhole_AndEveryAcknowledgedOperationIsVisible()
    {
        var random = new Random(4747);
        using var directory = new TempDirectory();
        await using var server = await ChildHost.StartAsync(Path.Combine(directory.Path, "data"));
        var world = new World();
        var keys = new[] { new InMemoryDeviceKeyStore(), new InMemoryDeviceKeyStore(), new InMemoryDeviceKeyStore() };
        var names = new[] { "alice_crash", "bob_crash", "carol_crash" };
        for (var i = 0; i < 3; i++)
        {
            await using var client = await MessengerClient.ConnectAsync(server.ClientOptions(keys[i]));
            await client.RegisterAsync(names[i], SessionTestKit.Password, names[i]);
            world.UserIds[i] = (await client.SignInAsync(names[i], SessionTestKit.Password, "Crash device", "tests")).User.Id;
        }

        for (var kill = 0; kill < Kills; kill++)
        {
            var clients = new MessengerClient[3];
            for (var i = 0; i < 3; i++)
            {
                clients[i] = await MessengerClient.ConnectAsync(server.ClientOptions(keys[i]));
            }

            using var stop = new CancellationTokenSource();
            world.Killing = false;
            var before = world.Acknowledged;
            var work = world.RunAsync(server, clients, new Random(random.Next()), stop.Token);
            await Task.Delay(random.Next(300, 1500));

            // A slow machine is no reason to test less: each round lets a few operations through before its kill.
            var waited = Stopwatch.StartNew();
            while (world.Acknowledged < before + AcknowledgedPerRound && waited.Elapsed < TimeSpan.FromSeconds(60) && !work.IsCompleted)
            {
                await Task.Delay(20);
            }

            world.Killing = true;
            await server.KillAsync();
            await stop.CancelAsync();
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            await work;

            // Checked as each kill left it, before a start tidies anything.
            var (code, output) = CheckCommandTests.Check(server.DataDirectory, kill == Kills - 1 ? "--hashes" : "--full");
            code.Should().Be(0, $"after kill {kill + 1}: {output}");
            if (kill < Kills - 1)
            {
                await server.StartAgainAsync();
            }
        }

        world.Acknowledged.Should().BeGreaterThanOrEqualTo(Kills * AcknowledgedPerRound, "operations ran between the kills");

        await server.StartAgainAsync();
        await using var alice = await MessengerClient.ConnectAsync(server.ClientOptions(keys[0]));
        await world.VerifyAsync(alice);
    }

    /// <summary>What the server acknowledged, and what an operation cut off by a kill left uncertain.</summary>
    private sealed class World
    {
        public readonly long[] UserIds = new long[3];
        private readonly List<Sent> _messages = [];
        private readonly List<Group> _groups = [];
        private readonly List<(long Id, bool Certain)> _deletedAccounts = [];
        private int _accounts;

        private int _acknowledged;
        private volatile bool _killing;

        /// <summary>Set just before a kill: from then on an operation's failure is the kill's.</summary>
        public bool Killing
        {
            get => _killing;
            set => _killing = value;
        }

        /// <summary>Read by the test while <see cref="RunAsync"/> counts on another thread.</summary>
        public int Acknowledged => Volatile.Read(ref _acknowledged);

        private long Bob => UserIds[1];

        private long Carol => UserIds[2];

        /// <summary>Operations one after another until the kill cuts one off (its exception ends the run).</summary>
        public async Task RunAsync(ChildHost server, MessengerClient[] clients, Random random, CancellationToken stop)
        {
            var (alice, bob, carol) = (clients[0], clients[1], clients[2]);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var roll = random.Next(100);
                    var live = _messages.Where(m => m.Certain && !m.Deleted).ToList();
                    var target = live.Count > 0 ? live[random.Next(live.Count)] : null;
                    var openGroups = _groups.Where(g => g.Certain).ToList();
                    var group = openGroups.Count > 0 ? openGroups[random.Next(openGroups.Count)] : null;
                    if (roll < 25 || target is null)
                    {
                        var peer = group is not null && random.Next(2) == 0 ? Peer.Chat(group.Id) : Peer.User(Bob);
                        var text = $"message {random.Next()}";
                        var sent = await alice.SendMessageAsync(peer, text, cancellationToken: stop);
                        Add(new Sent(sent.Message.Id, peer, text));
                    }
                    else if (roll < 40 && target.EditedOrReacted is false)
                    {
                        target.Certain = false;
                        var text = $"edited {random.Next()}";
                        await alice.EditMessageAsync(target.Peer, target.Id, text, stop);
                        (target.Text, target.EditedOrReacted, target.Certain) = (text, true, true);
                        Interlocked.Increment(ref _acknowledged);
                    }
                    else if (roll < 50)
                    {
                        target.Certain = false;
                        await alice.DeleteMessagesAsync(target.Peer, [target.Id], revoke: true, stop);
                        (target.Deleted, target.Certain) = (true, true);
                        Interlocked.Increment(ref _acknowledged);
                    }
                    else if (roll < 60 && target.EditedOrReacted is false)
                    {
                        target.Certain = false;
                        await bob.SendReactionAsync(target.Peer.Kind == PeerKind.User ? Peer.User(UserIds[0]) : target.Peer, target.Id, "👍", stop);
                        (target.Reaction, target.EditedOrReacted, target.Certain) = ("👍", true, true);
                        Interlocked.Increment(ref _acknowledged);
                    }
                    else if (roll < 66 || group is null)
                    {
                        var created = await alice.CreateGroupAsync($"Crash group {_groups.Count}", [Bob], cancellationToken: stop);
                        _groups.Add(new Group(created.Chat.Id));
                        Interlocked.Increment(ref _acknowledged);
                    }
                    else if (roll < 74)
                    {
                        group.Certain = false;
                        if (group.CarolIn)
                        {
                            await carol.LeaveGroupAsync(group.Id, stop);
                        }
                        else
                        {
                            await alice.AddMembersAsync(group.Id, [Carol], stop);
                        }

                        (group.CarolIn, group.Certain) = (!group.CarolIn, true);
                        Interlocked.Increment(ref _acknowledged);
                    }
                    else if (roll < 90)
                    {
                        var bytes = MediaTestKit.RandomBytes(random.Next(1_000, 300_000), random.Next());
                        var sent = await alice.SendMediaAsync(Peer.User(Bob), await alice.UploadFileAsync(new MemoryStream(bytes), "file.bin", "application/octet-stream", cancellationToken: stop), cancellationToken: stop);
                        Add(new Sent(sent.Message.Id, Peer.User(Bob), "") { Sha256 = MediaTestKit.Sha256(bytes) });
                    }
                    else
                    {
                        var name = $"gone_{_accounts++}_{random.Next(100_000)}";
                        await using var account = await MessengerClient.ConnectAsync(server.ClientOptions(new InMemoryDeviceKeyStore()));
                        await account.RegisterAsync(name, SessionTestKit.Password, name);
                        var id = (await account.SignInAsync(name, SessionTestKit.Password, "Doomed", "tests")).User.Id;
                        await account.SendMessageAsync(Peer.User(UserIds[0]), "bye", cancellationToken: stop);
                        _deletedAccounts.Add((id, false));
                        await account.DeleteAccountAsync(SessionTestKit.Password, stop);
                        _deletedAccounts[^1] = (id, true);
                        Interlocked.Increment(ref _acknowledged);
                    }
                }
            }
            catch (Exception) when (Killing)
            {
                // The kill, or the clients disposed after it: the operation under way is uncertain. (An error before the
                // kill is the server's, or the test's: it fails the test.)
            }
        }

        public async Task VerifyAsync(MessengerClient alice)
        {
            foreach (var (peer, expected) in _messages.Where(m => m.Certain).GroupBy(m => m.Peer).Select(g => (g.Key, g.ToList())))
            {
                var (messages, reactions) = await AllAsync(alice, peer);
                foreach (var sent in expected)
                {
                    var found = messages.GetValueOrDefault(sent.Id);
                    if (sent.Deleted)
                    {
                        found.Should().BeNull($"message {sent.Id} was deleted for everyone");
                        continue;
                    }

                    found.Should().NotBeNull($"message {sent.Id} was acknowledged");
                    found!.Text.Should().Be(sent.Text);
                    if (sent.Reaction is { } reaction)
                    {
                        reactions.GetValueOrDefault(sent.Id).Should().Contain(reaction, $"the reaction to {sent.Id} was acknowledged");
                    }

                    if (sent.Sha256 is { } hash)
                    {
                        using var bytes = new MemoryStream();
                        await alice.DownloadFileAsync(found.Media!, bytes);
                        MediaTestKit.Sha256(bytes.ToArray()).Should().Be(hash);
                    }
                }
            }

            foreach (var group in _groups.Where(g => g.Certain))
            {
                var members = (await alice.GetFullChatAsync(group.Id)).Members.Select(m => m.UserId).ToList();
                members.Should().Contain(Bob);
                members.Contains(Carol).Should().Be(group.CarolIn, $"carol's last join or leave of chat {group.Id} was acknowledged");
            }

            var deleted = _deletedAccounts.Where(a => a.Certain).Select(a => a.Id).ToArray();
            if (deleted.Length > 0)
            {
                (await alice.GetUsersAsync(deleted)).Should().OnlyContain(u => u.Deleted);
            }
        }

        private void Add(Sent sent)
        {
            _messages.Add(sent);
            Interlocked.Increment(ref _acknowledged);
        }

        private static async Task<(Dictionary<long, Messenger.Contracts.Messages.Message> Messages, Dictionary<long, string[]> Reactions)> AllAsync(MessengerClient client, Peer peer)
        {
            var messages = new Dictionary<long, Messenger.Contracts.Messages.Message>();
            var reactions = new Dictionary<long, string[]>();
            long offset = 0;
            while (true)
            {
                var page = await client.GetHistoryPageAsync(peer, offset, 100);
                foreach (var message in page.Messages)
                {
                    messages[message.Id] = message;
                }

                foreach (var reaction in page.Reactions ?? [])
                {
                    reactions[reaction.MessageId] = [.. reaction.Reactions.Select(r => r.Reaction)];
                }

                if (page.Messages.Length == 0)
                {
                    return (messages, reactions);
                }

                offset = page.Messages.Min(m => m.Id);
            }
        }
    }

    private sealed class Sent(long id, Peer peer, string text)
    {
        public long Id { get; } = id;

        public Peer Peer { get; } = peer;

        public string Text { get; set; } = text;

        public bool Deleted { get; set; }

        public bool EditedOrReacted { get; set; }

        public string? Reaction { get; set; }

        public string? Sha256 { get; init; }

        public bool Certain { get; set; } = true;
    }

    private sealed class Group(long id)
    {
        public long Id { get; } = id;

        public bool CarolIn { get; set; }

        public bool Certain { get; set; } = true;
    }
}
