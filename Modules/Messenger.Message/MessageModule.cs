using FluentValidation;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Messenger.Message.Typing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Message;

/// <summary>
/// Chats and messages (DESIGN §6): send (idempotent by random_id), history, dialogs with unread counts, edit, delete
/// for me or for both, forward (media by reference), receipts (delivered, read), typing, blocking. Every change appends to the affected users'
/// update logs in the same writer unit and is pushed after COMMIT.
/// </summary>
public static class MessageModule
{
    public static IServiceCollection AddMessageModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddModuleDbContext<MessageDbContext>(MessageDbContext.MigrationsHistoryTable);
        services.AddSingleton<MessageStore>();
        services.AddSingleton<Chats.Chats>();
        services.AddSingleton<TypingThrottle>();
        services.AddValidatorsFromAssemblyContaining<MessageStore>(ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddRpcMethod<SendMessageCall, SentMessage>();
        services.AddRpcMethod<GetHistoryCall, MessageList>();
        services.AddRpcMethod<GetDialogsCall, Dialogs>();
        services.AddRpcMethod<EditMessageCall, SentMessage>();
        services.AddRpcMethod<DeleteMessagesCall, AffectedMessages>();
        services.AddRpcMethod<ReceivedMessagesCall, Done>();
        services.AddRpcMethod<ReadHistoryCall, AffectedMessages>();
        services.AddRpcMethod<SetTypingCall, Done>();
        services.AddRpcMethod<BlockUserCall, Done>();
        services.AddRpcMethod<UnblockUserCall, Done>();
        services.AddRpcMethod<ForwardMessagesCall, ForwardedMessages>();
        return services;
    }
}
