using Mediator;
using Messenger.Contracts.Secret;
using Messenger.Kernel.Events;
using Messenger.Kernel.Media;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;

namespace Messenger.Message.SecretChats;

/// <summary>
/// The server's own endings of secret chats: a bound device signed out (its keys are gone with it, so the chat could
/// never be read again) ends its chats as <c>device_signed_out</c>; a deleted account ends all of its chats as
/// <c>account_deleted</c>, told to the other side only (the deleted user's log goes). Both are idempotent: a deletion's
/// clean-up runs again at every start, and finds nothing left to end.
/// </summary>
internal sealed class EndSecretChats(SecretChatStore store, LoggedWriter writer, IMediaAttachments media, IUpdateLog log, IPublisher bus, TimeProvider clock)
    : INotificationHandler<DeviceSignedOutEvent>, INotificationHandler<AccountDeletedEvent>
{
    public async ValueTask Handle(DeviceSignedOutEvent signedOut, CancellationToken cancellationToken)
    {
        if (!store.AnyOpen(signedOut.DeviceKey, null))
        {
            return;
        }

        // Deleting an account signs its devices out first: those chats end as the account's deletion.
        var accountDeleted = signedOut.Reason == DeviceSignedOutEvent.AccountDeletedReason;
        var reason = accountDeleted ? SecretChatEndReasons.AccountDeleted : SecretChatEndReasons.DeviceSignedOut;
        await writer.WriteAsync(bus, (scope, appends) =>
        {
            foreach (var chatId in SecretChatStore.OpenOnDevice(scope, signedOut.DeviceKey))
            {
                var stored = SecretChatStore.Find(scope, chatId)!;
                var owner = stored.AdminDevice.AsSpan().SequenceEqual(signedOut.DeviceKey) ? stored.Chat.AdminId : stored.Chat.ParticipantId;
                End(scope, stored.Chat, reason, accountDeleted ? [stored.OtherThan(owner)] : [stored.Chat.AdminId, stored.Chat.ParticipantId], appends);
            }
        }, CancellationToken.None);
    }

    public async ValueTask Handle(AccountDeletedEvent deleted, CancellationToken cancellationToken)
    {
        if (!store.AnyOpen(null, deleted.UserId))
        {
            return;
        }

        await writer.WriteAsync(bus, (scope, appends) =>
        {
            foreach (var chatId in SecretChatStore.OpenOf(scope, deleted.UserId))
            {
                var stored = SecretChatStore.Find(scope, chatId)!;
                End(scope, stored.Chat, SecretChatEndReasons.AccountDeleted, [stored.OtherThan(deleted.UserId)], appends);
            }
        }, CancellationToken.None);
    }

    private void End(WriteScope scope, SecretChat chat, string reason, long[] told, List<LogAppend> appends)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var discarded = SecretChatStore.Discard(scope, media, chat, reason, historyDeleted: false, now);
        SecretChatStore.Tell(scope, log, discarded, now, appends, told);
    }
}
