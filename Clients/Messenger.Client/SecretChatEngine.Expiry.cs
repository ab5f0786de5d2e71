namespace Messenger.Client;

/// <summary>The secret chats' timers (docs/secret-chats.md → Sequence numbers, and the self-destruct in The
/// cryptography): one timer, armed for the earliest of the messages' self-destruct times and the gaps' resend and report
/// times, deletes what is due, asks for what is missing and reports what stays missing.</summary>
internal sealed partial class SecretChatEngine
{
    /// <summary>The self-destruct time of each message <paramref name="covered"/> starts now (this device read it, or the
    /// other side read this device's), written again with it.</summary>
    private void StartTimers(LocalChat chat, Func<StoredMessage, bool> covered)
    {
        var now = Now;
        foreach (var message in chat.History.Where(m => m.Ttl > 0 && m.ExpiresAt == 0 && covered(m)))
        {
            message.ExpiresAt = now + message.Ttl;
            _storage.Rewrite(chat, message);
        }
    }

    /// <summary>Arms the timer for the earliest time something is due (at most a day ahead), or stops it.</summary>
    private void ArmExpiry()
    {
        var next = _state.Chats.Values.SelectMany(c => c.History).Where(m => m.ExpiresAt > 0).Select(m => m.ExpiresAt)
            .Concat(_state.Chats.Values.Select(c => SecretSequence.NextDue(c.Inbound) ?? 0).Where(due => due > 0))
            .DefaultIfEmpty(0).Min();
        if (next == 0)
        {
            _expiry.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var wait = DateTimeOffset.FromUnixTimeSeconds(next) - _options.Clock.GetUtcNow();
        _expiry.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait < TimeSpan.FromDays(1) ? wait : TimeSpan.FromDays(1), Timeout.InfiniteTimeSpan);
    }

    private void Expire()
    {
        var events = new List<MessengerEvent>();
        var asked = false;
        lock (_gate)
        {
            var now = Now;
            foreach (var chat in _state.Chats.Values)
            {
                var due = chat.History.Where(m => m.ExpiresAt > 0 && m.ExpiresAt <= now).Select(m => m.RandomId).ToArray();
                if (due.Length > 0)
                {
                    _storage.RemoveFromHistory(chat, due);
                    events.Add(new SecretMessagesDeleted(chat.Id, due, Expired: true));
                }

                asked |= AskResend(chat, now);

                // The other side's numbers missing for longer than the grace: the app is told how many.
                if (SecretSequence.ReportOverdue(chat.Inbound, now))
                {
                    _storage.Record(chat.Id, new HistoryRecord { Inbound = chat.Inbound });
                    events.Add(new SecretMessagesMissing(chat.Id, chat.Inbound.Reported));
                }
            }

            if (events.Count > 0 || asked)
            {
                try
                {
                    Flush();
                }
                catch (Exception e) when (!SecretChatStorage.IsFatal(e))
                {
                    // Gone from memory already; the journal gets it with the next batch or call. Any failure of the store
                    // (an app's too) is caught: thrown out of the timer's callback, it would end the app's process.
                    ReportFailure($"the secret chats could not be written: {e.Message}");
                }
            }

            ArmExpiry();
        }

        foreach (var e in events)
        {
            _client.Events.ReportInOrder(e);
        }

        if (asked)
        {
            // The resend requests are on disk now (a failed write keeps them back until one succeeds).
            SendOutbox();
        }
    }
}
