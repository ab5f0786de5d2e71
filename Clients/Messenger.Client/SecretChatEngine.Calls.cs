using System.Security.Cryptography;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Secret;

namespace Messenger.Client;

/// <summary>The secret chats' calls the app makes (<see cref="SecretChatMethods"/>): each checks its input, changes and
/// writes what it must under the lock before the server is called (a key, a message, a sequence number: a restart
/// finds them), calls the server outside the lock, and takes the answer (or undoes what a refusal proves was never
/// stored) under the lock again.</summary>
internal sealed partial class SecretChatEngine
{
    public async Task<SecretChat> RequestAsync(long userId, CancellationToken cancellationToken)
    {
        var me = RequireStarted();
        var (secret, gA) = SecretChatCrypto.GenerateKeyPair();
        var randomId = NewRandomId();
        lock (_gate)
        {
            _state.Pending[randomId] = new PendingRequest { RandomId = randomId, UserId = userId, OwnSecret = secret, GA = gA };
            Changed();
            Flush();
        }

        SecretChat chat;
        try
        {
            chat = await _client.CallAsync(new RequestSecretChatCall(userId, randomId, gA), cancellationToken);
        }
        catch (RpcException)
        {
            lock (_gate)
            {
                _state.Pending.Remove(randomId);
                Changed();
                Flush();
            }

            throw;
        }

        lock (_gate)
        {
            if (chat.AdminId == me)
            {
                ApplyChat(null, chat, []);
                Flush();
            }
        }

        return chat;
    }

    public async Task<SecretChat> AcceptAsync(long chatId, CancellationToken cancellationToken)
    {
        RequireStarted();
        SecretChat? known;
        lock (_gate)
        {
            _known.TryGetValue(chatId, out known);
        }

        known ??= (await _client.CallAsync(new GetSecretChatsCall(), cancellationToken)).Chats.FirstOrDefault(c => c.Id == chatId);
        if (known is null)
        {
            throw new RpcException(SecretErrorNames.EncryptionIdInvalid, 400, null);
        }

        return (await AcceptAsync(known, explicitly: true, cancellationToken))!;
    }

    public Task<SecretMessage> SendAsync(long chatId, string text, int ttl, long? replyTo, bool silent, long? randomId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
        {
            throw new ArgumentException($"a secret message's text is 1–4096 characters as shown, its markup at most {MaxTextLength}", nameof(text));
        }

        return SendCoreAsync(chatId, text, ttl, replyTo, silent, randomId, null, null, cancellationToken);
    }

    /// <summary>Encrypts <paramref name="content"/> with a new key into a temporary file (deleted when closed), uploads
    /// the ciphertext as an ordinary upload and sends it with a message whose encrypted body holds the key.</summary>
    public async Task<SecretMessage> SendFileAsync(
        long chatId, Stream content, string name, string mimeType, string caption, int ttl, byte[]? thumb, int? width, int? height, int? duration,
        bool silent, long? randomId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxFileNameLength)
        {
            throw new ArgumentException($"a file's name is 1–{MaxFileNameLength} characters", nameof(name));
        }

