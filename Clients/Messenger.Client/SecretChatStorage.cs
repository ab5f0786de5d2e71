using System.Buffers;
using System.Security.Cryptography;
using MessagePack;
using MessagePack.Resolvers;
using Messenger.Contracts.Secret;

namespace Messenger.Client;

/// <summary>
/// What <see cref="SecretChatEngine"/> keeps on disk, through the app's or the SDK's <see cref="ISecretChatKeyStore"/>
/// (docs/secret-chats.md → The SDK's store): the small state (keys, states, read positions, re-keying), read once at
/// start and written whole when it changed, and one history journal per chat, read back at start and appended to with
/// the records the engine makes as its histories change (rewritten from the history when most of it is of messages
/// gone). The engine changes its <see cref="SecretState"/> and histories in memory and tells this type what changed
/// (<see cref="StateChanged"/>, <see cref="CountChanged"/>, the history methods); <see cref="Flush"/> writes it, once
/// per batch of updates or call.
/// <para>
/// Locking: this type has no lock of its own. Every member is called under the engine's one lock
/// (<c>SecretChatEngine._gate</c>), which guards this type's fields (the unwritten records, the journals' record
/// counts, the journals to delete, the state's changed flag and unsaved counts) together with the engine's state they
/// describe, so a flush never sees a history half changed. The exceptions: <see cref="LoadState"/> runs in the
/// engine's constructor before the engine is shared, without the lock; <see cref="Unavailable"/> is set only there and
/// may then be read without it. Failures go to the report given (the update stream's
/// <see cref="SecretChatStoreFailed"/>), under the same lock.
/// </para>
/// </summary>
internal sealed class SecretChatStorage
{
    /// <summary>Uses of the keys (sent and received) after which their counts are written even when nothing else changed.</summary>
    internal const int CountsSavedEvery = 16;

    /// <summary>Records a chat's journal may hold before it is rewritten from the history (only when they are more than
    /// three times the messages left).</summary>
    private const int CompactAfter = 256;

    private static readonly MessagePackSerializerOptions StateOptions = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolverAllowPrivate.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    private readonly ISecretChatKeyStore _store;

    // The SDK's own stores answer copies from Load and LoadHistory and copy what Save is given: the arrays may be zeroed
    // once used. An app's store may keep them (ISecretChatKeyStore never asked otherwise): those are left alone.
    private readonly bool _ownStore;
    private readonly Action<string, string?> _reportFailure;

    // Each chat's history records not written yet, and how many records its journal holds since it was last rewritten.
    private readonly Dictionary<long, ArrayBufferWriter<byte>> _unwritten = new();
    private readonly Dictionary<long, int> _journalRecords = new();
    private bool _stateChanged;
    private bool _stateUnreadable;

    // Journals to delete at the next Flush: a history cleared while updates are applied must not fail the update.
    private readonly HashSet<long> _historiesToDelete = new();

    // Uses of keys counted since the state was last written (their counts are in the state).
    private int _countsUnsaved;

    public SecretChatStorage(ISecretChatKeyStore store, Action<string, string?> reportFailure)
    {
        _store = store;
        _ownStore = store is FileSecretChatKeyStore or InMemorySecretChatKeyStore;
        _reportFailure = reportFailure;
    }

    /// <summary>The state could not be read for a reason other than its content (I/O, permissions): nothing is written over
    /// it and secret chats stay unavailable until the client is made again.</summary>
    public bool Unavailable { get; private set; }

    /// <summary>Failures the process cannot go on after; every other one of a store is reported and tried again.</summary>
    public static bool IsFatal(Exception e) => e is OutOfMemoryException or StackOverflowException or AccessViolationException;

