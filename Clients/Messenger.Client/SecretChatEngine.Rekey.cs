using System.Security.Cryptography;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Secret;

namespace Messenger.Client;

/// <summary>The secret chats' re-keying (docs/secret-chats.md → Re-keying): the exchange's steps as they are received and
/// made, and the outbox that sends them once the state holding them is saved.</summary>
internal sealed partial class SecretChatEngine
{
    // Every step is in the state, saved, before the message that depends on it goes.

    /// <summary>Starts a re-keying when the current keys have been used enough or long enough, and aborts this device's
    /// request that has waited too long for an answer; nothing while another exchange is under way.</summary>
    private void CheckRekey(LocalChat chat)
    {
        if (chat.State != SecretChatState.Ready || chat.OwnKey() is null)
        {
            return;
        }

        var now = Now;
        if (chat.Outgoing is { } outgoing)
        {
            if (now - outgoing.Date < (long)_options.SecretRekeyRequestTimeout.TotalSeconds)
            {
                return;
            }

            // Unanswered (an older client ignores requests, or the peer is away): given up, and a new one may start.
            SendRekey(chat, new SecretRekey(SecretRekeyOp.Abort, outgoing.Id));
            DropOutgoing(chat);
        }

        if (chat.Accepted is not null
            || (chat.KeyUses < _options.SecretRekeyAfterMessages && now - chat.KeyCreated < (long)_options.SecretRekeyAfter.TotalSeconds))
        {
            return;
        }

        var (secret, g) = SecretChatCrypto.GenerateKeyPair();
        chat.Outgoing = new OutgoingRekey { Id = NewExchangeId(), Secret = secret, G = g, Date = now };
        SendRekey(chat, new SecretRekey(SecretRekeyOp.Request, chat.Outgoing.Id, g));
    }

    private void OnRekey(LocalChat chat, SecretRekey rekey)
    {
        if (chat.OwnKey() is null)
        {
            return;
        }

        switch (rekey.Op)
        {
            case SecretRekeyOp.Request:
                OnRekeyRequest(chat, rekey);
                break;
            case SecretRekeyOp.Accept when chat.Outgoing is { } outgoing && outgoing.Id == rekey.Id:
                OnRekeyAccept(chat, outgoing, rekey);
                break;
            case SecretRekeyOp.Commit when chat.Accepted is { } accepted && accepted.Id == rekey.Id && accepted.Fingerprint == rekey.Fingerprint:
                chat.Accepted = null;
                Switch(chat, accepted.AdminKey, accepted.ParticipantKey);
                break;
            case SecretRekeyOp.Abort:
                if (chat.Outgoing?.Id == rekey.Id)
                {
                    DropOutgoing(chat);
                }

                if (chat.Accepted?.Id == rekey.Id)
                {
                    DropAccepted(chat);
                }

                break;
        }
    }

    private void OnRekeyRequest(LocalChat chat, SecretRekey request)
    {
        if (chat.Outgoing is { } mine)
        {
            // Both sides started at once: the larger id goes on, the other side accepts it.
            if (mine.Id > request.Id)
            {
                return;
            }

            DropOutgoing(chat);
            if (mine.Id == request.Id)
            {
                SendRekey(chat, new SecretRekey(SecretRekeyOp.Abort, request.Id));
                return;
            }
        }

        if (chat.Accepted is { } accepted)
        {
            if (accepted.Id == request.Id)
            {
                // The same request again: the same answer.
                SendRekey(chat, new SecretRekey(SecretRekeyOp.Accept, accepted.Id, accepted.G, accepted.Fingerprint));
                return;
            }

            DropAccepted(chat);
        }

        var (secret, gAcc) = SecretChatCrypto.GenerateKeyPair();
        var current = CurrentKeys(chat);
        SecretChatKeys next;
        try
        {
            next = SecretChatCrypto.DeriveNextKeys(secret, current, request.G!, gAcc, isInitiator: false);
        }
        catch (CryptographicException)
        {
            SendRekey(chat, new SecretRekey(SecretRekeyOp.Abort, request.Id));
            return;
        }
        finally
        {
            WipeKeys(secret, current);
        }

        chat.Accepted = new AcceptedRekey
        {
            Id = request.Id, G = gAcc, AdminKey = next.AdminToParticipant, ParticipantKey = next.ParticipantToAdmin, Fingerprint = next.KeyFingerprint,
        };
        SendRekey(chat, new SecretRekey(SecretRekeyOp.Accept, request.Id, gAcc, next.KeyFingerprint));
    }

