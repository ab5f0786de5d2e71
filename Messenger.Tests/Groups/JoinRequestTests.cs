using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Messages;

namespace Messenger.Tests.Groups;

/// <summary>Invite links that admins list and revoke, a code's preview, and links whose joins an admin approves
/// (<c>groups.checkInvite</c>, <c>getInvites</c>, <c>revokeInvite</c>, <c>getJoinRequests</c>, <c>hideJoinRequest</c>).</summary>
public sealed class JoinRequestTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARequestLink_KeepsRequestsForTheAdmins_WhoApproveOrDecline(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_req", listen: true);
        await using var dave = await host.MemberAsync("dave_req", listen: true);
        await using var bob = await host.MemberAsync("bob_req", listen: true);
        await using var carol = await host.MemberAsync("carol_req");
        var chat = (await alice.Client.CreateGroupAsync("Book club", [dave.Id], large)).Chat;
        await alice.Client.SetAdminAsync(chat.Id, dave.Id, true);
        var invite = await alice.Client.ExportInviteAsync(chat.Id, requestNeeded: true);
        invite.Should().Match<ChatInvite>(i => i.RequestNeeded && !i.Revoked && i.CreatedBy == alice.Id && i.Date > 0);

        (await bob.Client.CheckInviteAsync(invite.Code)).Should().Be(
            new InvitePreview("Book club", "", large ? ChatKind.LargeGroup : ChatKind.Group, 2, RequestNeeded: true, Requested: false, ChatId: 0));
        await ChatTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteRequestSent);
        await ChatTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteRequestSent);
        await ChatTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.InviteRequestSent);
        (await bob.Client.CheckInviteAsync(invite.Code)).Requested.Should().BeTrue();
        await ChatTestKit.FailsWith(() => bob.Client.GetFullChatAsync(chat.Id), GroupErrorNames.ChatNotFound, 404);

        // Both admins are told how many wait, once per new request (a repeat adds nothing).
        foreach (var admin in new[] { alice, dave })
        {
            (await admin.NextAsync<PendingJoinRequestsChanged>()).Should().Match<PendingJoinRequestsChanged>(e => e.ChatId == chat.Id && e.Count == 1);
            var second = await admin.NextAsync<PendingJoinRequestsChanged>();
            second.Count.Should().Be(2);
            second.RecentRequesters.Should().Equal(carol.Id, bob.Id);
        }

        var requests = await dave.Client.GetJoinRequestsAsync(chat.Id);
        requests.Total.Should().Be(2);
        requests.Requests.Select(r => r.UserId).Should().Equal(bob.Id, carol.Id);

        await dave.Client.HideJoinRequestAsync(chat.Id, bob.Id, approved: true);
        var joined = await bob.NextAsync<ChatUpdated>(e => e.IsMember);
        joined.Chat.Id.Should().Be(chat.Id);
        // The service message (in a large group, from the chat's own log) and the admins' new count, in either order.
        MessageReceived? service = null;
        PendingJoinRequestsChanged? pending = null;
        while (service is null || pending is null)
        {
            var next = await alice.NextAsync<MessengerEvent>(e => e is PendingJoinRequestsChanged or MessageReceived { Message.Action: not null });
            service ??= next as MessageReceived;
            pending ??= next as PendingJoinRequestsChanged;
        }

        service.Message.FromId.Should().Be(bob.Id);
        service.Message.Action.Should().BeEquivalentTo(new ServiceAction(ServiceActions.JoinByRequest, [bob.Id]));
        pending.Count.Should().Be(1);
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "welcome bob");
        (await bob.NextAsync<MessageReceived>(e => e.Message.Text == "welcome bob")).ChannelId.Should().Be(large ? chat.Id : null);

        await alice.Client.HideJoinRequestAsync(chat.Id, carol.Id, approved: false);
        (await alice.NextAsync<PendingJoinRequestsChanged>()).Should().Match<PendingJoinRequestsChanged>(e => e.Count == 0 && e.RecentRequesters.Length == 0);
        (await alice.Client.GetFullChatAsync(chat.Id)).Members.Select(m => m.UserId).Should().BeEquivalentTo([alice.Id, dave.Id, bob.Id]);
        await ChatTestKit.FailsWith(() => alice.Client.HideJoinRequestAsync(chat.Id, carol.Id, approved: true), GroupErrorNames.HideRequesterMissing);
        (await carol.Client.CheckInviteAsync(invite.Code)).Requested.Should().BeFalse("declined: she may ask again");
        (await bob.Client.CheckInviteAsync(invite.Code)).ChatId.Should().Be(chat.Id, "a member sees which chat it is");
        await ChatTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(invite.Code), GroupErrorNames.UserAlreadyParticipant);
        (await alice.Client.GetInvitesAsync(chat.Id)).Single().Usage.Should().Be(0, "requests are not joins by the link");
    }

    [Fact]
    public async Task ARequestAnsweredOtherwise_IsDropped_AndOnlyAdminsMayListOrAnswer()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_req2", listen: true);
        await using var bob = await host.MemberAsync("bob_req2");
        await using var carol = await host.MemberAsync("carol_req2");
        var chat = (await alice.Client.CreateGroupAsync("Club", [carol.Id])).Chat;
        var askFirst = await alice.Client.ExportInviteAsync(chat.Id, requestNeeded: true);
        await ChatTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(askFirst.Code), GroupErrorNames.InviteRequestSent);
        (await alice.NextAsync<PendingJoinRequestsChanged>()).Count.Should().Be(1);

        await ChatTestKit.FailsWith(() => carol.Client.GetJoinRequestsAsync(chat.Id), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => carol.Client.HideJoinRequestAsync(chat.Id, bob.Id, true), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => carol.Client.GetInvitesAsync(chat.Id), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => carol.Client.RevokeInviteAsync(chat.Id, askFirst.Code), GroupErrorNames.ChatAdminRequired, 403);
        await ChatTestKit.FailsWith(() => bob.Client.GetJoinRequestsAsync(chat.Id), GroupErrorNames.ChatNotFound, 404);
        await ChatTestKit.FailsWith(() => alice.Client.GetJoinRequestsAsync(chat.Id, offset: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetJoinRequestsAsync(chat.Id, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.GetJoinRequestsAsync(chat.Id, limit: 201), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.HideJoinRequestAsync(chat.Id, carol.Id, true), GroupErrorNames.HideRequesterMissing);
        await ChatTestKit.FailsWith(() => alice.Client.ExportInviteAsync(chat.Id, usageLimit: 5, requestNeeded: true), GroupErrorNames.UsageLimitInvalid);

        // Added by an admin meanwhile: the request is answered so, and the admins' count says it.
        await alice.Client.AddMembersAsync(chat.Id, [bob.Id]);
        (await alice.NextAsync<PendingJoinRequestsChanged>()).Count.Should().Be(0);
        (await alice.Client.GetJoinRequestsAsync(chat.Id)).Total.Should().Be(0);
        await ChatTestKit.FailsWith(() => alice.Client.HideJoinRequestAsync(chat.Id, bob.Id, true), GroupErrorNames.HideRequesterMissing);

        // A removed member asking again is refused as a ban, and nothing is kept.
        await alice.Client.RemoveMemberAsync(chat.Id, bob.Id);
        await ChatTestKit.FailsWith(() => bob.Client.JoinByInviteAsync(askFirst.Code), GroupErrorNames.UserBannedInChat, 403);
        (await alice.Client.GetJoinRequestsAsync(chat.Id)).Total.Should().Be(0);
    }

    [Fact]
    public async Task Links_AreListedAndRevoked_AndAPreviewTellsWhatACodeLeadsTo()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_links");
        await using var bob = await host.MemberAsync("bob_links");
        await using var carol = await host.MemberAsync("carol_links");
        var chat = (await alice.Client.CreateGroupAsync("Announcements", [], broadcast: true)).Chat;
        await alice.Client.EditAboutAsync(chat.Id, "News of the house");
        var first = await alice.Client.ExportInviteAsync(chat.Id, expiresInSeconds: 3600, usageLimit: 10);
        var second = await alice.Client.ExportInviteAsync(chat.Id);

        (await alice.Client.GetInvitesAsync(chat.Id)).Select(i => i.Code).Should().Equal(second.Code, first.Code);
        (await bob.Client.CheckInviteAsync(first.Code)).Should().Be(
            new InvitePreview("Announcements", "News of the house", ChatKind.Channel, 1, RequestNeeded: false, Requested: false, ChatId: 0));
        await bob.Client.JoinByInviteAsync(first.Code);
        (await alice.Client.GetInvitesAsync(chat.Id)).Single(i => i.Code == first.Code).Usage.Should().Be(1);

        var revoked = await alice.Client.RevokeInviteAsync(chat.Id, first.Code);
        revoked.Should().Match<ChatInvite>(i => i.Revoked && i.Usage == 1 && i.UsageLimit == 10);
        (await alice.Client.RevokeInviteAsync(chat.Id, first.Code)).Revoked.Should().BeTrue("revoking twice changes nothing");
        await ChatTestKit.FailsWith(() => carol.Client.JoinByInviteAsync(first.Code), GroupErrorNames.InviteHashExpired);
        await ChatTestKit.FailsWith(() => carol.Client.CheckInviteAsync(first.Code), GroupErrorNames.InviteHashExpired);
        (await alice.Client.GetInvitesAsync(chat.Id)).Select(i => (i.Code, i.Revoked)).Should().Equal((second.Code, false), (first.Code, true));

        await using var dave = await host.MemberAsync("dave_links");
        var other = (await dave.Client.CreateGroupAsync("Elsewhere", [])).Chat;
        await ChatTestKit.FailsWith(() => dave.Client.RevokeInviteAsync(other.Id, second.Code), GroupErrorNames.InviteHashInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.RevokeInviteAsync(chat.Id, "no-such-code"), GroupErrorNames.InviteHashInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.RevokeInviteAsync(chat.Id, ""), GroupErrorNames.InviteHashInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.CheckInviteAsync("no-such-code"), GroupErrorNames.InviteHashInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.CheckInviteAsync(new string('x', 65)), GroupErrorNames.InviteHashInvalid);
        await ChatTestKit.FailsWith(() => carol.Client.CheckInviteAsync(null!), GroupErrorNames.InviteHashInvalid);
        await carol.Client.JoinByInviteAsync(second.Code);
        (await carol.Client.CheckInviteAsync(second.Code)).ChatId.Should().Be(chat.Id);
    }
}
