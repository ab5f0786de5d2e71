using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupDeliveryTests
{
    [Fact]
    public async Task SendMessage_InASmallGroup_ReachesEveryMembersDevicesLive()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_fanout", listen: true);
        await using var bob = await host.MemberAsync("bob_fanout", listen: true);
        await using var bobPhone = await host.DeviceAsync("bob_fanout", bob.Id);
        await using var carol = await host.MemberAsync("carol_fanout", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;

        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "hello team");

        sent.Channel.Should().BeFalse();
        foreach (var device in new[] { bob, bobPhone, carol })
        {
            var received = await device.NextAsync<MessageReceived>(e => e.Message.Text == "hello team");
            received.Peer.Should().Be(Peer.Chat(chat.Id));
            received.IsOutgoing.Should().BeFalse();
            received.ChannelId.Should().BeNull();
            received.Message.Id.Should().Be(sent.Message.Id);
        }

        var mine = await alice.EventsUntilAsync<MessageReceived>(e => e.Message.Id == sent.Message.Id);
        mine.OfType<MessageReceived>().Count(e => e.Message.Id == sent.Message.Id).Should().Be(1);
        mine.OfType<MessageReceived>().Last().IsOutgoing.Should().BeTrue();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeleteMessages_InGroups_AddNoPreparedStatementPerMessage(bool large)
    {
        // The writer keeps its prepared statements for its lifetime, keyed by their text: a delete whose SQL named its
        // ids (the topic lookups of a group's deletes did) added statements for every message ever deleted.
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync($"alice_prepared{(large ? "l" : "s")}");
        await using var bob = await host.MemberAsync($"bob_prepared{(large ? "l" : "s")}");
        var peer = Peer.Chat((await alice.Client.CreateGroupAsync("Team", [bob.Id], large: large)).Chat.Id);
        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await alice.Client.SendMessageAsync(peer, $"message {i}")).Message.Id);
        }

        var writer = host.Services.GetRequiredService<StorageWriter>();
        await alice.Client.DeleteMessagesAsync(peer, [ids[0]], revoke: true);
        await alice.Client.DeleteMessagesAsync(peer, [ids[1]], revoke: false);
        // Counted among the texts about topics: the server's own background writes (a flush of last-active times, say)
        // may add texts of their own meanwhile.
        var cached = await writer.WriteAsync(scope => scope.CachedTexts().Count(t => t.Contains("message_topics")));

        await alice.Client.DeleteMessagesAsync(peer, [ids[2], ids[3]], revoke: true);
        await alice.Client.DeleteMessagesAsync(peer, [ids[4]], revoke: true);
        await alice.Client.DeleteMessagesAsync(peer, [ids[5], ids[6]], revoke: false);
        await bob.Client.DeleteMessagesAsync(peer, [ids[7]], revoke: false);

        (await writer.WriteAsync(scope => scope.CachedTexts().Count(t => t.Contains("message_topics"))))
            .Should().Be(cached, "deletes of other ids run the same statements");
        (await bob.Client.GetHistoryAsync(peer, limit: 10)).Select(m => m.Id).Should().NotIntersectWith(ids.Where((_, i) => i is not (1 or 5 or 6)));
    }

    [Fact]
    public async Task ChatUpdated_WhenAddedToAGroup_IsReportedToTheAddedMember()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_added");
        await using var bob = await host.MemberAsync("bob_added", listen: true);

        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;

        var events = await bob.EventsUntilAsync<ChatUpdated>(_ => true);
        events.OfType<MessageReceived>().Should().ContainSingle().Which.Message.Action!.Kind.Should().Be(ServiceActions.Create);
        var joined = (ChatUpdated)events[^1];
        joined.IsMember.Should().BeTrue();
        joined.Chat.Id.Should().Be(chat.Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SetTyping_InAGroup_ReachesTheOtherMembers(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_gtyping", listen: true);
        await using var bob = await host.MemberAsync("bob_gtyping", listen: true);
        await using var carol = await host.MemberAsync("carol_gtyping", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id], large)).Chat;

        await alice.Client.SetTypingAsync(Peer.Chat(chat.Id));

        foreach (var member in new[] { bob, carol })
        {
            var typing = await member.NextAsync<UserTyping>();
            typing.Peer.Should().Be(Peer.Chat(chat.Id));
            typing.UserId.Should().Be(alice.Id);
        }
    }

    [Fact]
    public async Task SetTyping_IsAPost_RefusedWithoutTheRightToSend_AndToldToNobodyInAChannel()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rtyping", listen: true);
        await using var bob = await host.MemberAsync("bob_rtyping", listen: true);
        await using var carol = await host.MemberAsync("carol_rtyping", listen: true);
        var channel = (await alice.Client.CreateGroupAsync("News", [bob.Id, carol.Id], broadcast: true)).Chat;
        var group = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id], large: true)).Chat;

        (await SessionTestKit.FailsWith(() => bob.Client.SetTypingAsync(Peer.Chat(channel.Id)), GroupErrorNames.ChatWriteForbidden)).Code.Should().Be(403);
        await alice.Client.SetTypingAsync(Peer.Chat(channel.Id));

        await alice.Client.EditPermissionsAsync(group.Id, new ChatPermissions(SendMedia: false));
        await bob.Client.SetTypingAsync(Peer.Chat(group.Id));
        (await SessionTestKit.FailsWith(() => carol.Client.SetTypingAsync(Peer.Chat(group.Id), TypingActions.Upload), GroupErrorNames.ChatSendMediaForbidden)).Code.Should().Be(403);
        await alice.Client.EditPermissionsAsync(group.Id, new ChatPermissions(SendMessages: false));
        (await SessionTestKit.FailsWith(() => carol.Client.SetTypingAsync(Peer.Chat(group.Id)), GroupErrorNames.ChatWriteForbidden)).Code.Should().Be(403);
        await alice.Client.SetTypingAsync(Peer.Chat(group.Id), TypingActions.Upload);
        await alice.Client.SendMessageAsync(Peer.Chat(group.Id), "marker");

        var seen = await carol.EventsUntilAsync<MessageReceived>(m => m.Message.Text == "marker");
        seen.OfType<UserTyping>().Select(t => (t.Peer, t.UserId, t.Action)).Should().Equal(
            (Peer.Chat(group.Id), bob.Id, TypingActions.Typing), (Peer.Chat(group.Id), alice.Id, TypingActions.Upload));
    }

    [Fact]
    public async Task SetTyping_Cancel_IsForwardedOnlyAfterATypingNotice()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_ctyping", listen: true);
        await using var bob = await host.MemberAsync("bob_ctyping", listen: true);
        var group = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;

        for (var i = 0; i < 5; i++)
        {
            await alice.Client.SetTypingAsync(Peer.Chat(group.Id), TypingActions.Cancel);
        }

        await alice.Client.SetTypingAsync(Peer.Chat(group.Id));
        await alice.Client.SetTypingAsync(Peer.Chat(group.Id), TypingActions.Cancel);
        await alice.Client.SetTypingAsync(Peer.Chat(group.Id), TypingActions.Cancel);
        await alice.Client.SendMessageAsync(Peer.Chat(group.Id), "marker");

        var seen = await bob.EventsUntilAsync<MessageReceived>(m => m.Message.Text == "marker");
        seen.OfType<UserTyping>().Select(t => t.Action).Should().Equal(TypingActions.Typing, TypingActions.Cancel);
    }

    [Fact]
    public async Task SendMessage_InALargeGroup_AddsTheSameRowsWhateverTheMemberCount()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_rows");
        var users = await host.RegisterUsersAsync("rows_user", 49);
        var small = (await alice.Client.CreateGroupAsync("Five", users[..4], large: true)).Chat;
        var big = (await alice.Client.CreateGroupAsync("Fifty", users, large: true)).Chat;
        small.MemberCount.Should().Be(5);
        big.MemberCount.Should().Be(50);

        var intoSmall = await RowsAddedAsync(host, () => alice.Client.SendMessageAsync(Peer.Chat(small.Id), "to five"));
        var intoBig = await RowsAddedAsync(host, () => alice.Client.SendMessageAsync(Peer.Chat(big.Id), "to fifty"));

        intoBig.Should().Equal(intoSmall);
        intoBig.Should().Equal(1L, 1L, 0L);
    }

    [Fact]
    public async Task SendMessage_InALargeGroup_ReachesLiveMembersThroughChannelPushes()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_lpush", listen: true);
        await using var bob = await host.MemberAsync("bob_lpush", listen: true);
        await using var carol = await host.MemberAsync("carol_lpush", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id, carol.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);

        var sent = await bob.Client.SendMessageAsync(peer, "hello large");
        sent.Channel.Should().BeTrue();
        await bob.Client.EditMessageAsync(peer, sent.Message.Id, "hello large, edited");
        await bob.Client.DeleteMessagesAsync(peer, [sent.Message.Id], revoke: true);

        foreach (var member in new[] { alice, carol })
        {
            var received = await member.NextAsync<MessageReceived>(e => e.Message.Id == sent.Message.Id);
            received.ChannelId.Should().Be(chat.Id);
            received.Peer.Should().Be(peer);
            received.Pts.Should().Be(sent.Pts);
            (await member.NextAsync<MessageEdited>()).Message.Text.Should().Be("hello large, edited");
            var deleted = await member.NextAsync<MessagesDeleted>();
            deleted.Ids.Should().Equal(sent.Message.Id);
            deleted.ChannelId.Should().Be(chat.Id);
            member.Client.Events.ChannelPts[chat.Id].Should().Be(deleted.Pts);
        }

        // The sender's own device reports its message once (from the call's result), also in the chat's log.
        var own = await bob.EventsUntilAsync<MessagesDeleted>(_ => true);
        own.OfType<MessageReceived>().Where(e => e.Message.Id == sent.Message.Id).Should().ContainSingle()
            .Which.ChannelId.Should().Be(chat.Id);
    }

    [Fact]
    public async Task GetState_ListsTheCallersLargeGroupsAtTheirPositions_AndAFreshStreamFollowsThemFromThere()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_state");
        await using var bob = await host.MemberAsync("bob_state");
        var large = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        var left = (await alice.Client.CreateGroupAsync("Left", [bob.Id], large: true)).Chat;
        await alice.Client.CreateGroupAsync("Small", [bob.Id]);
        await alice.Client.SendMessageAsync(Peer.Chat(large.Id), "one");
        await alice.Client.SendMessageAsync(Peer.Chat(large.Id), "two");
        await bob.Client.LeaveGroupAsync(left.Id);
        var position = (await bob.Client.GetChannelDifferenceAsync(large.Id, 0)).Pts;

        var state = await bob.Client.GetStateAsync();

        state.Channels.Should().Equal([new ChannelState(large.Id, position)], "only the large groups bob is in, each at its log's position");
        (await bob.Client.GetDifferenceAsync(state.Pts)).Channels.Should().Equal(state.Channels, "the same list getDifference gives");
        (await alice.Client.GetDifferenceAsync(0)).State.Channels.Should().BeNull("a difference lists them itself");

        await using var device = await host.DeviceAsync("bob_state", bob.Id, listen: false);
        await device.Client.Events.StartAsync(bob.Id);
        device.Client.Events.ChannelPts.Should().Equal(new Dictionary<long, long> { [large.Id] = position }, "followed from the start, before any push or fetch");
    }

    [Fact]
    public async Task ChannelDifference_ForAnOfflineMember_HasWhatWasPostedMeanwhile()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_offline");
        await using var bob = await host.MemberAsync("bob_offline");
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        var bobState = await bob.Client.GetStateAsync();
        var before = (await bob.Client.GetDifferenceAsync(bobState.Pts)).Channels!.Single(c => c.ChatId == chat.Id).Pts;
        await bob.Client.DisposeAsync();

        for (var i = 1; i <= 3; i++)
        {
            await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), $"missed {i}");
        }

        await using var back = await host.DeviceAsync("bob_offline", bob.Id, listen: false);
        var difference = await back.Client.GetDifferenceAsync(bobState.Pts);
        // Only the sign-in of bob's new device is in bob's own log.
        difference.Updates.Select(u => u.Update).Should().AllBeOfType<NewAuthorizationUpdate>("large group messages are not copied into member logs");
        var channel = difference.Channels!.Single(c => c.ChatId == chat.Id);
        channel.Pts.Should().Be(before + 3);

        var missed = await back.Client.GetChannelDifferenceAsync(chat.Id, before);
        missed.Updates.Select(u => u.Update).OfType<NewMessageUpdate>().Select(u => u.Message.Text)
            .Should().Equal("missed 1", "missed 2", "missed 3");
        missed.Pts.Should().Be(channel.Pts);
        missed.Slice.Should().BeFalse();
        missed.TooLong.Should().BeFalse();
    }

    [Fact]
    public async Task UpdateStream_StartedWithPersistedPositions_ReportsWhatALargeGroupMissed()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_resume");
        await using var bob = await host.MemberAsync("bob_resume", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "seen");
        var seen = await bob.NextAsync<MessageReceived>(e => e.Message.Text == "seen");
        var userPts = bob.Client.Events.Pts!.Value;
        await bob.Client.DisposeAsync();

        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "missed 1");
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "missed 2");

        await using var back = await host.DeviceAsync("bob_resume", bob.Id, listen: false);
        await back.Client.Events.StartAsync(bob.Id, userPts, new Dictionary<long, long> { [chat.Id] = seen.Pts });

        (await back.NextAsync<MessageReceived>()).Message.Text.Should().Be("missed 1");
        var last = await back.NextAsync<MessageReceived>();
        last.Message.Text.Should().Be("missed 2");
        last.ChannelId.Should().Be(chat.Id);
    }

    [Fact]
    public async Task UpdateStream_StartedWithoutALargeGroupsPosition_SaysItsHistoryWasSkipped_AndFollowsItFromThere()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_noresume");
        await using var bob = await host.MemberAsync("bob_noresume", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "seen");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "seen");
        var userPts = bob.Client.Events.Pts!.Value;
        await bob.Client.DisposeAsync();

        await alice.Client.SendMessageAsync(peer, "missed 1");
        var head = (await alice.Client.SendMessageAsync(peer, "missed 2")).Pts;

        await using var back = await host.DeviceAsync("bob_noresume", bob.Id, listen: false);
        await back.Client.Events.StartAsync(bob.Id, userPts);

        var events = await back.EventsUntilAsync<ChatResynced>(e => e.ChatId == chat.Id);
        events.Last().Should().Be(new ChatResynced(chat.Id, head), "the app kept no position in the group's log: its posts since are not replayed");
        events.OfType<MessageReceived>().Should().BeEmpty();
        await alice.Client.SendMessageAsync(peer, "after");
        (await back.NextAsync<MessageReceived>()).Message.Text.Should().Be("after", "the stream follows the group from its position then");
    }

    [Fact]
    public async Task UpdateStream_StartedFresh_FollowsItsLargeGroupsFromTheStart_SoAPostMissedInAnEarlyDropIsReported()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_fresh");
        await using var bob = await host.MemberAsync("bob_fresh");
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SendMessageAsync(peer, "before");

        // A new device starts with no pts; the group's pushes are lost with its connection until it drops.
        await using var device = await host.DeviceAsync("bob_fresh", bob.Id, listen: false);
        var losing = 1;
        device.Client.InboundFilter = envelope =>
            Volatile.Read(ref losing) == 0 || envelope.Body is not UpdatesBody { Kind: UpdateKinds.Channel };
        await device.Client.Events.StartAsync(bob.Id);
        (await Eventually(() => device.Client.Events.ChannelPts.ContainsKey(chat.Id))).Should()
            .BeTrue("the start's difference lists the group, so the stream follows it from the start");

        await alice.Client.SendMessageAsync(peer, "during the drop");
        var connections = device.Client.ConnectionCount;
        Volatile.Write(ref losing, 0);
        await device.Client.DropConnectionAsync();
        await SessionTestKit.WaitUntil(() => device.Client.ConnectionCount > connections && device.Client.IsConnected);
        await alice.Client.SendMessageAsync(peer, "after");

        var events = await device.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "after");
        events.OfType<MessageReceived>().Select(e => e.Message.Text).Should().Equal(["during the drop", "after"], "no push brought the first");
        events.OfType<ChatResynced>().Should().BeEmpty("a fresh start replays no history, so none was skipped");
    }

    // Polls the condition for up to 20 s: false when it never held (the test's assertion then says what was expected).
    private static async Task<bool> Eventually(Func<bool> condition)
    {
        for (var waited = 0; waited < 2_000; waited++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10);
        }

        return condition();
    }

    [Fact]
    public async Task AddMembers_PastTheSmallGroupLimit_ConvertsKeepingHistoryAndReadPositions()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_convert");
        await using var bob = await host.MemberAsync("bob_convert", listen: true);
        await using var carol = await host.MemberAsync("carol_convert");
        await using var dave = await host.MemberAsync("dave_convert");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var first = await alice.Client.SendMessageAsync(peer, "first");
        var second = await alice.Client.SendMessageAsync(peer, "second");
        await alice.Client.SendMessageAsync(peer, "third");
        await bob.Client.ReadHistoryAsync(peer, second.Message.Id);
        var bobBefore = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);

        var converted = await alice.Client.AddMembersAsync(chat.Id, [dave.Id]);

        converted.Chat.Kind.Should().Be(ChatKind.LargeGroup);
        converted.Chat.MemberCount.Should().Be(4);
        converted.Channel.Should().BeTrue();
        var texts = (await bob.Client.GetHistoryAsync(peer)).Where(m => m.Action is null).Select(m => m.Text);
        texts.Should().Equal("third", "second", "first");
        (await dave.Client.GetHistoryAsync(peer)).Select(m => m.Id).Should().Contain(first.Message.Id);
        (await bob.Client.GetHistoryAsync(peer)).Select(m => m.Action?.Kind).Should().Contain(ServiceActions.ConvertToLarge);
        var bobAfter = (await bob.Client.GetDialogsAsync()).Items.Single(d => d.Peer == peer);
        bobAfter.ReadInboxMaxId.Should().Be(bobBefore.ReadInboxMaxId).And.Be(second.Message.Id);

        // Bob's stream learns the chat became large and follows its own log from then on.
        (await bob.NextAsync<ChatUpdated>(e => e.Chat.Kind == ChatKind.LargeGroup)).IsMember.Should().BeTrue();
        await carol.Client.SendMessageAsync(peer, "after conversion");
        (await bob.NextAsync<MessageReceived>(e => e.Message.Text == "after conversion")).ChannelId.Should().Be(chat.Id);
    }

    [Fact]
    public async Task SendMessage_InAChannel_OnlyAdminsMayPost()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_channel");
        await using var bob = await host.MemberAsync("bob_channel");
        var chat = (await alice.Client.CreateGroupAsync("News", [bob.Id], broadcast: true)).Chat;
        chat.Kind.Should().Be(ChatKind.Channel);
        var peer = Peer.Chat(chat.Id);

        var error = await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "may I?"), GroupErrorNames.ChatWriteForbidden);
        error.Code.Should().Be(403);
        (await alice.Client.SendMessageAsync(peer, "news")).Channel.Should().BeTrue();

        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        (await bob.Client.SendMessageAsync(peer, "now I may")).Message.Text.Should().Be("now I may");
        (await bob.Client.GetHistoryAsync(peer)).Where(m => m.Action is null).Select(m => m.Text).Should().Equal("now I may", "news");
    }

    private static async Task<long[]> RowsAddedAsync(Infrastructure.TestHost host, Func<Task> act)
    {
        string[] tables = ["message_messages", "queue_updates", "message_dialogs"];
        var before = tables.Select(host.CountRows).ToArray();
        await act();
        return [.. tables.Select((table, i) => host.CountRows(table) - before[i])];
    }

    // The joined users' chat update carries the group's position from before the service message that added them
    // (GroupChanges.Record): a device that learns of the join from it reports that message, as an online device does.
    [Fact]
    public async Task UpdateStream_CaughtUpAfterBeingAddedToALargeGroup_ReportsTheServiceMessageThatAddedThem_AsAnOnlineDeviceDoes()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_s48join");
        await using var carol = await host.MemberAsync("carol_s48join");
        await using var dave = await host.MemberAsync("dave_s48join", listen: true);
        await using var bob = await host.MemberAsync("bob_s48join", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Large", [carol.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var userPts = bob.Client.Events.Pts!.Value;
        await bob.Client.DisposeAsync();

        var added = await alice.Client.AddMembersAsync(chat.Id, [bob.Id, dave.Id]);
        var service = added.Message!.Id;
        await alice.Client.SendMessageAsync(peer, "after");

        // Dave was online: the service message's push reached him before anything else told of the group.
        var online = await dave.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "after");
        online.OfType<MessageReceived>().Select(e => e.Message.Id).Should().Contain(service, "an online device reports it");

        await using var back = await host.DeviceAsync("bob_s48join", bob.Id, listen: false);
        await back.Client.Events.StartAsync(bob.Id, userPts);
        var events = await back.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "after");

        events.OfType<ChatUpdated>().Should().ContainSingle(e => e.Chat.Id == chat.Id && e.IsMember);
        events.OfType<MessageReceived>().Select(e => e.Message.Id).Should().Contain(service,
            "the device that caught up was added by that message too");
    }

    [Fact]
    public async Task UpdateStream_OnAnotherDevice_OfAMemberAddedBackToALargeGroup_ReportsTheServiceMessageThatAddedThem()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_s48back");
        await using var carol = await host.MemberAsync("carol_s48back");
        await using var bob = await host.MemberAsync("bob_s48back");
        await using var phone = await host.DeviceAsync("bob_s48back", bob.Id);
        var chat = (await alice.Client.CreateGroupAsync("Large", [bob.Id, carol.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);

        await bob.Client.LeaveGroupAsync(chat.Id);
        await phone.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id && !e.IsMember);

        var added = await alice.Client.AddMembersAsync(chat.Id, [bob.Id]);
        await alice.Client.SendMessageAsync(peer, "after");

        var events = await phone.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "after");
        events.OfType<ChatUpdated>().Should().ContainSingle(e => e.Chat.Id == chat.Id && e.IsMember);
        events.OfType<MessageReceived>().Select(e => e.Message.Id).Should().Contain(added.Message!.Id,
            "the phone saw bob leave, and the chat update that adds him back follows the group from before that message");
    }

    // getDifference reads the user's log, then the list of their large groups: a user added to a group between the two
    // reads (with a post right after) must not be given the group at a position that counts that post, or its push is
    // taken for seen. The bus's GetUserChannelsQuery runs the add and the post just before it answers.
    [Fact]
    public async Task UpdateStream_AddedToALargeGroupWhileItsCatchUpReadsTheGroupList_ReportsThePostMadeRightAfter()
    {
        var between = new BetweenTheReads();
        await using var host = await GroupTestKit.StartHostAsync(configureServices: between.Install);
        await using var alice = await host.MemberAsync("alice_s48race");
        await using var carol = await host.MemberAsync("carol_s48race");
        await using var bob = await host.MemberAsync("bob_s48race");
        var chat = (await alice.Client.CreateGroupAsync("Large", [carol.Id], large: true)).Chat;
        var userPts = (await bob.Client.GetStateAsync()).Pts;

        between.Arm(bob.Id, async () =>
        {
            await alice.Client.AddMembersAsync(chat.Id, [bob.Id]);
            await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "in between");
        });
        await bob.Client.Events.StartAsync(bob.Id, userPts);
        var events = await bob.EventsUntilAsync<MessageReceived>(e => e.Message.Text == "in between");

        between.Ran.Should().BeTrue();
        events.OfType<ChatUpdated>().Should().ContainSingle(e => e.Chat.Id == chat.Id && e.IsMember);
    }

    [Fact]
    public async Task GetState_WhenTheUserJoinsALargeGroupWhileTheGroupListIsRead_AnswersAPositionThatHoldsTheJoin()
    {
        var between = new BetweenTheReads();
        await using var host = await GroupTestKit.StartHostAsync(configureServices: between.Install);
        await using var alice = await host.MemberAsync("alice_s48state");
        await using var carol = await host.MemberAsync("carol_s48state");
        await using var bob = await host.MemberAsync("bob_s48state");
        var chat = (await alice.Client.CreateGroupAsync("Large", [carol.Id], large: true)).Chat;

        between.Arm(bob.Id, async () =>
        {
            await alice.Client.AddMembersAsync(chat.Id, [bob.Id]);
            await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "in between");
        });
        var state = await bob.Client.GetStateAsync();
        var after = await bob.Client.GetStateAsync();

        between.Ran.Should().BeTrue();
        state.Pts.Should().Be(after.Pts, "the group is listed with a user position that holds the join");
        state.Channels.Should().BeEquivalentTo(after.Channels);
    }

    /// <summary>Runs an action once, when the bus is next asked for a user's large groups (as getDifference and getState
    /// do after reading the user's own position), before it answers.</summary>
    private sealed class BetweenTheReads
    {
        private long _userId;
        private Func<Task>? _action;

        public bool Ran { get; private set; }

        public void Arm(long userId, Func<Task> action) => (_userId, _action) = (userId, action);

        public void Install(IServiceCollection services)
        {
            var original = services.Last(d => d.ServiceType == typeof(global::Mediator.ISender));
            services.Add(new ServiceDescriptor(typeof(global::Mediator.ISender),
                provider => new Sender((global::Mediator.ISender)(original.ImplementationFactory?.Invoke(provider) ?? original.ImplementationInstance
                    ?? ActivatorUtilities.GetServiceOrCreateInstance(provider, original.ImplementationType!)), this),
                original.Lifetime));
        }

        private async Task BeforeAsync(object request)
        {
            if (request is global::Messenger.Kernel.Updates.GetUserChannelsQuery query && query.UserId == _userId
                && Interlocked.Exchange(ref _action, null) is { } action)
            {
                await action();
                Ran = true;
            }
        }

        private sealed class Sender(global::Mediator.ISender inner, BetweenTheReads hook) : global::Mediator.ISender
        {
            public async ValueTask<TResponse> Send<TResponse>(global::Mediator.IRequest<TResponse> request, CancellationToken cancellationToken = default)
            {
                await hook.BeforeAsync(request);
                return await inner.Send(request, cancellationToken);
            }

            public ValueTask<TResponse> Send<TResponse>(global::Mediator.ICommand<TResponse> command, CancellationToken cancellationToken = default) =>
                inner.Send(command, cancellationToken);

            public ValueTask<TResponse> Send<TResponse>(global::Mediator.IQuery<TResponse> query, CancellationToken cancellationToken = default) =>
                inner.Send(query, cancellationToken);

            public ValueTask<object?> Send(object message, CancellationToken cancellationToken = default) =>
                inner.Send(message, cancellationToken);

            public IAsyncEnumerable<TResponse> CreateStream<TResponse>(
                global::Mediator.IStreamRequest<TResponse> request, CancellationToken cancellationToken = default) =>
                inner.CreateStream(request, cancellationToken);

            public IAsyncEnumerable<TResponse> CreateStream<TResponse>(
                global::Mediator.IStreamCommand<TResponse> command, CancellationToken cancellationToken = default) =>
                inner.CreateStream(command, cancellationToken);

            public IAsyncEnumerable<TResponse> CreateStream<TResponse>(
                global::Mediator.IStreamQuery<TResponse> query, CancellationToken cancellationToken = default) =>
                inner.CreateStream(query, cancellationToken);

            public IAsyncEnumerable<object?> CreateStream(object request, CancellationToken cancellationToken = default) =>
                inner.CreateStream(request, cancellationToken);
        }
    }
}
