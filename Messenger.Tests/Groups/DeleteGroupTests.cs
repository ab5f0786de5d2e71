using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Storage;
using Messenger.Message.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Media;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Groups;

public sealed class DeleteGroupTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delete_ByTheCreator_EndsTheChatForOnlineAndOfflineMembers(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync($"alice_del{large}");
        await using var bob = await host.MemberAsync($"bob_del{large}", listen: true);
        await using var carol = await host.MemberAsync($"carol_del{large}");
        var chat = (await alice.Client.CreateGroupAsync("Doomed", [bob.Id, carol.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        await bob.Client.SendMessageAsync(peer, "zanzibar plans");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "zanzibar plans");
        var carolPts = (await carol.Client.GetStateAsync()).Pts;
        await carol.Client.DisposeAsync();

        var deleted = await alice.Client.DeleteGroupAsync(chat.Id);

        deleted.Chat.Should().Match<Chat>(c => c.Id == chat.Id && c.Deleted);
        deleted.Channel.Should().BeFalse("the answer is the caller's own log, which got the update");
        var told = await bob.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id);
        told.Should().Match<ChatUpdated>(e => e.Chat.Deleted && !e.IsMember && e.ChannelId == null);
        bob.Client.Events.ChannelPts.Should().NotContainKey(chat.Id);

        await using var back = await host.DeviceAsync($"carol_del{large}", carol.Id, listen: false);
        var difference = await back.Client.GetDifferenceAsync(carolPts);
        difference.Updates.Select(u => u.Update).OfType<ChatUpdate>().Should().ContainSingle()
            .Which.Should().Match<ChatUpdate>(u => u.Chat.Id == chat.Id && u.Chat.Deleted && !u.IsMember);
        difference.Channels.Should().NotContain(c => c.ChatId == chat.Id);

        foreach (var member in new[] { alice, bob, back })
        {
            (await member.Client.GetDialogsAsync()).Items.Should().NotContain(d => d.Peer == peer);
            await SessionTestKit.FailsWith(() => member.Client.GetHistoryAsync(peer), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => member.Client.SendMessageAsync(peer, "anyone?"), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => member.Client.GetFullChatAsync(chat.Id), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => member.Client.SearchMessagesAsync("zanzibar", peer), GroupErrorNames.ChatNotFound);
            await SessionTestKit.FailsWith(() => member.Client.GetChannelDifferenceAsync(chat.Id, 0), GroupErrorNames.ChatNotFound);
            (await member.Client.SearchMessagesAsync("zanzibar")).Should().BeEmpty();
        }

        host.CountRows($"message_messages WHERE chat_id = {chat.Id} AND deleted = 0").Should().Be(0);
        host.CountRows($"message_chats WHERE id = {chat.Id} AND deleted = 2").Should().Be(1, "the purge finished before the answer");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delete_LeavesNoneOfTheMembersDeletedForMeMarks(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync($"alice_delhid{large}");
        await using var bob = await host.MemberAsync($"bob_delhid{large}");
        var chat = (await alice.Client.CreateGroupAsync("Hidden", [bob.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        var first = await alice.Client.SendMessageAsync(peer, "first");
        var second = await alice.Client.SendMessageAsync(peer, "second");
        await bob.Client.DeleteMessagesAsync(peer, [first.Message.Id], revoke: false);
        await alice.Client.DeleteMessagesAsync(peer, [second.Message.Id], revoke: false);
        host.CountRows($"message_hidden WHERE message_id IN ({first.Message.Id}, {second.Message.Id})").Should().Be(2);

        await alice.Client.DeleteGroupAsync(chat.Id);

        host.CountRows($"message_hidden WHERE message_id IN ({first.Message.Id}, {second.Message.Id})").Should().Be(0);
    }

    [Fact]
    public async Task Delete_TakesTheChatOutOfTheMembersFolders_ToldOnlineAndOnCatchingUp()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delfold");
        await using var bob = await host.MemberAsync("bob_delfold", listen: true);
        await using var carol = await host.MemberAsync("carol_delfold");
        var chat = (await alice.Client.CreateGroupAsync("Folded", [bob.Id, carol.Id])).Chat;
        var stays = Peer.Chat((await alice.Client.CreateGroupAsync("Stays", [bob.Id])).Chat.Id);
        var peer = Peer.Chat(chat.Id);
        var mixed = new DialogFilter(2, "Mixed", Channels: true, IncludePeers: [peer, stays], ExcludePeers: []);
        var untouched = new DialogFilter(4, "Other", IncludePeers: [stays], ExcludePeers: []);
        var only = new DialogFilter(3, "Only", IncludePeers: [peer]);
        var leftOut = new DialogFilter(5, "Not it", Groups: true, IncludePeers: [], ExcludePeers: [peer]);
        await bob.Client.SaveDialogFilterAsync(mixed);
        await bob.Client.SaveDialogFilterAsync(untouched);
        await carol.Client.SaveDialogFilterAsync(only);
        await carol.Client.SaveDialogFilterAsync(leftOut);
        await alice.Client.SaveDialogFilterAsync(only);
        var carolPts = (await carol.Client.GetStateAsync()).Pts;
        await carol.Client.DisposeAsync();

        await alice.Client.DeleteGroupAsync(chat.Id);

        var told = await bob.NextAsync<DialogFilterChanged>(e => e.Id == 2 && e.Filter is { } f && !f.IncludePeers!.Contains(peer));
        told.Filter.Should().BeEquivalentTo(mixed with { IncludePeers = [stays] });
        (await bob.Client.GetDialogFiltersAsync()).Should().BeEquivalentTo(
            [mixed with { IncludePeers = [stays] }, untouched], o => o.WithStrictOrdering(), "a folder not naming the chat is left as it was");

        await using var back = await host.DeviceAsync("carol_delfold", carol.Id, listen: false);
        var difference = await back.Client.GetDifferenceAsync(carolPts);
        difference.Updates.Select(u => u.Update).OfType<DialogFilterUpdate>().Should().BeEquivalentTo(
            [new DialogFilterUpdate(3, null), new DialogFilterUpdate(5, leftOut with { ExcludePeers = [] })],
            "a folder that named only the chat is deleted (it could not be saved so); the other keeps its rule");
        (await back.Client.GetDialogFiltersAsync()).Should().BeEquivalentTo([leftOut with { ExcludePeers = [] }]);
        (await alice.Client.GetDialogFiltersAsync()).Should().BeEmpty("the creator's folders lose it too");
        host.CountRows("message_dialog_folders").Should().Be(3);
    }

    [Fact]
    public async Task Delete_TakesTheChatOutOfFormerMembersFolders_InUnitsAfterTheMembers_ToldOnlineAndOnCatchingUp()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delformer");
        await using var dave = await host.MemberAsync("dave_delformer", listen: true);
        await using var erin = await host.MemberAsync("erin_delformer");
        await using var fred = await host.MemberAsync("fred_delformer");
        var chat = (await alice.Client.CreateGroupAsync("Left behind", [dave.Id, erin.Id, fred.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var stays = Peer.Chat((await alice.Client.CreateGroupAsync("Stays", [dave.Id])).Chat.Id);
        var mixed = new DialogFilter(2, "Mixed", IncludePeers: [peer, stays], ExcludePeers: []);
        var only = new DialogFilter(3, "Only", IncludePeers: [peer]);
        var groups = new DialogFilter(4, "Groups", Groups: true, IncludePeers: [], ExcludePeers: []);
        await dave.Client.SaveDialogFilterAsync(mixed);
        await erin.Client.SaveDialogFilterAsync(only);
        await fred.Client.SaveDialogFilterAsync(groups);
        await dave.Client.LeaveGroupAsync(chat.Id);
        await alice.Client.RemoveMemberAsync(chat.Id, erin.Id);
        await fred.Client.LeaveGroupAsync(chat.Id);
        (await dave.Client.GetDialogFiltersAsync()).Should().BeEquivalentTo([mixed], "leaving keeps the chat named: the user may come back");
        host.CountRows($"message_former_members WHERE chat_id = {chat.Id}").Should().Be(2, "fred's folders never named it");

        // 1,500 more former members ordered before them (ids no account has, so no folder): dave and erin are cleaned
        // in the second unit of 1,000.
        using (var connection = host.Services.GetRequiredService<SqliteDatabase>().Open())
        {
            using var insert = connection.CreateCommand();
            insert.CommandText =
                "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 1500) " +
                "INSERT INTO message_former_members (chat_id, user_id) SELECT @chat, -v FROM n";
            insert.Parameters.AddWithValue("@chat", chat.Id);
            insert.ExecuteNonQuery();
        }

        var erinPts = (await erin.Client.GetStateAsync()).Pts;
        var fredPts = (await fred.Client.GetStateAsync()).Pts;
        await erin.Client.DisposeAsync();

        await alice.Client.DeleteGroupAsync(chat.Id);

        var told = await dave.NextAsync<DialogFilterChanged>(e => e.Id == 2 && e.Filter is { } f && !f.IncludePeers!.Contains(peer));
        told.Filter.Should().BeEquivalentTo(mixed with { IncludePeers = [stays] });
        (await dave.Client.GetDialogFiltersAsync()).Should().BeEquivalentTo([mixed with { IncludePeers = [stays] }]);

        await using var back = await host.DeviceAsync("erin_delformer", erin.Id, listen: false);
        var difference = await back.Client.GetDifferenceAsync(erinPts);
        difference.Updates.Select(u => u.Update).Where(u => u is not NewAuthorizationUpdate).Should().BeEquivalentTo(
            [new DialogFilterUpdate(3, null)], "a folder that named only the chat is deleted; a former member gets no chat update");
        (await back.Client.GetDialogFiltersAsync()).Should().BeEmpty();
        (await fred.Client.GetDifferenceAsync(fredPts)).Updates.Should().BeEmpty("a former member whose folders did not name it is left alone");
        (await fred.Client.GetDialogFiltersAsync()).Should().BeEquivalentTo([groups]);
        host.CountRows("message_former_members").Should().Be(0);
    }

    [Fact]
    public async Task Delete_AFolderNoCleanupReached_LosesTheChatWhenRead_OrWhenSaved_AndAnEmptiedFolderIsDeleted()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delstale");
        await using var bob = await host.MemberAsync("bob_delstale");
        await using var carol = await host.MemberAsync("carol_delstale");
        await using var dave = await host.MemberAsync("dave_delstale");
        var others = await host.RegisterUsersAsync("many_delstale", DialogFolderLimits.MaxPeers);
        var chat = (await alice.Client.CreateGroupAsync("Before the upgrade", [bob.Id, carol.Id, dave.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var bobPeer = Peer.User(bob.Id);
        var mixed = new DialogFilter(2, "Mixed", IncludePeers: [peer, bobPeer], ExcludePeers: []);
        var only = new DialogFilter(3, "Only", IncludePeers: [peer], ExcludePeers: []);
        var groups = new DialogFilter(4, "Groups", Groups: true, IncludePeers: [], ExcludePeers: [peer]);
        var many = new DialogFilter(5, "Many", IncludePeers: [peer], ExcludePeers: []);
        foreach (var folder in new[] { mixed, only, groups })
        {
            await carol.Client.SaveDialogFilterAsync(folder);
        }

        await dave.Client.SaveDialogFilterAsync(only);
        await dave.Client.SaveDialogFilterAsync(many);
        await carol.Client.LeaveGroupAsync(chat.Id);
        await dave.Client.LeaveGroupAsync(chat.Id);

        // As on a server upgraded from a build before message_former_members: nothing says their folders name the chat.
        host.CountRows($"message_former_members WHERE chat_id = {chat.Id}").Should().Be(2);
        using (var connection = host.Services.GetRequiredService<SqliteDatabase>().Open())
        {
            using var forget = connection.CreateCommand();
            forget.CommandText = "DELETE FROM message_former_members WHERE chat_id = @chat";
            forget.Parameters.AddWithValue("@chat", chat.Id);
            forget.ExecuteNonQuery();
        }

        var carolPts = (await carol.Client.GetStateAsync()).Pts;
        var davePts = (await dave.Client.GetStateAsync()).Pts;
        await alice.Client.DeleteGroupAsync(chat.Id);
        (await carol.Client.GetDifferenceAsync(carolPts)).Updates.Should().BeEmpty("the delete's cleanup did not reach carol's folders");
        host.CountRows($"message_dialog_folders WHERE user_id = {carol.Id}").Should().Be(3);

        (await carol.Client.GetDialogFiltersAsync()).Should().BeEquivalentTo(
            [mixed with { IncludePeers = [bobPeer] }, groups with { ExcludePeers = [] }], o => o.WithStrictOrdering(),
            "the deleted chat is left out, and a folder that named only it is deleted");
        (await carol.Client.GetDifferenceAsync(carolPts)).Updates.Select(u => u.Update).Should().BeEquivalentTo(
            [new DialogFilterUpdate(3, null)], "the emptied folder is deleted for good and the user's devices are told");
        host.CountRows($"message_dialog_folders WHERE user_id = {carol.Id}").Should().Be(2);
        (await carol.Client.GetDialogFiltersAsync()).Select(f => f.Id).Should().Equal([2, 4], "a second read changes nothing");

        (await carol.Client.SaveDialogFilterAsync(mixed with { Title = "Kept" })).PtsCount.Should().Be(1,
            "a device that still holds the chat may save the folder with it");
        var saved = (await carol.Client.GetDifferenceAsync(carolPts)).Updates.Select(u => u.Update).OfType<DialogFilterUpdate>().Last();
        saved.Should().BeEquivalentTo(new DialogFilterUpdate(2, mixed with { Title = "Kept", IncludePeers = [bobPeer] }), "it is dropped from what is stored");
        await ChatTestKit.FailsWith(() => carol.Client.SaveDialogFilterAsync(only), GroupErrorNames.ChatNotFound, 404);

        // dave saves without reading first: the chat does not count against the limit, and a folder left empty is deleted.
        var full = many with { IncludePeers = [peer, .. others.Select(Peer.User)] };
        (await dave.Client.SaveDialogFilterAsync(full)).PtsCount.Should().Be(1);
        await ChatTestKit.FailsWith(() => dave.Client.SaveDialogFilterAsync(full with { IncludePeers = [.. others.Select(Peer.User), bobPeer] }),
            DialogFolderErrorNames.FilterPeersInvalid);
        (await dave.Client.SaveDialogFilterAsync(only with { Title = "Renamed" })).PtsCount.Should().Be(1);
        (await dave.Client.GetDifferenceAsync(davePts)).Updates.Select(u => u.Update).Should().BeEquivalentTo(
            [new DialogFilterUpdate(5, many with { IncludePeers = [.. others.Select(Peer.User)] }), new DialogFilterUpdate(3, null)],
            o => o.WithStrictOrdering());
        (await dave.Client.GetDialogFiltersAsync()).Should().ContainSingle().Which.IncludePeers.Should().HaveCount(DialogFolderLimits.MaxPeers);
    }

    [Fact]
    public async Task Delete_ThenEveryOtherCallOnTheChat_FailsWithChatNotFound()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delcalls");
        await using var bob = await host.MemberAsync("bob_delcalls");
        var chat = (await alice.Client.CreateGroupAsync("Doomed", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var poll = await bob.Client.SendPollAsync(peer, "Lunch?", ["Yes", "No"]);
        var sent = await alice.Client.SendMessageAsync(peer, "pin me");
        await alice.Client.PinMessageAsync(peer, sent.Message.Id);

        await alice.Client.DeleteGroupAsync(chat.Id);

        await SessionTestKit.FailsWith(() => bob.Client.ReadHistoryAsync(peer, sent.Message.Id), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.SendReactionAsync(peer, sent.Message.Id, "👍"), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.VoteAsync(peer, poll.Message.Id, [0]), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.PinMessageAsync(peer, sent.Message.Id), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.GetPinnedAsync(peer), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.ExportInviteAsync(chat.Id), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.AddMembersAsync(chat.Id, [bob.Id]), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.ToggleForumAsync(chat.Id, enabled: true), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.CreateTopicAsync(peer, "Still here?"), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => bob.Client.LeaveGroupAsync(chat.Id), GroupErrorNames.ChatNotFound);
        host.CountRows($"message_pins WHERE chat_id = {chat.Id}").Should().Be(0);
        host.CountRows($"message_poll_votes WHERE message_id = {poll.Message.Id}").Should().Be(0);
    }

    [Fact]
    public async Task Delete_ByAnAdminOrAMember_FailsWithChatCreatorRequired_AndByOthersWithChatNotFound()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delrights");
        await using var bob = await host.MemberAsync("bob_delrights");
        await using var carol = await host.MemberAsync("carol_delrights");
        await using var eve = await host.MemberAsync("eve_delrights");
        var chat = (await alice.Client.CreateGroupAsync("Kept", [bob.Id, carol.Id])).Chat;
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);

        (await SessionTestKit.FailsWith(() => bob.Client.DeleteGroupAsync(chat.Id), GroupErrorNames.ChatCreatorRequired)).Code.Should().Be(403);
        await SessionTestKit.FailsWith(() => carol.Client.DeleteGroupAsync(chat.Id), GroupErrorNames.ChatCreatorRequired);
        (await SessionTestKit.FailsWith(() => eve.Client.DeleteGroupAsync(chat.Id), GroupErrorNames.ChatNotFound)).Code.Should().Be(404);
        await SessionTestKit.FailsWith(() => eve.Client.DeleteGroupAsync(chat.Id + 1000), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => eve.Client.DeleteGroupAsync(0), GroupErrorNames.ChatNotFound);

        (await carol.Client.GetFullChatAsync(chat.Id)).Chat.MemberCount.Should().Be(3, "nothing changed");
    }

    [Fact]
    public async Task Delete_Twice_FailsWithChatNotFound_AndANewChatGetsANewId()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_deltwice");
        var chat = (await alice.Client.CreateGroupAsync("Once", [])).Chat;

        await alice.Client.DeleteGroupAsync(chat.Id);

        await SessionTestKit.FailsWith(() => alice.Client.DeleteGroupAsync(chat.Id), GroupErrorNames.ChatNotFound);
        (await alice.Client.CreateGroupAsync("Next", [])).Chat.Id.Should().BeGreaterThan(chat.Id, "the deleted chat's id is never taken again");
    }

    [Fact]
    public async Task Delete_StopsItsInviteLinks()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delinvite");
        await using var dave = await host.MemberAsync("dave_delinvite");
        var chat = (await alice.Client.CreateGroupAsync("Open", [], large: true)).Chat;
        var invite = await alice.Client.ExportInviteAsync(chat.Id);
        (await dave.Client.CheckInviteAsync(invite.Code)).Should().NotBeNull();

        await alice.Client.DeleteGroupAsync(chat.Id);

        await SessionTestKit.FailsWith(() => dave.Client.CheckInviteAsync(invite.Code), GroupErrorNames.InviteHashInvalid);
        await SessionTestKit.FailsWith(() => dave.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteHashInvalid);
        host.CountRows($"message_invites WHERE chat_id = {chat.Id}").Should().Be(0);
    }

    [Fact]
    public async Task Delete_LetsGoOfItsFiles_ButNotOfACopyForwardedElsewhere()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delfiles");
        await using var bob = await host.MemberAsync("bob_delfiles");
        var chat = (await alice.Client.CreateGroupAsync("Files", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var only = MediaTestKit.RandomBytes(30_000, seed: 11);
        var shared = MediaTestKit.RandomBytes(30_000, seed: 12);
        var photo = MediaTestKit.Png(64, 64, seed: 13);
        await alice.Client.SendMediaAsync(peer, await alice.Client.UploadAsync(only, "only.bin"), "only here");
        var kept = await alice.Client.SendMediaAsync(peer, await alice.Client.UploadAsync(shared, "shared.bin"), "forwarded");
        await alice.Client.ForwardMessagesAsync(peer, [kept.Message.Id], Peer.User(bob.Id));
        await alice.Client.EditChatPhotoAsync(chat.Id, await alice.Client.UploadAsync(photo, "photo.png", "image/png"));
        host.RefCount(MediaTestKit.Sha256(only)).Should().Be(1);
        host.RefCount(MediaTestKit.Sha256(shared)).Should().Be(2);
        host.RefCount(MediaTestKit.Sha256(photo)).Should().Be(1);

        await alice.Client.DeleteGroupAsync(chat.Id);

        host.RefCount(MediaTestKit.Sha256(only)).Should().NotBe(1, "the deleted chat's message held its only reference");
        host.RefCount(MediaTestKit.Sha256(photo)).Should().NotBe(1, "the chat's photo goes with the chat");
        host.RefCount(MediaTestKit.Sha256(shared)).Should().Be(1, "the private chat's forward still holds it");
        var forwarded = (await bob.Client.GetHistoryAsync(Peer.User(alice.Id))).Single(m => m.Media != null);
        (await bob.Client.DownloadAsync(forwarded.Media!)).Should().Equal(shared);
    }

    [Fact]
    public async Task Delete_OfAChannelWithTenThousandMembersAndALongHistory_TellsEveryMemberAndPurges_InBoundedUnits()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_delbig");
        await using var bob = await host.MemberAsync("bob_delbig", listen: true);
        var chat = (await alice.Client.CreateGroupAsync("Big", [bob.Id], broadcast: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var post = await alice.Client.SendMessageAsync(peer, "quokka news");
        await bob.NextAsync<MessageReceived>(e => e.Message.Text == "quokka news");
        const int Others = 10_000;
        const int History = GroupDeletion.BatchSize * 2 + 10;
        using (var connection = host.Services.GetRequiredService<SqliteDatabase>().Open())
        {
            // Members and posts straight into the database (accounts the members' ids name need not exist for it).
            Execute(connection,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count) " +
                "INSERT INTO message_members (chat_id, user_id, role, joined_at, read_inbox_max_id) SELECT @chat, 5000000 + i, 0, 0, 0 FROM n; " +
                "UPDATE message_chats SET member_count = member_count + @count WHERE id = @chat",
                ("@count", Others), ("@chat", chat.Id));
            Execute(connection,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count) " +
                "INSERT INTO message_messages (chat_id, from_id, random_id, to_kind, to_id, date, text, deleted, silent, topic_id) " +
                "SELECT m.chat_id, m.from_id, 900000000 + n.i, m.to_kind, m.to_id, m.date, 'quokka ' || n.i, 0, 0, m.topic_id " +
                "FROM message_messages m, n WHERE m.id = @like",
                ("@count", History), ("@like", post.Message.Id));
        }

        await alice.Client.DeleteGroupAsync(chat.Id);

        (await bob.NextAsync<ChatUpdated>(e => e.Chat.Id == chat.Id)).Chat.Deleted.Should().BeTrue();
        host.CountRows("queue_updates WHERE owner_id BETWEEN 5000001 AND 5010000").Should().Be(Others, "every member's log is told, once");
        host.CountRows($"queue_updates WHERE owner_id = {-chat.Id}").Should().Be(0, "the channel's own log goes");
        host.CountRows($"message_members WHERE chat_id = {chat.Id}").Should().Be(0);
        host.CountRows("message_chat_farewells").Should().Be(0, "every member was told, 1,000 to a unit");
        host.CountRows($"message_messages WHERE chat_id = {chat.Id} AND (deleted = 0 OR text <> '')").Should().Be(0);
        (await alice.Client.SearchMessagesAsync("quokka")).Should().BeEmpty();
        (await bob.Client.GetDialogsAsync()).Items.Should().NotContain(d => d.Peer == peer);
    }

    [Fact]
    public async Task Delete_CutShortAfterItsFirstUnit_IsFinishedByTheNextStart_WhichTellsTheMembersLeft()
    {
        using var directory = new TempDirectory();
        long chatId;
        long bobId;
        long bobPts;
        await using (var host = await GroupTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            await using var alice = await host.MemberAsync("alice_delresume");
            await using var bob = await host.MemberAsync("bob_delresume");
            bobId = bob.Id;
            chatId = (await alice.Client.CreateGroupAsync("Half", [bob.Id], large: true)).Chat.Id;
            for (var i = 0; i < 3; i++)
            {
                await alice.Client.SendMessageAsync(Peer.Chat(chatId), $"left behind {i}");
            }

            bobPts = (await bob.Client.GetStateAsync()).Pts;
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory.Path, "messenger.db")};Pooling=False"))
        {
            connection.Open();
            // What the first unit leaves when the server stops right after it (bob still to be told).
            Execute(connection,
                "INSERT INTO message_chat_farewells (chat_id, user_id) VALUES (@chat, @bob); DELETE FROM message_members WHERE chat_id = @chat; " +
                "UPDATE message_chats SET deleted = 1 WHERE id = @chat",
                ("@chat", chatId), ("@bob", bobId));
        }

        await using (var host = await GroupTestKit.StartHostAsync(dataDirectory: directory.Path))
        {
            await using var bob = await host.SignedInClientAsync("bob_delresume", register: false);
            await WaitUntilAsync(() => host.CountRows($"message_chats WHERE id = {chatId} AND deleted = 2") == 1);
            host.CountRows($"message_messages WHERE chat_id = {chatId} AND deleted = 0").Should().Be(0);
            host.CountRows($"queue_updates WHERE owner_id = {-chatId}").Should().Be(0);
            host.CountRows("message_chat_farewells").Should().Be(0);
            (await bob.GetDifferenceAsync(bobPts)).Updates.Select(u => u.Update).OfType<ChatUpdate>().Should().ContainSingle()
                .Which.Chat.Should().Match<Chat>(c => c.Id == chatId && c.Deleted);
            await SessionTestKit.FailsWith(() => bob.GetHistoryAsync(Peer.Chat(chatId)), GroupErrorNames.ChatNotFound);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