        if (mimeType?.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
        {
            throw new ArgumentException("a file's type is a mime type (type/subtype)", nameof(mimeType));
        }

        caption ??= "";
        if (caption.Length > MaxCaptionLength)
        {
            throw new ArgumentException($"a caption is 0–1024 characters as shown, its markup at most {MaxCaptionLength}", nameof(caption));
        }

        if (thumb is { Length: 0 or > MaxThumbBytes })
        {
            throw new ArgumentException($"a thumb is a small JPEG of 1–{MaxThumbBytes} bytes", nameof(thumb));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ttl);
        RequireStarted();
        StoredFile? earlier;
        lock (_gate)
        {
            var chat = RequireReady(chatId);
            var message = randomId is { } again ? chat.History.Find(m => m.Outgoing && m.RandomId == again) : null;
            if (message is { File: null })
            {
                // Before anything is encrypted or uploaded.
                throw new InvalidOperationException("this random id is a text message's: send it again with SendSecretMessageAsync");
            }

            earlier = message?.File;
        }

        // Sent again under its random_id (its answer lost): the same key, so whichever upload the server keeps — the
        // first, if it had it, or this one — opens with the key the message carries. A new prefix keeps nonces apart.
        var key = earlier?.Key ?? SecretFileCrypto.GenerateKey();
        var path = Path.Combine(Path.GetTempPath(), $"messenger-secret-{Guid.NewGuid():N}.tmp");
        await using var encrypted = new FileStream(
            path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var size = await SecretFileCrypto.EncryptAsync(content, encrypted, key, cancellationToken);
        if (earlier is not null && earlier.Size != size)
        {
            // Before the upload: another file is refused without sending its bytes.
            throw new ArgumentException("a file sent again under its random id must be the same file", nameof(content));
        }

        encrypted.Position = 0;
        var input = await _client.UploadFileAsync(encrypted, "encrypted", "application/octet-stream", cancellationToken: cancellationToken);
        var file = new StoredFile
        {
            Key = key, Name = name.Trim(), MimeType = mimeType.Trim().ToLowerInvariant(), Size = size, Width = width, Height = height, Duration = duration,
            Thumb = thumb,
        };

        return await SendCoreAsync(chatId, caption, ttl, null, silent, randomId, file, new InputEncryptedFile(input.FileId, input.TotalParts), cancellationToken);
    }

    private async Task<SecretMessage> SendCoreAsync(
        long chatId, string text, int ttl, long? replyTo, bool silent, long? randomId, StoredFile? file, InputEncryptedFile? input,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ttl);
        var me = RequireStarted();
        var id = randomId ?? NewRandomId();
        StoredMessage stored;
        byte[] data;
        bool first;
        lock (_gate)
        {
            var chat = RequireReady(chatId);
            var earlier = chat.History.Find(m => m.Outgoing && m.RandomId == id);
            if (earlier is not null && (earlier.File is null) != (file is null))
            {
                throw new InvalidOperationException(earlier.File is null
                    ? "this random id is a text message's: send it again with SendSecretMessageAsync"
                    : "this random id is a file message's: send it again with SendSecretFileAsync and the same file");
            }

            // A resend carries what the first attempt did, its number too, so the other side reads the same message
            // whichever it got (and a resend that comes after later messages fills the gap it left).
            var number = earlier?.OutSeq ?? TakeOutSeq(chat);
            var plaintext = earlier is null
                ? SecretChatCrypto.EncodePlaintext(new SecretPlaintext(text, Now, ttl, replyTo, File: file?.ToInfo()) { OutSeq = number, InSeq = chat.Inbound.InOrder })
                : SecretChatCrypto.EncodePlaintext(new SecretPlaintext(earlier.Text, earlier.SenderDate, earlier.Ttl, earlier.ReplyTo, File: earlier.File?.ToInfo())
                {
                    OutSeq = number, InSeq = chat.Inbound.InOrder,
                });
            data = SecretChatCrypto.Encrypt(chat.OwnKey()!, chatId, id, plaintext);
            CountUse(chat);
            first = earlier is null;
            stored = earlier ?? new StoredMessage
            {
                RandomId = id, FromId = me, Outgoing = true, SenderDate = Now, Text = text, Ttl = ttl, ReplyTo = replyTo, Silent = silent, File = file,
                OutSeq = number,
            };
            if (first)
            {
                _storage.AddToHistory(chat, stored);
            }

            Flush();
        }

        SentEncryptedMessage sent;
        try
        {
            // Given up (cancelled, timed out) as the server stored it, the message would stay failed, though the other
            // side has it: its answer, if it still comes, dates it as a resend's would.
            sent = await _client.CallWithLateAnswerAsync(
                new SendEncryptedCall(chatId, id, data, silent, input), late => TakeLateAnswer(chatId, stored, late), cancellationToken);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                if (stored.Date == 0 && _state.Chats.TryGetValue(chatId, out var chat))
                {
                    // The server's refusal of the only attempt proves nothing was stored: the message goes. After an
                    // attempt whose answer was lost (or with no answer now) the other side may have it: it stays, failed,
                    // for the app to send again with its random_id.
                    if (first && e is RpcException)
                    {
                        _storage.RemoveOwn(chat, stored);
                        GiveBackOutSeq(chat, stored.OutSeq);
                    }
                    else
                    {
                        stored.Failed = true;
                        _storage.Rewrite(chat, stored);
                    }

                    Flush();
                }
            }

            throw;
        }

