using MessagePack;
using Messenger.Contracts.Secret;

namespace Messenger.Client;

/// <summary>Everything this device keeps of its secret chats, as saved in its <see cref="ISecretChatKeyStore"/>.</summary>
[MessagePackObject]
internal sealed class SecretState
{
    [Key(0)]
    public long UserId { get; set; }

    [Key(1)]
    public Dictionary<long, LocalChat> Chats { get; set; } = new();

    /// <summary>This device's requests whose chat it has not seen yet, by random_id (kept so a lost answer is asked again
    /// with the same random_id and key).</summary>
    [Key(2)]
    public Dictionary<long, PendingRequest> Pending { get; set; } = new();

    /// <summary>Chats dropped from this device (forgotten, or ended with nothing left to show), with when (unix seconds):
    /// what the log replays of them is ignored.</summary>
    [Key(3)]
    public Dictionary<long, long> Forgotten { get; set; } = new();
}

/// <summary>One record of a chat's history journal (each batch appends some; a rewrite is one holding everything left),
/// applied in this order: <see cref="Remove"/> (either side's messages by random_id), <see cref="RemoveOutgoing"/>
/// (this device's own), <see cref="Put"/> (messages added, or written again when they changed: the same side and
/// random_id replaces), <see cref="Seen"/> (random_ids of the other side's messages that left nothing in the history).</summary>
[MessagePackObject]
internal sealed class HistoryRecord
{
    [Key(0)]
    public List<StoredMessage>? Put { get; set; }

    [Key(1)]
    public long[]? Remove { get; set; }

    [Key(2)]
    public long[]? RemoveOutgoing { get; set; }

    [Key(3)]
    public long[]? Seen { get; set; }

    /// <summary>The other side's sequence numbers as received after this record's bodies (the last record's holds).</summary>
    [Key(4)]
    public InboundSequence? Inbound { get; set; }
}

[MessagePackObject]
internal sealed class PendingRequest
{
    [Key(0)]
    public long RandomId { get; set; }

    [Key(1)]
    public long UserId { get; set; }

    [Key(2)]
    public byte[] OwnSecret { get; set; } = [];

    [Key(3)]
    public byte[] GA { get; set; } = [];
}

[MessagePackObject]
internal sealed class LocalChat
{
    [Key(0)]
    public long Id { get; set; }

    [Key(1)]
    public bool IsAdmin { get; set; }

    [Key(2)]
    public long PeerId { get; set; }

    [Key(3)]
    public SecretChatState State { get; set; }

    [Key(4)]
    public long Date { get; set; }

    /// <summary>This device's X25519 secret for the chat until it is Ready (the derived keys are kept, the secret wiped).</summary>
    [Key(5)]
    public byte[]? OwnSecret { get; set; }

    [Key(6)]
    public byte[] GA { get; set; } = [];

    [Key(7)]
    public byte[]? GB { get; set; }

    [Key(8)]
    public byte[]? AdminKey { get; set; }

    [Key(9)]
    public byte[]? ParticipantKey { get; set; }

    [Key(10)]
    public long KeyFingerprint { get; set; }

    [Key(11)]
    public string? Verification { get; set; }

    [Key(12)]
    public string? Reason { get; set; }

    [Key(13)]
    public bool HistoryDeleted { get; set; }

    /// <summary>The participant's acceptance was sent (or is about to be) and not yet seen answered.</summary>
    [Key(14)]
    public bool Accepting { get; set; }

    // Keys 15 and 16 held the seen random_ids and the history before each chat had a journal of its own.

    /// <summary>The last <see cref="SecretChatEngine.SeenPerChat"/> random_ids received (in the journal, not the state).</summary>
    [IgnoreMember]
    public RecentIds Seen { get; } = new(SecretChatEngine.SeenPerChat);

    /// <summary>The local history, oldest first (in the journal, not the state).</summary>
    [IgnoreMember]
    public List<StoredMessage> History { get; set; } = [];

    /// <summary>How far the other side read this device's messages (server dates).</summary>
    [Key(17)]
    public long PeerReadDate { get; set; }

    /// <summary>The key of what this device sends.</summary>
    public byte[]? OwnKey() => IsAdmin ? AdminKey : ParticipantKey;

    /// <summary>The key of what the other side sends.</summary>
    public byte[]? PeerKey() => IsAdmin ? ParticipantKey : AdminKey;

    /// <summary>How many times the keys were replaced (re-keying); 0 for the chat's first keys.</summary>
    [Key(18)]
    public int KeyGeneration { get; set; }