    /// <summary>The saved state; a state that cannot be read does not stop the client. Damaged content is kept aside
    /// (when the store can), reported (<see cref="SecretChatStoreFailed"/>), and the device starts with no secret chats.
    /// A store that cannot be read at all (I/O, permissions, a store of the app's that throws) may hold a good state:
    /// nothing is set aside or written over, the failure is reported, and secret chats are unavailable to this client
    /// (their calls throw <see cref="InvalidOperationException"/>, their updates are left alone).</summary>
    public SecretState LoadState(long now)
    {
        byte[]? saved;
        try
        {
            saved = _store.Load();
        }
        catch (Exception e) when (!IsFatal(e))
        {
            _reportFailure($"the secret chats' state could not be read (left as it is; secret chats are unavailable until the client is made again): {e.Message}", null);
            Unavailable = true;
            _stateUnreadable = true;
            return new SecretState();
        }

        try
        {
            SecretState state;
            try
            {
                state = saved is { Length: > 0 } ? MessagePackSerializer.Deserialize<SecretState>(saved, StateOptions) : new SecretState();
            }
            finally
            {
                // The bytes read hold every chat's keys; the state keeps its own copies.
                if (saved is not null && _ownStore)
                {
                    CryptographicOperations.ZeroMemory(saved);
                }
            }

            foreach (var chat in state.Chats.Values)
            {
                // A state written before re-keying: generation 0, used for nothing yet, from now on.
                chat.Outbox ??= [];
                if (chat.KeyCreated == 0 && chat.State == SecretChatState.Ready)
                {
                    chat.KeyCreated = now;
                    _stateChanged = true;
                }

                foreach (var send in chat.Outbox)
                {
                    send.Saved = true;
                }
            }

            return state;
        }
        catch (Exception e) when (e is MessagePackSerializationException)
        {
            string? keptAt = null;
            try
            {
                keptAt = _store.SetAside();
            }
            catch (Exception aside) when (!IsFatal(aside))
            {
                // Reported below without a place: the next save replaces what could not be read.
            }

            _reportFailure($"the secret chats' state could not be read: {e.Message}", keptAt);
            // Its journals are not orphans to delete: they belong to the chats that could not be read.
            _stateUnreadable = true;
            return new SecretState();
        }
    }

    /// <summary>Reads every held chat's journal back into its history and the random_ids it saw; a journal cut short by
    /// a crash (its last batch half written) is read up to there and rewritten whole at the next flush. Journals of chats
    /// no longer held (a crash between dropping one and deleting its journal) are deleted.</summary>
    public void LoadHistories(SecretState state)
    {
        foreach (var chat in state.Chats.Values)
        {
            byte[]? journal;
            try
            {
                journal = _store.LoadHistory(chat.Id);
            }
            catch (Exception e) when (!IsFatal(e))
            {
                // The chat's keys still work; its history here starts over (the unreadable journal is appended to). Any
                // failure of the store (an app's too): thrown from here, it would fail the client's constructor.
                _reportFailure($"the history of secret chat {chat.Id} could not be read: {e.Message}", null);
                continue;
            }

            if (journal is not { Length: > 0 })
            {
                continue;
            }

            var (records, whole) = Replay(chat, journal);
            if (_ownStore)
            {
                CryptographicOperations.ZeroMemory(journal);
            }

            _journalRecords[chat.Id] = whole ? records : int.MaxValue / 2;
            if (!whole)
            {
                _unwritten[chat.Id] = new ArrayBufferWriter<byte>();
            }

            if (chat.State == SecretChatState.Discarded)
            {
                chat.Seen.Clear();
            }
        }

        if (!_stateUnreadable)
        {
            try
            {
                foreach (var orphan in _store.HistoryIds().Where(id => !state.Chats.ContainsKey(id)).ToList())
                {
                    _store.DeleteHistory(orphan);
                }
            }
            catch (Exception e) when (!IsFatal(e))
            {
                // Left for the next start (any failure of the store, as above).
            }
        }
    }

    /// <summary>The state (not a history) changed: saved at the next <see cref="Flush"/>.</summary>
    public void StateChanged() => _stateChanged = true;

    /// <summary>One more use of a chat's keys, counted in the state: written with the state's next change, or after
    /// <see cref="CountsSavedEvery"/> uses, or when the client is disposed (<see cref="IncludeUnsavedCounts"/>).</summary>
    public void CountChanged()
    {
        if (++_countsUnsaved >= CountsSavedEvery)
        {
            StateChanged();
        }
    }

    /// <summary>The counts of the keys' uses not written yet go with the next <see cref="Flush"/>.</summary>
    public void IncludeUnsavedCounts()
    {
        if (_countsUnsaved > 0)
        {
            StateChanged();
        }
    }

