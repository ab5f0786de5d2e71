using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using MessagePack;
using Messenger.Client;
using Messenger.Contracts;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Contacts;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Rpc;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;
using Xunit.Abstractions;

namespace Messenger.Tests.Protocol;

/// <summary>
/// Every RPC method (every <c>[RpcMethod]</c> contract, checked against the host's registry so a new method is covered
/// as soon as it exists) called a few dozen times with seeded, reproducible arguments: boundary values (0, −1, extremes,
/// NaN, empty, whitespace, 5,000 characters, odd Unicode, nulls, empty and 1,000-element arrays, undefined enum values,
/// nested records built the same way or null) mixed with plausible values from a small real state (the caller, its
/// peers, a private chat with messages, a small group, a channel, a forum with a topic, a poll, a live location,
/// uploaded and sent files, an invite, a bot, a call),
/// so that handlers are reached and not only validators; and a few raw MessagePack cases (a field of the wrong type,
/// truncated bytes, an extra field, invalid UTF-8, no map at all). Every call must answer a result or an UPPER_SNAKE
/// error with a 4xx code — never 500 <c>INTERNAL</c>, never a hang or a closed connection — and afterwards two other
/// users still chat and the host logged no unexpected failure.
/// </summary>
public sealed class RpcArgumentFuzzTests(ITestOutputHelper output)
{
    // Another seed explores other cases, more cases explore further: MESSENGER_FUZZ_SEED=n MESSENGER_FUZZ_CASES=200
    // dotnet test … (the failure message names the seed).
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MESSENGER_FUZZ_SEED"), out var seed) ? seed : 20261207;
    private static readonly int GeneratedCasesPerMethod =
        int.TryParse(Environment.GetEnvironmentVariable("MESSENGER_FUZZ_CASES"), out var cases) && cases > 0 ? cases : 24;
    private const string ConnectionClosed = "connection closed";
    private static readonly double[] PlausibleChances = [0.97, 0.9, 0.75, 0.4];
    private static readonly Regex ErrorName = new("^[A-Z][A-Z0-9_]*$", RegexOptions.Compiled);

    // Methods that end or change the caller's own account or authorization (signing out, deleting the account, a new
    // password or two-step verification, signing the device in as someone else, an admin resetting, blocking or
    // demoting a user). Decided: each of their cases runs as a fresh throwaway admin user on its own device, with its own
    // id and one shared victim's as the plausible user ids, so the main caller and its state survive the whole run.
    private static readonly HashSet<string> EndsTheCaller =
    [
        "auth.signOut", "auth.signIn", "auth.register", "account.deleteAccount", "account.resetAuthorization",
        "account.resetOtherAuthorizations", "account.changePassword", "account.setupTwoFactor", "account.enableTwoFactor",
        "account.disableTwoFactor", "account.regenerateRecoveryCodes", "account.setAuthorizationTTL", "admin.resetPassword",
        "admin.resetTwoFactor", "admin.setUserBlocked", "admin.setUserAdmin", "admin.deleteUserMessages",
    ];

    // Methods that take the plausible state apart (leaving, deleting, blocking): run after all the others, one method
    // after another in this order (the most destructive last), so the rest reach their deep paths with the state intact.
    private static readonly string[] TakesStateApart =
    [
        "groups.revokeInvite", "groups.editPermissions", "groups.setAdmin", "messages.delete", "messages.deleteTopic",
        "messages.deleteHistory", "groups.removeMember", "groups.toggleForum", "contacts.deleteContacts", "users.block",
        "bots.delete", "groups.leave", "groups.transferOwnership", "groups.delete",
    ];

