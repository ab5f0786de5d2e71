using FluentValidation;
using Messenger.Contracts.Account;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Bots;
using Messenger.Contracts.Contacts;
using Messenger.Contracts.Messages;
using Messenger.Session.Bots;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Users;
using Messenger.Kernel;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Session.Account;
using Messenger.Session.Admin;
using Messenger.Session.Devices;
using Messenger.Session.Limits;
using Messenger.Session.LoginTokens;
using Messenger.Session.Passwords;
using Messenger.Session.Storage;
using Messenger.Session.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Messenger.Session;

/// <summary>
/// Accounts, devices and their authorizations (DESIGN §5): registration (open, invite-only or closed; the first
/// account is the admin), sign-in that binds the device's Noise key to the account, login tokens for adding a device
/// without a password, revocation that disconnects the device, admin calls, brute-force limits, and each user's
/// contact list. It provides the
/// <see cref="ICallerAuthenticator"/> the protocol asks before every call that needs a signed-in device.
/// </summary>
public static class SessionModule
{
    public static IServiceCollection AddSessionModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SessionOptions, SessionOptionsValidator>(configuration, SessionOptions.Section);
        services.AddModuleDbContext<SessionDbContext>(SessionDbContext.MigrationsHistoryTable);

        services.AddSingleton<SessionStore>();
        services.AddSingleton<TwoFactorStore>();
        services.AddSingleton<BotStore>();
        services.AddSingleton<ContactStore>();
        services.AddSingleton<IBotAccounts, BotAccounts>();
        services.AddSingleton<IServerAdminList, ServerAdminList>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<AuthLimits>();
        services.AddSingleton<KnownDevices>();
        services.AddSingleton<AccountPassword>();
        services.AddSingleton<LoginTokenStore>();
        services.AddSingleton<AuthorizationCache>();
        services.AddSingleton<LastActiveTracker>();
        services.AddSingleton<PrivacyBook>();
        services.AddHostedService(provider => provider.GetRequiredService<LastActiveTracker>());
        services.AddSingleton<DeviceSignOut>();
        services.AddSingleton<ConnectedDevices>();
        services.AddSingleton<UnusedDevices>();
        services.AddHostedService(provider => provider.GetRequiredService<UnusedDevices>());
        services.AddScoped<NewAuthorizations>();
        services.AddHostedService<FinishAccountDeletions>();
        services.AddHostedService<FillNameKeys>();
        services.AddHostedService<FirstAdminNotice>();
        services.AddSingleton<ProfilePhotoThumbnails>();
        services.AddHostedService(provider => provider.GetRequiredService<ProfilePhotoThumbnails>());
        services.Replace(ServiceDescriptor.Singleton<ICallerAuthenticator, SessionAuthenticator>());
        services.AddValidatorsFromAssemblyContaining<SessionStore>(ServiceLifetime.Singleton, includeInternalTypes: true);

        // Who may call what: a device without an authorization may only register, sign in or ask for a login token.
        services.AddRpcMethod<RegisterCall, RegisteredUser>(allowAnonymous: true);
        services.AddRpcMethod<SignInCall, SignedIn>(allowAnonymous: true);
        services.AddRpcMethod<ExportLoginTokenCall, LoginToken>(allowAnonymous: true);
        services.AddRpcMethod<AcceptLoginTokenCall, Authorization>();
        services.AddRpcMethod<SignOutCall, Done>(allowBeforePasswordChange: true);

        services.AddRpcMethod<GetAuthorizationsCall, Authorizations>();
        services.AddRpcMethod<ResetAuthorizationCall, Done>();
        services.AddRpcMethod<ResetOtherAuthorizationsCall, Done>();
        services.AddRpcMethod<GetAuthorizationTtlCall, AuthorizationTtl>();
        services.AddRpcMethod<SetAuthorizationTtlCall, AuthorizationTtl>();
        services.AddRpcMethod<ChangePasswordCall, Done>(allowBeforePasswordChange: true);
        services.AddRpcMethod<GetTwoFactorCall, TwoFactorStatus>();
        services.AddRpcMethod<GetPrivacyCall, PrivacySettings>();
        services.AddRpcMethod<SetPrivacyCall, PrivacySettings>();
        services.AddRpcMethod<SetupTwoFactorCall, TwoFactorSetup>();
        services.AddRpcMethod<EnableTwoFactorCall, TwoFactorStatus>();
        services.AddRpcMethod<DisableTwoFactorCall, TwoFactorStatus>();
        services.AddRpcMethod<RegenerateRecoveryCodesCall, TwoFactorStatus>();
        services.AddRpcMethod<UpdateProfileCall, User>();
        services.AddRpcMethod<UpdateProfilePhotoCall, User>();
        services.AddRpcMethod<UpdateUsernameCall, User>();
        services.AddScoped<ProfileAnnouncer>();
        services.AddRpcMethod<DeleteAccountCall, Done>();

        services.AddRpcMethod<GetUsersCall, UserList>();
        services.AddRpcMethod<GetSelfCall, User>();
        services.AddRpcMethod<SearchUsersCall, UserList>();

        services.AddRpcMethod<GetContactsCall, ContactList>();
        services.AddRpcMethod<AddContactCall, SavedContact>();
        services.AddRpcMethod<DeleteContactsCall, AffectedMessages>();

        services.AddRpcMethod<CreateInviteCall, Invite>();
        services.AddRpcMethod<ListUsersCall, UserPage>();
        services.AddRpcMethod<SetUserBlockedCall, Done>();
        services.AddRpcMethod<ResetTwoFactorCall, Done>();
        services.AddRpcMethod<ResetPasswordCall, TemporaryPassword>();
        services.AddRpcMethod<GetAuditLogCall, AuditLog>();
        services.AddRpcMethod<SetUserAdminCall, Done>();
        services.AddRpcMethod<CreateBotCall, BotToken>();
        services.AddRpcMethod<SetBotCommandsCall, Done>();
        services.AddRpcMethod<GetBotCommandsCall, BotCommands>();
        services.AddRpcMethod<GetMyBotsCall, UserList>();
        services.AddRpcMethod<ResetBotTokenCall, BotToken>();
        services.AddRpcMethod<DeleteBotCall, Done>();
        services.AddScoped<BotRemoval>();

        services.AddRpcMethod<GetServerStatsCall, ServerStats>();
        services.AddRpcMethod<GetBackupsCall, BackupList>();
        services.AddRpcMethod<BackupNowCall, BackupList>();
        return services;
    }
}
