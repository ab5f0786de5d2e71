using Messenger.Contracts.Secret;

namespace Messenger.Client;

/// <summary>The secret chats' resend requests (docs/secret-chats.md → Resend requests): a gap the other side's bodies
/// left asks their sender for them again, and this device answers such a request from what it kept of what it sent.</summary>
internal sealed partial class SecretChatEngine
{
    /// <summary>How many of its last numbers a chat answers for: its messages are the history's (found by their number);
    /// the state keeps the others (deletes for both, bodies nobody is shown), which are few.</summary>
    internal const int SentKept = 1000;

    /// <summary>How long a body sent is kept for a resend request.</summary>
    internal static readonly TimeSpan SentKeptFor = TimeSpan.FromDays(7);

    /// <summary>Keeps what the number <paramref name="seq"/> carried, saved with the state that took it.</summary>
    private void RememberSent(LocalChat chat, long seq, SentKind kind, long randomId, long[]? delete = null)
    {
        chat.Sent.RemoveAll(b => b.Seq == seq);
        chat.Sent.Add(new SentBody { Seq = seq, Kind = kind, RandomId = randomId, Date = Now, Delete = delete });
        var oldest = Now - (long)SentKeptFor.TotalSeconds;
        chat.Sent.RemoveAll(b => b.Date < oldest || b.Seq < chat.OutSeq - SentKept);
        if (chat.Sent.Count > SentKept)
        {
            chat.Sent.RemoveRange(0, chat.Sent.Count - SentKept);
        }

        Changed();
    }

    /// <summary>Seals a body under the current keys into the chat's outbox (sent, as a service message, once the state
    /// holding it is saved, as the re-keying steps are).</summary>
    private long Enqueue(LocalChat chat, SecretPlaintext plaintext, SecretRekeyOp op = default, long exchangeId = 0, long fileId = 0)
    {
        var send = Sealed(chat, plaintext, fileId);
        send.Op = op;
        send.ExchangeId = exchangeId;
        chat.Outbox.Add(send);
        Changed();
        return send.RandomId;
    }

    private RekeySend Sealed(LocalChat chat, SecretPlaintext plaintext, long fileId = 0)
    {
        var randomId = NewRandomId();
        return new RekeySend
        {
            RandomId = randomId, Data = SecretChatCrypto.Encrypt(chat.OwnKey()!, chat.Id, randomId, SecretChatCrypto.EncodePlaintext(plaintext)),
            FileId = fileId, Seq = fileId == 0 ? 0 : plaintext.OutSeq ?? 0,
        };
    }

    /// <summary>A file sent again that the server refused (it no longer holds it, or never took it): its number goes
    /// as <c>gone</c> instead, next in the outbox (the refused send is then dropped as any refused step is).</summary>
    private void AnswerGoneInstead(LocalChat chat, RekeySend refused)
    {
        var at = chat.Outbox.IndexOf(refused);
        if (refused.FileId == 0 || at < 0 || chat.OwnKey() is null)
        {
            return;
        }

        chat.Outbox.Insert(at + 1, Sealed(chat, new SecretPlaintext(null, Now) { Gone = true, OutSeq = refused.Seq, InSeq = chat.Inbound.InOrder }));
        Changed();
    }

    /// <summary>Asks the other side for the bodies of each gap open for <see cref="SecretSequence.ResendAfter"/>, once per
    /// gap (what its answer does not fill is reported after <see cref="SecretSequence.Grace"/>, as before); true when a
    /// gap was marked asked.</summary>
    private bool AskResend(LocalChat chat, long now)
    {
        var due = SecretSequence.TakeToAsk(chat.Inbound, now);
        if (due.Count == 0)
        {
            return false;
        }

        _storage.Record(chat.Id, new HistoryRecord { Inbound = chat.Inbound });
        if (chat.State == SecretChatState.Ready && chat.OwnKey() is not null)
        {
            foreach (var gap in due)
            {
                var number = TakeOutSeq(chat);
                var randomId = Enqueue(chat, new SecretPlaintext(null, now)
                {
                    Resend = new SecretResend(gap.From, gap.To - 1), OutSeq = number, InSeq = chat.Inbound.InOrder,
                });
                RememberSent(chat, number, SentKind.Control, randomId);
            }
        }

        return true;
    }

    /// <summary>Sends again, each under its first number and sealed under the current keys, what this device kept of the
    /// bodies the other side asks for: a text or a delete as it was (naming its first random_id), a file message as it
    /// was with the same file the chat holds on the server (sent by reference, not uploaded again; <c>gone</c> if the
    /// server refuses it), a body nobody was shown (a step, a request, a message since deleted for both) as an empty one,
    /// and one no longer kept (too old, deleted, self-destructed) as <c>gone</c>. Numbers not sent yet are passed over; only the last
    /// <see cref="SentKept"/> numbers are answered; a request is ignored while the outbox already holds that many.</summary>
    private void OnResendRequest(LocalChat chat, SecretResend resend)
    {
        if (chat.State != SecretChatState.Ready || chat.OwnKey() is null || chat.Outbox.Count >= SentKept)
        {
            return;
        }

        var now = Now;
        var keptSince = now - (long)SentKeptFor.TotalSeconds;
        var last = Math.Min(resend.End, chat.OutSeq - 1);
        for (var number = Math.Max(resend.Start, chat.OutSeq - SentKept); number <= last; number++)
        {
            var seq = number;
            var kept = chat.Sent.Find(b => b.Seq == seq && b.Date >= keptSince);
            var message = kept is null ? chat.History.Find(m => m.Outgoing && m.OutSeq == seq && m.SenderDate >= keptSince && m.File is null or { Id: not 0 }) : null;
            var body = kept switch
            {
                // A step, a request, or a message this device deleted for both (nobody is to see it): only its number goes.
                { Kind: SentKind.Control } => new SecretPlaintext(null, now) { Noop = true },
                { Kind: SentKind.Delete, Delete: { } ids } => new SecretPlaintext(null, now, Delete: ids) { Resent = kept.RandomId },
                _ when message is not null => new SecretPlaintext(message.Text, message.SenderDate, message.Ttl, message.ReplyTo, File: message.File?.ToInfo())
                {
                    Resent = message.RandomId,
                },
                _ => new SecretPlaintext(null, now) { Gone = true },
            };
            Enqueue(chat, body with { OutSeq = seq, InSeq = chat.Inbound.InOrder }, fileId: kept is null && message?.File is { } file ? file.Id : 0);
        }
    }
}