    /// <summary>Messages this device sent and opened under the current keys (the re-keying steps not counted). Changed in
    /// memory, written with the state's next change.</summary>
    [Key(19)]
    public int KeyUses { get; set; }

    /// <summary>When this device began using the current keys (unix seconds; 0 before the chat is Ready).</summary>
    [Key(20)]
    public long KeyCreated { get; set; }

    /// <summary>The keys before the current ones (messages the other side sent before it switched), until
    /// <see cref="SecretChatEngine.PreviousKeptFor"/> of its messages opened under the current ones.</summary>
    [Key(21)]
    public PreviousKeys? Previous { get; set; }

    /// <summary>Messages of the other side opened under the current keys since the switch (in memory, as <see cref="KeyUses"/>).</summary>
    [Key(22)]
    public int PeerMessagesUnderCurrent { get; set; }

    /// <summary>This device's re-keying request waiting for the answer.</summary>
    [Key(23)]
    public OutgoingRekey? Outgoing { get; set; }

    /// <summary>The other side's request this device accepted, waiting for its commit (or its first message under them).</summary>
    [Key(24)]
    public AcceptedRekey? Accepted { get; set; }

    /// <summary>Re-keying steps sealed and saved, not yet taken by the server (oldest first).</summary>
    [Key(25)]
    public List<RekeySend> Outbox { get; set; } = [];

    /// <summary>The number the next body this device seals gets (<c>out_seq</c>); saved before that body is sent. A state
    /// written before sequence numbers reads as 0.</summary>
    [Key(26)]
    public long OutSeq { get; set; }

    /// <summary>What this device sent under its last numbers other than messages (those are the history's): its deletes
    /// for both, and the numbers of bodies nobody is shown (re-keying steps, resend requests, messages it deleted for
    /// both), within its last <see cref="SecretChatEngine.SentKept"/> numbers and <see cref="SecretChatEngine.SentKeptFor"/>:
    /// what it sends again when the other side asks.</summary>
    [Key(27)]
    public List<SentBody> Sent { get; set; } = [];

    /// <summary>The other side's numbers received (in the journal, not the state: written with the body's effect).</summary>
    [IgnoreMember]
    public InboundSequence Inbound { get; set; } = new();

    public void SetKeys(SecretChatKeys keys)
    {
        AdminKey = keys.AdminToParticipant;
        ParticipantKey = keys.ParticipantToAdmin;
        KeyFingerprint = keys.KeyFingerprint;
        Verification = keys.Verification;
    }
}

[MessagePackObject]
internal sealed class PreviousKeys
{
    [Key(0)]
    public int Generation { get; set; }

    [Key(1)]
    public byte[] AdminKey { get; set; } = [];

    [Key(2)]
    public byte[] ParticipantKey { get; set; } = [];
}

/// <summary>What a number this device sent carried, kept to send it again at a resend request: a delete for both (its
/// random_ids here), or a body nobody is shown (a message's number is found in the history instead).</summary>
[MessagePackObject]
internal sealed class SentBody
{
    [Key(0)]
    public long Seq { get; set; }

    [Key(1)]
    public SentKind Kind { get; set; }

    /// <summary>The random_id it was first sent with.</summary>
    [Key(2)]
    public long RandomId { get; set; }

    /// <summary>When it was sealed (unix seconds).</summary>
    [Key(3)]
    public long Date { get; set; }

    [Key(4)]
    public long[]? Delete { get; set; }
}

internal enum SentKind
{
    /// <summary>A re-keying step, a resend request, or a message since deleted for both: sent again as a body with nothing in it.</summary>
    Control,

    /// <summary>Unused: a message's number is found in the history.</summary>
    Message,

    Delete,
}

/// <summary>This device's request: the exchange's id, its new X25519 secret and public key, when it was made (unix seconds).</summary>
[MessagePackObject]
internal sealed class OutgoingRekey
{
    [Key(0)]
    public long Id { get; set; }

    [Key(1)]
    public byte[] Secret { get; set; } = [];

    [Key(2)]
    public byte[] G { get; set; } = [];

    [Key(3)]
    public long Date { get; set; }
}

/// <summary>The other side's request as this device accepted it: the exchange's id, the public key it answered
/// (g_acc) and the next keys with their fingerprint (its secret wiped once they were derived).</summary>
[MessagePackObject]
internal sealed class AcceptedRekey
{
    [Key(0)]
    public long Id { get; set; }

