using Messenger.Client;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Session.Passwords;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary><c>admin.getAuditLog</c>: every admin action is recorded with the change it made, for admins to read.</summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task EachAdminAction_IsRecorded_WithWhoWhenAndToWhom_NewestFirst_AndOnlyAdminsReadIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartHostAsync(clock: clock);
        await using var admin = await host.SignedInClientAsync("audit_founder");
        await using var user = await host.SignedInClientAsync("audit_user");
        var adminId = (await admin.SearchUsersAsync("audit_founder")).Single().Id;
        var userId = (await admin.SearchUsersAsync("audit_user")).Single().Id;
        var secret = FromBase32((await user.SetupTwoFactorAsync(Password)).Secret);
        await user.EnableTwoFactorAsync(Totp.Code(secret, Totp.StepAt(clock.GetUtcNow())));
        (await admin.GetAuditLogAsync()).Should().BeEmpty("nothing an admin did yet");

        await admin.CreateInviteAsync(3, TimeSpan.FromHours(1));
        await admin.ResetTwoFactorAsync(userId);
        await admin.ResetPasswordAsync(userId);
        await admin.SetUserAdminAsync(userId, true);
        await admin.SetUserAdminAsync(userId, false);
        await admin.SetUserBlockedAsync(userId, true);
        await admin.SetUserBlockedAsync(userId, false);

        var log = await admin.GetAuditLogAsync();
        log.Select(e => (e.Action, e.UserId)).Should().Equal(
            (AuditActions.UnblockUser, userId),
            (AuditActions.BlockUser, userId),
            (AuditActions.RevokeAdmin, userId),
            (AuditActions.GrantAdmin, userId),
            (AuditActions.ResetPassword, userId),
            (AuditActions.ResetTwoFactor, userId),
            (AuditActions.CreateInvite, (long?)null));
        log.Should().OnlyContain(e => e.ActorId == adminId && e.Date == clock.GetUtcNow().ToUnixTimeSeconds());
        log[^1].Detail.Should().StartWith("3 uses, until ");
        (await admin.GetAuditLogAsync(limit: 2)).Select(e => e.Id).Should().Equal(log[0].Id, log[1].Id);
        (await admin.GetAuditLogAsync(offsetId: log[1].Id, limit: 2)).Select(e => e.Id).Should().Equal(log[2].Id, log[3].Id);

        await FailsWith(() => admin.SetUserBlockedAsync(999_999, true), SessionErrorNames.UserIdInvalid);
        await FailsWith(() => admin.ResetTwoFactorAsync(userId), SessionErrorNames.TwoFactorNotEnabled);
        await FailsWith(() => admin.SetUserAdminAsync(adminId, false), SessionErrorNames.LastAdmin);
        (await admin.GetAuditLogAsync()).Should().HaveCount(log.Length, "a refused action changed nothing and records nothing");

        await using var again = await host.ConnectAsync();
        var temporary = await admin.ResetPasswordAsync(userId);
        var temporaryUser = await again.SignInAsync("audit_user", temporary, "Laptop", "linux");
        await again.ChangePasswordAsync(temporary, "audit user's own password");
        await FailsWith(() => again.GetAuditLogAsync(), SessionErrorNames.AdminRequired);
        await FailsWith(() => admin.GetAuditLogAsync(limit: 0), SessionErrorNames.LimitInvalid);
        await FailsWith(() => admin.GetAuditLogAsync(limit: 101), SessionErrorNames.LimitInvalid);
        await FailsWith(() => admin.GetAuditLogAsync(offsetId: -1), SessionErrorNames.OffsetInvalid);
        temporaryUser.User.Id.Should().Be(userId);
    }
}