    private void OnRekeyAccept(LocalChat chat, OutgoingRekey outgoing, SecretRekey accept)
    {
        var current = CurrentKeys(chat);
        SecretChatKeys? next = null;
        try
        {
            next = SecretChatCrypto.DeriveNextKeys(outgoing.Secret, current, outgoing.G, accept.G!, isInitiator: true);
        }
        catch (CryptographicException)
        {
            // A low-order key: refused as the first keys are.
        }
        finally
        {
            WipeKeys(current);
        }

        if (next is null || next.KeyFingerprint != accept.Fingerprint)
        {
            if (next is not null)
            {
                WipeKeys(next.AdminToParticipant, next.ParticipantToAdmin);
            }

            SendRekey(chat, new SecretRekey(SecretRekeyOp.Abort, outgoing.Id));
            DropOutgoing(chat);
            return;
        }

        // Under the keys the other side still uses: sealed before the switch.
        SendRekey(chat, new SecretRekey(SecretRekeyOp.Commit, outgoing.Id, Fingerprint: next.KeyFingerprint));
        DropOutgoing(chat);
        Switch(chat, next.AdminToParticipant, next.ParticipantToAdmin);
    }

    /// <summary>The new keys become the current ones; the current ones the previous (the previous ones wiped).</summary>
    private void Switch(LocalChat chat, byte[] adminKey, byte[] participantKey)
    {
        if (chat.Previous is { } older)
        {
            WipeKeys(older.AdminKey, older.ParticipantKey);
        }

        chat.Previous = new PreviousKeys { Generation = chat.KeyGeneration, AdminKey = chat.AdminKey!, ParticipantKey = chat.ParticipantKey! };
        chat.AdminKey = adminKey;
        chat.ParticipantKey = participantKey;
        chat.KeyGeneration++;
        chat.KeyUses = 0;
        chat.KeyCreated = Now;
        chat.PeerMessagesUnderCurrent = 0;
        Changed();
    }

    /// <summary>One more message under the current keys. Counted in memory and written with the state's next change, or
    /// after <see cref="SecretChatStorage.CountsSavedEvery"/> uses, or when the client is disposed: a crash delays the
    /// next re-keying by at most that many messages, and a client that lives for a few messages at a time still reaches
    /// the threshold.</summary>
    private void CountUse(LocalChat chat)
    {
        chat.KeyUses++;
        _storage.CountChanged();
    }

    /// <summary>One more message of the other side opened under the current keys: how many. Not counted toward the
    /// write every <see cref="SecretChatStorage.CountsSavedEvery"/> uses: a message shown is counted there once, by
    /// <see cref="CountUse"/>, and a re-keying step changes the state anyway.</summary>
    private static int CountPeerMessage(LocalChat chat) => ++chat.PeerMessagesUnderCurrent;

    private void DropOutgoing(LocalChat chat)
    {
        if (chat.Outgoing is { } outgoing)
        {
            WipeKeys(outgoing.Secret);
            chat.Outgoing = null;
            Changed();
        }
    }

    private void DropAccepted(LocalChat chat)
    {
        if (chat.Accepted is { } accepted)
        {
            WipeKeys(accepted.AdminKey, accepted.ParticipantKey);
            chat.Accepted = null;
            Changed();
        }
    }

    /// <summary><c>keys(n)</c>: the admin's direction key, then the participant's.</summary>
    private static byte[] CurrentKeys(LocalChat chat) => [.. chat.AdminKey!, .. chat.ParticipantKey!];