    [Key(1)]
    public byte[] G { get; set; } = [];

    [Key(2)]
    public byte[] AdminKey { get; set; } = [];

    [Key(3)]
    public byte[] ParticipantKey { get; set; } = [];

    [Key(4)]
    public long Fingerprint { get; set; }
}

/// <summary>When a chat's re-keying steps may be tried again after a failure, and how long the next failure makes them wait.</summary>
internal readonly record struct OutboxBackoff(DateTimeOffset NotBefore, TimeSpan Delay);

/// <summary>A re-keying step as sent: its random_id and the data sealed for it (sent again as they are until taken).</summary>
[MessagePackObject]
internal sealed class RekeySend
{
    [Key(0)]
    public long RandomId { get; set; }

    [Key(1)]
    public byte[] Data { get; set; } = [];

    /// <summary>The step's op and exchange id (a state written before they were kept reads as <see cref="SecretRekeyOp"/>
    /// 0 and id 0: nothing to undo when it is refused).</summary>
    [Key(2)]
    public SecretRekeyOp Op { get; set; }

    [Key(3)]
    public long ExchangeId { get; set; }

    /// <summary>A file message sent again at a resend request: the server's id of the file the chat holds (sent again
    /// by reference, never uploaded again), and the number it goes under (answered gone instead when the server no
    /// longer holds the file); 0 for every other body.</summary>
    [Key(4)]
    public long FileId { get; set; }

    [Key(5)]
    public long Seq { get; set; }

    /// <summary>In the saved state: it may go.</summary>
    [IgnoreMember]
    public bool Saved { get; set; }
}

[MessagePackObject]
internal sealed class StoredMessage
{
    [Key(0)]
    public long RandomId { get; set; }

    [Key(1)]
    public long FromId { get; set; }

    [Key(2)]
    public bool Outgoing { get; set; }

    /// <summary>The server's date (0 while an outgoing message is on its way).</summary>
    [Key(3)]
    public long Date { get; set; }

    [Key(4)]
    public long SenderDate { get; set; }

    [Key(5)]
    public string Text { get; set; } = "";

    [Key(6)]
    public int Ttl { get; set; }

    [Key(7)]
    public long? ReplyTo { get; set; }

    [Key(8)]
    public bool Silent { get; set; }

    /// <summary>When it self-destructs (unix seconds; 0: not counting yet, or never).</summary>
    [Key(9)]
    public long ExpiresAt { get; set; }

    /// <summary>An outgoing message whose last send failed without proof that nothing was stored (see
    /// <see cref="SecretMessage.Failed"/>).</summary>
    [Key(10)]
    public bool Failed { get; set; }

    /// <summary>The file it carries (with its key: it goes with the message), or null.</summary>
    [Key(11)]
    public StoredFile? File { get; set; }

    /// <summary>An outgoing message's <c>out_seq</c> (a resend carries the same); null for one sealed before sequence numbers.</summary>
    [Key(12)]
    public long? OutSeq { get; set; }
}

[MessagePackObject]
internal sealed class StoredFile
{
    /// <summary>The server's media id of the ciphertext (0 while an outgoing one is on its way).</summary>
    [Key(0)]
    public long Id { get; set; }

    [Key(1)]
    public long EncryptedSize { get; set; }

    [Key(2)]
    public byte[] Key { get; set; } = [];

    [Key(3)]
    public string Name { get; set; } = "";

    [Key(4)]
    public string MimeType { get; set; } = "";

    /// <summary>Plaintext bytes.</summary>
    [Key(5)]
    public long Size { get; set; }

    [Key(6)]
    public int? Width { get; set; }

    [Key(7)]
    public int? Height { get; set; }

    [Key(8)]
    public int? Duration { get; set; }

    [Key(9)]
    public byte[]? Thumb { get; set; }

    public static StoredFile Of(SecretFileInfo info, EncryptedFile onServer) => new()
    {
        Id = onServer.Id, EncryptedSize = onServer.Size, Key = info.Key, Name = info.Name, MimeType = info.MimeType, Size = info.Size,
        Width = info.Width, Height = info.Height, Duration = info.Duration, Thumb = info.Thumb,
    };

    public SecretFileInfo ToInfo() => new(Key, Name, MimeType, Size, Width, Height, Duration, Thumb);

    public SecretFile ToPublic() => new(Id, EncryptedSize, Name, MimeType, Size, Width, Height, Duration, Thumb);
}
