using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Contracts.Users;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Storage;
using Messenger.Media.Uploads;
using Messenger.Session.Account;
using Messenger.Session.Storage;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Update.Online;
using Messenger.Update.Presence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>account.deleteAccount. The first account of a server is its admin, so each test signs one up first.</summary>
public sealed class AccountDeletionTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private Device _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await StartHostAsync();
        _admin = await _host.SignUpAsync("the_admin");
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task DeleteAccount_SignsOutEveryDevice_FreesTheUsername_AndThePeerKeepsTheHistory()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var alicePhone = await _host.SignInAnotherDeviceAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        var hello = await alice.SendAsync(bob, "hello bob");
        await bob.SendAsync(alice, "hello alice");
        // Bob's device reports the message delivered (into Alice's log) on its own: let it land before she goes.
        await alice.NextAsync<MessagesDelivered>(d => d.MaxId == hello.Message.Id);
        await alice.Client.MuteChatAsync(bob.Peer, DateTimeOffset.UtcNow.AddDays(1));

        await FailsWith(() => alice.Client.DeleteAccountAsync("not my password"), "PASSWORD_INVALID");
        await alice.Client.DeleteAccountAsync(Password);

        await FailsWith(() => alicePhone.Client.GetDialogsAsync(), "AUTH_KEY_UNREGISTERED");
        await FailsWith(() => alice.Client.GetDialogsAsync(), "AUTH_KEY_UNREGISTERED");
        await using (var stranger = await _host.ConnectAsync())
        {
            await FailsWith(() => stranger.SignInAsync("alice_1", Password, "Laptop", "linux"), "CREDENTIALS_INVALID");
        }

        var deleted = (await bob.Client.GetUsersAsync([alice.UserId])).Single();
        deleted.Should().Be(new User(alice.UserId, "", "Deleted Account", "", Deleted: true));
        (await bob.Client.SearchUsersAsync("alice")).Should().BeEmpty();
        (await _admin.Client.ListUsersAsync(0, 100)).Users.Single(u => u.Id == alice.UserId)
            .Should().Match<AdminUser>(u => u.Deleted && u.Username == "" && u.Devices == 0 && !u.IsAdmin);
        // Not online at once (without a leaving device's grace); a deleted account has no chat list, so the default
        // "Chats" rule, read from the target's side, shows nothing at all.
        (await bob.Client.GetStatusesAsync([alice.UserId])).Should().NotContain(s => s.Online);
        (await bob.Client.GetHistoryAsync(alice.Peer)).Select(m => m.Text).Should().Equal("hello alice", "hello bob");
        await ChatTestKit.FailsWith(() => bob.SendAsync(alice, "are you there?"), MessageErrorNames.UserDeleted);
        await ChatTestKit.FailsWith(() => _admin.SendAsync(alice, "a first message"), MessageErrorNames.PeerIdInvalid);
        (await bob.Client.GetDialogsAsync()).Items.Select(d => d.Peer).Should().Contain(alice.Peer, "the chat stays in the peer's list");

        await using var newAlice = await _host.SignUpAsync("alice_1");
        newAlice.UserId.Should().NotBe(alice.UserId, "the name is free again, for a new account");
        (await newAlice.Client.GetDialogsAsync()).Items.Should().BeEmpty();
        await bob.SendAsync(newAlice, "welcome");
        (await newAlice.ReceiveUntilAsync("welcome")).Select(r => r.Message.Text).Should().Equal("welcome");
        (await bob.Client.GetHistoryAsync(alice.Peer)).Should().HaveCount(2);

        RowsOf("queue_updates", "owner_id", alice.UserId).Should().Be(0, "the update log, with copies of every message, is erased");
        RowsOf("message_dialogs", "user_id", alice.UserId).Should().Be(0);
        RowsOf("message_notify", "user_id", alice.UserId).Should().Be(0);
        RowsOf("session_authorizations", "user_id", alice.UserId).Should().Be(0);
        RowsOf("queue_updates", "owner_id", bob.UserId).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task DeleteAccount_LeavesEveryGroup_AndPassesACreatorsRoleToAnAdminFirst()
    {
        await using var alice = await _host.SignUpAsync("alice_1");
        await using var bob = await _host.SignUpAsync("bob_one");
        await using var carol = await _host.SignUpAsync("carol_1");
        var team = (await alice.Client.CreateGroupAsync("team", [bob.UserId, carol.UserId])).Chat.Id;
        await alice.Client.SetAdminAsync(team, carol.UserId, isAdmin: true);
        var news = (await alice.Client.CreateGroupAsync("news", [bob.UserId], large: true, broadcast: true)).Chat.Id;

        await alice.Client.DeleteAccountAsync(Password);

        var left = await bob.NextAsync<MessageReceived>(r => r.Message.Action?.Kind == ServiceActions.Leave && r.Peer == Peer.Chat(team));
        left.Message.FromId.Should().Be(alice.UserId);
        var full = await carol.Client.GetFullChatAsync(team);
        full.Chat.CreatorId.Should().Be(carol.UserId, "the admin takes over before a plain member");
        full.Chat.MemberCount.Should().Be(2);
        full.Members.Select(m => (m.UserId, m.Role)).Should().BeEquivalentTo([(bob.UserId, MemberRole.Member), (carol.UserId, MemberRole.Creator)]);
        await carol.Client.SetAdminAsync(team, bob.UserId, isAdmin: true);

        (await bob.Client.GetFullChatAsync(news)).MyRole.Should().Be(MemberRole.Creator, "the only member left takes over the channel");
        await bob.Client.SendMessageAsync(Peer.Chat(news), "still here");
        RowsOf("message_members", "user_id", alice.UserId).Should().Be(0);
    }

    [Fact]
    public async Task DeleteAccount_OfTheOnlyAdmin_IsRefused_AndWrongPasswordsLockItOut()
    {
        await FailsWith(() => _admin.Client.DeleteAccountAsync(Password), "LAST_ADMIN");
        await FailsWith(() => _admin.Client.DeleteAccountAsync(null!), "PASSWORD_INVALID");
        await FailsWith(() => _admin.Client.DeleteAccountAsync(new string('p', 1025)), "PASSWORD_INVALID");
        (await _admin.Client.GetDialogsAsync()).Items.Should().BeEmpty("the account is untouched");

        await using var alice = await _host.SignUpAsync("alice_1");
        for (var i = 0; i < 5; i++)
        {
            await FailsWith(() => alice.Client.DeleteAccountAsync($"guess {i}"), "PASSWORD_INVALID");
        }

        await FailsWith(() => alice.Client.DeleteAccountAsync(Password), "FLOOD_WAIT");
        (await _admin.Client.GetUsersAsync([alice.UserId])).Single().Deleted.Should().BeFalse();
    }

    [Fact]
    public async Task SetUserAdmin_WhenTheOtherAdminIsBlocked_TheLastAbleAdminMayNeitherStepDownNorGo()
    {
        await using var bob = await _host.SignUpAsync("bob_one");
        await _admin.Client.SetUserAdminAsync(bob.UserId, isAdmin: true);
        await _admin.Client.SetUserBlockedAsync(bob.UserId, blocked: true);

        await FailsWith(() => _admin.Client.SetUserAdminAsync(_admin.UserId, isAdmin: false), "LAST_ADMIN");
        await FailsWith(() => _admin.Client.DeleteAccountAsync(Password), "LAST_ADMIN");
        await _admin.Client.SetUserAdminAsync(bob.UserId, isAdmin: false);
        (await _admin.Client.ListUsersAsync(0, 10)).Users.Where(u => u.IsAdmin).Select(u => u.Id).Should().Equal(_admin.UserId);
    }

    [Fact]
    public async Task SetBlocked_OfTheLastAbleAdmin_IsRefused()
    {
        // Over the API the admin who blocks is another able admin (blocking oneself is USER_IS_SELF): the store guards the rest.
        var store = _host.Services.GetRequiredService<SessionStore>();
        await using var bob = await _host.SignUpAsync("bob_one");
        await _admin.Client.SetUserAdminAsync(bob.UserId, isAdmin: true);
        await _admin.Client.SetUserBlockedAsync(bob.UserId, blocked: true);

        var refused = (await store.Invoking(s => s.SetBlockedAsync(_admin.UserId, true, new AuditRecord(0, 0, AuditActions.BlockUser, _admin.UserId)))
            .Should().ThrowAsync<MessengerError>()).Which;
        refused.Name.Should().Be("LAST_ADMIN");
        (await _admin.Client.ListUsersAsync(0, 10)).Users.Single(u => u.Id == _admin.UserId).IsBlocked.Should().BeFalse();
    }

    [Fact]
    public async Task SetUserAdmin_OfABot_FailsUserIsBot_AndABotMadeAdminEarlierIsNoAdminToStepDownFor()
    {
        var bot = await _admin.Client.CreateBotAsync("helper_bot", "Helper");

        await FailsWith(() => _admin.Client.SetUserAdminAsync(bot.Bot.Id, isAdmin: true), "USER_IS_BOT");
        // As a server from before the refusal may hold it.
        await _host.Services.GetRequiredService<StorageWriter>().WriteAsync(scope =>
            scope.Execute("UPDATE session_users SET is_admin = 1 WHERE id = @id", ("@id", bot.Bot.Id)));
        await FailsWith(() => _admin.Client.SetUserAdminAsync(_admin.UserId, isAdmin: false), "LAST_ADMIN");
        await _admin.Client.SetUserAdminAsync(bot.Bot.Id, isAdmin: false);
    }

    [Fact]
    public async Task SetUserAdmin_NamesAnotherAdmin_AfterWhichTheFirstMayStepDownOrGo()
    {
        await using var bob = await _host.SignUpAsync("bob_one");
        await FailsWith(() => bob.Client.ListUsersAsync(0, 10), "ADMIN_REQUIRED");
        await FailsWith(() => bob.Client.SetUserAdminAsync(bob.UserId, isAdmin: true), "ADMIN_REQUIRED");
        await FailsWith(() => _admin.Client.SetUserAdminAsync(_admin.UserId, isAdmin: false), "LAST_ADMIN");
        await FailsWith(() => _admin.Client.SetUserAdminAsync(999_999, isAdmin: true), "USER_ID_INVALID");

        await _admin.Client.SetUserAdminAsync(bob.UserId, isAdmin: true);

        (await bob.Client.ListUsersAsync(0, 10)).Users.Where(u => u.IsAdmin).Select(u => u.Id).Should().BeEquivalentTo([_admin.UserId, bob.UserId]);
        await _admin.Client.SetUserAdminAsync(_admin.UserId, isAdmin: false);
        await FailsWith(() => _admin.Client.ListUsersAsync(0, 10), "ADMIN_REQUIRED");
        await FailsWith(() => bob.Client.SetUserAdminAsync(bob.UserId, isAdmin: false), "LAST_ADMIN");
        await bob.Client.SetUserAdminAsync(_admin.UserId, isAdmin: true);
        await _admin.Client.DeleteAccountAsync(Password);
        await FailsWith(() => bob.Client.SetUserAdminAsync(_admin.UserId, isAdmin: true), "USER_ID_INVALID");
        (await bob.Client.ListUsersAsync(0, 10)).Users.Where(u => u.IsAdmin).Select(u => u.Id).Should().Equal(bob.UserId);
    }

    [Fact]
    public async Task DeleteAccount_OfUsersWhoWereOnlineSetTheirPrivacyAndUploaded_LeavesNothingOfThemInMemory()
    {
        var presence = _host.Services.GetRequiredService<PresenceTracker>();
        var online = _host.Services.GetRequiredService<OnlineDevices>();
        var uploads = _host.Services.GetRequiredService<UploadStore>();
        var privacy = _host.Services.GetRequiredService<PrivacyBook>();
        // The admin is online and has the defaults; nobody has uploaded.
        await SessionTestKit.WaitUntil(() => presence.Tracked == 1);
        var (statuses, uploaders, settings) = (1, 0, 0);
        (uploads.UsersHeld, privacy.Held).Should().Be((uploaders, settings));
        for (var i = 0; i < 3; i++)
        {
            await using var user = await _host.SignUpAsync($"churn_user{i}", startEvents: false);
            await user.Client.SetPrivacyAsync(new PrivacySettings(PrivacyRule.Nobody, PrivacyRule.Everybody, PrivacyRule.Everybody));
            await user.Client.CallAsync(new SaveFilePartCall(1, 0, 2, new byte[1024]));
            await user.Client.CallAsync(new SaveFilePartCall(2, 0, 2, new byte[1024]));
            await user.Client.CancelUploadAsync(1);
            uploads.UsersHeld.Should().Be(uploaders + 1, "an upload is still open");
            await user.Client.CancelUploadAsync(2);
            uploads.UsersHeld.Should().Be(uploaders, "an uploader with no upload open leaves no entry");
            privacy.Held.Should().Be(settings + 1);
            await SessionTestKit.WaitUntil(() => presence.Tracked == statuses + 1);

            await user.Client.DeleteAccountAsync(Password);

            // Its device's connection closes after the answer: gone from those online, it leaves no status behind either.
            await SessionTestKit.WaitUntil(() => !online.IsOnline(user.UserId));
            presence.Tracked.Should().Be(statuses);
            presence.Current(user.UserId).Should().Be(new UserStatusUpdate(user.UserId, false, 0));
            privacy.Held.Should().Be(settings);
            RowsOf("session_privacy", "user_id", user.UserId).Should().Be(0);
        }

        await _admin.Client.SetPrivacyAsync(new PrivacySettings(PrivacyRule.Contacts, PrivacyRule.Everybody, PrivacyRule.Everybody));
        (await _admin.Client.GetPrivacyAsync()).LastSeen.Should().Be(PrivacyRule.Contacts, "those who stay keep theirs");
        uploads.UsersHeld.Should().Be(uploaders);
    }

    [Fact]
    public async Task Start_AfterADeletionWhoseCleanUpNeverRan_FinishesIt()
    {
        using var directory = new TempDirectory();
        long aliceId, bobId, team;
        await using (var before = await StartHostAsync(dataDirectory: directory.Path))
        {
            await using var admin = await before.SignUpAsync("the_admin");
            await using var alice = await before.SignUpAsync("alice_1");
            await using var bob = await before.SignUpAsync("bob_one");
            team = (await alice.Client.CreateGroupAsync("team", [bob.UserId])).Chat.Id;
            (aliceId, bobId) = (alice.UserId, bob.UserId);
        }

        // What a crash right after the Session module's unit leaves behind: the account deleted, its clean-up not run.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory.Path, "messenger.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE session_users SET username = '', username_key = '~' || id, password_hash = '', is_admin = 0 WHERE id = @user; " +
                "DELETE FROM session_authorizations WHERE user_id = @user";
            command.Parameters.AddWithValue("@user", aliceId);
            command.ExecuteNonQuery();
        }

        RowsOf(directory.Path, "message_members", "user_id", aliceId).Should().Be(1);
        await using var after = await StartHostAsync(dataDirectory: directory.Path);
        await using var bobAgain = await after.SignInAnotherDeviceAsync("bob_one");

        using var timeout = new CancellationTokenSource(ChatTestKit.EventTimeout);
        while ((await bobAgain.Client.GetFullChatAsync(team)).Chat.MemberCount != 1)
        {
            await Task.Delay(50, timeout.Token);
        }

        (await bobAgain.Client.GetFullChatAsync(team)).Chat.CreatorId.Should().Be(bobId);
        RowsOf(directory.Path, "message_members", "user_id", aliceId).Should().Be(0);
        // Each module drops its part in turn (the event's handlers run one after another): the log may go a moment later.
        await SessionTestKit.WaitUntil(() => RowsOf(directory.Path, "queue_updates", "owner_id", aliceId) == 0);
    }

    private long RowsOf(string table, string column, long userId) => RowsOf(_host.DataDirectory, table, column, userId);

    private static long RowsOf(string dataDirectory, string table, string column, long userId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "messenger.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table} WHERE {column} = @user";
        command.Parameters.AddWithValue("@user", userId);
        return (long)command.ExecuteScalar()!;
    }
}