    /// <summary>Puts a re-keying step in the chat's outbox, sealed now under the current keys; it is sent once the state
    /// that holds it is saved (<see cref="Flush"/>, then <see cref="SendOutbox"/>), and again after a restart until the
    /// server has it.</summary>
    private void SendRekey(LocalChat chat, SecretRekey rekey)
    {
        var number = TakeOutSeq(chat);
        var randomId = Enqueue(chat, new SecretPlaintext(null, Now) { Rekey = rekey, OutSeq = number, InSeq = chat.Inbound.InOrder }, rekey.Op, rekey.Id);
        RememberSent(chat, number, SentKind.Control, randomId);
    }

    /// <summary>Sends the re-keying steps saved in the chats' outboxes, each chat's in order, one loop at a time, as service
    /// messages (no notification) sent silently. A step the server took (or took before: the same random_id) leaves the
    /// outbox, and so does one it refuses for good — any 4xx but <c>FLOOD_WAIT</c>: the chat is over or not this device's,
    /// one user blocked the other, the step is malformed — since sending it again would only be refused again (and take
    /// from the user's posting limit each time); its exchange then waits for the timeout or the next request, and a commit
    /// that never came is made up for by the implicit one. After <c>FLOOD_WAIT</c> no chat's step goes before the wait is
    /// over; after any other failure (offline, the server's trouble, a call that never ran) that chat's steps wait (1 s,
    /// doubling up to 5 minutes) while the other chats' go on. Whatever is left is tried again at the next start.</summary>
    private void SendOutbox()
    {
        lock (_gate)
        {
            if (_outboxRunning || _userId == 0 || _storage.Unavailable || _closing.IsCancellationRequested)
            {
                return;
            }

            if (NextSend() is null)
            {
                // Nothing may go now: the retry timer wakes the loop when the first wait is over.
                ArmOutboxRetry();
                return;
            }

            _outboxRunning = true;
        }

        _ = Task.Run(SendOutboxAsync);
    }

    /// <summary>The first saved step of the first chat not waiting after a failure; null while a FLOOD_WAIT lasts.</summary>
    private (LocalChat Chat, RekeySend Send)? NextSend()
    {
        var now = _options.Clock.GetUtcNow();
        if (now < _outboxFloodUntil)
        {
            return null;
        }

        foreach (var chat in _state.Chats.Values)
        {
            if (chat.Outbox is [{ Saved: true } first, ..] && !(_outboxBackoff.TryGetValue(chat.Id, out var backoff) && now < backoff.NotBefore))
            {
                return (chat, first);
            }
        }

        return null;
    }

