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
        services.AddSingleton<SearchStore>();
        services.AddSingleton<Topics.TopicStore>();
        services.AddSingleton<SecretChatStore>();
        services.AddSingleton<DiscardedChatSweep>();
        services.AddHostedService(provider => provider.GetRequiredService<DiscardedChatSweep>());
        services.AddSingleton(provider => new ChatDirectory(provider.GetRequiredService<GroupStore>()));
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

        services.AddRpcMethod<SendMessageCall, SentMessage>();
        services.AddRpcMethod<GetBotCallbackAnswerCall, BotCallbackAnswer>();
        services.AddRpcMethod<EditReplyMarkupCall, SentMessage>();
        services.AddRpcMethod<SendScheduledCall, ScheduledMessage>();
        services.AddRpcMethod<GetScheduledCall, ScheduledMessages>();
        services.AddRpcMethod<DeleteScheduledCall, Done>();
        services.AddRpcMethod<GetHistoryCall, MessageList>();
        services.AddRpcMethod<GetRepliesCall, MessageList>();
        services.AddRpcMethod<GetUnreadMentionsCall, MessageList>();
        services.AddRpcMethod<ReadMentionsCall, AffectedMessages>();
        services.AddRpcMethod<ReadThreadCall, AffectedMessages>();
        services.AddRpcMethod<ReportMessagesCall, ReportsFiled>();
        services.AddRpcMethod<GetReportsCall, ReportList>();
        services.AddRpcMethod<ResolveReportCall, Report>();
        services.AddRpcMethod<DeleteUserMessagesCall, UserMessagesDeleted>();
        services.AddRpcMethod<GetCallConfigCall, CallConfig>();
        services.AddRpcMethod<GetCallsCall, PhoneCalls>();
        services.AddRpcMethod<RequestCallCall, PhoneCall>();
        services.AddRpcMethod<AcceptCallCall, PhoneCall>();
        services.AddRpcMethod<SendCallSignalCall, Done>();
        services.AddRpcMethod<DiscardCallCall, PhoneCall>();
        services.AddRpcMethod<JoinGroupCallCall, GroupCall>();
        services.AddRpcMethod<LeaveGroupCallCall, GroupCall>();
        services.AddRpcMethod<GetGroupCallCall, GroupCalls>();
        services.AddRpcMethod<SendGroupCallSignalCall, Done>();
        services.AddRpcMethod<GetSharedMediaCall, MessageList>();
        services.AddRpcMethod<GetDialogsCall, Dialogs>();
        services.AddRpcMethod<EditMessageCall, SentMessage>();
        services.AddRpcMethod<EditLiveLocationCall, SentMessage>();
        services.AddRpcMethod<DeleteMessagesCall, AffectedMessages>();
        services.AddRpcMethod<DeleteHistoryCall, AffectedHistory>();
        services.AddRpcMethod<ReceivedMessagesCall, Done>();
        services.AddRpcMethod<ReadHistoryCall, AffectedMessages>();
        services.AddRpcMethod<GetReadParticipantsCall, ReadParticipants>();
        services.AddRpcMethod<SetTypingCall, Done>();
        services.AddRpcMethod<BlockUserCall, Done>();
        services.AddRpcMethod<GetBlockedCall, BlockedUsers>();
        services.AddRpcMethod<UnblockUserCall, Done>();
        services.AddRpcMethod<SearchMessagesCall, MessageList>();
        services.AddRpcMethod<PinMessageCall, PinResult>();
        services.AddRpcMethod<UnpinAllMessagesCall, AffectedMessages>();
        services.AddRpcMethod<GetPinnedMessagesCall, MessageList>();
        services.AddRpcMethod<UpdateNotifySettingsCall, AffectedMessages>();
        services.AddRpcMethod<SendReactionCall, ReactionsChanged>();
        services.AddRpcMethod<SendPollCall, SentMessage>();
        services.AddRpcMethod<SendVoteCall, PollChanged>();
        services.AddRpcMethod<ClosePollCall, PollChanged>();
        services.AddRpcMethod<GetPollVotersCall, PollVoters>();
        services.AddRpcMethod<SaveDraftCall, AffectedMessages>();
        services.AddRpcMethod<ToggleDialogPinCall, AffectedMessages>();
        services.AddRpcMethod<ToggleDialogArchiveCall, AffectedMessages>();
        services.AddRpcMethod<MarkDialogUnreadCall, AffectedMessages>();
        services.AddRpcMethod<GetDialogFiltersCall, DialogFilters>();
        services.AddRpcMethod<UpdateDialogFilterCall, AffectedMessages>();
        services.AddRpcMethod<UpdateDialogFiltersOrderCall, AffectedMessages>();
        services.AddRpcMethod<SetHistoryTtlCall, SentMessage>();

        services.AddRpcMethod<CreateGroupCall, ChatChanged>();
        services.AddRpcMethod<AddMembersCall, ChatChanged>();
        services.AddRpcMethod<RemoveMemberCall, ChatChanged>();
        services.AddRpcMethod<LeaveGroupCall, ChatChanged>();
        services.AddRpcMethod<EditTitleCall, ChatChanged>();
        services.AddRpcMethod<EditPhotoCall, ChatChanged>();
        services.AddRpcMethod<EditAboutCall, ChatChanged>();
        services.AddRpcMethod<EditPermissionsCall, ChatChanged>();
        services.AddRpcMethod<ToggleForumCall, ChatChanged>();
        services.AddRpcMethod<CreateTopicCall, SentMessage>();
        services.AddRpcMethod<EditTopicCall, SentMessage>();
        services.AddRpcMethod<DeleteTopicCall, AffectedMessages>();
        services.AddRpcMethod<GetForumTopicsCall, ForumTopics>();
        services.AddRpcMethod<UpdatePinnedTopicCall, SentMessage>();
        services.AddRpcMethod<SetAdminCall, ChatChanged>();
        services.AddRpcMethod<TransferOwnershipCall, ChatChanged>();
        services.AddRpcMethod<DeleteGroupCall, ChatChanged>();
        services.AddRpcMethod<GetFullChatCall, ChatFull>();
        services.AddRpcMethod<CreateWebhookCall, WebhookCreated>();
        services.AddRpcMethod<GetWebhooksCall, WebhookList>();
        services.AddRpcMethod<DeleteWebhookCall, Done>();
        services.AddRpcMethod<ExportInviteCall, ChatInvite>();
        services.AddRpcMethod<JoinByInviteCall, ChatChanged>();
        services.AddRpcMethod<CheckInviteCall, InvitePreview>();
        services.AddRpcMethod<GetInvitesCall, ChatInvites>();
        services.AddRpcMethod<RevokeInviteCall, ChatInvite>();
        services.AddRpcMethod<GetJoinRequestsCall, JoinRequests>();
        services.AddRpcMethod<HideJoinRequestCall, Done>();
        services.AddRpcMethod<GetBannedCall, ChatBans>();
        services.AddRpcMethod<UnbanCall, Done>();
        services.AddRpcMethod<ForwardMessagesCall, ForwardedMessages>();

        services.AddRpcMethod<RequestSecretChatCall, SecretChat>();
        services.AddRpcMethod<AcceptSecretChatCall, SecretChat>();
        services.AddRpcMethod<DiscardSecretChatCall, Done>();
        services.AddRpcMethod<SendEncryptedCall, SentEncryptedMessage>();
        services.AddRpcMethod<ReadSecretHistoryCall, Done>();
        services.AddRpcMethod<SetSecretTypingCall, Done>();
        services.AddRpcMethod<GetSecretChatsCall, SecretChatList>();
        return services;
    }

    /// <summary>The module's HTTP endpoints: incoming webhooks (<c>POST /hooks/&lt;token&gt;</c>).</summary>
    public static IEndpointRouteBuilder MapMessageModule(this IEndpointRouteBuilder endpoints) => endpoints.MapWebhooks().MapBotApi();
}
