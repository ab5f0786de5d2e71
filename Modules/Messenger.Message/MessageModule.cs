using FluentValidation;
using Messenger.Contracts.Admin;
using Messenger.Contracts.Calls;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Secret;
using Messenger.Kernel;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Users;
using Messenger.Message.Reports;
using Messenger.Message.AutoDelete;
using Messenger.Message.Bots;
using Messenger.Message.Calls;
using Messenger.Message.Chats;
using Messenger.Message.Groups;
using Messenger.Message.Previews;
using Messenger.Message.Scheduling;
using Messenger.Message.SecretChats;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Messenger.Message.Thumbnails;
using Messenger.Message.Typing;
using Messenger.Message.Webhooks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretChatList = Messenger.Contracts.Secret.SecretChats;

namespace Messenger.Message;

/// <summary>
/// Chats and messages (DESIGN §6): private chats, small groups (fan-out on write into member logs), large groups and
/// channels (one log of their own, fan-out on read), invite links; send (idempotent by random_id), history, dialogs
/// with unread counts, edit, delete for me or for everyone, receipts (delivered, read), typing, blocking, full-text
/// search (FTS5), forward (media by reference), secret chats (end to end encrypted: the server relays ciphertext).
/// Every change appends to the affected users' update logs in the same writer unit and is pushed after COMMIT.
/// </summary>
public static class MessageModule
{
    public static IServiceCollection AddMessageModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MessageOptions, MessageOptionsValidator>(configuration, MessageOptions.Section);
        services.AddModuleDbContext<MessageDbContext>(MessageDbContext.MigrationsHistoryTable);
        services.AddSingleton<MessageStore>();
        services.AddSingleton<GroupStore>();
        services.AddSingleton<ChatList.LargeGroupUnread>();
        services.AddSingleton<SearchStore>();
        services.AddSingleton<Topics.TopicStore>();
        services.AddSingleton<SecretChatStore>();
        services.AddSingleton<DiscardedChatSweep>();
        services.AddHostedService(provider => provider.GetRequiredService<DiscardedChatSweep>());
        services.AddSingleton(provider => new ChatDirectory(
            provider.GetRequiredService<GroupStore>(), provider.GetRequiredService<IOptions<MessageOptions>>().Value.LargeGroupLimit));
        services.AddSingleton<Chats.ChatResolver>();
        services.AddSingleton<GroupChanges>();
        services.AddSingleton<TypingThrottle>();
        services.AddSingleton<PostLimiter>();
        services.AddSingleton<OpenReports>();
        services.AddSingleton<IOpenReports>(provider => provider.GetRequiredService<OpenReports>());
        services.AddSingleton<ScheduledSender>();
        services.AddHostedService(provider => provider.GetRequiredService<ScheduledSender>());
        services.AddSingleton<PageFetcher>();
        services.AddSingleton<LinkPreviews>();
        services.AddHostedService(provider => provider.GetRequiredService<LinkPreviews>());
        services.AddSingleton<MessageExpiry>();
        services.AddHostedService(provider => provider.GetRequiredService<MessageExpiry>());
        services.AddScoped<OwnChatSettings>();
        services.AddSingleton<WebhookPoster>();
        services.AddSingleton<BotLogSignals>();
        services.AddSingleton<BotCallbacks>();
        services.AddValidatedOptions<CallOptions, CallOptionsValidator>(configuration, CallOptions.Section);
        services.AddSingleton<CallRegistry>();
        services.AddSingleton<CallEvents>();
        services.AddSingleton<GroupCallRegistry>();
        services.AddSingleton<GroupCallEvents>();
        services.AddHostedService<BotMemberSync>();
        services.AddHostedService<Topics.TopicDeletionResumer>();
        services.AddSingleton<GroupDeletion>();
        services.AddHostedService<GroupPurgeResumer>();
        services.AddSingleton<MessageMediaThumbnails>();
        services.AddHostedService(provider => provider.GetRequiredService<MessageMediaThumbnails>());
        services.AddSingleton<ChatPhotoThumbnails>();
        services.AddHostedService(provider => provider.GetRequiredService<ChatPhotoThumbnails>());
        services.AddSingleton<ScheduledMediaThumbnails>();
        services.AddHostedService(provider => provider.GetRequiredService<ScheduledMediaThumbnails>());
        services.AddValidatorsFromAssemblyContaining<MessageStore>(ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddRpcMethod<SendMessageCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<GetBotCallbackAnswerCall, BotCallbackAnswer>(RpcCost.OwnLimit);
        services.AddRpcMethod<EditReplyMarkupCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<SendScheduledCall, ScheduledMessage>(RpcCost.Write);
        services.AddRpcMethod<GetScheduledCall, ScheduledMessages>(RpcCost.Read);
        services.AddRpcMethod<DeleteScheduledCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetHistoryCall, MessageList>(RpcCost.Read);
        services.AddRpcMethod<GetRepliesCall, MessageList>(RpcCost.Read);
        services.AddRpcMethod<GetUnreadMentionsCall, MessageList>(RpcCost.Read);
        services.AddRpcMethod<ReadMentionsCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<ReadThreadCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<ReportMessagesCall, ReportsFiled>(RpcCost.OwnLimit);
        services.AddRpcMethod<GetReportsCall, ReportList>(RpcCost.Read);
        services.AddRpcMethod<ResolveReportCall, Report>(RpcCost.Write);
        services.AddRpcMethod<DeleteUserMessagesCall, UserMessagesDeleted>(RpcCost.Write);
        services.AddRpcMethod<GetCallConfigCall, CallConfig>(RpcCost.Read);
        services.AddRpcMethod<GetCallsCall, PhoneCalls>(RpcCost.Read);
        services.AddRpcMethod<RequestCallCall, PhoneCall>(RpcCost.OwnLimit);
        services.AddRpcMethod<AcceptCallCall, PhoneCall>(RpcCost.Write);
        services.AddRpcMethod<SendCallSignalCall, Done>(RpcCost.Write);
        services.AddRpcMethod<DiscardCallCall, PhoneCall>(RpcCost.Write);
        services.AddRpcMethod<JoinGroupCallCall, GroupCall>(RpcCost.Write);
        services.AddRpcMethod<LeaveGroupCallCall, GroupCall>(RpcCost.Write);
        services.AddRpcMethod<GetGroupCallCall, GroupCalls>(RpcCost.Read);
        services.AddRpcMethod<SendGroupCallSignalCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetSharedMediaCall, MessageList>(RpcCost.Read);
        services.AddRpcMethod<GetDialogsCall, Dialogs>(RpcCost.Read);
        services.AddRpcMethod<GetPeerDialogsCall, Dialogs>(RpcCost.Read);
        services.AddRpcMethod<EditMessageCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<EditLiveLocationCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<DeleteMessagesCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<DeleteHistoryCall, AffectedHistory>(RpcCost.Write);
        services.AddRpcMethod<ReceivedMessagesCall, Done>(RpcCost.Write);
        services.AddRpcMethod<ReadHistoryCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<GetReadParticipantsCall, ReadParticipants>(RpcCost.Read);
        services.AddRpcMethod<SetTypingCall, Done>(RpcCost.Write);
        services.AddRpcMethod<BlockUserCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetBlockedCall, BlockedUsers>(RpcCost.Read);
        services.AddRpcMethod<UnblockUserCall, Done>(RpcCost.Write);
        services.AddRpcMethod<SearchMessagesCall, MessageList>(RpcCost.Read);
        services.AddRpcMethod<PinMessageCall, PinResult>(RpcCost.OwnLimit);
        services.AddRpcMethod<UnpinAllMessagesCall, AffectedMessages>(RpcCost.OwnLimit);
        services.AddRpcMethod<GetPinnedMessagesCall, MessageList>(RpcCost.Read);
        services.AddRpcMethod<UpdateNotifySettingsCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<SendReactionCall, ReactionsChanged>(RpcCost.OwnLimit);
        services.AddRpcMethod<SendPollCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<SendVoteCall, PollChanged>(RpcCost.OwnLimit);
        services.AddRpcMethod<ClosePollCall, PollChanged>(RpcCost.Write);
        services.AddRpcMethod<GetPollVotersCall, PollVoters>(RpcCost.Read);
        services.AddRpcMethod<SaveDraftCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<ToggleDialogPinCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<ToggleDialogArchiveCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<MarkDialogUnreadCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<GetDialogFiltersCall, DialogFilters>(RpcCost.Read);
        services.AddRpcMethod<UpdateDialogFilterCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<UpdateDialogFiltersOrderCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<SetHistoryTtlCall, SentMessage>(RpcCost.OwnLimit);

        services.AddRpcMethod<CreateGroupCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<AddMembersCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<RemoveMemberCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<LeaveGroupCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<DeleteGroupCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<EditTitleCall, ChatChanged>(RpcCost.OwnLimit);
        services.AddRpcMethod<EditPhotoCall, ChatChanged>(RpcCost.OwnLimit);
        services.AddRpcMethod<EditAboutCall, ChatChanged>(RpcCost.OwnLimit);
        services.AddRpcMethod<EditPermissionsCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<ToggleForumCall, ChatChanged>(RpcCost.OwnLimit);
        services.AddRpcMethod<CreateTopicCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<EditTopicCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<DeleteTopicCall, AffectedMessages>(RpcCost.Write);
        services.AddRpcMethod<GetForumTopicsCall, ForumTopics>(RpcCost.Read);
        services.AddRpcMethod<UpdatePinnedTopicCall, SentMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<SetAdminCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<TransferOwnershipCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<GetFullChatCall, ChatFull>(RpcCost.Read);
        services.AddRpcMethod<CreateWebhookCall, WebhookCreated>(RpcCost.Write);
        services.AddRpcMethod<GetWebhooksCall, WebhookList>(RpcCost.Read);
        services.AddRpcMethod<DeleteWebhookCall, Done>(RpcCost.Write);
        services.AddRpcMethod<ExportInviteCall, ChatInvite>(RpcCost.Write);
        services.AddRpcMethod<JoinByInviteCall, ChatChanged>(RpcCost.Write);
        services.AddRpcMethod<CheckInviteCall, InvitePreview>(RpcCost.Read);
        services.AddRpcMethod<GetInvitesCall, ChatInvites>(RpcCost.Read);
        services.AddRpcMethod<RevokeInviteCall, ChatInvite>(RpcCost.Write);
        services.AddRpcMethod<GetJoinRequestsCall, JoinRequests>(RpcCost.Read);
        services.AddRpcMethod<HideJoinRequestCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetBannedCall, ChatBans>(RpcCost.Read);
        services.AddRpcMethod<UnbanCall, Done>(RpcCost.Write);
        services.AddRpcMethod<ForwardMessagesCall, ForwardedMessages>(RpcCost.OwnLimit);

        services.AddRpcMethod<RequestSecretChatCall, SecretChat>(RpcCost.OwnLimit);
        services.AddRpcMethod<AcceptSecretChatCall, SecretChat>(RpcCost.Write);
        services.AddRpcMethod<DiscardSecretChatCall, Done>(RpcCost.Write);
        services.AddRpcMethod<SendEncryptedCall, SentEncryptedMessage>(RpcCost.OwnLimit);
        services.AddRpcMethod<ReadSecretHistoryCall, Done>(RpcCost.Write);
        services.AddRpcMethod<SetSecretTypingCall, Done>(RpcCost.Write);
        services.AddRpcMethod<GetSecretChatsCall, SecretChatList>(RpcCost.Read);
        return services;
    }

    /// <summary>The module's HTTP endpoints: incoming webhooks (<c>POST /hooks/&lt;token&gt;</c>).</summary>
    public static IEndpointRouteBuilder MapMessageModule(this IEndpointRouteBuilder endpoints) => endpoints.MapWebhooks().MapBotApi();
}
