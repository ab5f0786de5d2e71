using System.Security.Cryptography;
using Messenger.Contracts.Secret;
using Messenger.Contracts.Updates;

namespace Messenger.Client;

/// <summary>
/// What a device does for its secret chats: makes and keeps their keys (<see cref="ISecretChatKeyStore"/>), accepts
/// requests by itself when <see cref="MessengerClientOptions.AutoAcceptSecretChats"/>, turns the log's
/// <c>secret_chat</c>, <c>new_encrypted_message</c> and <c>encrypted_read</c> into events (decrypted, each message
/// once), keeps the local history and deletes self-destructing messages when their time comes, and replaces each chat's
/// keys every <see cref="MessengerClientOptions.SecretRekeyAfterMessages"/> messages or
/// <see cref="MessengerClientOptions.SecretRekeyAfter"/> (re-keying: its steps travel as encrypted messages, saved in the
/// chat's outbox before they are sent). Everything changes under one lock. What changed goes to disk at the end of each batch of updates (a push, a slice of getDifference) and of
/// each of the app's calls, once, through <see cref="SecretChatStorage"/>: the small state (keys, states, read
/// positions, re-keying) when it changed, then each touched chat's new history records appended to its journal
/// (rewritten from the history instead when most of it is of messages gone).
/// <para>
/// Its parts: this file (start and end, the update stream's entries, and the protocol applied under the lock), the
/// app's calls (<c>SecretChatEngine.Calls.cs</c>), re-keying and its outbox (<c>.Rekey.cs</c>), resend requests
/// (<c>.Resend.cs</c>) and the timer (<c>.Expiry.cs</c>); what goes to disk, and how, is <see cref="SecretChatStorage"/>'s.
/// </para>
/// </summary>
internal sealed partial class SecretChatEngine
{
    /// <summary>random_ids of the other side's messages remembered per chat (a replayed entry is not reported twice).</summary>
    internal const int SeenPerChat = 4096;

    /// <summary>How long a forgotten chat's id is remembered, so that an entry of it replayed from the log (kept 30 days
    /// by default) is ignored instead of making the chat again.</summary>
    private static readonly TimeSpan ForgottenKept = TimeSpan.FromDays(30);

    /// <summary>A text's markup may be at most four times the 4096 characters shown, as the server's rule for messages.</summary>
    public const int MaxTextLength = 4 * 4096;

    /// <summary>A caption's markup: four times the 1024 characters shown.</summary>
    public const int MaxCaptionLength = 4 * 1024;

    /// <summary>A file's thumb travels inside the encrypted body: a small JPEG.</summary>
    public const int MaxThumbBytes = 4096;

    private const int MaxFileNameLength = 255;

    /// <summary>Messages from the other side opened under the current keys after which the previous keys are wiped: the
    /// other side has surely switched, and what it sent before is in.</summary>
    internal const int PreviousKeptFor = 16;

    private static readonly TimeSpan FirstOutboxRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastOutboxRetry = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan TypingValid = TimeSpan.FromSeconds(6);

    private readonly MessengerClient _client;
    private readonly MessengerClientOptions _options;
    private readonly SecretChatStorage _storage;
    private readonly Lock _gate = new();
    private readonly ITimer _expiry;

    // The server's view of chats this client has seen (updates, answers): how far each went, and the chat itself.
    private readonly Dictionary<long, SecretChat> _known = new();

    /// <summary>Chats the server told of that this device has not forgotten (tests).</summary>
    internal int KnownCount
    {
        get
        {
            lock (_gate)
            {
                return _known.Count;
            }
        }
    }

    // Requests shown to the app to accept or not (auto-accept off): their later changes are shown too.
    private readonly HashSet<long> _offered = new();

    private SecretState _state;
    private long _userId;

    // Set at each start, cleared by the check of the keys once the start's catch-up is done.
    private bool _startCheckDue;

