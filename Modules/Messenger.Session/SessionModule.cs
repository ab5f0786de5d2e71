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
        services.AddSingleton<Contacts.MutualFlipLimiter>();
        services.AddSingleton<IBotAccounts, BotAccounts>();
        services.AddSingleton<IServerAdminList, ServerAdminList>();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<AuthLimits>();
        services.AddSingleton<KnownDevices>();
        // Before every other start-up step of the module's: awaited, so before the server listens.
        services.AddHostedService<KnownDevicesBackfill>();
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
        services.AddRpcMethod<RegisterCall, RegisteredUser>(RpcCost.OwnLimit, allowAnonymous: true);
        services.AddRpcMethod<SignInCall, SignedIn>(RpcCost.OwnLimit, allowAnonymous: true);
        services.AddRpcMethod<ExportLoginTokenCall, LoginToken>(RpcCost.OwnLimit, allowAnonymous: true);
        services.AddRpcMethod<AcceptLoginTokenCall, Authorization>(RpcCost.Write);
        services.AddRpcMethod<SignOutCall, Done>(RpcCost.Write, allowBeforePasswordChange: true);

        services.AddRpcMethod<GetAuthorizationsCall, Authorizations>(RpcCost.Read);
        services.AddRpcMethod<ResetAuthorizationCall, Done>(RpcCost.Write);
        services.AddRpcMethod<ResetOtherAuthorizationsCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetAuthorizationTtlCall, AuthorizationTtl>(RpcCost.Read);
        services.AddRpcMethod<SetAuthorizationTtlCall, AuthorizationTtl>(RpcCost.Write);
        services.AddRpcMethod<ChangePasswordCall, Done>(RpcCost.Write, allowBeforePasswordChange: true);
        services.AddRpcMethod<GetTwoFactorCall, TwoFactorStatus>(RpcCost.Read);
        services.AddRpcMethod<GetPrivacyCall, PrivacySettings>(RpcCost.Read);
        services.AddRpcMethod<SetPrivacyCall, PrivacySettings>(RpcCost.Write);
        services.AddRpcMethod<SetupTwoFactorCall, TwoFactorSetup>(RpcCost.Write);
        services.AddRpcMethod<EnableTwoFactorCall, TwoFactorStatus>(RpcCost.Write);
        services.AddRpcMethod<DisableTwoFactorCall, TwoFactorStatus>(RpcCost.Write);
        services.AddRpcMethod<RegenerateRecoveryCodesCall, TwoFactorStatus>(RpcCost.Write);
        services.AddRpcMethod<UpdateProfileCall, User>(RpcCost.Write);
        services.AddRpcMethod<UpdateProfilePhotoCall, User>(RpcCost.Write);
        services.AddRpcMethod<UpdateUsernameCall, User>(RpcCost.Write);
        services.AddScoped<ProfileAnnouncer>();
        services.AddRpcMethod<DeleteAccountCall, Done>(RpcCost.Write);

        services.AddRpcMethod<GetUsersCall, UserList>(RpcCost.Read);
        services.AddRpcMethod<GetSelfCall, User>(RpcCost.Read);
        services.AddRpcMethod<SearchUsersCall, UserList>(RpcCost.Read);

        services.AddRpcMethod<GetContactsCall, ContactList>(RpcCost.Read);
        services.AddRpcMethod<AddContactCall, SavedContact>(RpcCost.Write);
        services.AddRpcMethod<DeleteContactsCall, AffectedMessages>(RpcCost.Write);

        services.AddRpcMethod<CreateInviteCall, Invite>(RpcCost.Write);
        services.AddRpcMethod<ListUsersCall, UserPage>(RpcCost.Read);
        services.AddRpcMethod<SetUserBlockedCall, Done>(RpcCost.Write);
        services.AddRpcMethod<ResetTwoFactorCall, Done>(RpcCost.Write);
        services.AddRpcMethod<ResetPasswordCall, TemporaryPassword>(RpcCost.Write);
        services.AddRpcMethod<GetAuditLogCall, AuditLog>(RpcCost.Read);
        services.AddRpcMethod<SetUserAdminCall, Done>(RpcCost.Write);
        services.AddRpcMethod<CreateBotCall, BotToken>(RpcCost.Write);
        services.AddRpcMethod<SetBotCommandsCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetBotCommandsCall, BotCommands>(RpcCost.Read);
        services.AddRpcMethod<GetMyBotsCall, UserList>(RpcCost.Read);
        services.AddRpcMethod<ResetBotTokenCall, BotToken>(RpcCost.Write);
        services.AddRpcMethod<DeleteBotCall, Done>(RpcCost.Write);
        services.AddScoped<BotRemoval>();

        services.AddRpcMethod<GetServerStatsCall, ServerStats>(RpcCost.Read);
        services.AddRpcMethod<GetBackupsCall, BackupList>(RpcCost.Read);
        services.AddRpcMethod<BackupNowCall, BackupList>(RpcCost.Write);
        return services;
    }
}