        SecretMessage result;
        lock (_gate)
        {
            result = TakeSent(chatId, stored, sent);
        }

        SendOutbox();
        return result;
    }

    /// <summary>The answer to a send whose caller gave up: the server stored the message, so it is sent, not failed —
    /// unless an answer (a resend's) dated it already, or it left the history meanwhile.</summary>
    private void TakeLateAnswer(long chatId, StoredMessage stored, SentEncryptedMessage sent)
    {
        lock (_gate)
        {
            if (stored.Date != 0 || !_state.Chats.TryGetValue(chatId, out var chat) || !chat.History.Contains(stored))
            {
                return;
            }

            _client.Events.Report(new SecretMessageSent(TakeSent(chatId, stored, sent)));
        }

        SendOutbox();
    }

    private SecretMessage TakeSent(long chatId, StoredMessage stored, SentEncryptedMessage sent)
    {
        stored.Date = sent.Date;
        stored.Failed = false;
        if (stored.File is { } held && sent.File is { } onServer)
        {
            held.Id = onServer.Id;
            held.EncryptedSize = onServer.Size;
        }

        if (_state.Chats.TryGetValue(chatId, out var chat) && chat.History.Contains(stored))
        {
            _storage.Rewrite(chat, stored);
            // The read receipt covering it may have come before this answer (or before a resend's, after a lost one):
            // it could not start a timer on a message without a date.
            StartTimers(chat, m => m.Outgoing && m.Date > 0 && m.Date <= chat.PeerReadDate);
        }

        if (chat is not null)
        {
            CheckRekey(chat);
        }

        Flush();
        ArmExpiry();
        return ToPublic(chatId, stored);
    }

    /// <summary>Downloads the message's encrypted file into a temporary file (deleted when closed), then decrypts it into
    /// <paramref name="destination"/>, each chunk verified before it is written; a file altered, cut short or of another
    /// length throws <see cref="CryptographicException"/>.</summary>
    public async Task DownloadFileAsync(SecretMessage message, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(destination);
        byte[] key;
        StoredFile file;
        lock (_gate)
        {
            var held = _state.Chats.TryGetValue(message.ChatId, out var chat)
                ? chat.History.Find(m => m.RandomId == message.RandomId && m.Outgoing == message.IsOutgoing)?.File
                : null;
            if (held is not { Id: > 0 })
            {
                throw new InvalidOperationException("this device holds no file of that message (none, deleted, self-destructed, or still on its way)");
            }

            (file, key) = (held, held.Key.ToArray());
        }

        var path = Path.Combine(Path.GetTempPath(), $"messenger-secret-{Guid.NewGuid():N}.tmp");
        await using var encrypted = new FileStream(
            path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await _client.DownloadFileAsync(
                new MessageMedia(file.Id, MediaKinds.Document, "encrypted", "application/octet-stream", file.EncryptedSize), encrypted, cancellationToken: cancellationToken);
            if (encrypted.Length != SecretFileCrypto.CiphertextLength(file.Size))
            {
                throw new CryptographicException("the encrypted file's length does not match the size its message gives");
            }

            encrypted.Position = 0;
            await SecretFileCrypto.DecryptAsync(encrypted, encrypted.Length, destination, key, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public async Task DeleteAsync(long chatId, long[] randomIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(randomIds);
        if (randomIds.Length == 0)
        {
            return;
        }

        RequireStarted();
        byte[] data;
        long number;
        var id = NewRandomId();
        lock (_gate)
        {
            var chat = RequireReady(chatId);
            number = TakeOutSeq(chat);
            data = SecretChatCrypto.Encrypt(
                chat.OwnKey()!, chatId, id, SecretChatCrypto.EncodePlaintext(new SecretPlaintext(null, Now, Delete: randomIds) { OutSeq = number, InSeq = chat.Inbound.InOrder }));
            RememberSent(chat, number, SentKind.Delete, id, randomIds);
            CountUse(chat);
            // As for a message: keys that are only in memory (a switch whose write failed) must not reach the other side,
            // which would use them after this device, restarted, has lost them.
            Flush();
        }

        // A service message: a delete shows nothing new, so no notification is pushed for it.
        try
        {
            await _client.CallAsync(new SendEncryptedCall(chatId, id, data, Service: true), cancellationToken);
        }
        catch (RpcException)
        {
            // Refused: the server stored nothing, and its number may go to the next body.
            lock (_gate)
            {
                if (_state.Chats.TryGetValue(chatId, out var chat))
                {
                    GiveBackOutSeq(chat, number);
                    Flush();
                }
            }

            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Given up (cancelled, timed out): the delete is numbered and kept, so the other side deletes them either way
            // — the server ran it, or the other side asks for its number again and gets it. Off this device too, then.
            RemoveDeleted(chatId, randomIds);
            throw;
        }

        RemoveDeleted(chatId, randomIds);
        SendOutbox();
    }

    private void RemoveDeleted(long chatId, long[] randomIds)
    {
        lock (_gate)
        {
            if (_state.Chats.TryGetValue(chatId, out var chat))
            {
                // Nobody is to see them any more: asked for again, their numbers go as empty bodies.
                foreach (var own in chat.History.Where(m => m.Outgoing && m.OutSeq is not null && randomIds.Contains(m.RandomId)).ToList())
                {
                    RememberSent(chat, own.OutSeq!.Value, SentKind.Control, own.RandomId);
                }

                _storage.RemoveFromHistory(chat, randomIds);
                CheckRekey(chat);
                Flush();
            }
        }
    }

    public async Task ReadAsync(long chatId, long? maxDate, CancellationToken cancellationToken)
    {
        RequireStarted();
        long upTo;
        lock (_gate)
        {
            var chat = RequireReady(chatId);
            upTo = maxDate ?? chat.History.Where(m => !m.Outgoing).Select(m => m.Date).DefaultIfEmpty(Now).Max();
            // The recipient's copy of a self-destructing message starts its time when it is first shown: read.
            StartTimers(chat, m => !m.Outgoing && m.Date <= upTo);
            Flush();
            ArmExpiry();
        }

        await _client.CallAsync(new ReadSecretHistoryCall(chatId, upTo), cancellationToken);
    }

    public async Task DiscardAsync(long chatId, bool deleteHistory, CancellationToken cancellationToken)
    {
        await _client.CallAsync(new DiscardSecretChatCall(chatId, deleteHistory), cancellationToken);
        if (deleteHistory)
        {
            lock (_gate)
            {
                if (_state.Chats.TryGetValue(chatId, out var chat))
                {
                    _storage.ClearHistory(chat);
                    Flush();
                }
            }
        }
    }

    /// <summary>Drops the chat from this device: its keys, its history and its place among the local chats, leaving only
    /// its id for a while so that what the log replays of it is ignored. A chat still open is ended first (for both, as
    /// <see cref="DiscardAsync"/>; one already gone from the server is no error).</summary>
    public async Task ForgetAsync(long chatId, CancellationToken cancellationToken)
    {
        bool open;
        lock (_gate)
        {
            if (!_state.Chats.TryGetValue(chatId, out var chat))
            {
                return;
            }

            open = chat.State != SecretChatState.Discarded;
        }

        if (open)
        {
            try
            {
                await _client.CallAsync(new DiscardSecretChatCall(chatId), cancellationToken);
            }
            catch (RpcException e) when (e.Name == SecretErrorNames.EncryptionIdInvalid)
            {
                // Long gone from the server: nothing to end there.
            }
        }

        lock (_gate)
        {
            if (_state.Chats.TryGetValue(chatId, out var chat))
            {
                Forget(chat);
                Flush();
            }
        }
    }

    /// <summary>Drops every chat with its keys and history, the requests on their way, and everything the store keeps
    /// (the device signed out: nothing of its secret chats may stay behind on it).</summary>
    public void Erase()
    {
        lock (_gate)
        {
            EraseAll();
            _userId = 0;
        }
    }

    public LocalSecretChat[] LocalChats()
    {
        lock (_gate)
        {
            return [.. _state.Chats.Values.OrderByDescending(c => c.Date).Select(ToPublic)];
        }
    }

    public LocalSecretChat? LocalChat(long chatId)
    {
        lock (_gate)
        {
            return _state.Chats.TryGetValue(chatId, out var chat) ? ToPublic(chat) : null;
        }
    }

    public SecretMessage[] History(long chatId)
    {
        lock (_gate)
        {
            var now = Now;
            return _state.Chats.TryGetValue(chatId, out var chat)
                ? [.. chat.History.Where(m => m.ExpiresAt == 0 || m.ExpiresAt > now).Select(m => ToPublic(chatId, m))]
                : [];
        }
    }

    /// <summary>Finishes what a restart or a lost answer left: requests sent again with their random_id and key, a
    /// pending acceptance sent again with its key, requests waiting for this user accepted, chats that ended meanwhile
    /// ended here too.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var me = RequireStarted();
        List<PendingRequest> pending;
        lock (_gate)
        {
            pending = [.. _state.Pending.Values];
        }

        foreach (var request in pending)
        {
            try
            {
                var chat = await _client.CallAsync(new RequestSecretChatCall(request.UserId, request.RandomId, request.GA), cancellationToken);
                lock (_gate)
                {
                    ApplyChat(null, chat, []);
                }
            }
            catch (RpcException e) when (e.Name is MessageErrorNames.PeerIdInvalid or MessageErrorNames.UserIsBlocked or MessageErrorNames.YouBlockedUser
                or MessageErrorNames.RandomIdInvalid or SecretErrorNames.DhGaInvalid or SecretErrorNames.SecretChatsTooMuch)
            {
                // Only a refusal drops the request and its key: after FLOOD_WAIT, a server error or a lost connection the
                // server may hold the chat, and the request is sent again at the next sync.
                lock (_gate)
                {
                    _state.Pending.Remove(request.RandomId);
                    Changed();
                    Flush();
                }
            }
            catch (RpcException)
            {
                // Kept for the next sync (FLOOD_WAIT, a server error); the chats' fates are still read below.
            }
        }

        var listed = (await _client.CallAsync(new GetSecretChatsCall(), cancellationToken)).Chats;
        var events = new List<MessengerEvent>();
        var toAccept = new List<SecretChat>();
        lock (_gate)
        {
            var pts = _client.Events.Pts ?? 0;
            foreach (var chat in listed)
            {
                var held = _state.Chats.TryGetValue(chat.Id, out var local) ? local : null;
                if (held is { Accepting: true } && chat.State == SecretChatState.Requested)
                {
                    toAccept.Add(chat);
                    continue;
                }

                if (held is not null && chat.State == held.State && !held.Accepting)
                {
                    _known[chat.Id] = chat;
                    continue;
                }

                events.AddRange(ApplyChat(pts, chat, toAccept));
            }

            foreach (var lost in _state.Chats.Values.Where(c => c.State != SecretChatState.Discarded && listed.All(l => l.Id != c.Id)).ToList())
            {
                // Gone from the server altogether: discarded long ago.
                lost.State = SecretChatState.Discarded;
                lost.Accepting = false;
                Wipe(lost);
                Changed();
                if (lost.History.Count == 0)
                {
                    Forget(lost);
                }
            }

            Flush();
        }

        foreach (var e in events)
        {
            _client.Events.ReportInOrder(e);
        }

        foreach (var chat in toAccept.Where(c => c.ParticipantId == me))
        {
            await AcceptAsync(chat, explicitly: false, cancellationToken);
        }
    }
}