    [Fact]
    public async Task EveryMethod_WithGeneratedBadArguments_AnswersANamedClientError_AndDisturbsNoOne()
    {
        using var logs = new TempDirectory();
        var settings = new Dictionary<string, string?>(LogFiles.Settings(logs.Path))
        {
            ["Messenger:Protocol:WritesPerSecond"] = "100000",
            ["Messenger:Protocol:WriteBurst"] = "100000",
            ["Messenger:Session:RegistrationsPerAddress"] = "100000",
            ["Messenger:Message:SmallGroupLimit"] = "3",
        };
        await using var host = await SessionTestKit.StartHostAsync(settings);
        var methods = ContractMethods();
        host.Services.GetRequiredService<RpcMethodRegistry>().Names.Should().BeEquivalentTo(methods.Keys,
            "every registered method has an [RpcMethod] contract the fuzzer finds, and the other way round");

        await using var fuzz = await FuzzState.CreateAsync(host);
        await using var dave = await host.SignUpAsync("dave_fuzz", startEvents: false);
        await using var erin = await host.SignUpAsync("erin_fuzz", startEvents: false);

        var random = new Random(Seed);
        var cases = methods.OrderBy(m => m.Key, StringComparer.Ordinal)
            .SelectMany(m => Enumerable.Range(0, GeneratedCasesPerMethod + RawCase.Count).Select(i => (Method: m.Key, Type: m.Value, Index: i)))
            .OrderBy(c => Array.IndexOf(TakesStateApart, c.Method))
            .ThenBy(_ => random.Next())
            .Select(c => (c.Method, c.Type, c.Index, Seed: random.Next()))
            .ToList();
        var failures = new List<string>();
        var answers = new Dictionary<string, Dictionary<string, int>>();
        async Task<string> RunAsync((string Method, Type Type, int Index, int Seed) call, Caller caller)
        {
            // From nearly all plausible (one odd field reaches a handler's depths) to mostly odd (the validators).
            var generator = new ArgumentGenerator(new Random(call.Seed), caller.Plausible, PlausibleChances[call.Index % PlausibleChances.Length]);
            var args = call.Index < GeneratedCasesPerMethod ? generator.Arguments(call.Type) : RawCase.Build(call.Index - GeneratedCasesPerMethod, call.Type, generator);
            var (outcome, answer) = await CallAsync(caller.Client, call.Method, args);
            lock (answers)
            {
                var tally = answers.TryGetValue(call.Method, out var t) ? t : answers[call.Method] = [];
                tally[answer] = tally.GetValueOrDefault(answer) + 1;
                if (outcome is not null)
                {
                    failures.Add($"{call.Method} (case seed {call.Seed}, index {call.Index}) {Describe(args)} → {outcome}");
                }
            }

            return outcome ?? answer;
        }

        // A third of the cases as a plain member of the chats the owner made: the paths of permissions and subscribers.
        foreach (var call in cases.Where(c => !EndsTheCaller.Contains(c.Method)))
        {
            var caller = call.Seed % 3 == 0 ? fuzz.Member : fuzz.Main;
            var answer = await RunAsync(call, caller);
            if (answer is ErrorNames.AuthKeyUnregistered or ErrorNames.PasswordChangeRequired || answer.StartsWith(ConnectionClosed, StringComparison.Ordinal))
            {
                await fuzz.SignInAgainAsync(caller);
            }
        }

        // Each on a device of its own, so they may run side by side.
        await Parallel.ForEachAsync(cases.Where(c => EndsTheCaller.Contains(c.Method)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (call, _) =>
        {
            await using var throwaway = await fuzz.ThrowawayAsync();
            await RunAsync(call, throwaway);
        });

        foreach (var (method, tally) in answers.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{method}: {string.Join(", ", tally.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value}"))}");
        }

        failures.Should().BeEmpty($"seed {Seed}: every call answers a result or a named 4xx error ({cases.Count} calls); failed:\n{string.Join("\n", failures)}\n");
        answers.Count(a => a.Value.ContainsKey("result")).Should().BeGreaterThan(methods.Count * 3 / 5,
            "the plausible values reach the handlers of most methods, not only their validators");
        await dave.SendAsync(erin, "after the fuzz");
        (await erin.Client.GetHistoryAsync(dave.Peer)).Select(m => m.Text).Should().Contain("after the fuzz");
        var log = LogFiles.Read(logs.Path);
        log.Should().NotContain("failed unexpectedly").And.NotContain("Unhandled exception");
    }

    /// <summary>What went wrong (null when the call was answered as it must be), and the answer's name.</summary>
    private static async Task<(string? Failure, string Answer)> CallAsync(MessengerClient client, string method, byte[] args)
    {
        try
        {
            await client.SendCallAsync(method, args);
            return (null, "result");
        }
        catch (RpcException e) when (e.Code is >= 400 and < 500 && ErrorName.IsMatch(e.Name))
        {
            return (null, e.Name);
        }
        catch (RpcException e)
        {
            return ($"{e.Code} {e.Name}", e.Name);
        }
        catch (ArgumentException)
        {
            return (null, "not sent: over the frame limit"); // the SDK refuses to send it, the server never sees it
        }
        catch (CallTimeoutException)
        {
            return ("no answer (a hang)", "hang");
        }
        catch (MessengerConnectionException e)
        {
            return ($"{ConnectionClosed}: {e.Message}", "closed");
        }
    }

    private static string Describe(byte[] args)
    {
        string json;
        try
        {
            json = MessagePackSerializer.ConvertToJson(args, WireSerializer.Options);
        }
        catch (Exception)
        {
            json = "raw " + Convert.ToHexString(args.AsSpan(0, Math.Min(args.Length, 120)));
        }

        return json.Length > 400 ? json[..400] + $"… ({json.Length} chars)" : json;
    }

    private static Dictionary<string, Type> ContractMethods() =>
        typeof(ContractsAssembly).Assembly.GetTypes()
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<RpcMethodAttribute>(inherit: false)))
            .Where(t => t.Attribute is not null)
            .ToDictionary(t => t.Attribute!.Name, t => t.Type);

    /// <summary>Known-good values of the running state, by what a field is about.</summary>
    internal sealed record PlausibleValues(
        long[] UserIds, long[] ChatIds, long[] MessageIds, long[] TopicIds, long[] MediaIds, long[] CallIds, long[] FileIds, string[] Strings,
        Peer[] Peers, InputMedia[] Media, ILookup<Peer, long> PeerMessages)
    {
        public long[] All => [.. UserIds, .. ChatIds, .. MessageIds, .. TopicIds, .. MediaIds, .. CallIds, .. FileIds];
    }

    /// <summary>A signed-in device the fuzzer calls from, and the plausible values that go with it.</summary>
    internal sealed class Caller(MessengerClient client, string username, PlausibleValues plausible) : IAsyncDisposable
    {
        public MessengerClient Client { get; set; } = client;

        public string Username { get; } = username;

        public PlausibleValues Plausible { get; } = plausible;

        public ValueTask DisposeAsync() => Client.DisposeAsync();
    }

    /// <summary>The state the plausible values come from: set up once through the SDK as a user's app would.</summary>
    private sealed class FuzzState : IAsyncDisposable
    {
        private readonly TestHost _host;
        private readonly List<IAsyncDisposable> _owned = [];
        private readonly long _victimId;
        private int _throwaways;

        private FuzzState(TestHost host, Caller main, Caller member, long victimId)
        {
            _host = host;
            Main = main;
            Member = member;
            _victimId = victimId;
        }

        /// <summary>The owner of the chats (and an admin of the server).</summary>
        public Caller Main { get; }

        /// <summary>A plain member of them (a subscriber of the channel).</summary>
        public Caller Member { get; }

        public static async Task<FuzzState> CreateAsync(TestHost host)
        {
            // The first account is the server's admin: a root that only makes the fuzzer an admin too, so that user
            // id 1 (a boundary value) names an account whose fate does not matter.
            await using var root = await host.SignedInClientAsync("root_fuzz");
            var main = await host.ConnectWithoutReconnectAsync();
            var mainId = (await main.RegisterAsync("main_fuzz", SessionTestKit.Password, "Main")).User.Id;
            await main.SignInAsync("main_fuzz", SessionTestKit.Password, "Fuzz device", "tests");
            await root.CallAsync(new SetUserAdminCall(mainId, true));

            var bobClient = await host.ConnectWithoutReconnectAsync();
            await bobClient.RegisterAsync("bob_fuzz", SessionTestKit.Password, "Bob");
            var bobId = (await bobClient.SignInAsync("bob_fuzz", SessionTestKit.Password, "Fuzz device", "tests")).User.Id;
            await using var carol = await host.SignUpAsync("carol_fuzz", startEvents: false);
            var victimId = (await main.RegisterAsync("victim_fuzz", SessionTestKit.Password, "Victim")).User.Id;
            await main.CallAsync(new AddContactCall(bobId, "Bob"));
            var messageIds = new List<(Peer Peer, long Id)>();
            for (var i = 0; i < 3; i++)
            {
                messageIds.Add((Peer.User(bobId), (await main.SendMessageAsync(Peer.User(bobId), $"hello {i}")).Message.Id));
            }

            messageIds.Add((Peer.User(bobId), (await bobClient.SendMessageAsync(Peer.User(mainId), "hi back")).Message.Id));
            var group = (await main.CallAsync(new CreateGroupCall("Small group", [bobId, carol.UserId]))).Chat.Id;
            messageIds.Add((Peer.Chat(group), (await main.SendMessageAsync(Peer.Chat(group), "in the group")).Message.Id));
            var channel = (await main.CallAsync(new CreateGroupCall("Channel", [bobId], Large: true, Broadcast: true))).Chat.Id;
            messageIds.Add((Peer.Chat(channel), (await main.SendMessageAsync(Peer.Chat(channel), "a post")).Message.Id));
            var forum = (await main.CallAsync(new CreateGroupCall("Forum", [bobId, carol.UserId], Large: true))).Chat.Id;
            await main.CallAsync(new ToggleForumCall(forum, true));
            var topic = (await main.CallAsync(new CreateTopicCall(Peer.Chat(forum), Random.Shared.NextInt64(1, long.MaxValue), "Topic"))).Message.Id;
            messageIds.Add((Peer.Chat(forum), topic));
            messageIds.Add((Peer.Chat(forum), (await main.SendMessageAsync(Peer.Chat(forum), "in the topic", topicId: topic)).Message.Id));

            var photo = TestImages.Encode(64, 48, SKEncodedImageFormat.Png);
            var sent = await main.UploadFileAsync(new MemoryStream(photo), "sent.png", "image/png");
            messageIds.Add((Peer.User(bobId), (await main.SendMediaAsync(Peer.User(bobId), sent, "a photo", randomId: null)).Message.Id));
            var photoMessage = await main.SendMediaAsync(Peer.Chat(group), sent, "the photo again", randomId: null);
            messageIds.Add((Peer.Chat(group), photoMessage.Message.Id));
            var unsent = await main.UploadFileAsync(new MemoryStream(photo), "unsent.png", "image/png");
            messageIds.Add((Peer.Chat(group), (await main.CallAsync(new SendPollCall(
                Peer.Chat(group), Random.Shared.NextInt64(1, long.MaxValue), new Poll("Which?", ["one", "two", "three"], MultipleChoice: true, PublicVoters: true)))).Message.Id));
            messageIds.Add((Peer.User(bobId), (await main.CallAsync(new SendMessageCall(
                Peer.User(bobId), Random.Shared.NextInt64(1, long.MaxValue), "", Geo: new InputGeo(51.5, -0.12, LivePeriod: 3600)))).Message.Id));
            await main.CallAsync(new ReportMessagesCall(Peer.User(bobId), [messageIds[3].Id], "spam"));
            var call = (await main.CallAsync(new Messenger.Contracts.Calls.RequestCallCall(bobId, "v=0"))).Id;
            var invite = (await main.CallAsync(new ExportInviteCall(group))).Code;
            var bot = await main.CallAsync(new CreateBotCall("fuzz_bot", "Fuzz bot"));

            var plausible = new PlausibleValues(
                UserIds: [mainId, bobId, carol.UserId, bot.Bot.Id],
                ChatIds: [group, channel, forum],
                MessageIds: [.. messageIds.Select(m => m.Id)],
                PeerMessages: messageIds.ToLookup(m => m.Peer, m => m.Id),
                TopicIds: [topic],
                MediaIds: [photoMessage.Message.Media!.Id],
                CallIds: [call],
                FileIds: [sent.FileId, unsent.FileId],
                Strings: ["hello", "bob_fuzz", "main_fuzz", SessionTestKit.Password, invite, "https://example.com/", "image/png", "fuzz_bot", bot.Token],
                Peers: [Peer.User(bobId), Peer.User(mainId), Peer.User(carol.UserId), Peer.Chat(group), Peer.Chat(channel), Peer.Chat(forum)],
                Media: [unsent, sent]);
            // Bob sees his private chat with the owner as the owner's peer.
            var bobs = plausible with { PeerMessages = messageIds.ToLookup(m => m.Peer == Peer.User(bobId) ? Peer.User(mainId) : m.Peer, m => m.Id) };
            return new FuzzState(host, new Caller(main, "main_fuzz", plausible), new Caller(bobClient, "bob_fuzz", bobs), victimId);
        }

        /// <summary>A fresh admin on a device of its own, for a method that may end its caller.</summary>
        public async Task<Caller> ThrowawayAsync()
        {
            var username = $"throwaway_{Interlocked.Increment(ref _throwaways):d4}";
            var client = await _host.ConnectWithoutReconnectAsync();
            var id = (await client.RegisterAsync(username, SessionTestKit.Password, "Throwaway")).User.Id;
            await client.SignInAsync(username, SessionTestKit.Password, "Throwaway device", "tests");
            await Main.Client.CallAsync(new SetUserAdminCall(id, true));
            var main = Main.Plausible;
            return new Caller(client, username, main with
            {
                UserIds = [id, _victimId],
                Strings = [username, "victim_fuzz", SessionTestKit.Password, "123456", "hello"],
                Peers = [Peer.User(id), Peer.User(_victimId)],
            });
        }

        /// <summary>After a call that closed the caller's connection or ended its device (a bug the run reports, or a
        /// method that signs out more than its list above knows): the same user on a new device. Decided: re-sign-in
        /// rather than stop, so one finding does not hide the rest.</summary>
        public async Task SignInAgainAsync(Caller caller)
        {
            _owned.Add(caller.Client);
            var client = await _host.ConnectWithoutReconnectAsync();
            await client.SignInAsync(caller.Username, SessionTestKit.Password, "Fuzz device", "tests");
            caller.Client = client;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var owned in _owned)
            {
                await owned.DisposeAsync();
            }

            await Main.DisposeAsync();
            await Member.DisposeAsync();
        }
    }

    /// <summary>Builds a call's arguments by reflection: each constructor parameter (and each settable keyed
    /// property) gets a boundary value or a plausible one, nested records recursively.</summary>
    internal sealed class ArgumentGenerator(Random random, PlausibleValues plausible, double plausibleChance)
    {
        private const int MaxDepth = 4;

        // The call's peer, once chosen: its message ids are the plausible ones for the fields after it.
        private Peer? _peer;

        // The record whose fields are being built: its name picks the contract constants for them.
        private string _building = "";

        private static readonly string[] OddStrings =
        [
            "", " ", "\t\n ", new string('x', 5000), "\0", "\u202Eevil\u202C", "e\u0301\u0301\u0301", "😀👩‍👩‍👧", "\uFFFF\uFFFE",
            "\uD800", "\uDC00x", "Ω≈ç√", "../../etc/passwd", "%s%n", "' OR 1=1 --", "\u200B", "ǅ", "İ", new string('é', 3000),
        ];

        public Random Random => random;

        public byte[] Arguments(Type callType) =>
            MessagePackSerializer.Serialize(callType, Build(callType, "", 0) ?? Activator.CreateInstance(callType), WireSerializer.Options);

        /// <summary>A well-formed instance, for the raw cases to take apart.</summary>
        public object Instance(Type callType) => Build(callType, "", 0)!;

        private object? Build(Type type, string name, int depth)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var keys = type.GetProperties().ToDictionary(p => p.Name, KeyOf, StringComparer.OrdinalIgnoreCase);
            var outer = _building;
            _building = type.Name;
            var args = constructor.GetParameters()
                .Select(p => Value(p.ParameterType, keys.GetValueOrDefault(p.Name!) ?? p.Name!, depth + 1, NullableReference(p)))
                .ToArray();
            _building = outer;
            var instance = constructor.Invoke(args);
            var parameterNames = constructor.GetParameters().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var property in type.GetProperties().Where(p => p.CanWrite && !parameterNames.Contains(p.Name) && p.GetCustomAttribute<KeyAttribute>() is not null))
            {
                property.SetValue(instance, Value(property.PropertyType, KeyOf(property), depth + 1, nullable: true));
            }

            return instance;
        }

        private static string KeyOf(PropertyInfo property) => property.GetCustomAttribute<KeyAttribute>()?.StringKey ?? property.Name;

        private static bool NullableReference(ParameterInfo parameter) =>
            new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.Nullable;

        private object? Value(Type type, string name, int depth, bool nullable)
        {
            // Plausible: a value of the running state, and optional fields left out as an app would mostly leave them.
            var plausibleRoll = random.NextDouble() < plausibleChance;
            if (Nullable.GetUnderlyingType(type) is { } inner)
            {
                return (plausibleRoll ? random.Next(4) > 0 : random.Next(4) == 0) ? null : Value(inner, name, depth, nullable: false);
            }

            // Null where the contract says a value is required too: the wire allows it, so the server must refuse it.
            if (!type.IsValueType && (plausibleRoll ? nullable && random.Next(10) > 0 : random.Next(nullable ? 2 : 4) == 0))
            {
                return null;
            }

            if (type == typeof(long))
            {
                return plausibleRoll ? PlausibleLong(name) : Pick(long.MinValue, long.MaxValue, 0L, -1L, 1L, random.NextInt64(), (long)int.MaxValue + 1, -random.NextInt64(1, 1000));
            }

            if (type == typeof(int))
            {
                return plausibleRoll ? (int)Math.Clamp(PlausibleLong(name), int.MinValue, int.MaxValue) : Pick(int.MinValue, int.MaxValue, 0, -1, 1, random.Next(), 101, 1025);
            }

            if (type == typeof(double) || type == typeof(float))
            {
                var value = plausibleRoll ? Pick(51.5, -0.12, 45.0, 10.0, 0.5) : Pick(double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon, -0.0, 0.0, -1.0, 1e300);
                return type == typeof(float) ? (float)value : value;
            }

            if (type == typeof(bool))
            {
                return random.Next(2) == 0;
            }

            if (type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte))
            {
                return Convert.ChangeType(Pick<long>(0, 1, 2, 100, 255), type);
            }

            if (type == typeof(string))
            {
                return plausibleRoll ? PlausibleString(name) : Pick(OddStrings);
            }

            if (type.IsEnum)
            {
                var defined = Enum.GetValues(type);
                return random.Next(4) == 0
                    ? Enum.ToObject(type, Pick(-1, 99, int.MaxValue, defined.Length))
                    : defined.GetValue(random.Next(defined.Length));
            }

            if (type == typeof(byte[]))
            {
                var bytes = new byte[Pick(0, 1, 16, 32, 41, 256, 1000, 4096)];
                random.NextBytes(bytes);
                return bytes;
            }

            if (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IList<>))))
            {
                return Sequence(type, name, depth);
            }

            if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Dictionary<,>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            {
                var arguments = type.GetGenericArguments();
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))!;
                for (var i = random.Next(4); i > 0; i--)
                {
                    if (Value(arguments[0], name, depth, nullable: false) is { } key)
                    {
                        dictionary[key] = Value(arguments[1], name, depth, nullable: true);
                    }
                }

                return dictionary;
            }

            if (type == typeof(Peer) && plausibleRoll)
            {
                return _peer = Pick(plausible.Peers);
            }

            if (type == typeof(InputMedia) && plausibleRoll)
            {
                return Pick(plausible.Media);
            }

            if (depth > MaxDepth || type.IsAbstract || type.IsInterface)
            {
                return null;
            }

            return Build(type, name, depth);
        }

        private object? Sequence(Type type, string name, int depth)
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[0];
            var count = Pick(0, 1, 2, 3, 1000, 101);
            var array = Array.CreateInstance(element, count);
            // A long list repeats one small element: 1,000 copies of a 5,000-character string would not fit a frame.
            var first = Value(element, name, depth + 1, nullable: true);
            for (var i = 0; i < count; i++)
            {
                array.SetValue(count > 10 ? first is string s && s.Length > 50 ? "x" : first : Value(element, name, depth + 1, nullable: true), i);
            }

            if (type.IsArray)
            {
                return array;
            }

            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            foreach (var item in array)
            {
                list.Add(item);
            }

            return list;
        }

        private string PlausibleString(string name)
        {
            var named = ContractConstants.For(name, _building).OfType<string>().ToArray();
            return named.Length > 0 && random.Next(4) > 0 ? Pick(named) : Pick([.. plausible.Strings, .. ContractConstants.Strings]);
        }

        private long PlausibleLong(string name)
        {
            var key = name.ToLowerInvariant();
            var named = ContractConstants.For(name, _building).Where(v => v is int or long).Select(Convert.ToInt64).ToArray();
            if (named.Length > 0 && random.Next(3) == 0)
            {
                return Pick(named);
            }

            long[] pool = key switch
            {
                _ when key.Contains("user") || key.Contains("bot") || key.Contains("admin") || key.Contains("member") => plausible.UserIds,
                _ when key.Contains("chat") || key.Contains("channel") => plausible.ChatIds,
                _ when key.Contains("topic") => plausible.TopicIds,
                _ when key.Contains("media") => plausible.MediaIds,
                _ when key.Contains("call") => plausible.CallIds,
                _ when key.Contains("option") || key.Contains("index") => [0, 1, 2],
                _ when key.Contains("file") || key.Contains("thumb") => plausible.FileIds,
                _ when key.Contains("random") => [random.NextInt64(1, long.MaxValue)],
                _ when key.Contains("limit") || key.Contains("count") || key.Contains("part") => [1, 2, 20, 100, 4096, 65536],
                _ when key == "offset" => [0, 4096, 65536, 1 << 20],
                _ when key.Contains("date") || key.Contains("until") || key.Contains("time") || key.Contains("expires") =>
                    [DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600, 3600, 86400],
                _ when (key.Contains("id") || key.Contains("msg") || key.Contains("message")) && _peer is not null && plausible.PeerMessages[_peer].Any()
                    && random.Next(4) > 0 => [.. plausible.PeerMessages[_peer]],
                _ when key.Contains("id") || key.Contains("msg") || key.Contains("message") || key.Contains("offset") => plausible.MessageIds,
                _ => [.. plausible.All, 1, 2, 10],
            };
            return pool.Length == 0 ? 1 : pool[random.Next(pool.Length)];
        }

        public T Pick<T>(params T[] values) => values[random.Next(values.Length)];
    }

    /// <summary>The values the contracts name (typing actions, report reasons, shared-media filters, topic colours, …):
    /// public constants and static arrays of the Contracts assembly, other than error names. A field gets those of the
    /// classes whose name shares a word with it (<c>action</c> → <c>TypingActions</c>), so that the field is often
    /// right and the call goes on to the next check.</summary>
    private static class ContractConstants
    {
        private static readonly (string Owner, object Value)[] All = typeof(ContractsAssembly).Assembly.GetTypes()
            .Where(t => !t.ContainsGenericParameters && !t.Name.EndsWith("ErrorNames", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (Owner: t.Name, Field: f)))
            .SelectMany(f => (f.Field.GetValue(null) switch
            {
                string text when !ErrorName.IsMatch(text) => [text],
                int or long => [f.Field.GetValue(null)!],
                string[] texts => texts,
                int[] numbers => numbers.Cast<object>(),
                _ => [],
            }).Select(v => (f.Owner, Value: v)))
            .ToArray();

        public static string[] Strings { get; } = [.. All.Select(c => c.Value).OfType<string>().Distinct()];

        /// <summary>The constants for field <paramref name="name"/> of record <paramref name="record"/>: of the classes
        /// named like the field, those that also share a word with the record (<c>SetTypingCall.action</c> →
        /// <c>TypingActions</c> rather than <c>ReportActions</c>) when there are such.</summary>
        public static object[] For(string name, string record)
        {
            var words = name.Split('_', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 2 && w is not "max" and not "min")
                .Select(w => w.TrimEnd('s')).ToArray();
            var named = All.Where(c => words.Any(w => c.Owner.Contains(w, StringComparison.OrdinalIgnoreCase))).ToArray();
            var recordWords = Regex.Matches(record, "[A-Z][a-z]{3,}").Select(m => m.Value.TrimEnd('s')).Where(w => w is not "Call").ToArray();
            var closer = named.Where(c => recordWords.Any(w => c.Owner.Contains(w, StringComparison.Ordinal))).ToArray();
            return [.. (closer.Length > 0 ? closer : named).Select(c => c.Value).Distinct()];
        }
    }

    /// <summary>Arguments no SDK would send: taken apart at the MessagePack level.</summary>
    private static class RawCase
    {
        public const int Count = 8;
        private const string Marker = "@@not-utf8-here@@";

        public static byte[] Build(int index, Type callType, ArgumentGenerator generator)
        {
            var random = generator.Random;
            var valid = MessagePackSerializer.Serialize(callType, generator.Instance(callType), WireSerializer.Options);
            var map = MessagePackSerializer.Deserialize<object>(valid, WireSerializer.Options) as Dictionary<object, object?> ?? [];
            var keys = map.Keys.ToList();
            switch (index)
            {
                case 0 when valid.Length > 1:
                    return valid[..random.Next(1, valid.Length)];
                case 1 when keys.Count > 0:
                    map[keys[random.Next(keys.Count)]] = generator.Pick<object?>("a string", 12345L, -1L, true, 1.5, new object[] { 1, "x" }, new Dictionary<object, object?> { ["k"] = 1 }, new byte[] { 1, 2 });
                    return Serialize(map);
                case 2:
                    map["zz_unknown_field"] = new object?[] { 1, "two", null };
                    map[7] = "integer key";
                    return Serialize(map);
                case 3 when keys.Count > 0:
                    var field = keys[random.Next(keys.Count)];
                    map[field] = Marker;
                    var bytes = Serialize(map);
                    var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker));
                    for (var i = 0; i < Marker.Length; i++)
                    {
                        bytes[at + i] = (byte)(i % 2 == 0 ? 0xFF : 0xC0);
                    }

                    return bytes;
                case 4:
                    return Serialize(new Dictionary<object, object?>());
                case 5:
                    return generator.Pick<byte[]>([0xC0], [0x93, 0x01, 0x02, 0x03], [0xA3, 0x61, 0x62, 0x63], [], [0xC1]);
                case 6 when keys.Count > 0:
                    object deep = 1;
                    for (var i = 0; i < 600; i++)
                    {
                        deep = new object[] { deep };
                    }

                    map[keys[random.Next(keys.Count)]] = deep;
                    return Serialize(map);
                default:
                    foreach (var key in keys)
                    {
                        map[key] = null;
                    }

                    return Serialize(map);
            }
        }

        private static byte[] Serialize(object value) => MessagePackSerializer.Serialize(value, MessagePackSerializerOptions.Standard);
    }
}
