using System.ComponentModel;
using System.Reflection;
using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Client;

using Message = Messenger.Contracts.Messages.Message;

/// <summary>An app compiled against an older SDK binds to the exact signatures it was built with: each one the SDK
/// has shipped must still be there.</summary>
public sealed class SdkCompatibilityTests
{
    private static readonly Type Ct = typeof(CancellationToken);

    /// <summary>The signatures public methods had before parameters were added to them, written out by hand (not read from
    /// the current code, so a change to either shows here).</summary>
    public static TheoryData<Type, string, Type, Type[]> OlderSignatures => new()
    {
        { typeof(MessageMethods), "SendMessageAsync", typeof(Task<SentMessage>), [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(long?), typeof(long?), Ct] },
        {
            typeof(MessageMethods), "ScheduleMessageAsync", typeof(Task<ScheduledMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(DateTimeOffset), typeof(long?), typeof(long?), typeof(InputMedia), Ct]
        },
        {
            typeof(MessageMethods), "SendPollAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(string[]), typeof(bool), typeof(bool), typeof(long?), typeof(long?), Ct]
        },
        {
            typeof(MessageMethods), "SendMessageAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(long?), typeof(long?), typeof(bool), Ct]
        },
        {
            typeof(MessageMethods), "ScheduleMessageAsync", typeof(Task<ScheduledMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(DateTimeOffset), typeof(long?), typeof(long?), typeof(InputMedia), typeof(bool), Ct]
        },
        {
            typeof(MessageMethods), "SendPollAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(string[]), typeof(bool), typeof(bool), typeof(long?), typeof(long?), typeof(bool), Ct]
        },
        { typeof(MessageMethods), "SaveDraftAsync", typeof(Task<AffectedMessages>), [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(long?), Ct] },
        { typeof(MessageMethods), "UnpinMessageAsync", typeof(Task<PinResult>), [typeof(MessengerClient), typeof(Peer), Ct] },
        {
            typeof(MediaMethods), "UploadFileAsync", typeof(Task<InputMedia>),
            [typeof(MessengerClient), typeof(Stream), typeof(string), typeof(string), typeof(IProgress<long>), Ct, typeof(long?), typeof(int), typeof(MediaTransport)]
        },
        { typeof(MediaMethods), "SendMediaAsync", typeof(Task<SentMessage>), [typeof(MessengerClient), typeof(Peer), typeof(InputMedia), typeof(string), typeof(long?), Ct] },
        { typeof(MediaMethods), "ForwardMessagesAsync", typeof(Task<ForwardedMessages>), [typeof(MessengerClient), typeof(Peer), typeof(long[]), typeof(Peer), Ct] },
        { typeof(GroupMethods), "SearchMessagesAsync", typeof(Task<Messenger.Contracts.Messages.Message[]>), [typeof(MessengerClient), typeof(string), typeof(Peer), typeof(long), typeof(int), Ct] },
        { typeof(GroupMethods), "ExportInviteAsync", typeof(Task<ChatInvite>), [typeof(MessengerClient), typeof(long), typeof(int?), typeof(int?), Ct] },
        {
            typeof(MessageMethods), "SendMessageAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(long?), typeof(long?), typeof(bool), typeof(ReplyQuote), Ct]
        },
        {
            typeof(MessageMethods), "ScheduleMessageAsync", typeof(Task<ScheduledMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(DateTimeOffset), typeof(long?), typeof(long?), typeof(InputMedia), typeof(bool), typeof(ReplyQuote), Ct]
        },
        {
            typeof(MessageMethods), "SendPollAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(string[]), typeof(bool), typeof(bool), typeof(long?), typeof(long?), typeof(bool), typeof(ReplyQuote), Ct]
        },
        {
            typeof(MediaMethods), "SendMediaAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(InputMedia), typeof(string), typeof(long?), typeof(bool), Ct]
        },
        { typeof(MediaMethods), "ForwardMessagesAsync", typeof(Task<ForwardedMessages>), [typeof(MessengerClient), typeof(Peer), typeof(long[]), typeof(Peer), typeof(bool), Ct] },
        {
            typeof(MessageMethods), "SendQuizAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(string), typeof(string[]), typeof(int), typeof(string), typeof(long?), typeof(long?), Ct]
        },
        {
            typeof(MessageMethods), "SendLocationAsync", typeof(Task<SentMessage>),
            [typeof(MessengerClient), typeof(Peer), typeof(InputGeo), typeof(long?), typeof(long?), typeof(bool), Ct]
        },
        {
            typeof(GroupMethods), "SearchMessagesAsync", typeof(Task<Messenger.Contracts.Messages.Message[]>),
            [typeof(MessengerClient), typeof(string), typeof(Peer), typeof(long), typeof(int), typeof(long), typeof(DateTimeOffset?), typeof(DateTimeOffset?),
                typeof(string), Ct]
        },
    };