    /// <summary>Writes what changed since the last time: the state when it changed, then each touched chat's new history
    /// records, appended to its journal (or the journal rewritten from the history when its records are more than three
    /// times the messages left). Journals of histories cleared go first. The state goes before the journals: a crash
    /// between the two leaves an entry's effect saved without its random_id, so the entry replayed after the restart is
    /// handled again (harmless: a message added again where it is missing, a re-keying step answered alike, or ignored
    /// as stale), never an entry remembered as seen whose effect was lost. A record is dropped from memory only once
    /// written; a journal whose append failed (it may end in half a record) is rewritten whole at the next flush. Once
    /// the state is written, every re-keying step in an outbox is marked saved (it may go).</summary>
    public void Flush(SecretState state)
    {
        if (Unavailable)
        {
            return;
        }

        // A journal that cannot be deleted is reported and tried again at the next flush; it holds back only its own chat's
        // new records (they must not follow the old ones), not the other chats, the state, nor the call that flushes.
        foreach (var chatId in _historiesToDelete.ToList())
        {
            try
            {
                _store.DeleteHistory(chatId);
                _historiesToDelete.Remove(chatId);
            }
            catch (Exception e) when (!IsFatal(e))
            {
                _reportFailure($"the history of secret chat {chatId} could not be deleted (tried again at the next write): {e.Message}", null);
            }
        }

        if (_stateChanged)
        {
            var bytes = MessagePackSerializer.Serialize(state, StateOptions);
            try
            {
                _store.Save(bytes);
            }
            finally
            {
                // It holds every chat's keys: not left for the garbage collector to leave in memory (an app's store may
                // keep this very array).
                if (_ownStore)
                {
                    CryptographicOperations.ZeroMemory(bytes);
                }
            }

            _stateChanged = false;
            _countsUnsaved = 0;

            // Every re-keying step put in an outbox changed the state: all of them are on disk now, and may go.
            foreach (var chat in state.Chats.Values)
            {
                foreach (var send in chat.Outbox)
                {
                    send.Saved = true;
                }
            }
        }

        foreach (var chatId in _unwritten.Keys.ToList())
        {
            if (_historiesToDelete.Contains(chatId))
            {
                continue;
            }

            if (state.Chats.TryGetValue(chatId, out var chat))
            {
                var records = _journalRecords.GetValueOrDefault(chatId);
                if (records > CompactAfter && records > 3 * chat.History.Count)
                {
                    var snapshot = Snapshot(chat);
                    try
                    {
                        _store.ReplaceHistory(chatId, snapshot);
                    }
                    finally
                    {
                        // A history holds its files' keys.
                        CryptographicOperations.ZeroMemory(snapshot);
                    }

                    _journalRecords[chatId] = 1;
                }
                else
                {
                    try
                    {
                        _store.AppendHistory(chatId, _unwritten[chatId].WrittenSpan);
                    }
                    catch
                    {
                        // Appending again after a half-written batch would hide it from Replay: the next flush replaces.
                        _journalRecords[chatId] = int.MaxValue / 2;
                        throw;
                    }
                }
            }

            // Clear, unlike ResetWrittenCount, zeroes what was written (files' keys among it).
            _unwritten[chatId].Clear();
            _unwritten.Remove(chatId);
        }
    }

    /// <summary>A record for the chat's journal, written at the next <see cref="Flush"/>.</summary>
    public void Record(long chatId, HistoryRecord record)
    {
        if (!_unwritten.TryGetValue(chatId, out var buffer))
        {
            _unwritten[chatId] = buffer = new ArrayBufferWriter<byte>();
        }

        MessagePackSerializer.Serialize(buffer, record, StateOptions);
        _journalRecords[chatId] = _journalRecords.GetValueOrDefault(chatId) + 1;
    }

    public void AddToHistory(LocalChat chat, StoredMessage message)
    {
        chat.History.Add(message);
        Record(chat.Id, new HistoryRecord { Put = [message] });
    }

    /// <summary>A message of the history changed (its date, its timer, its failure): written again whole.</summary>
    public void Rewrite(LocalChat chat, StoredMessage message) => Record(chat.Id, new HistoryRecord { Put = [message] });

    public void RemoveOwn(LocalChat chat, StoredMessage message)
    {
        chat.History.Remove(message);
        Record(chat.Id, new HistoryRecord { RemoveOutgoing = [message.RandomId] });
    }

