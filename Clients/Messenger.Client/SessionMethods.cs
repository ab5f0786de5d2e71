using Messenger.Contracts.Account;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;
using Messenger.Contracts.Wire;

namespace Messenger.Client;

/// <summary>
/// Typed methods for accounts, devices and sign-in. Each is one RPC call: it returns the result or throws
/// <see cref="RpcException"/> with the server's error name (e.g. <c>USERNAME_OCCUPIED</c>, 420 <c>FLOOD_WAIT</c>).
/// The device's identity is its key (<see cref="MessengerClientOptions.DeviceKeys"/>): keep it in a
/// <see cref="FileDeviceKeyStore"/> and the device stays signed in across restarts with no token to store.
/// </summary>
public static class SessionMethods
{
    public static Task<RegisteredUser> RegisterAsync(
        this MessengerClient client, string username, string password, string displayName, string? inviteCode = null, CancellationToken cancellationToken = default) =>
        client.CallAsync(new RegisterCall(username, password, displayName, inviteCode), cancellationToken);

    /// <summary>Signs this device in; an account with two-step verification also needs <paramref name="code"/> from its
    /// authenticator (without it the call fails with <c>TWO_FACTOR_CODE_REQUIRED</c>). When
    /// <see cref="SignedIn.PasswordChangeRequired"/> is set the password was an admin's temporary one: call
    /// <see cref="ChangePasswordAsync"/> with it first; every other call but <see cref="SignOutAsync"/> fails with 403
    /// <c>PASSWORD_CHANGE_REQUIRED</c> until then, and no updates come. A temporary password past its time fails with 401
    /// <c>PASSWORD_EXPIRED</c>.</summary>
    public static Task<SignedIn> SignInAsync(
        this MessengerClient client, string username, string password, string deviceName, string platform, string? code = null,
        CancellationToken cancellationToken = default) =>
        client.CallAsync(new SignInCall(username, password, deviceName, platform, code), cancellationToken);

    /// <summary>Signs this device out. Once the server has done it, this device's secret chats are erased from it: their
    /// keys, their local histories and the store's files (the server ends the chats for the other side). A device found
    /// signed out already (401 <c>AUTH_KEY_UNREGISTERED</c>, thrown as before: an earlier sign-out given up as the server
    /// did it, or another device ended this one) has them erased the same. A call that fails otherwise leaves them, as the
    /// device may still be signed in.</summary>
    public static Task<Done> SignOutAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        ErasingSecretChatsAsync(client, new SignOutCall(), cancellationToken);

    /// <summary>On the new device: a token to show as text or as a QR code (<see cref="LoginToken.QrData"/>).</summary>
    public static Task<LoginToken> ExportLoginTokenAsync(
        this MessengerClient client, string deviceName, string platform, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ExportLoginTokenCall(deviceName, platform), cancellationToken);

    /// <summary>On a signed-in device: signs in the device that shows <paramref name="token"/> (text or QR data).</summary>
    public static Task<Authorization> AcceptLoginTokenAsync(this MessengerClient client, string token, CancellationToken cancellationToken = default) =>
        client.CallAsync(new AcceptLoginTokenCall(token), cancellationToken);

    /// <summary>On the new device, after <see cref="ExportLoginTokenAsync"/>: reads <see cref="MessengerClient.Updates"/>
    /// until the token is accepted (other updates read meanwhile are skipped) and returns the sign-in.</summary>
    public static async Task<SignedIn> WaitForLoginTokenAcceptedAsync(this MessengerClient client, CancellationToken cancellationToken = default)
    {
        await foreach (var update in client.Updates.ReadAllAsync(cancellationToken))
        {
            if (update.Kind == UpdateKinds.LoginTokenAccepted)
            {
                return WireSerializer.Deserialize<LoginTokenAcceptedUpdate>(update.Payload).SignedIn;
            }
        }

        throw new MessengerConnectionException("the client was closed before the login token was accepted");
    }