    [Theory]
    [MemberData(nameof(OlderSignatures))]
    public void OlderSignature_WhenAnOldAppCallsIt_IsStillThere_HiddenAndWithoutDefaults(Type type, string name, Type returns, Type[] parameters)
    {
        var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters);

        method.Should().NotBeNull($"{type.Name}.{name}({string.Join(", ", parameters.Select(p => p.Name))}) is what older apps call");
        method!.ReturnType.Should().Be(returns);
        method.GetParameters().Should().NotContain(p => p.HasDefaultValue, "a new call must bind to the current overload");
        method.GetCustomAttribute<EditorBrowsableAttribute>().Should().NotBeNull().And.Match<EditorBrowsableAttribute>(a => a.State == EditorBrowsableState.Never);
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == name && m != method)
            .Should().ContainSingle(m => m.GetCustomAttribute<EditorBrowsableAttribute>() == null, "the current overload stays visible");
    }

    public static TheoryData<Type, Type[]> OlderEventShapes => new()
    {
        { typeof(MessagePinned), [typeof(long), typeof(Peer), typeof(Messenger.Contracts.Messages.Message)] },
        { typeof(NotifySettingsChanged), [typeof(long), typeof(Peer), typeof(long)] },
        { typeof(PollUpdated), [typeof(long), typeof(Peer), typeof(long), typeof(int[]), typeof(int), typeof(bool), typeof(int[])] },
    };

    [Theory]
    [MemberData(nameof(OlderEventShapes))]
    public void OlderEventShape_WhenAnOldAppBuildsOrMatchesIt_IsStillThere(Type type, Type[] properties)
    {
        var constructor = type.GetConstructor(properties);
        var deconstruct = type.GetMethod("Deconstruct", BindingFlags.Public | BindingFlags.Instance, properties.Select(p => p.MakeByRefType()).ToArray());

        constructor.Should().NotBeNull("older apps may make the event (in their tests)");
        deconstruct.Should().NotBeNull("older apps' positional patterns call it");
        constructor!.GetCustomAttribute<EditorBrowsableAttribute>()!.State.Should().Be(EditorBrowsableState.Never);
        deconstruct!.GetCustomAttribute<EditorBrowsableAttribute>()!.State.Should().Be(EditorBrowsableState.Never);
        var made = constructor.Invoke([1L, Peer.User(2), .. properties.Skip(2).Select(p => p.IsValueType ? Activator.CreateInstance(p) : null)]);
        var parts = new object?[properties.Length];
        deconstruct.Invoke(made, parts);
        parts[0].Should().Be(1L);
        parts[1].Should().Be(Peer.User(2));
    }

    /// <summary>The earlier positional shapes of the contracts' records an app builds or matches, written out by hand
    /// from the history of the Contracts files (a message before <c>geo</c>; before <c>quote</c>, and before <c>silent</c>).</summary>
    public static TheoryData<Type, Type[]> OlderRecordShapes => new()
    {
        {
            typeof(Message),
            [typeof(long), typeof(long), typeof(Peer), typeof(long), typeof(string), typeof(long?), typeof(long?), typeof(ServiceAction), typeof(MessageMedia),
                typeof(long?), typeof(Poll), typeof(int?), typeof(WebPage), typeof(ReplyMarkup), typeof(bool), typeof(ReplyQuote), typeof(MessageGeo)]
        },
        {
            typeof(Message),
            [typeof(long), typeof(long), typeof(Peer), typeof(long), typeof(string), typeof(long?), typeof(long?), typeof(ServiceAction), typeof(MessageMedia),
                typeof(long?), typeof(Poll), typeof(int?), typeof(WebPage), typeof(ReplyMarkup), typeof(bool), typeof(ReplyQuote)]
        },
        {
            typeof(Message),
            [typeof(long), typeof(long), typeof(Peer), typeof(long), typeof(string), typeof(long?), typeof(long?), typeof(ServiceAction), typeof(MessageMedia),
                typeof(long?), typeof(Poll), typeof(int?), typeof(WebPage), typeof(ReplyMarkup), typeof(bool)]
        },
        {
            typeof(Message),
            [typeof(long), typeof(long), typeof(Peer), typeof(long), typeof(string), typeof(long?), typeof(long?), typeof(ServiceAction), typeof(MessageMedia),
                typeof(long?), typeof(Poll), typeof(int?), typeof(WebPage), typeof(ReplyMarkup)]
        },
        { typeof(DraftMessage), [typeof(string), typeof(long?), typeof(long)] },
        {
            typeof(ScheduledMessage),
            [typeof(long), typeof(Peer), typeof(string), typeof(long), typeof(long), typeof(long?), typeof(MessageMedia), typeof(bool), typeof(ReplyQuote)]
        },
        { typeof(ScheduledMessage), [typeof(long), typeof(Peer), typeof(string), typeof(long), typeof(long), typeof(long?), typeof(MessageMedia), typeof(bool)] },
        { typeof(ServiceAction), [typeof(string), typeof(long[]), typeof(string), typeof(int?), typeof(bool)] },
        { typeof(ServiceAction), [typeof(string), typeof(long[]), typeof(string), typeof(int?), typeof(bool), typeof(int?), typeof(bool?)] },
        {
            typeof(ForumTopic),
            [typeof(long), typeof(string), typeof(int), typeof(bool), typeof(long), typeof(long), typeof(long), typeof(int), typeof(long)]
        },
        {
            typeof(Chat),
            [typeof(long), typeof(ChatKind), typeof(string), typeof(long), typeof(int), typeof(long), typeof(long), typeof(MessageMedia), typeof(string),
                typeof(ChatPermissions), typeof(int)]
        },
        { typeof(ChatPermissions), [typeof(bool), typeof(bool), typeof(bool), typeof(bool), typeof(bool), typeof(bool)] },
        { typeof(ScheduledMessage), [typeof(long), typeof(Peer), typeof(string), typeof(long), typeof(long), typeof(long?), typeof(MessageMedia)] },
        { typeof(UpdatesState), [typeof(long), typeof(long)] },
    };

    [Theory]
    [MemberData(nameof(OlderRecordShapes))]
    public void OlderRecordShape_WhenAnOldAppBuildsOrMatchesIt_IsStillThere_HiddenAndWithoutDefaults(Type type, Type[] parameters)
    {
        var constructor = type.GetConstructor(parameters);
        var deconstruct = type.GetMethod("Deconstruct", BindingFlags.Public | BindingFlags.Instance, parameters.Select(p => p.MakeByRefType()).ToArray());

        constructor.Should().NotBeNull("older apps build the record with it");
        deconstruct.Should().NotBeNull("older apps' positional patterns call it");
        constructor!.GetCustomAttribute<EditorBrowsableAttribute>()!.State.Should().Be(EditorBrowsableState.Never);
        deconstruct!.GetCustomAttribute<EditorBrowsableAttribute>()!.State.Should().Be(EditorBrowsableState.Never);
        constructor.GetParameters().Should().NotContain(p => p.HasDefaultValue, "a new call must bind to the current constructor");
        var arguments = parameters.Select(Sample).ToArray();
        var made = constructor.Invoke(arguments);
        var parts = new object?[parameters.Length];
        deconstruct.Invoke(made, parts);
        parts.Should().Equal(arguments, "the old deconstruction gives back what the old constructor took");
        var current = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters();
        foreach (var later in current.Skip(parameters.Length))
        {
            // An older app's ChatPermissions says nothing of topics (null), which groups.editPermissions takes as "keep".
            var leftOut = type == typeof(ChatPermissions) && later.Name == nameof(ChatPermissions.ManageTopics) ? null : later.DefaultValue;
            type.GetProperty(later.Name!)!.GetValue(made).Should().Be(leftOut, "what came later ({0}) is left out", later.Name);
        }

        if (type == typeof(Message) && !parameters.Contains(typeof(ReplyQuote)))
        {
            ((Message)made).ReplyQuote.Should().BeNull();
        }
    }

    private static object? Sample(Type type, int index) => type switch
    {
        _ when type == typeof(long) || type == typeof(long?) => 100L + index,
        _ when type == typeof(int?) || type == typeof(int) => 100 + index,
        _ when type == typeof(ChatKind) => ChatKind.LargeGroup,
        _ when type == typeof(long[]) => new long[] { index },
        _ when type == typeof(string) => $"s{index}",
        _ when type == typeof(bool) => true,
        _ when type == typeof(Peer) => Peer.User(7),
        _ when type == typeof(ReplyQuote) => new ReplyQuote($"q{index}", index),
        _ => null,
    };

    [Fact]
    public void OlderRecordShapes_WhenUsedAsAnOldAppDid_MeanWhatTheyMeant_AndTheWireStillBuildsTheCurrentShape()
    {
        var message = new Message(1, 2, Peer.User(3), 4, "hi", 5, null, null, null, null, null, null, null, null, true);
        var draft = new DraftMessage("draft", 5, 6);
        var scheduled = new ScheduledMessage(1, Peer.User(3), "later", 7, 8, 5, null, true);

        message.Should().Be(new Message(1, 2, Peer.User(3), 4, "hi", 5, null, Silent: true));
        (message is (1, 2, _, 4, "hi", 5, null, null, null, null, null, null, null, null, true)).Should().BeTrue();
        (draft is ("draft", 5, 6)).Should().BeTrue();
        (scheduled is (1, _, "later", 7, 8, 5, null, true)).Should().BeTrue();
        var quote = new ReplyQuote("hi", 0);
        WireSerializer.Deserialize<DraftMessage>(WireSerializer.Serialize(draft with { Quote = quote })).Quote.Should().Be(quote);
        WireSerializer.Deserialize<ScheduledMessage>(WireSerializer.Serialize(scheduled with { Quote = quote }))
            .Should().Be(scheduled with { Quote = quote }, "MessagePack builds the record with its current, longest constructor");
        WireSerializer.Deserialize<Message>(WireSerializer.Serialize(message with { ReplyQuote = quote })).ReplyQuote.Should().Be(quote);
    }

    [Fact]
    public void OlderEventShape_WhenMatchedPositionally_GivesTheSameValuesAsTheProperties()
    {
        var pinned = new MessagePinned(7, Peer.Chat(3), null, [5], Pinned: true, Count: 2);
        var poll = new PollUpdated(8, Peer.Chat(3), 9, [1, 2], 3, false, [1], CorrectOption: 1);

        var muted = new NotifySettingsChanged(9, Peer.Chat(3), 100, TopicId: 12);

        (pinned is MessagePinned(7, var peer, null) && peer == Peer.Chat(3)).Should().BeTrue();
        (muted is NotifySettingsChanged(9, _, 100)).Should().BeTrue();
        (poll is PollUpdated(8, _, 9, [1, 2], 3, false, [1])).Should().BeTrue();
    }

    [Fact]
    public async Task OlderSignatures_WhenCalled_DoWhatTheCurrentOnesDoWithTheNewParametersLeftOut()
    {
        await using var host = await TestHost.StartAsync();
        await using var alice = await host.SignUpAsync("alice_oldsdk");
        await using var bob = await host.SignUpAsync("bob_oldsdk");
        var peer = Peer.User(bob.UserId);
        var none = CancellationToken.None;

        // Every argument given, as an old compiled call does: these bind to the older signatures.
        var sent = await alice.Client.SendMessageAsync(peer, "from an old app", null, null, none);
        var forwarded = await alice.Client.ForwardMessagesAsync(peer, [sent.Message.Id], Peer.User(alice.UserId), none);
        await alice.Client.PinMessageAsync(peer, sent.Message.Id);
        await alice.Client.UnpinMessageAsync(peer, none);

        sent.Message.Silent.Should().BeFalse();
        forwarded.Messages.Should().ContainSingle().Which.Text.Should().Be("from an old app");
        (await alice.Client.GetPinnedAsync(peer)).Should().BeEmpty("the old unpin takes off the newest pinned message");
        (await bob.Client.SearchMessagesAsync("old", null, 0, 20, none)).Should().ContainSingle().Which.Id.Should().Be(sent.Message.Id);
    }
}