    /// <summary>Removes either side's messages with these random_ids (<paramref name="seen"/>: the received message that
    /// asked for it, remembered in the same record); how many went.</summary>
    public int RemoveFromHistory(LocalChat chat, long[] randomIds, long? seen = null)
    {
        var removed = chat.History.RemoveAll(m => randomIds.Contains(m.RandomId));
        if (removed > 0 || seen is not null)
        {
            Record(chat.Id, new HistoryRecord { Remove = randomIds, Seen = seen is { } id ? [id] : null });
        }

        return removed;
    }

    /// <summary>The whole history goes at once: its journal is deleted.</summary>
    public void ClearHistory(LocalChat chat)
    {
        chat.History.Clear();
        if (_unwritten.Remove(chat.Id, out var unwritten))
        {
            unwritten.Clear();
        }

        _journalRecords.Remove(chat.Id);
        // At the next Flush, whose failures are reported and tried again: this runs while updates are applied.
        _historiesToDelete.Add(chat.Id);
    }

    /// <summary>Every chat went from memory (the engine's <see cref="SecretState"/> is a new one): nothing written of
    /// them is left to write. The store itself is emptied by <see cref="Erase"/>, after.</summary>
    public void DropUnwritten()
    {
        _stateChanged = false;
        // Counts of chats that are gone: nothing to write for them (a write would make the store again after a sign-out).
        _countsUnsaved = 0;
        foreach (var unwritten in _unwritten.Values)
        {
            unwritten.Clear();
        }

        _unwritten.Clear();
        _journalRecords.Clear();
    }

    /// <summary>Everything the store keeps goes: these chats' journals, then the state (the engine emptied its memory
    /// first, <see cref="DropUnwritten"/>). A store that fails leaves the empty state and the journals' deletion to the
    /// next flush (the failure is thrown).</summary>
    public void Erase(IReadOnlyList<long> journals)
    {
        try
        {
            foreach (var chatId in journals)
            {
                _store.DeleteHistory(chatId);
            }

            _store.Erase();
            _historiesToDelete.Clear();
        }
        catch
        {
            _historiesToDelete.UnionWith(journals);
            _stateChanged = true;
            throw;
        }
    }

    /// <summary>Applies a journal's records in order (by (side, random_id), so the replay is linear however long the
    /// history): how many were read, and whether the journal ended on a whole record.</summary>
    private static (int Records, bool Whole) Replay(LocalChat chat, byte[] journal)
    {
        var messages = new List<StoredMessage?>();
        var positions = new Dictionary<(bool Outgoing, long RandomId), int>();
        var memory = new ReadOnlyMemory<byte>(journal);
        var offset = 0;
        var records = 0;
        var whole = true;
        while (offset < journal.Length)
        {
            HistoryRecord record;
            try
            {
                record = MessagePackSerializer.Deserialize<HistoryRecord>(memory[offset..], StateOptions, out var read);
                offset += read;
            }
            catch (MessagePackSerializationException)
            {
                whole = false;
                break;
            }

            records++;
            foreach (var id in record.Remove ?? [])
            {
                RemoveAt(true, id);
                RemoveAt(false, id);
            }

            foreach (var id in record.RemoveOutgoing ?? [])
            {
                RemoveAt(true, id);
            }

            foreach (var message in record.Put ?? [])
            {
                if (positions.TryGetValue((message.Outgoing, message.RandomId), out var at))
                {
                    messages[at] = message;
                }
                else
                {
                    positions[(message.Outgoing, message.RandomId)] = messages.Count;
                    messages.Add(message);
                }

                if (!message.Outgoing)
                {
                    chat.Seen.Add(message.RandomId);
                }
            }

            foreach (var id in record.Seen ?? [])
            {
                chat.Seen.Add(id);
            }

            if (record.Inbound is { } inbound)
            {
                chat.Inbound = inbound;
            }
        }

        chat.History = [.. messages.OfType<StoredMessage>()];
        return (records, whole);

        void RemoveAt(bool outgoing, long randomId)
        {
            if (positions.Remove((outgoing, randomId), out var at))
            {
                messages[at] = null;
            }
        }
    }

    /// <summary>A journal of one record: the random_ids seen (while the chat is open) and every message left.</summary>
    private static byte[] Snapshot(LocalChat chat)
    {
        var snapshot = new HistoryRecord { Seen = chat.State == SecretChatState.Discarded ? null : chat.Seen.ToArray(), Put = [.. chat.History], Inbound = chat.Inbound };
        return MessagePackSerializer.Serialize(snapshot, StateOptions);
    }
}
