using FluentValidation;
using Mediator;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Media;
using Messenger.Kernel.Rpc;
using Messenger.Kernel.Storage;
using Messenger.Kernel.Updates;
using Messenger.Message.Sending;
using Messenger.Message.Storage;
using Microsoft.Extensions.Options;

namespace Messenger.Message.SecretChats;

internal sealed class SendEncryptedValidator : AbstractValidator<SendEncryptedCall>
{
    /// <summary>A 24-byte nonce, a 16-byte tag and at least one byte of ciphertext.</summary>
    public const int MinDataLength = 41;

    /// <summary>64 KiB: a 4096-character text in a MessagePack map takes at most ≈ 16 KiB; the rest is room for what
    /// clients may add to the plaintext later.</summary>
    public const int MaxDataLength = 65_536;

    public SendEncryptedValidator()
    {
        RuleFor(c => c.RandomId).Must(SecretChatStore.IsSafeRandomId).WithErrorCode(MessageErrorNames.RandomIdInvalid);
        RuleFor(c => c.Data).Must(d => d is { Length: >= MinDataLength and <= MaxDataLength }).WithErrorCode(SecretErrorNames.EncryptedMessageInvalid);
        RuleFor(c => c.File).Must(f => f is null or { Id: not 0 }).When(c => c.Service).WithErrorCode(SecretErrorNames.EncryptedMessageInvalid);
        RuleFor(c => c.File!.FileId).NotEqual(0).When(c => c.File is { Id: 0 }).WithErrorCode(MediaErrorNames.FileIdInvalid);
        RuleFor(c => c.File!.TotalParts).GreaterThan(0).When(c => c.File is { Id: 0 }).WithErrorCode(MediaErrorNames.FilePartsInvalid);
        RuleFor(c => c.File!).Must(f => f is { FileId: 0, TotalParts: 0 }).When(c => c.File is { Id: not 0 }).WithErrorCode(SecretErrorNames.EncryptedFileInvalid);
    }
}

/// <summary>
/// Relays ciphertext from a chat's bound device to the other user's log, the only place it is kept (compacted with the
/// log like any entry). The row that makes a resend idempotent holds ids and the date, nothing of the message. Counts
/// against the posting limit as messages.send does: every send is a write through the one storage writer.
/// A file is an ordinary upload of ciphertext, completed before the unit like a message's media (never hashed inside
/// it) and held by a row of the chat, so only its members read it and it goes with the chat. The append names the
/// recipient's bound device, so Web Push can leave out at once a message that device gets live or cannot be pushed to.
/// </summary>
internal sealed class SendEncryptedHandler(
    SecretChatStore store, LoggedWriter writer, IMediaAttachments media, IPublisher bus, PostLimiter limiter, RpcContext caller,
    IOptions<MessageOptions> options, TimeProvider clock)
    : IRequestHandler<SendEncryptedCall, SentEncryptedMessage>
{
    /// <summary>What the server records of an encrypted file: nothing of the file's own name or type (those are inside
    /// the ciphertext), and a type it never decodes.</summary>
    private const string StoredName = "encrypted";

    private const string StoredMimeType = "application/octet-stream";

    public async ValueTask<SentEncryptedMessage> Handle(SendEncryptedCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        var deviceKey = caller.DeviceKey;
        if (call.File is not null)
        {
            if (!options.Value.SecretFiles)
            {
                throw MessengerError.Forbidden(SecretErrorNames.EncryptedFilesDisabled);
            }

            // Checked before the upload is completed, so a file for a chat that cannot take it is named for the chat;
            // checked again in the unit.
            SecretChatStore.RequireUsable(store.Find(call.ChatId), me, deviceKey);
            if (store.Sent(call.ChatId, me, call.RandomId) is { } first)
            {
                return first;
            }
        }

        limiter.Take(me, 1);
        using var prepared = call.File is not { Id: 0 } file ? null
            : await media.PrepareAsync(me, new InputMedia(file.FileId, file.TotalParts, StoredName, StoredMimeType), cancellationToken);
        var sent = await writer.WriteAsync(bus, (scope, appends) =>
        {
            var stored = SecretChatStore.RequireUsable(SecretChatStore.Find(scope, call.ChatId), me, deviceKey);
            if (SecretChatStore.SentDate(scope, call.ChatId, me, call.RandomId) is { } first)
            {
                return new SentEncryptedMessage(first, SecretChatStore.SentFile(scope, call.ChatId, me, call.RandomId));
            }

            var other = stored.OtherThan(me);
            switch (MessageStore.BlockBetween(scope, me, other))
            {
                case Block.ByPeer:
                    throw MessengerError.Forbidden(MessageErrorNames.UserIsBlocked);
                case Block.ByMe:
                    throw MessengerError.Forbidden(MessageErrorNames.YouBlockedUser);
            }

            var now = clock.GetUtcNow().ToUnixTimeSeconds();
            SecretChatStore.RecordSent(scope, call.ChatId, me, call.RandomId, now);
            EncryptedFile? held = null;
            if (prepared is not null)
            {
                var fileId = SecretChatStore.InsertFile(scope, call.ChatId, me, call.RandomId);
                var descriptor = media.Attach(scope, prepared, MediaHolders.SecretFileOf(fileId), me);
                held = new EncryptedFile(descriptor.Id, descriptor.Size);
                SecretChatStore.SetFileMedia(scope, fileId, held);
            }
            else if (call.File is { Id: not 0 } again)
            {
                // Only the caller's own file of this chat, still held: nobody reaches another user's or chat's blob by
                // naming its id, and the chat's new row holds one more reference to the same blob, released with the chat.
                held = SecretChatStore.HeldFile(scope, call.ChatId, me, again.Id)
                    ?? throw MessengerError.BadRequest(SecretErrorNames.EncryptedFileInvalid);
                var fileId = SecretChatStore.InsertFile(scope, call.ChatId, me, call.RandomId);
                media.AddReference(scope, held.Id, MediaHolders.SecretFileOf(fileId));
                SecretChatStore.SetFileMedia(scope, fileId, held);
            }

            var message = new EncryptedMessage(call.ChatId, call.RandomId, me, now, call.Data, call.Silent, held, call.Service);
            appends.Append(other, new NewEncryptedMessageUpdate(message), now, device: stored.DeviceOf(other));
            return new SentEncryptedMessage(now, held);
        }, cancellationToken);

        return sent;
    }
}