    /// <summary>Arms the retry timer for the earliest time a waiting step may go (or stops it when none waits).</summary>
    private void ArmOutboxRetry()
    {
        DateTimeOffset? due = null;
        foreach (var chat in _state.Chats.Values)
        {
            if (chat.Outbox is [{ Saved: true }, ..])
            {
                var at = _outboxBackoff.TryGetValue(chat.Id, out var backoff) ? backoff.NotBefore : DateTimeOffset.MinValue;
                at = at > _outboxFloodUntil ? at : _outboxFloodUntil;
                due = due is { } earlier && earlier <= at ? earlier : at;
            }
        }

        var wait = due is { } when ? when - _options.Clock.GetUtcNow() : Timeout.InfiniteTimeSpan;
        try
        {
            _outboxRetry.Change(
                due is null ? Timeout.InfiniteTimeSpan : wait < TimeSpan.Zero ? TimeSpan.Zero : wait < LastOutboxRetry ? wait : LastOutboxRetry,
                Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The client is being disposed: what is left goes at the next start.
        }
    }

    /// <summary>Whether the server refused a step for good: a 4xx other than <c>FLOOD_WAIT</c>, of a call that ran (a
    /// <c>BAD_MSG_*</c> is the client's own message the server did not run).</summary>
    internal static bool RefusedForGood(RpcException e) =>
        e.Code is >= 400 and < 500 && e.Name != ErrorNames.FloodWait && !e.Name.StartsWith("BAD_MSG_", StringComparison.Ordinal);

    private async Task SendOutboxAsync()
    {
        while (true)
        {
            long chatId;
            RekeySend send;
            lock (_gate)
            {
                if (_closing.IsCancellationRequested || NextSend() is not { } next)
                {
                    _outboxRunning = false;
                    if (!_closing.IsCancellationRequested)
                    {
                        ArmOutboxRetry();
                    }

                    return;
                }

                (chatId, send) = (next.Chat.Id, next.Send);
            }

            try
            {
                // A service message, silent: nothing of it is shown, so nothing should ring or be pushed.
                // A file sent again at a resend request goes by reference to the file the chat holds.
                var file = send.FileId == 0 ? null : new InputEncryptedFile(0, 0, send.FileId);
                await _client.CallAsync(new SendEncryptedCall(chatId, send.RandomId, send.Data, Silent: true, File: file, Service: true), _closing.Token);
            }
            catch (RpcException e) when (e.Name == ErrorNames.FloodWait)
            {
                lock (_gate)
                {
                    _outboxFloodUntil = _options.Clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(1, e.RetryAfterSeconds ?? 1));
                }

                continue;
            }
            catch (RpcException e) when (RefusedForGood(e))
            {
                // Dropped below, as if taken: it would be refused again, each time from the user's posting limit. The
                // exchange it was for never reaches the peer: dropped too, or it would hold back the next re-keying (a
                // request waits 7 days for its answer, and no exchange starts while one is accepted).
                lock (_gate)
                {
                    if (_state.Chats.TryGetValue(chatId, out var refused) && refused.Outbox.Contains(send))
                    {
                        if (send.Op == SecretRekeyOp.Request && refused.Outgoing?.Id == send.ExchangeId)
                        {
                            DropOutgoing(refused);
                        }
                        else if (send.Op == SecretRekeyOp.Accept && refused.Accepted?.Id == send.ExchangeId)
                        {
                            DropAccepted(refused);
                        }
                        else
                        {
                            AnswerGoneInstead(refused, send);
                        }
                    }
                }
            }
            catch (Exception) when (!_closing.IsCancellationRequested)
            {
                lock (_gate)
                {
                    var delay = _outboxBackoff.TryGetValue(chatId, out var failed) ? failed.Delay : FirstOutboxRetry;
                    _outboxBackoff[chatId] = new OutboxBackoff(
                        _options.Clock.GetUtcNow() + delay, TimeSpan.FromTicks(Math.Min(LastOutboxRetry.Ticks, delay.Ticks * 2)));
                }

                continue;
            }
            catch (Exception)
            {
                // Closing: the step is sent again at the next start.
                continue;
            }

            lock (_gate)
            {
                _outboxBackoff.Remove(chatId);
                if (_state.Chats.TryGetValue(chatId, out var chat) && chat.Outbox.Remove(send))
                {
                    Changed();
                    try
                    {
                        Flush();
                    }
                    catch (Exception e) when (!SecretChatStorage.IsFatal(e))
                    {
                        // Sent again after a restart if this never reaches the disk: the server takes it once.
                        ReportFailure($"the secret chats could not be written: {e.Message}");
                    }
                }
            }
        }
    }

    private async Task DiscardQuietlyAsync(long chatId)
    {
        try
        {
            await _client.CallAsync(new DiscardSecretChatCall(chatId));
        }
        catch (Exception)
        {
            // The chat is dead on this device either way; the other side learns at its next sync or send.
        }
    }

    private async Task SyncQuietlyAsync()
    {
        try
        {
            await SyncAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // Offline or closing: the next start or resync tries again.
        }
    }

    /// <summary>A re-keying's id: random, 1..2^53 − 1 (a JavaScript-safe integer).</summary>
    private static long NewExchangeId() => RandomNumberGenerator.GetInt32(0, 1 << 30) * (1L << 23) + RandomNumberGenerator.GetInt32(1, 1 << 23);
}
