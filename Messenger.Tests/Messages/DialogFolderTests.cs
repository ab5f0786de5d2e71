using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>Chat folders (<c>messages.getDialogFilters</c>, <c>updateDialogFilter</c>, <c>updateDialogFiltersOrder</c>):
/// kept on the server, the same on every device of the user, nobody else's business.</summary>
public sealed class DialogFolderTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Folders_AreKeptInOrder_AndEveryDeviceOfTheUserIsTold_LiveOrOnCatchingUp()
    {
        await using var alice = await _host.SignUpAsync("alice_fold");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_fold");
        var aliceTablet = await _host.SignInAnotherDeviceAsync("alice_fold");
        await using var bob = await _host.SignUpAsync("bob_fold");
        var group = await alice.Client.CreateGroupAsync("Team", [bob.UserId]);
        var tabletPts = (await aliceTablet.Client.GetStateAsync()).Pts;
        await aliceTablet.DisposeAsync();

        var work = new DialogFilter(2, "  Work  ", Groups: true, ExcludeMuted: true, IncludePeers: [bob.Peer]);
        (await alice.Client.SaveDialogFilterAsync(work)).PtsCount.Should().Be(1);
        await alice.Client.SaveDialogFilterAsync(new DialogFilter(7, "Unread 📬", PrivateChats: true, Bots: true, ExcludeRead: true));

        var told = await alicePhone.NextAsync<DialogFilterChanged>();
        told.Id.Should().Be(2);
        told.Filter!.Title.Should().Be("Work", "the title is kept trimmed");
        told.Filter.IncludePeers.Should().Equal(bob.Peer);
        told.Filter.ExcludePeers.Should().BeEmpty();
        (await alicePhone.NextAsync<DialogFilterChanged>()).Id.Should().Be(7);
        var folders = await alicePhone.Client.GetDialogFiltersAsync();
        folders.Select(f => f.Id).Should().Equal(2, 7);
        folders[0].Should().BeEquivalentTo(work with { Title = "Work", ExcludePeers = [] });
        (await bob.Client.GetDialogFiltersAsync()).Should().BeEmpty("folders are their owner's own");

        (await alice.Client.ReorderDialogFiltersAsync([7, 2])).PtsCount.Should().Be(1);
        (await alicePhone.NextAsync<DialogFiltersReordered>()).Order.Should().Equal(7, 2);
        (await alice.Client.ReorderDialogFiltersAsync([7, 2])).PtsCount.Should().Be(0, "in that order already");

        await alice.Client.SaveDialogFilterAsync(work with { Title = "Job", ExcludePeers = [Peer.Chat(group.Chat.Id)] });
        (await alicePhone.NextAsync<DialogFilterChanged>()).Filter!.Title.Should().Be("Job");
        (await alice.Client.GetDialogFiltersAsync()).Select(f => f.Title).Should().Equal("Unread 📬", "Job");

        await alice.Client.DeleteDialogFilterAsync(7);
        (await alicePhone.NextAsync<DialogFilterChanged>()).Should().Match<DialogFilterChanged>(e => e.Id == 7 && e.Filter == null);
        (await alice.Client.DeleteDialogFilterAsync(7)).PtsCount.Should().Be(0, "deleted already");
        await alice.Client.SaveDialogFilterAsync(new DialogFilter(3, "New", Channels: true));
        (await alice.Client.GetDialogFiltersAsync()).Select(f => f.Id).Should().Equal([2, 3], "a new folder goes last");

        await using var tabletAgain = await _host.ReconnectAsync(aliceTablet, tabletPts);
        var caughtUp = await tabletAgain.ReadUntilAsync(e => e is DialogFilterChanged { Id: 3 });
        caughtUp.OfType<DialogFilterChanged>().Select(e => (e.Id, e.Filter?.Title)).Should().Equal(
            (2, "Work"), (7, "Unread 📬"), (2, "Job"), (7, null), (3, "New"));
        caughtUp.OfType<DialogFiltersReordered>().Single().Order.Should().Equal(7, 2);
    }

    [Fact]
    public async Task BadFolders_AreRefusedByName_AndChangeNothing()
    {
        await using var alice = await _host.SignUpAsync("alice_badfold");
        await using var bob = await _host.SignUpAsync("bob_badfold");
        await using var carol = await _host.SignUpAsync("carol_badfold");
        var foreign = await bob.Client.CreateGroupAsync("Not alice's", [carol.UserId]);
        var ok = new DialogFilter(2, "Ok", Groups: true);
        await alice.Client.SaveDialogFilterAsync(ok);
        var pts = (await alice.Client.GetStateAsync()).Pts;

        foreach (var id in new[] { 0, 1, 256, -3 })
        {
            await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { Id = id }), DialogFolderErrorNames.FilterIdInvalid);
            await ChatTestKit.FailsWith(() => alice.Client.DeleteDialogFilterAsync(id), DialogFolderErrorNames.FilterIdInvalid);
        }

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new UpdateDialogFilterCall(3, ok)), DialogFolderErrorNames.FilterIdInvalid);
        foreach (var title in new[] { "", "   ", "Thirteen char", new string('x', 200), "a" + new string('\u0301', 70), null! })
        {
            await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { Title = title }), DialogFolderErrorNames.FilterTitleInvalid);
        }

        await alice.Client.SaveDialogFilterAsync(new DialogFilter(4, "👨‍👩‍👧‍👦 family 🏠🏠🏠", IncludePeers: [bob.Peer]));
        await alice.Client.DeleteDialogFilterAsync(4);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(new DialogFilter(3, "Nothing")), DialogFolderErrorNames.FilterIncludeEmpty);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(new DialogFilter(3, "Only out", ExcludePeers: [bob.Peer])),
            DialogFolderErrorNames.FilterIncludeEmpty);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { IncludePeers = [bob.Peer, bob.Peer] }), DialogFolderErrorNames.FilterPeersInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { IncludePeers = [bob.Peer], ExcludePeers = [bob.Peer] }),
            DialogFolderErrorNames.FilterPeersInvalid);
        await ChatTestKit.FailsWith(
            () => alice.Client.SaveDialogFilterAsync(ok with { ExcludePeers = [.. Enumerable.Range(1, 101).Select(i => Peer.User(i))] }),
            DialogFolderErrorNames.FilterPeersInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { IncludePeers = [Peer.User(987654)] }), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { IncludePeers = [new Peer((PeerKind)9, 1)] }), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { ExcludePeers = [null!] }), MessageErrorNames.PeerIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(ok with { ExcludePeers = [Peer.Chat(foreign.Chat.Id)] }),
            GroupErrorNames.ChatNotFound, 404);

        foreach (var order in new[] { new[] { 2, 2 }, [], [2, 3], [5], [.. Enumerable.Range(2, 11)] })
        {
            await ChatTestKit.FailsWith(() => alice.Client.ReorderDialogFiltersAsync(order), DialogFolderErrorNames.FilterOrderInvalid);
        }

        await ChatTestKit.FailsWith(() => alice.Client.CallAsync(new UpdateDialogFiltersOrderCall(null!)), DialogFolderErrorNames.FilterOrderInvalid);
        (await alice.Client.GetStateAsync()).Pts.Should().Be(pts + 2, "only the folder saved and deleted on purpose moved the log");
        (await alice.Client.GetDialogFiltersAsync()).Should().ContainSingle().Which.Should().BeEquivalentTo(ok with { IncludePeers = [], ExcludePeers = [] });
        (await bob.SendAsync(alice, "still fine")).Message.Text.Should().Be("still fine");
    }

    [Fact]
    public async Task TenFoldersAtMost_AChatNoLongerUsableStaysNamed_AndAccountDeletionTakesThem()
    {
        await using var bob = await _host.SignUpAsync("bob_tenfold"); // the first user is the server's admin: bob
        await using var alice = await _host.SignUpAsync("alice_tenfold");
        var group = await bob.Client.CreateGroupAsync("Club", [alice.UserId]);
        for (var id = 2; id < 2 + DialogFolderLimits.MaxFolders; id++)
        {
            await alice.Client.SaveDialogFilterAsync(new DialogFilter(id, $"F{id}", PrivateChats: true));
        }

        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(new DialogFilter(200, "Eleventh", Groups: true)), DialogFolderErrorNames.FiltersTooMuch);
        var clubFolder = new DialogFilter(2, "Club", IncludePeers: [Peer.Chat(group.Chat.Id)]);
        await alice.Client.SaveDialogFilterAsync(clubFolder);
        await alice.Client.ReorderDialogFiltersAsync([.. Enumerable.Range(2, 10).Reverse()]);

        await alice.Client.LeaveGroupAsync(group.Chat.Id);
        await alice.Client.SaveDialogFilterAsync(clubFolder with { Title = "Old club", Bots = true });
        (await alice.Client.GetDialogFiltersAsync()).Last().Should().Match<DialogFilter>(f => f.Title == "Old club" && f.IncludePeers!.Length == 1);
        await ChatTestKit.FailsWith(() => alice.Client.SaveDialogFilterAsync(new DialogFilter(3, "Club again", IncludePeers: [Peer.Chat(group.Chat.Id)])),
            GroupErrorNames.ChatNotFound, 404);

        _host.CountRows("message_dialog_folders").Should().Be(10);
        await alice.Client.DeleteAccountAsync(SessionTestKit.Password);
        await SessionTestKit.WaitUntil(() => _host.CountRows("message_dialog_folders") == 0);
    }

    [Fact]
    public async Task Folders_SurviveARestart()
    {
        using var data = new TempDirectory();
        var folder = new DialogFilter(9, "Kept", Channels: true, ExcludeArchived: true);
        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignUpAsync("alice_keepfold");
            await alice.Client.SaveDialogFilterAsync(folder);
            await alice.Client.SaveDialogFilterAsync(folder with { Id = 4, Title = "Second" });
            await alice.Client.ReorderDialogFiltersAsync([4, 9]);
        }

        await using (var host = await SessionTestKit.StartHostAsync(dataDirectory: data.Path))
        {
            await using var alice = await host.SignedInClientAsync("alice_keepfold", register: false);
            (await alice.GetDialogFiltersAsync()).Should().BeEquivalentTo(
                [folder with { Id = 4, Title = "Second", IncludePeers = [], ExcludePeers = [] }, folder with { IncludePeers = [], ExcludePeers = [] }],
                o => o.WithStrictOrdering());
        }
    }

    [Fact]
    public void Contains_FollowsTheFolderRules()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var bob = Peer.User(5);
        var dialog = new Dialog(bob, null, UnreadCount: 2, 0, 0, 0, 0);
        var people = new DialogFilter(2, "People", PrivateChats: true);

        people.Contains(dialog, DialogKind.Person, now).Should().BeTrue();
        people.Contains(dialog, DialogKind.Bot, now).Should().BeFalse();
        (people with { Bots = true }).Contains(dialog, DialogKind.Bot, now).Should().BeTrue();
        new DialogFilter(2, "Groups", Groups: true).Contains(dialog with { Peer = Peer.Chat(3) }, DialogKind.Group, now).Should().BeTrue();
        new DialogFilter(2, "Groups", Groups: true).Contains(dialog with { Peer = Peer.Chat(3) }, DialogKind.Channel, now).Should().BeFalse();
        (people with { ExcludePeers = [bob] }).Contains(dialog, DialogKind.Person, now).Should().BeFalse();
        (people with { ExcludeMuted = true }).Contains(dialog with { MuteUntil = now.ToUnixTimeSeconds() + 1 }, DialogKind.Person, now).Should().BeFalse();
        (people with { ExcludeMuted = true }).Contains(dialog with { MuteUntil = now.ToUnixTimeSeconds() }, DialogKind.Person, now).Should().BeTrue("the mute ran out");
        (people with { ExcludeRead = true }).Contains(dialog with { UnreadCount = 0 }, DialogKind.Person, now).Should().BeFalse();
        (people with { ExcludeRead = true }).Contains(dialog with { UnreadCount = 0, UnreadMark = true }, DialogKind.Person, now).Should().BeTrue();
        (people with { ExcludeArchived = true }).Contains(dialog with { Archived = true }, DialogKind.Person, now).Should().BeFalse();
        new DialogFilter(2, "Named", ExcludeArchived: true, ExcludeRead: true, IncludePeers: [bob])
            .Contains(dialog with { Archived = true, UnreadCount = 0 }, DialogKind.Bot, now).Should().BeTrue("a chat the folder names is in it whatever it is");
        DialogFolders.FreeId([people, people with { Id = 3 }, people with { Id = 5 }]).Should().Be(4);
        DialogFolders.FreeId(Enumerable.Range(2, 254).Select(id => people with { Id = id })).Should().BeNull();
    }
}