    // The re-keying steps waiting in the chats' outboxes are sent by one loop at a time. A chat whose step failed waits
    // before its next try (the others go on); a FLOOD_WAIT holds back every chat's (the posting limit is the user's).
    private readonly CancellationTokenSource _closing = new();
    private readonly ITimer _outboxRetry;
    private readonly Dictionary<long, OutboxBackoff> _outboxBackoff = new();
    private DateTimeOffset _outboxFloodUntil;
    private bool _outboxRunning;

    public SecretChatEngine(MessengerClient client, MessengerClientOptions options)
    {
        _client = client;
        _options = options;
        _storage = new SecretChatStorage(
            options.SecretChatKeys
            ?? (options.DeviceKeys is FileDeviceKeyStore file
                ? new FileSecretChatKeyStore(FileSecretChatKeyStore.BesideDeviceKey(file.Path))
                : new InMemorySecretChatKeyStore()),
            ReportFailure);
        _state = _storage.LoadState(Now);
        _expiry = options.Clock.CreateTimer(static engine => ((SecretChatEngine)engine!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _outboxRetry = options.Clock.CreateTimer(static engine => ((SecretChatEngine)engine!).SendOutbox(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _storage.LoadHistories(_state);
            LetGoOfForgotten(Now);
            ArmExpiry();
        }
    }

    private void ReportFailure(string problem, string? keptAt = null) => _client.Events.Report(new SecretChatStoreFailed(problem, keptAt));

    private long Now => _options.Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Stops the self-destruct timer (what is due is deleted at the next start) and the sending of re-keying steps
    /// (those not answered yet are sent again at the next start), and writes the counts of the keys' uses not written yet
    /// (a client that lives for a few messages at a time still re-keys after 100) — nothing when the update stream
    /// stopped with events held back (a write had failed: their entries are handled again at the next start). After a
    /// sign-out nothing is left to write, so no store is made again.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await _outboxRetry.DisposeAsync();
        await _expiry.DisposeAsync();
        lock (_gate)
        {
            if (_client.Events.DroppedHeld)
            {
                // The update stream stopped holding back events of entries whose effect could not be written: those
                // entries come again from the app's pts, and must then not be taken for replays (written now, their
                // random_ids would be seen and their messages never reported).
                return;
            }

            _storage.IncludeUnsavedCounts();

            try
            {
                Flush();
            }
            catch (Exception e) when (!SecretChatStorage.IsFatal(e))
            {
                // Only the counts (and what a failed write kept) are lost: the next re-keying comes that much later.
                ReportFailure($"the secret chats could not be written: {e.Message}");
            }
        }
    }

    // ---- From the update stream (its loop) ----

    /// <summary>The stream started for <paramref name="userId"/>: another user's chats (the device signed in elsewhere)
    /// are dropped with their keys and histories; unfinished requests and acceptances, and the chats' fates, are brought
    /// up to date in the background.</summary>
    public void Started(long userId)
    {
        bool unfinished;
        lock (_gate)
        {
            if (_storage.Unavailable)
            {
                // Erasing here could destroy the chats of the state that could not be read.
                return;
            }

            if (_state.UserId != userId)
            {
                if (_state.Chats.Count > 0 || _state.Pending.Count > 0 || _state.Forgotten.Count > 0)
                {
                    try
                    {
                        EraseAll();
                    }
                    catch (Exception e) when (!SecretChatStorage.IsFatal(e))
                    {
                        // Called from the update stream's loop, which must go on; the next flush tries again.
                        ReportFailure($"the previous user's secret chats could not be erased: {e.Message}");
                    }
                }

                _state.UserId = userId;
            }

            _userId = userId;
            unfinished = _state.Pending.Count > 0 || _state.Chats.Values.Any(c => c.State != SecretChatState.Discarded);
            // Keys that grew old while the app was closed, and requests left unanswered meanwhile, are looked at once what
            // was missed is read (CaughtUp): the answer to a request, or the other side's own request, may be in it.
            _startCheckDue = true;

            try
            {
                Flush();
            }
            catch (Exception e) when (!SecretChatStorage.IsFatal(e))
            {
                ReportFailure($"the secret chats could not be written: {e.Message}");
            }
        }

        SendOutbox();
        if (unfinished)
        {
            _ = Task.Run(() => SyncQuietlyAsync());
        }
    }

    /// <summary>The update stream read what was missed since the start (or had nothing to read): each chat's keys are
    /// checked once for their age and use, and a request that waited too long for its answer is aborted. The steps this
    /// makes are written and sent at the end of the batch (<see cref="Commit"/>).</summary>
    public void CaughtUp()
    {
        lock (_gate)
        {
            if (!_startCheckDue || _storage.Unavailable || _userId == 0)
            {
                return;
            }

            _startCheckDue = false;
            foreach (var chat in _state.Chats.Values)
            {
                CheckRekey(chat);
            }
        }
    }

    /// <summary>Too much was missed: the chats' fates are read again from the server.</summary>
    public void Resynced()
    {
        if (!_storage.Unavailable)
        {
            _ = Task.Run(() => SyncQuietlyAsync());
            SendOutbox();
        }
    }

    /// <summary>The end of a batch of updates (a push, a slice of getDifference): what it changed goes to disk now, once.
    /// False when the store failed: what changed stays in memory for the next try, and the stream holds back the events
    /// from the batch's first secret entry on, so the app's pts never passes an entry whose effect is not on disk.</summary>
    public bool Commit()
    {
        bool written;
        lock (_gate)
        {
            try
            {
                Flush();
                written = true;
            }
            catch (Exception e) when (!SecretChatStorage.IsFatal(e))
            {
                // Still in memory, and still to be written: the next batch or call tries again. Any failure (an app's
                // store, a serialization error) is caught: the update stream must go on.
                ReportFailure($"the secret chats could not be written: {e.Message}");
                written = false;
            }
        }

        // The re-keying steps this batch made are on disk now (a failed write keeps them back until one succeeds).
        SendOutbox();
        return written;
    }

    /// <summary>One entry of the user's log about secret chats: the events it makes (none for chats other devices hold).</summary>
    public IReadOnlyList<MessengerEvent> OnLogged(long pts, Update update)
    {
        List<SecretChat> toAccept = [];
        IReadOnlyList<MessengerEvent> events;
        lock (_gate)
        {
            if (_storage.Unavailable)
            {
                return [];
            }

            events = update switch
            {
                SecretChatUpdate changed => ApplyChat(pts, changed.Chat, toAccept),
                NewEncryptedMessageUpdate message => Receive(pts, message.Message),
                EncryptedReadUpdate read => PeerRead(pts, read),
                _ => [],
            };
        }

        foreach (var chat in toAccept)
        {
            _ = Task.Run(() => AcceptAsync(chat, explicitly: false));
        }

        return events;
    }

    public MessengerEvent? OnTyping(EncryptedTypingUpdate typing)
    {
        lock (_gate)
        {
            return _state.Chats.TryGetValue(typing.ChatId, out var chat) && chat.State == SecretChatState.Ready && typing.UserId == chat.PeerId
                ? new SecretChatTyping(typing.ChatId, typing.UserId, _options.Clock.GetUtcNow() + TypingValid)
                : null;
        }
    }

    // ---- Inside the lock ----

    private IReadOnlyList<MessengerEvent> ApplyChat(long? pts, SecretChat chat, List<SecretChat> toAccept)
    {
        if (_state.Forgotten.ContainsKey(chat.Id))
        {
            // Dropped from this device: a replayed entry does not make it again (nor accept it again).
            return [];
        }

        if (!_known.TryGetValue(chat.Id, out var earlier) || chat.State >= earlier.State)
        {
            _known[chat.Id] = chat;
        }

        var me = _userId;
        _state.Chats.TryGetValue(chat.Id, out var local);
        if (chat.AdminId == me)
        {
            local ??= AdoptRequest(chat);
        }
        else if (chat.ParticipantId == me)
        {
            if (local is not null && chat.State != SecretChatState.Requested && chat.GB is { } gB && local.GB is { } mine && !gB.AsSpan().SequenceEqual(mine))
            {
                // Another device of the user accepted it: this one's key is of no use.
                Drop(local);
                local = null;
            }

            if (local is null)
            {
                if (chat.State == SecretChatState.Requested && _options.AutoAcceptSecretChats)
                {
                    toAccept.Add(chat);
                    return [];
                }

                if (chat.State == SecretChatState.Requested)
                {
                    _offered.Add(chat.Id);
                }

                return pts is { } offered && _offered.Contains(chat.Id) ? [new SecretChatChanged(offered, chat, null)] : [];
            }
        }

        if (local is null)
        {
            return [];
        }

        var discard = Transition(local, chat);
        Changed();
        ArmExpiry();
        if (discard)
        {
            _ = Task.Run(() => DiscardQuietlyAsync(chat.Id));
        }

        if (pts is not { } at)
        {
            return [];
        }

        var changed = new SecretChatChanged(at, chat, ToPublic(local));
        if (local.State == SecretChatState.Discarded && local.History.Count == 0)
        {
            // Ended with nothing left to show (never a message, or the history deleted for both): the event is all the
            // app needs of it, and the chat goes, as a discarded chat with a history does when the app forgets it.
            Forget(local);
        }

        return [changed];
    }

    /// <summary>Moves the local chat to the server's state (never back: a replayed older entry changes nothing); true when
    /// the admin's device found the participant's fingerprint wrong and ends the chat.</summary>
    private bool Transition(LocalChat local, SecretChat chat)
    {
        if (chat.State < local.State)
        {
            return false;
        }

        switch (chat.State)
        {
            case SecretChatState.Ready when local.State != SecretChatState.Ready || local.Accepting:
                local.Accepting = false;
                if (local.IsAdmin && local.AdminKey is null)
                {
                    SecretChatKeys? keys = null;
                    try
                    {
                        keys = SecretChatCrypto.DeriveKeys(local.OwnSecret!, local.GA, chat.GB!, isAdmin: true);
                    }
                    catch (Exception e) when (e is CryptographicException or ArgumentNullException)
                    {
                    }

                    if (keys is null || keys.KeyFingerprint != chat.KeyFingerprint)
                    {
                        // Someone between the two sides changed a key: this device will not talk over it.
                        local.State = SecretChatState.Discarded;
                        local.Reason = SecretChatEndReasons.Ended;
                        Wipe(local);
                        return true;
                    }

                    local.GB = chat.GB;
                    local.SetKeys(keys);
                }

                // The direction keys are all a Ready chat needs: the X25519 secret they came from would only help someone
                // who takes the device's files later read what was recorded of the chat.
                if (local.OwnSecret is { } own)
                {
                    CryptographicOperations.ZeroMemory(own);
                    local.OwnSecret = null;
                }

                local.State = SecretChatState.Ready;
                if (local.KeyCreated == 0)
                {
                    local.KeyCreated = Now;
                }

                break;
            case SecretChatState.Discarded when local.State != SecretChatState.Discarded:
                local.State = SecretChatState.Discarded;
                local.Accepting = false;
                local.Reason = chat.Reason;
                local.HistoryDeleted = chat.HistoryDeleted;
                Wipe(local);
                if (chat.HistoryDeleted)
                {
                    _storage.ClearHistory(local);
                }

                break;
        }

        return false;
    }

    /// <summary>This device's own request, found by its public key: the answer or the log may tell of the chat first.</summary>
    private LocalChat? AdoptRequest(SecretChat chat)
    {
        var request = _state.Pending.Values.FirstOrDefault(p => p.UserId == chat.ParticipantId && p.GA.AsSpan().SequenceEqual(chat.GA));
        if (request is null)
        {
            return null;
        }

        _state.Pending.Remove(request.RandomId);
        var local = new LocalChat
        {
            Id = chat.Id, IsAdmin = true, PeerId = chat.ParticipantId, Date = chat.Date, State = SecretChatState.Requested, OwnSecret = request.OwnSecret,
            GA = request.GA,
        };
        _state.Chats[chat.Id] = local;
        return local;
    }

    private IReadOnlyList<MessengerEvent> Receive(long pts, EncryptedMessage message)
    {
        if (!_state.Chats.TryGetValue(message.ChatId, out var chat) || chat.PeerKey() is null || message.FromId != chat.PeerId)
        {
            return [];
        }

        if (chat.Seen.Contains(message.RandomId)
            || (chat.Accepting && _known.TryGetValue(chat.Id, out var known) && known.GB is { } winner && !winner.AsSpan().SequenceEqual(chat.GB)))
        {
            // Seen already; or this device's acceptance lost to another device's and only waits for its refusal.
            return [];
        }

        chat.Seen.Add(message.RandomId);
        var (plaintext, opened) = Open(chat, message);
        if (opened == OpenedUnder.Accepted)
        {
            // The implicit commit: the other side switched to the keys this device accepted, whatever became of its commit.
            var accepted = chat.Accepted!;
            chat.Accepted = null;
            Switch(chat, accepted.AdminKey, accepted.ParticipantKey);
        }

        if (opened is OpenedUnder.Current or OpenedUnder.Accepted && CountPeerMessage(chat) >= PreviousKeptFor && chat.Previous is { } previous)
        {
            // The other side has surely switched and what it sent before is in: the older keys would only open old messages.
            WipeKeys(previous.AdminKey, previous.ParticipantKey);
            chat.Previous = null;
            Changed();
        }

        List<MessengerEvent> events = [];
        var body = plaintext is null ? null : SecretChatCrypto.DecodePlaintext(plaintext);
        if (plaintext is not null)
        {
            var missingBefore = chat.Inbound.Reported;
            var verdict = SecretSequence.Accept(chat.Inbound, SecretChatCrypto.ReadSequence(plaintext), Now);
            if (verdict is SequenceVerdict.Replay or SequenceVerdict.Refused)
            {
                // A number already received (a replay the random_ids no longer catch), or a body without one where they
                // are due: nothing of it is applied; its random_id is kept seen.
                _storage.Record(chat.Id, new HistoryRecord { Seen = [message.RandomId] });
                return verdict == SequenceVerdict.Refused
                    ? [new SecretMessageUndecryptable(pts, message.ChatId, message.RandomId, message.FromId, DateTimeOffset.FromUnixTimeSeconds(message.Date))]
                    : [];
            }

            if (body is { Gone: true } && chat.Inbound.Sequenced)
            {
                // Asked again, its sender no longer held it: the number is in, its body lost.
                SecretSequence.Lose(chat.Inbound);
            }

            if (chat.Inbound.Sequenced)
            {
                // Written with the body's effect (the same append): a restart neither takes it again nor misses it.
                _storage.Record(chat.Id, new HistoryRecord { Inbound = chat.Inbound });
                if (chat.Inbound.Reported != missingBefore)
                {
                    events.Add(new SecretMessagesMissing(chat.Id, chat.Inbound.Reported));
                }

                if (chat.Inbound.Gaps.Count > 0)
                {
                    ArmExpiry();
                }
            }
        }

        // A body sent again at a resend request is the message its first sending was, under that random_id.
        var randomId = message.RandomId;
        if (body?.Resent is { } resent)
        {
            if (!chat.Seen.Add(resent))
            {
                _storage.Record(chat.Id, new HistoryRecord { Seen = [message.RandomId] });
                return events;
            }

            randomId = resent;
        }

        MessengerEvent? e = null;
        if (body?.Rekey is { } rekey)
        {
            OnRekey(chat, rekey);
        }
        else if (body?.Resend is { } resend)
        {
            OnResendRequest(chat, resend);
        }
        else if (body is { Gone: true })
        {
            // Counted lost above.
        }
        else if (plaintext is null)
        {
            e = new SecretMessageUndecryptable(pts, message.ChatId, message.RandomId, message.FromId, DateTimeOffset.FromUnixTimeSeconds(message.Date));
        }
        else if (body?.Delete is { } delete)
        {
            _storage.RemoveFromHistory(chat, delete, seen: randomId);
            e = new SecretMessagesDeleted(message.ChatId, delete, Expired: false);
        }
        else if (body?.File is not null && message.File is null)
        {
            // A file message whose file the server did not carry: nothing of it can be shown as sent.
            e = new SecretMessageUndecryptable(pts, message.ChatId, message.RandomId, message.FromId, DateTimeOffset.FromUnixTimeSeconds(message.Date));
        }
        else if (body?.Text is { } text && text.Length <= MaxTextLength && (body.File is not null || !string.IsNullOrWhiteSpace(text)))
        {
            // A text past the bound this side sends with (the server cannot check it) is dropped as one without text.
            var stored = new StoredMessage
            {
                RandomId = randomId, FromId = message.FromId, Date = message.Date, SenderDate = body.Date, Text = text, Ttl = body.Ttl,
                ReplyTo = body.ReplyTo, Silent = message.Silent, File = body.File is { } info ? StoredFile.Of(info, message.File!) : null,
            };
            _storage.AddToHistory(chat, stored);
            e = new SecretMessageReceived(pts, ToPublic(message.ChatId, stored));
        }

        if (e is not SecretMessageReceived and not SecretMessagesDeleted)
        {
            // Nothing of it stays in the history (a re-keying step neither), but the journal keeps its random_id for the
            // replays to come.
            _storage.Record(chat.Id, new HistoryRecord { Seen = [message.RandomId] });
        }

        if (body is { Rekey: null, Resend: null, Gone: false } && opened is OpenedUnder.Current or OpenedUnder.Accepted)
        {
            CountUse(chat);
            CheckRekey(chat);
        }

        if (e is not null)
        {
            events.Insert(0, e);
        }

        return events;
    }

    /// <summary>The number for the next body this device seals in the chat (saved with the state before that body goes).</summary>
    private long TakeOutSeq(LocalChat chat)
    {
        Changed();
        return chat.OutSeq++;
    }

    /// <summary>A body the server refused was stored nowhere: when nothing was sealed after it, its number goes to the
    /// next body instead of leaving the other side a gap.</summary>
    private void GiveBackOutSeq(LocalChat chat, long? number)
    {
        if (number is { } n && chat.OutSeq == n + 1)
        {
            chat.OutSeq = n;
            chat.Sent.RemoveAll(b => b.Seq == n);
            Changed();
        }
    }

    /// <summary>Opens a message of the other side under the current keys, else under those of the exchange this device
    /// accepted (the other side switched), else under the previous ones (sent before the other side switched, late).</summary>
    private static (byte[]? Plaintext, OpenedUnder Under) Open(LocalChat chat, EncryptedMessage message)
    {
        if (SecretChatCrypto.Decrypt(chat.PeerKey()!, message.ChatId, message.RandomId, message.Data) is { } current)
        {
            return (current, OpenedUnder.Current);
        }

        if (chat.Accepted is { } accepted
            && SecretChatCrypto.Decrypt(chat.IsAdmin ? accepted.ParticipantKey : accepted.AdminKey, message.ChatId, message.RandomId, message.Data) is { } next)
        {
            return (next, OpenedUnder.Accepted);
        }

        if (chat.Previous is { } previous
            && SecretChatCrypto.Decrypt(chat.IsAdmin ? previous.ParticipantKey : previous.AdminKey, message.ChatId, message.RandomId, message.Data) is { } late)
        {
            return (late, OpenedUnder.Previous);
        }

        return (null, OpenedUnder.None);
    }

    private enum OpenedUnder
    {
        None,
        Current,
        Accepted,
        Previous,
    }

    private static void WipeKeys(params byte[]?[] keys)
    {
        foreach (var key in keys)
        {
            if (key is not null)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    private IReadOnlyList<MessengerEvent> PeerRead(long pts, EncryptedReadUpdate read)
    {
        if (!_state.Chats.TryGetValue(read.ChatId, out var chat))
        {
            return [];
        }

        chat.PeerReadDate = Math.Max(chat.PeerReadDate, read.MaxDate);
        Changed();
        // The sender's copy of a self-destructing message starts its time at the read receipt covering it.
        StartTimers(chat, m => m.Outgoing && m.Date > 0 && m.Date <= read.MaxDate);
        ArmExpiry();
        return [new SecretMessagesRead(pts, read.ChatId, read.MaxDate)];
    }

    private LocalChat RequireReady(long chatId) =>
        _state.Chats.TryGetValue(chatId, out var chat) && chat.State == SecretChatState.Ready && chat.OwnKey() is not null
            ? chat
            : throw new InvalidOperationException($"secret chat {chatId} is not open on this device (not accepted yet, ended, or held by another device)");

    private long RequireStarted() =>
        _storage.Unavailable ? throw new InvalidOperationException("secret chats are unavailable: their saved state could not be read (see SecretChatStoreFailed); make the client again once the store can be read")
        : _userId != 0 ? _userId : throw new InvalidOperationException("start client.Events (StartAsync) before using secret chats");

    /// <summary>The state (not a history) changed: saved at the next <see cref="Flush"/>.</summary>
    private void Changed() => _storage.StateChanged();

    /// <summary>Writes what changed since the last time (<see cref="SecretChatStorage.Flush"/>).</summary>
    private void Flush() => _storage.Flush(_state);

    /// <summary>Forgotten ids kept past their time go (a client that runs for months forgets them as it forgets others).</summary>
    private void LetGoOfForgotten(long now)
    {
        foreach (var (chatId, _) in _state.Forgotten.Where(f => f.Value < now - (long)ForgottenKept.TotalSeconds).ToList())
        {
            _state.Forgotten.Remove(chatId);
            Changed();
        }
    }

    /// <summary>The chat leaves this device without a trace (another device of the user holds it).</summary>
    private void Drop(LocalChat chat)
    {
        Wipe(chat);
        _storage.ClearHistory(chat);
        _state.Chats.Remove(chat.Id);
        Changed();
    }

    /// <summary>The chat leaves this device, its id kept a while so replays of it are ignored (those kept longer go now:
    /// a client that runs for months forgets them as it forgets others), and what the server last said of it goes too.</summary>
    private void Forget(LocalChat chat)
    {
        Drop(chat);
        _offered.Remove(chat.Id);
        _known.Remove(chat.Id);
        var now = Now;
        LetGoOfForgotten(now);
        _state.Forgotten[chat.Id] = now;
    }

    /// <summary>Every chat, key, history and request goes, in memory and in the store. Memory first, then the store: a
    /// store that fails leaves nothing in memory, and the empty state and the journals' deletion are written at the next
    /// flush (the failure is thrown).</summary>
    private void EraseAll()
    {
        List<long> journals = [.. _state.Chats.Keys];
        foreach (var chat in _state.Chats.Values)
        {
            Wipe(chat);
        }

        foreach (var request in _state.Pending.Values)
        {
            CryptographicOperations.ZeroMemory(request.OwnSecret);
        }

        _state = new SecretState();
        _storage.DropUnwritten();
        _known.Clear();
        _offered.Clear();
        _outboxBackoff.Clear();
        ArmExpiry();
        _storage.Erase(journals);
    }

    private static void Wipe(LocalChat chat)
    {
        WipeKeys(
            chat.OwnSecret, chat.AdminKey, chat.ParticipantKey, chat.Previous?.AdminKey, chat.Previous?.ParticipantKey, chat.Outgoing?.Secret,
            chat.Accepted?.AdminKey, chat.Accepted?.ParticipantKey);
        chat.OwnSecret = chat.AdminKey = chat.ParticipantKey = null;
        chat.Previous = null;
        chat.Outgoing = null;
        chat.Accepted = null;
        // A step still to send would be refused by the server: the chat is over.
        chat.Outbox.Clear();
        // No message can be read any more: there is nothing left to tell replays from.
        chat.Seen.Clear();
    }

    // ---- Outside the lock ----

    /// <summary>Accepts as the participant, from this device: a key pair made (or the one of an acceptance left unfinished)
    /// and saved before the call, so the answer or the first message finds it. Another device winning the race is no error
    /// for an automatic acceptance: the key is forgotten quietly.</summary>
    private async Task<SecretChat?> AcceptAsync(SecretChat chat, bool explicitly, CancellationToken cancellationToken = default)
    {
        byte[] gB;
        long fingerprint;
        lock (_gate)
        {
            _state.Chats.TryGetValue(chat.Id, out var local);
            if (local is { Accepting: false })
            {
                // Held here already: accepted by this device (its chat is the answer), or over (as the server would say).
                return !explicitly ? null
                    : local.State == SecretChatState.Discarded ? throw new RpcException(SecretErrorNames.EncryptionDeclined, 400, null)
                    : _known.GetValueOrDefault(chat.Id, chat);
            }

            var stillRequested = !_known.TryGetValue(chat.Id, out var seen) || seen.State == SecretChatState.Requested;
            if (!explicitly && (!stillRequested || chat.ParticipantId != _userId))
            {
                return null;
            }

            if (local is null)
            {
                var (secret, publicKey) = SecretChatCrypto.GenerateKeyPair();
                SecretChatKeys keys;
                try
                {
                    keys = SecretChatCrypto.DeriveKeys(secret, chat.GA, publicKey, isAdmin: false);
                }
                catch (CryptographicException) when (!explicitly)
                {
                    return null;
                }

                local = new LocalChat
                {
                    Id = chat.Id, IsAdmin = false, PeerId = chat.AdminId, Date = chat.Date, State = SecretChatState.Requested, Accepting = true,
                    OwnSecret = secret, GA = chat.GA, GB = publicKey,
                };
                local.SetKeys(keys);
                _state.Chats[chat.Id] = local;
                Changed();
                Flush();
            }

            gB = local.GB!;
            fingerprint = local.KeyFingerprint;
        }

        try
        {
            var accepted = await _client.CallAsync(new AcceptSecretChatCall(chat.Id, gB, fingerprint), cancellationToken);
            lock (_gate)
            {
                ApplyChat(null, accepted, []);
                Flush();
            }

            return accepted;
        }
        catch (RpcException e) when (e.Name is SecretErrorNames.EncryptionAlreadyAccepted or SecretErrorNames.EncryptionDeclined or SecretErrorNames.EncryptionIdInvalid)
        {
            lock (_gate)
            {
                if (_state.Chats.TryGetValue(chat.Id, out var local) && local.GB is { } mine && mine.AsSpan().SequenceEqual(gB) && local.State != SecretChatState.Ready)
                {
                    Drop(local);
                    Flush();
                }
            }

            if (explicitly)
            {
                throw;
            }

            return null;
        }
        catch (Exception) when (!explicitly)
        {
            // Lost on the way: the acceptance waits, with its key, for the next sync.
            return null;
        }
    }

    private static long NewRandomId() => RandomNumberGenerator.GetInt32(1, int.MaxValue) * (1L << 22) + RandomNumberGenerator.GetInt32(0, 1 << 22);

    private static LocalSecretChat ToPublic(LocalChat chat) =>
        new(chat.Id, chat.PeerId, chat.IsAdmin, chat.State, chat.Date, chat.Verification, chat.KeyFingerprint, chat.Reason, chat.HistoryDeleted, chat.Accepting)
        {
            KeyGeneration = chat.KeyGeneration, Sent = chat.OutSeq, ReceivedInOrder = chat.Inbound.InOrder, Received = chat.Inbound.Next,
            Missing = chat.Inbound.Reported,
        };

    private static SecretMessage ToPublic(long chatId, StoredMessage message) =>
        new(chatId, message.RandomId, message.FromId, message.Outgoing, message.Date, message.SenderDate, message.Text, message.Ttl, message.ReplyTo,
            message.Silent, message.ExpiresAt == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(message.ExpiresAt), message.File?.ToPublic())
        {
            Failed = message.Failed,
        };
}
