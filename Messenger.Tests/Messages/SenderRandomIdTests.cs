using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

using Update = Messenger.Contracts.Updates.Update;

/// <summary>
/// The sender's devices learn the <c>random_id</c> of their own messages (Telegram's updateMessageID): their own log's
/// <c>new_message</c> carries it, live and in <c>updates.getDifference</c>, so a device matches a pushed message to the
/// send in its outbox. It is the sender's private idempotency key: a recipient, another member of a group and a large
/// group's shared log never carry it; in a large group the sender's devices get it in their own copy of the push and
/// in what <c>updates.getChannelDifference</c> answers them.
/// </summary>
public sealed class SenderRandomIdTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Send_InAPrivateChat_TellsEveryDeviceOfTheSenderTheRandomId_AndNoDeviceOfTheRecipient()
    {
        await using var alice = await _host.MemberAsync("alice_rid", listen: true);
        await using var alicePhone = await _host.DeviceAsync("alice_rid", alice.Id);
        await using var bob = await _host.MemberAsync("bob_rid", listen: true);
        await using var bobPhone = await _host.DeviceAsync("bob_rid", bob.Id);
        var bobPts = (await bob.Client.GetStateAsync()).Pts;

        var sent = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "hello", randomId: 770_001);

        (await alicePhone.NextAsync<MessageReceived>(m => m.Message.Id == sent.Message.Id)).RandomId.Should().Be(770_001);
        (await alice.NextAsync<MessageReceived>(m => m.Message.Id == sent.Message.Id)).RandomId.Should().Be(770_001, "the sending device's own event");
        foreach (var device in new[] { bob, bobPhone })
        {
            var received = await device.NextAsync<MessageReceived>(m => m.Message.Id == sent.Message.Id);
            received.RandomId.Should().BeNull("the random_id is the sender's own");
        }

        (await bob.Client.GetDifferenceAsync(bobPts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Should().ContainSingle().Which.RandomId.Should().BeNull();
        (await bob.Client.GetHistoryAsync(Peer.User(alice.Id))).Should().ContainSingle(m => m.Id == sent.Message.Id);
        StoredRandomIds(sent.Message.Id).Should().BeEquivalentTo(new Dictionary<long, long?> { [alice.Id] = 770_001, [bob.Id] = null },
            "only the sender's log entry holds it, so neither the recipient's pushes, difference nor history can carry it");
    }

    [Fact]
    public async Task GetDifference_AfterTheSendersDeviceWasOffline_CarriesTheRandomIdsOfTheSendersMessages()
    {
        await using var alice = await _host.MemberAsync("alice_ridoff");
        await using var bob = await _host.MemberAsync("bob_ridoff");
        await using var alicePhone = await _host.DeviceAsync("alice_ridoff", alice.Id, listen: false);
        var phonePts = (await alicePhone.Client.GetStateAsync()).Pts;
        await alicePhone.Client.DisposeAsync();

        var first = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "while you were away", randomId: 770_101);
        var second = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "and this", randomId: 770_102);
        await bob.Client.SendMessageAsync(Peer.User(alice.Id), "an answer", randomId: 770_103);

        await using var back = await _host.DeviceAsync("alice_ridoff", alice.Id, listen: false);
        var added = (await back.Client.GetDifferenceAsync(phonePts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>().ToList();
        added.Select(u => (u.Message.Text, u.RandomId)).Should().Equal(
            ("while you were away", 770_101L), ("and this", 770_102L), ("an answer", (long?)null));
        await back.Client.Events.StartAsync(alice.Id, phonePts, null);
        var caughtUp = await back.EventsUntilAsync<MessageReceived>(m => m.Message.Text == "an answer");
        caughtUp.OfType<MessageReceived>().Select(m => (m.Message.Id, m.RandomId)).Should().Contain(
            [(first.Message.Id, 770_101L), (second.Message.Id, 770_102L)], "the update stream reports it after catching up too");
    }

    [Fact]
    public async Task Send_InGroups_TellsOnlyTheSendersDevices_AndStoresItInNoLargeGroupsSharedLog()
    {
        await using var alice = await _host.MemberAsync("alice_ridgroup", listen: true);
        await using var alicePhone = await _host.DeviceAsync("alice_ridgroup", alice.Id);
        await using var bob = await _host.MemberAsync("bob_ridgroup", listen: true);
        var bobPts = (await bob.Client.GetStateAsync()).Pts;
        var small = Peer.Chat((await alice.Client.CreateGroupAsync("Small", [bob.Id])).Chat.Id);
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat.Id);

        var inSmall = await alice.Client.SendMessageAsync(small, "to the few", randomId: 770_201);
        var inLarge = await alice.Client.SendMessageAsync(large, "to the many", randomId: 770_202);

        (await alicePhone.NextAsync<MessageReceived>(m => m.Message.Id == inSmall.Message.Id)).RandomId.Should().Be(770_201);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == inSmall.Message.Id)).RandomId.Should().BeNull();
        (await bob.Client.GetDifferenceAsync(bobPts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Should().OnlyContain(u => u.RandomId == null);
        StoredRandomIds(inSmall.Message.Id).Should().BeEquivalentTo(new Dictionary<long, long?> { [alice.Id] = 770_201, [bob.Id] = null });

        // A large group's one log is every member's: it stores nobody's random_id; the sender's devices get their own copy.
        (await alicePhone.NextAsync<MessageReceived>(m => m.Message.Id == inLarge.Message.Id)).RandomId.Should().Be(770_202);
        (await bob.NextAsync<MessageReceived>(m => m.Message.Id == inLarge.Message.Id)).RandomId.Should().BeNull();
        StoredRandomIds(inLarge.Message.Id).Values.Should().ContainSingle().Which.Should().BeNull();
    }

    [Fact]
    public async Task Send_InALargeGroupAndAChannel_PushesTheRandomIdToTheSendersOtherDevicesOnly()
    {
        await using var alice = await _host.MemberAsync("alice_ridlive", listen: true);
        await using var alicePhone = await _host.DeviceAsync("alice_ridlive", alice.Id);
        await using var bob = await _host.MemberAsync("bob_ridlive", listen: true);
        await using var carol = await _host.MemberAsync("carol_ridlive", listen: true);
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id, carol.Id], large: true)).Chat.Id);
        var channel = Peer.Chat((await alice.Client.CreateGroupAsync("News", [bob.Id, carol.Id], broadcast: true)).Chat.Id);

        var fromAlice = await alice.Client.SendMessageAsync(large, "from alice", randomId: 770_401);
        var fromBob = await bob.Client.SendMessageAsync(large, "from bob", randomId: 770_402);
        var posted = await alice.Client.SendMessageAsync(channel, "news", randomId: 770_403);
        var poll = await alice.Client.SendPollAsync(large, "Lunch?", ["yes", "no"], randomId: 770_404);

        var phone = await alicePhone.EventsUntilAsync<MessageReceived>(m => m.Message.Id == poll.Message.Id);
        phone.OfType<MessageReceived>().Where(m => m.Message.Action is null).Select(m => (m.Message.Id, m.RandomId)).Should().Equal(
            (fromAlice.Message.Id, 770_401L), (fromBob.Message.Id, (long?)null), (posted.Message.Id, 770_403L), (poll.Message.Id, 770_404L));
        var bobs = await bob.EventsUntilAsync<MessageReceived>(m => m.Message.Id == poll.Message.Id);
        bobs.OfType<MessageReceived>().Single(m => m.Message.Id == fromBob.Message.Id).RandomId.Should().Be(770_402, "bob's own send");
        bobs.OfType<MessageReceived>().Where(m => m.Message.Id != fromBob.Message.Id).Should().OnlyContain(m => m.RandomId == null);
        var carols = await carol.EventsUntilAsync<MessageReceived>(m => m.Message.Id == poll.Message.Id);
        carols.OfType<MessageReceived>().Where(m => m.Message.Action is null).Should().HaveCount(4).And.OnlyContain(m => m.RandomId == null);
    }

    [Fact]
    public async Task GetChannelDifference_AfterTheSendersDeviceWasOffline_CarriesTheRandomIdsOfTheirMessagesOnly()
    {
        await using var alice = await _host.MemberAsync("alice_ridchan");
        await using var bob = await _host.MemberAsync("bob_ridchan");
        var chat = (await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id;
        await using var alicePhone = await _host.DeviceAsync("alice_ridchan", alice.Id, listen: false);
        var phoneChannelPts = (await alicePhone.Client.GetChannelDifferenceAsync(chat, 0)).Pts;
        var phonePts = (await alicePhone.Client.GetStateAsync()).Pts;
        await alicePhone.Client.DisposeAsync();

        var first = await alice.Client.SendMessageAsync(Peer.Chat(chat), "while you were away", randomId: 770_501);
        var answer = await bob.Client.SendMessageAsync(Peer.Chat(chat), "an answer", randomId: 770_502);
        var second = await alice.Client.SendMessageAsync(Peer.Chat(chat), "and this", randomId: 770_503);

        (await bob.Client.GetChannelDifferenceAsync(chat, phoneChannelPts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Select(u => (u.Message.Text, u.RandomId)).Should().Equal(
                ("while you were away", (long?)null), ("an answer", 770_502L), ("and this", (long?)null));
        await using var back = await _host.DeviceAsync("alice_ridchan", alice.Id, listen: false);
        (await back.Client.GetChannelDifferenceAsync(chat, phoneChannelPts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Select(u => (u.Message.Text, u.RandomId)).Should().Equal(
                ("while you were away", 770_501L), ("an answer", (long?)null), ("and this", 770_503L));
        await back.Client.Events.StartAsync(alice.Id, phonePts, new Dictionary<long, long> { [chat] = phoneChannelPts });
        var caughtUp = await back.EventsUntilAsync<MessageReceived>(m => m.Message.Id == second.Message.Id);
        caughtUp.OfType<MessageReceived>().Where(m => m.Message.Action is null).Select(m => (m.Message.Id, m.RandomId)).Should().Equal(
            (first.Message.Id, 770_501L), (answer.Message.Id, (long?)null), (second.Message.Id, 770_503L));
    }

    [Fact]
    public async Task Send_WhenResentWithTheSameRandomId_LogsOneEntryWithIt_AndAnswersTheFirstMessage()
    {
        await using var alice = await _host.MemberAsync("alice_ridresend", listen: true);
        await using var bob = await _host.MemberAsync("bob_ridresend");
        var alicePts = (await alice.Client.GetStateAsync()).Pts;

        var first = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "once", randomId: 770_301);
        var again = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "once", randomId: 770_301);

        again.Message.Should().Be(first.Message);
        again.PtsCount.Should().Be(0);
        (await alice.NextAsync<MessageReceived>(m => m.Message.Id == first.Message.Id)).RandomId.Should().Be(770_301);
        (await alice.Client.GetDifferenceAsync(alicePts)).Updates.Select(u => u.Update).OfType<NewMessageUpdate>()
            .Should().ContainSingle().Which.RandomId.Should().Be(770_301);
    }

    [Fact]
    public async Task Resend_OfALargeGroupPostWhoseAnswerWasLost_AnswersTheGroupsPosition_AndTheDeviceFetchesThePost()
    {
        await using var alice = await _host.MemberAsync("alice_ridlost", listen: true);
        await using var bob = await _host.MemberAsync("bob_ridlost", listen: true);
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id);

        // The first run's answer never reaches alice's stream (as when the app gave up waiting for it): CallAsync alone
        // observes nothing, and the group's push skips the calling connection.
        var first = await alice.Client.CallAsync(new SendMessageCall(large, 770_601, "answer lost"));
        await bob.NextAsync<MessageReceived>(m => m.Message.Id == first.Message.Id);
        alice.Client.Events.ChannelPts[large.Id].Should().Be(first.Pts - 1, "nothing told alice's device of its own post");

        var again = await alice.Client.SendMessageAsync(large, "answer lost", randomId: 770_601);

        again.Should().BeEquivalentTo(new SentMessage(first.Message, first.Pts, 0, Channel: true), "the resend tells where the group's own log stands");
        var fetched = await alice.NextAsync<MessageReceived>(m => m.Message.Id == first.Message.Id);
        fetched.Should().Match<MessageReceived>(m => m.ChannelId == large.Id && m.RandomId == 770_601 && m.IsOutgoing);
        alice.Client.Events.ChannelPts[large.Id].Should().Be(first.Pts);
    }

    [Fact]
    public async Task Resend_OfAForwardIntoALargeGroup_AnswersTheGroupsPosition_AndOfAPrivateSendTheSendersOwn()
    {
        await using var alice = await _host.MemberAsync("alice_ridfwd");
        await using var bob = await _host.MemberAsync("bob_ridfwd");
        var large = Peer.Chat((await alice.Client.CreateGroupAsync("Many", [bob.Id], large: true)).Chat.Id);
        var source = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "pass it on", randomId: 770_701);
        var forward = new ForwardMessagesCall(Peer.User(bob.Id), [source.Message.Id], large, [770_702]);

        var first = await alice.Client.CallAsync(forward);
        var later = await bob.Client.SendMessageAsync(large, "moves the group's log on");
        var again = await alice.Client.CallAsync(forward);
        var privateAgain = await alice.Client.SendMessageAsync(Peer.User(bob.Id), "pass it on", randomId: 770_701);

        first.Channel.Should().BeTrue();
        again.Messages.Select(m => m.Id).Should().Equal(first.Messages.Select(m => m.Id));
        again.Should().Match<ForwardedMessages>(f => f.Pts == later.Pts && f.PtsCount == 0 && f.Channel, "where the group's log stands now");
        privateAgain.Should().BeEquivalentTo(new SentMessage(source.Message, (await alice.Client.GetStateAsync()).Pts, 0),
            "a private chat's message is in the sender's own log");
    }

    /// <summary>Each log holding the message's <c>new_message</c> (by owner: a user, or a large group's own log) and the
    /// random_id its entry carries.</summary>
    private Dictionary<long, long?> StoredRandomIds(long messageId)
    {
        using var connection = _host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner_id, payload FROM queue_updates WHERE message_id = @message";
        command.Parameters.AddWithValue("@message", messageId);
        using var reader = command.ExecuteReader();
        var found = new Dictionary<long, long?>();
        while (reader.Read())
        {
            if (WireSerializer.Deserialize<Update>((byte[])reader.GetValue(1)) is NewMessageUpdate added)
            {
                found[reader.GetInt64(0)] = added.RandomId;
            }
        }

        return found;
    }
}