    public static async Task<Authorization[]> GetAuthorizationsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetAuthorizationsCall(), cancellationToken)).Items;

    public static Task<Done> ResetAuthorizationAsync(this MessengerClient client, long authorizationId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ResetAuthorizationCall(authorizationId), cancellationToken);

    public static Task<Done> ResetOtherAuthorizationsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ResetOtherAuthorizationsCall(), cancellationToken);

    /// <summary>After how many days without a call a device of the account is signed out by the server (default 180).</summary>
    public static async Task<int> GetAuthorizationTtlAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetAuthorizationTtlCall(), cancellationToken)).Days;

    /// <summary>Sets after how many days without a call a device of the account is signed out: 7, 30, 90, 180 or 365
    /// (<see cref="AuthorizationTtlDays.Allowed"/>; else <c>AUTHORIZATION_TTL_INVALID</c>). Devices already unused that
    /// long are signed out at once.</summary>
    public static async Task<int> SetAuthorizationTtlAsync(this MessengerClient client, int days, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new SetAuthorizationTtlCall(days), cancellationToken)).Days;

    /// <summary>The account's privacy settings: who sees its presence, who may add it to groups.</summary>
    public static Task<PrivacySettings> GetPrivacyAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetPrivacyCall(), cancellationToken);

    /// <summary>Replaces the account's privacy settings; answers them as stored.</summary>
    public static Task<PrivacySettings> SetPrivacyAsync(this MessengerClient client, PrivacySettings settings, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SetPrivacyCall(settings), cancellationToken);

    /// <summary>Whether two-step verification is on for the account.</summary>
    public static async Task<bool> GetTwoFactorAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetTwoFactorCall(), cancellationToken)).Enabled;

    /// <summary>Whether two-step verification is on and how many of its recovery codes are left.</summary>
    public static Task<TwoFactorStatus> GetTwoFactorStatusAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetTwoFactorCall(), cancellationToken);

    /// <summary>A new secret for an authenticator app (base32 and an <c>otpauth://</c> URI); on once <see cref="EnableTwoFactorAsync"/> confirms a code.</summary>
    public static Task<TwoFactorSetup> SetupTwoFactorAsync(this MessengerClient client, string password, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SetupTwoFactorCall(password), cancellationToken);

    /// <summary>Turns two-step verification on; the answer's <see cref="TwoFactorStatus.RecoveryCodes"/> are told only here.</summary>
    public static Task<TwoFactorStatus> EnableTwoFactorAsync(this MessengerClient client, string code, CancellationToken cancellationToken = default) =>
        client.CallAsync(new EnableTwoFactorCall(code), cancellationToken);

    /// <summary>New recovery codes (told only in this answer), with the password and a current code of the app; the old
    /// ones stop working.</summary>
    public static async Task<string[]> RegenerateRecoveryCodesAsync(
        this MessengerClient client, string password, string code, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new RegenerateRecoveryCodesCall(password, code), cancellationToken)).RecoveryCodes ?? [];

    /// <summary>Turns two-step verification off, with the password and a current code of the app or a recovery code.</summary>
    public static Task<TwoFactorStatus> DisableTwoFactorAsync(this MessengerClient client, string password, string code, CancellationToken cancellationToken = default) =>
        client.CallAsync(new DisableTwoFactorCall(password, code), cancellationToken);

    public static Task<Done> ChangePasswordAsync(
        this MessengerClient client, string oldPassword, string newPassword, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ChangePasswordCall(oldPassword, newPassword), cancellationToken);

    /// <summary>Deletes the signed-in account for good (<c>account.deleteAccount</c>); this client is signed out with it,
    /// and its secret chats are erased from the device as by <see cref="SignOutAsync"/>.</summary>
    public static Task<Done> DeleteAccountAsync(this MessengerClient client, string password, CancellationToken cancellationToken = default) =>
        ErasingSecretChatsAsync(client, new DeleteAccountCall(password), cancellationToken);

    // A call that signs this device out: once it is done, or the device is found signed out already (401
    // AUTH_KEY_UNREGISTERED, thrown as is: an earlier call given up as the server did it — whether an account is gone is
    // then unknown), nothing of the device's secret chats may stay on it.
    private static async Task<Done> ErasingSecretChatsAsync(MessengerClient client, IRpcCall<Done> call, CancellationToken cancellationToken)
    {
        try
        {
            var done = await client.CallAsync(call, cancellationToken);
            client.SecretChats.Erase();
            return done;
        }
        catch (RpcException e) when (e.Name == ErrorNames.AuthKeyUnregistered)
        {
            client.SecretChats.Erase();
            throw;
        }
    }

    /// <summary>Takes another username (<c>account.updateUsername</c>); the old one is free at once.</summary>
    public static Task<User> UpdateUsernameAsync(this MessengerClient client, string username, CancellationToken cancellationToken = default) =>
        client.CallAsync(new UpdateUsernameCall(username), cancellationToken);

    /// <summary>Sets the profile photo from a finished upload (<see cref="MediaMethods.UploadFileAsync(MessengerClient, Stream, string, string, IProgress{long}?, CancellationToken, long?, int, MediaTransport, byte[], int?, int?, int?)"/> of an image of at
    /// most 10 MiB), or removes it (null); anyone signed in may download it.</summary>
    public static Task<User> UpdateProfilePhotoAsync(this MessengerClient client, InputMedia? photo, CancellationToken cancellationToken = default) =>
        client.CallAsync(new UpdateProfilePhotoCall(photo), cancellationToken);

    public static Task<User> UpdateProfileAsync(
        this MessengerClient client, string displayName, string bio = "", CancellationToken cancellationToken = default) =>
        client.CallAsync(new UpdateProfileCall(displayName, bio), cancellationToken);

    public static async Task<User[]> GetUsersAsync(this MessengerClient client, long[] ids, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetUsersCall(ids), cancellationToken)).Users;

    /// <summary>The user this device is signed in as (<c>users.getSelf</c>): how an app restarted with its saved device key
    /// (already signed in, so <c>SignInAsync</c> answers <c>ALREADY_SIGNED_IN</c>) learns the user id that
    /// <see cref="UpdateStream.StartAsync(long, long?, CancellationToken)"/> needs. 401 <c>AUTH_KEY_UNREGISTERED</c> when it
    /// is not signed in, 403 <c>PASSWORD_CHANGE_REQUIRED</c> when it signed in with a temporary password not changed yet.</summary>
    public static Task<User> GetSelfAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetSelfCall(), cancellationToken);

    public static async Task<User[]> SearchUsersAsync(
        this MessengerClient client, string prefix, int limit = 20, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new SearchUsersCall(prefix, limit), cancellationToken)).Users;

    public static Task<Invite> CreateInviteAsync(
        this MessengerClient client, int uses, TimeSpan? expiresIn = null, CancellationToken cancellationToken = default) =>
        client.CallAsync(new CreateInviteCall(uses, expiresIn is { } e ? (int)e.TotalSeconds : null), cancellationToken);

    public static Task<UserPage> ListUsersAsync(this MessengerClient client, int offset, int limit, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ListUsersCall(offset, limit), cancellationToken);

    /// <summary>Turns off two-step verification of a user who lost their authenticator (admins).</summary>
    public static Task<Done> ResetTwoFactorAsync(this MessengerClient client, long userId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ResetTwoFactorCall(userId), cancellationToken);

    /// <summary>A temporary password for a user who forgot theirs (admins); every device of the user is signed out.</summary>
    public static async Task<string> ResetPasswordAsync(this MessengerClient client, long userId, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new ResetPasswordCall(userId), cancellationToken)).Password;

    public static Task<Done> SetUserBlockedAsync(this MessengerClient client, long userId, bool blocked, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SetUserBlockedCall(userId, blocked), cancellationToken);

    public static Task<Done> SetUserAdminAsync(this MessengerClient client, long userId, bool isAdmin, CancellationToken cancellationToken = default) =>
        client.CallAsync(new SetUserAdminCall(userId, isAdmin), cancellationToken);

    /// <summary>Reports messages of a chat to the server's admins (<see cref="ReportReasons"/>).</summary>
    public static Task<ReportsFiled> ReportMessagesAsync(
        this MessengerClient client, Peer peer, long[] ids, string reason, string? comment = null, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ReportMessagesCall(peer, ids, reason, comment), cancellationToken);

    /// <summary>Admins: the open reports (or the resolved ones), newest first.</summary>
    public static Task<ReportList> GetReportsAsync(
        this MessengerClient client, bool resolved = false, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetReportsCall(resolved, offsetId, limit), cancellationToken);

    /// <summary>Admins: deletes for everyone every message the user posted, in every chat; how many.</summary>
    public static async Task<int> DeleteUserMessagesAsync(this MessengerClient client, long userId, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new DeleteUserMessagesCall(userId), cancellationToken)).Deleted;

    /// <summary>Admins: dismisses a report, or deletes its message for everyone (<see cref="ReportActions"/>).</summary>
    public static Task<Report> ResolveReportAsync(this MessengerClient client, long id, string action, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ResolveReportCall(id, action), cancellationToken);

    /// <summary>What the server holds (accounts, messages, files) and the room it has left (admins).</summary>
    public static Task<ServerStats> GetServerStatsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetServerStatsCall(), cancellationToken);

    /// <summary>The server's scheduled backups (admins).</summary>
    public static Task<BackupList> GetBackupsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new GetBackupsCall(), cancellationToken);

    /// <summary>Admins: what admins did, newest first, older than entry <paramref name="offsetId"/> (0: from the newest).</summary>
    public static async Task<AuditEntry[]> GetAuditLogAsync(
        this MessengerClient client, long offsetId = 0, int limit = 50, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetAuditLogCall(offsetId, limit), cancellationToken)).Entries;

    /// <summary>Takes a backup now and answers when it is complete or failed (admins; <c>BACKUPS_OFF</c> without a backup directory).</summary>
    public static Task<BackupList> BackupNowAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        client.CallAsync(new BackupNowCall(), cancellationToken);

    /// <summary>A bot's commands (what a client offers after a <c>/</c> in a chat with it).</summary>
    public static async Task<BotCommand[]> GetBotCommandsAsync(this MessengerClient client, long botId, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetBotCommandsCall(botId), cancellationToken)).Commands;

    /// <summary>Creates a bot of the caller's (username ending in <c>_bot</c>); the token, told once, drives it over the Bot HTTP API.</summary>
    public static Task<BotToken> CreateBotAsync(this MessengerClient client, string username, string displayName, CancellationToken cancellationToken = default) =>
        client.CallAsync(new CreateBotCall(username, displayName), cancellationToken);

    public static async Task<User[]> GetMyBotsAsync(this MessengerClient client, CancellationToken cancellationToken = default) =>
        (await client.CallAsync(new GetMyBotsCall(), cancellationToken)).Users;

    /// <summary>A new token for the caller's bot; the old one stops working at once.</summary>
    public static Task<BotToken> ResetBotTokenAsync(this MessengerClient client, long botId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new ResetBotTokenCall(botId), cancellationToken);

    public static Task<Done> DeleteBotAsync(this MessengerClient client, long botId, CancellationToken cancellationToken = default) =>
        client.CallAsync(new DeleteBotCall(botId), cancellationToken);
}
