using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Groups;

/// <summary><c>groups.editPermissions</c>: what a group's plain members may do, and its slow mode.</summary>
public sealed class GroupPermissionsTests
{
    private static readonly ChatPermissions Everything = new(true, true, true, true, true, true);

    [Fact]
    public async Task NewChats_ShowWhatTheirMembersMayDo()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_defaults");

        var small = (await alice.Client.CreateGroupAsync("Small", [])).Chat;
        var large = (await alice.Client.CreateGroupAsync("Large", [], large: true)).Chat;
        var channel = (await alice.Client.CreateGroupAsync("News", [], broadcast: true)).Chat;

        small.Permissions.Should().Be(new ChatPermissions(true, true, true, AddMembers: true, PinMessages: true, ChangeInfo: false));
        large.Permissions.Should().Be(new ChatPermissions(true, true, true, AddMembers: false, PinMessages: false, ChangeInfo: false));
        channel.Permissions.Should().Be(new ChatPermissions(false, false, false, false, false, false, ManageTopics: false));
        (await alice.Client.GetFullChatAsync(small.Id)).Chat.Should().Match<Chat>(c => c.Permissions == small.Permissions && c.SlowMode == 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Members_WithoutTheRightToPost_PostNothingWhileAdminsDo(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_noposts");
        await using var bob = await host.MemberAsync("bob_noposts", listen: true);
        await using var carol = await host.MemberAsync("carol_noposts");
        var chat = (await alice.Client.CreateGroupAsync("Announcements", [bob.Id, carol.Id], large)).Chat;
        var peer = Peer.Chat(chat.Id);
        var fromBob = await bob.Client.SendMessageAsync(peer, "before the change");
        await alice.Client.SetAdminAsync(chat.Id, carol.Id, isAdmin: true);

        var changed = await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(SendMessages: false, SendMedia: false, SendPolls: false));

        changed.Message!.Action!.Kind.Should().Be(ServiceActions.EditPermissions);
        changed.Chat.Permissions!.SendMessages.Should().BeFalse();
        (await bob.NextAsync<MessageReceived>(e => e.Message.Action?.Kind == ServiceActions.EditPermissions)).Message.FromId.Should().Be(alice.Id);
        var file = await bob.Client.UploadFileAsync(new MemoryStream([1, 2, 3]), "notes.txt", "text/plain");
        await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "may I?"), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.SendMediaAsync(peer, file, "a file"), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.SendPollAsync(peer, "Lunch?", ["Yes", "No"]), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.ForwardMessagesAsync(peer, [fromBob.Message.Id], peer), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.ScheduleMessageAsync(peer, "later", DateTimeOffset.UtcNow.AddHours(1)),
            GroupErrorNames.ChatWriteForbidden);
        // What members may still do: read, react, answer polls.
        await bob.Client.SendReactionAsync(peer, fromBob.Message.Id, "👍");

        await alice.Client.SendMessageAsync(peer, "from the creator");
        await carol.Client.SendMessageAsync(peer, "from an admin");
        (await alice.Client.GetHistoryAsync(peer)).Where(m => m.Action is null).Select(m => m.Text)
            .Should().Equal("from an admin", "from the creator", "before the change");

        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions());
        await bob.Client.SendMessageAsync(peer, "thanks");
    }

    [Fact]
    public async Task Members_WithoutTheRightToPost_EditNothingTheyPostedBefore_ButStopTheirLiveLocation()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_noedits");
        await using var bob = await host.MemberAsync("bob_noedits");
        var chat = (await alice.Client.CreateGroupAsync("Announcements", [bob.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var text = await bob.Client.SendMessageAsync(peer, "before the change");
        var file = await bob.Client.UploadFileAsync(new MemoryStream([1, 2, 3]), "notes.txt", "text/plain");
        var media = await bob.Client.SendMediaAsync(peer, file, "a caption");
        var live = await bob.Client.SendLocationAsync(peer, new InputGeo(48.85, 2.35, LivePeriod: 900));

        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(SendMessages: false, SendMedia: false, SendPolls: false));

        await SessionTestKit.FailsWith(() => bob.Client.EditMessageAsync(peer, text.Message.Id, "changed"), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.EditMessageAsync(peer, media.Message.Id, "another caption"), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.EditLiveLocationAsync(peer, live.Message.Id, new InputGeo(48.86, 2.36)),
            GroupErrorNames.ChatWriteForbidden);
        (await bob.Client.StopLiveLocationAsync(peer, live.Message.Id)).Message.Geo!.Lat.Should().Be(48.85);
        (await alice.Client.GetHistoryAsync(peer)).Where(m => m.FromId == bob.Id).Select(m => m.Text)
            .Should().BeEquivalentTo(["before the change", "a caption", ""]);

        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions());
        (await bob.Client.EditMessageAsync(peer, text.Message.Id, "changed")).Message.Text.Should().Be("changed");
    }

    [Fact]
    public async Task AChannelAdmin_MadeASubscriberAgain_EditsNothingTheyPosted()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_chanedit");
        await using var bob = await host.MemberAsync("bob_chanedit");
        var chat = (await alice.Client.CreateGroupAsync("News", [bob.Id], broadcast: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: true);
        var post = await bob.Client.SendMessageAsync(peer, "a post");
        var live = await bob.Client.SendLocationAsync(peer, new InputGeo(48.85, 2.35, LivePeriod: 900));
        (await bob.Client.EditMessageAsync(peer, post.Message.Id, "a post, edited")).Message.Text.Should().Be("a post, edited");

        await alice.Client.SetAdminAsync(chat.Id, bob.Id, isAdmin: false);

        await SessionTestKit.FailsWith(() => bob.Client.EditMessageAsync(peer, post.Message.Id, "edited again"), GroupErrorNames.ChatWriteForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.EditLiveLocationAsync(peer, live.Message.Id, new InputGeo(48.86, 2.36)),
            GroupErrorNames.ChatWriteForbidden);
        (await alice.Client.GetHistoryAsync(peer)).Single(m => m.Id == post.Message.Id).Text.Should().Be("a post, edited");
    }

    [Fact]
    public async Task Members_WithoutFilesOrPolls_StillPostText()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_textonly");
        await using var bob = await host.MemberAsync("bob_textonly");
        var chat = (await alice.Client.CreateGroupAsync("Text only", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var file = await alice.Client.UploadFileAsync(new MemoryStream([1, 2, 3]), "plan.txt", "text/plain");
        var withFile = await alice.Client.SendMediaAsync(peer, file, "the plan");
        var poll = await alice.Client.SendPollAsync(peer, "Friday?", ["Yes", "No"]);

        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(SendMedia: false, SendPolls: false, AddMembers: true, PinMessages: true));

        var bobsFile = await bob.Client.UploadFileAsync(new MemoryStream([4, 5, 6]), "mine.txt", "text/plain");
        await SessionTestKit.FailsWith(() => bob.Client.SendMediaAsync(peer, bobsFile), GroupErrorNames.ChatSendMediaForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.ForwardMessagesAsync(peer, [withFile.Message.Id], peer), GroupErrorNames.ChatSendMediaForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.ScheduleMessageAsync(peer, "later", DateTimeOffset.UtcNow.AddHours(1), media: bobsFile),
            GroupErrorNames.ChatSendMediaForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.SendPollAsync(peer, "Saturday?", ["Yes", "No"]), GroupErrorNames.ChatSendPollForbidden);
        await SessionTestKit.FailsWith(() => bob.Client.ForwardMessagesAsync(peer, [poll.Message.Id], peer), GroupErrorNames.ChatSendPollForbidden);

        await bob.Client.SendMessageAsync(peer, "text is fine");
        (await bob.Client.ForwardMessagesAsync(peer, [(await alice.Client.SendMessageAsync(peer, "quote me")).Message.Id], peer)).Messages.Should().ContainSingle();
        await bob.Client.VoteAsync(peer, poll.Message.Id, [0]);
        await alice.Client.SendMediaAsync(peer, await alice.Client.UploadFileAsync(new MemoryStream([7]), "more.txt", "text/plain"));
    }

    [Fact]
    public async Task SlowMode_LetsAMemberPostOncePerPeriod_AndNotAdmins()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GroupTestKit.StartHostAsync(clock);
        await using var alice = await host.MemberAsync("alice_slow");
        await using var bob = await host.MemberAsync("bob_slow");
        await using var carol = await host.MemberAsync("carol_slow");
        var chat = (await alice.Client.CreateGroupAsync("Busy", [bob.Id, carol.Id], large: true)).Chat;
        var peer = Peer.Chat(chat.Id);
        var before = await bob.Client.SendMessageAsync(peer, "before slow mode");

        var changed = await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(), slowModeSeconds: 30);
        changed.Chat.SlowMode.Should().Be(30);
        changed.Message!.Action!.Period.Should().Be(30);

        const long randomId = 4242;
        var first = await bob.Client.SendMessageAsync(peer, "first", randomId: randomId);
        var wait = await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "second"), GroupErrorNames.SlowModeWait);
        wait.Code.Should().Be(420);
        wait.RetryAfterSeconds.Should().Be(30);
        // A resend of the post that counted is answered with it, not refused.
        (await bob.Client.SendMessageAsync(peer, "first", randomId: randomId)).Message.Id.Should().Be(first.Message.Id);
        await SessionTestKit.FailsWith(() => bob.Client.ForwardMessagesAsync(peer, [before.Message.Id], peer), GroupErrorNames.SlowModeWait);
        // Another member and the admins are not held back by bob's post.
        await carol.Client.SendMessageAsync(peer, "carol's turn");
        await alice.Client.SendMessageAsync(peer, "admin one");
        await alice.Client.SendMessageAsync(peer, "admin two");

        clock.Advance(TimeSpan.FromSeconds(29));
        (await SessionTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "second"), GroupErrorNames.SlowModeWait)).RetryAfterSeconds.Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await bob.Client.SendMessageAsync(peer, "second");

        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(), slowModeSeconds: 0);
        await bob.Client.SendMessageAsync(peer, "third");
        (await bob.Client.GetHistoryAsync(peer)).Where(m => m.FromId == bob.Id).Select(m => m.Text)
            .Should().Equal("third", "second", "first", "before slow mode");
    }

    [Fact]
    public async Task AddingPinningAndChangingInfo_FollowThePermissions()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_others");
        await using var bob = await host.MemberAsync("bob_others");
        await using var carol = await host.MemberAsync("carol_others");
        await using var dave = await host.MemberAsync("dave_others");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        var peer = Peer.Chat(chat.Id);
        var message = await alice.Client.SendMessageAsync(peer, "agenda");

        await SessionTestKit.FailsWith(() => bob.Client.EditTitleAsync(chat.Id, "Bob's team"), GroupErrorNames.ChatAdminRequired);
        await bob.Client.PinMessageAsync(peer, message.Message.Id);
        await bob.Client.AddMembersAsync(chat.Id, [carol.Id]);

        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(AddMembers: false, PinMessages: false, ChangeInfo: true));

        await SessionTestKit.FailsWith(() => bob.Client.UnpinMessageAsync(peer), GroupErrorNames.ChatAdminRequired);
        await SessionTestKit.FailsWith(() => bob.Client.AddMembersAsync(chat.Id, [dave.Id]), GroupErrorNames.ChatAdminRequired);
        (await bob.Client.EditTitleAsync(chat.Id, "Bob's team")).Chat.Title.Should().Be("Bob's team");
        await bob.Client.EditAboutAsync(chat.Id, "Renamed by a member");
        await SessionTestKit.FailsWith(() => bob.Client.EditPermissionsAsync(chat.Id, Everything), GroupErrorNames.ChatAdminRequired);
        (await alice.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().NotContain(dave.Id);
    }

    [Fact]
    public async Task ASmallGroupGrowingLarge_TakesAddingAndPinningFromMembers_AndKeepsTheRest()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_grows");
        await using var bob = await host.MemberAsync("bob_grows");
        var others = await host.RegisterUsersAsync("grows_", GroupTestKit.SmallGroupLimit);
        var chat = (await alice.Client.CreateGroupAsync("Growing", [bob.Id])).Chat;
        await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(SendPolls: false, AddMembers: true, PinMessages: true, ChangeInfo: true), 60);

        var grown = await bob.Client.AddMembersAsync(chat.Id, others);

        grown.Chat.Kind.Should().Be(ChatKind.LargeGroup);
        grown.Chat.Permissions.Should().Be(new ChatPermissions(SendPolls: false, AddMembers: false, PinMessages: false, ChangeInfo: true));
        grown.Chat.SlowMode.Should().Be(60);
    }

    [Fact]
    public async Task BadRequests_AreRefusedByName_AndChangeNothing()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_badperms");
        await using var bob = await host.MemberAsync("bob_badperms");
        await using var mallory = await host.MemberAsync("mallory_badperms");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        var channel = (await alice.Client.CreateGroupAsync("News", [bob.Id], broadcast: true)).Chat;

        await SessionTestKit.FailsWith(() => alice.Client.CallAsync(new EditPermissionsCall(chat.Id, null)), GroupErrorNames.PermissionsInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.EditPermissionsAsync(chat.Id, Everything, 7), GroupErrorNames.SlowModeInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.EditPermissionsAsync(chat.Id, Everything, -10), GroupErrorNames.SlowModeInvalid);
        await SessionTestKit.FailsWith(() => alice.Client.EditPermissionsAsync(chat.Id, chat.Permissions!), GroupErrorNames.ChatNotModified);
        await SessionTestKit.FailsWith(() => alice.Client.EditPermissionsAsync(channel.Id, Everything), GroupErrorNames.ChatTypeInvalid);
        await SessionTestKit.FailsWith(() => bob.Client.EditPermissionsAsync(chat.Id, Everything), GroupErrorNames.ChatAdminRequired);
        await SessionTestKit.FailsWith(() => mallory.Client.EditPermissionsAsync(chat.Id, Everything), GroupErrorNames.ChatNotFound);
        await SessionTestKit.FailsWith(() => alice.Client.EditPermissionsAsync(987_654, Everything), GroupErrorNames.ChatNotFound);
        (await alice.Client.GetFullChatAsync(chat.Id)).Chat.Permissions.Should().Be(chat.Permissions);

        // Files and polls without posting are not kept: nothing a member could use.
        var changed = await alice.Client.EditPermissionsAsync(chat.Id, new ChatPermissions(SendMessages: false, SendMedia: true, SendPolls: true));
        changed.Chat.Permissions.Should().Be(new ChatPermissions(false, false, false));
    }

    [Fact]
    public async Task PermissionsAndSlowMode_SurviveARestart()
    {
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        long chatId;
        await using (var host = await SessionTestKit.StartHostAsync(clock: clock, dataDirectory: data.Path))
        {
            await using var alice = await host.MemberAsync("alice_kept");
            await using var bob = await host.MemberAsync("bob_kept");
            chatId = (await alice.Client.CreateGroupAsync("Kept", [bob.Id])).Chat.Id;
            await alice.Client.EditPermissionsAsync(chatId, new ChatPermissions(SendMedia: false), 300);
            await bob.Client.SendMessageAsync(Peer.Chat(chatId), "counted");
        }

        clock.Advance(TimeSpan.FromSeconds(100));
        await using (var host = await SessionTestKit.StartHostAsync(clock: clock, dataDirectory: data.Path))
        {
            await using var bob = await host.SignedInClientAsync("bob_kept", register: false);
            var full = await bob.GetFullChatAsync(chatId);
            full.Chat.Permissions.Should().Be(new ChatPermissions(SendMedia: false));
            full.Chat.SlowMode.Should().Be(300);
            (await SessionTestKit.FailsWith(() => bob.SendMessageAsync(Peer.Chat(chatId), "too soon"), GroupErrorNames.SlowModeWait))
                .RetryAfterSeconds.Should().Be(200);
        }
    }
}
