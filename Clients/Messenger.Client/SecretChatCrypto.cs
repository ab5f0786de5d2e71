using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MessagePack;
using Sodium;

namespace Messenger.Client;

/// <summary>
/// The cryptography of secret chats (docs/secret-chats.md), which every client implements the same way (the vectors in
/// <c>Clients/web/test/secret-vectors.json</c> hold it): X25519 between the two sides' keys made for the chat, BLAKE2b
/// to derive one key per direction and the fingerprint, XChaCha20-Poly1305 for each message with the chat's id and the
/// message's random_id as associated data. The server sees only public keys and ciphertext.
/// </summary>
public static class SecretChatCrypto
{
    /// <summary>Bytes of a key (X25519 secret or public, direction key).</summary>
    public const int KeyLength = 32;

    /// <summary>Bytes of the random nonce at the start of every message's data.</summary>
    public const int NonceLength = 24;

    /// <summary>The largest exchange id of a re-keying (a JavaScript-safe integer).</summary>
    public const long MaxExchangeId = (1L << 53) - 1;

    private const int TagLength = 16;
    private const int KeysLength = 2 * KeyLength;
    private static readonly byte[] Label = Encoding.UTF8.GetBytes("messenger-secret/1");
    private static readonly byte[] RekeyLabel = Encoding.UTF8.GetBytes("messenger-secret-rekey/1");

    static SecretChatCrypto() => SodiumCore.Init();

    /// <summary>A fresh X25519 key pair for one chat: (secret, public).</summary>
    public static (byte[] Secret, byte[] Public) GenerateKeyPair()
    {
        var secret = SodiumCore.GetRandomBytes(KeyLength);
        return (secret, ScalarMult.Base(secret));
    }

    /// <summary>True when <paramref name="peerPublic"/> is a usable public key: 32 bytes whose X25519 with any scalar is
    /// not all zero (a low-order point would make the chat's keys known to anyone).</summary>
    public static bool IsValidPublicKey(byte[]? peerPublic)
    {
        if (peerPublic is not { Length: KeyLength })
        {
            return false;
        }

        return !IsAllZero(ScalarMult.Mult(SodiumCore.GetRandomBytes(KeyLength), peerPublic));
    }

    /// <summary>
    /// The keys of a chat, seen from a side holding <paramref name="ownSecret"/> (the admin's secret with
    /// <paramref name="gB"/>, or the participant's with <paramref name="gA"/>): <c>shared = X25519(own, peer)</c>,
    /// <c>keys = BLAKE2b-512("messenger-secret/1" || shared || g_a || g_b)</c>. Throws <see cref="CryptographicException"/>
    /// for a low-order peer key (an all-zero shared secret).
    /// </summary>
    public static SecretChatKeys DeriveKeys(byte[] ownSecret, byte[] gA, byte[] gB, bool isAdmin)
    {
        ArgumentNullException.ThrowIfNull(ownSecret);
        if (gA is not { Length: KeyLength } || gB is not { Length: KeyLength } || ownSecret.Length != KeyLength)
        {
            throw new CryptographicException("a secret chat's keys have 32 bytes");
        }

        return Derive(ownSecret, isAdmin ? gB : gA, Label, gA, gB);
    }

    /// <summary>
    /// The next generation of a chat's keys (re-keying), seen from a side holding <paramref name="ownSecret"/> (the
    /// initiator's new secret with <paramref name="gAcc"/>, or the accepter's with <paramref name="gInit"/>):
    /// <c>keys(n+1) = BLAKE2b-512("messenger-secret-rekey/1" || X25519(own, peer) || keys(n) || g_init || g_acc)</c>, where
    /// <paramref name="previousKeys"/> is <c>keys(n)</c> (64 bytes: the admin's direction key, then the participant's).
    /// The directions stay the chat's (the admin's key first), whoever started the exchange; the fingerprint is found as
    /// for the first keys. Throws <see cref="CryptographicException"/> for a low-order peer key.
    /// </summary>
    public static SecretChatKeys DeriveNextKeys(byte[] ownSecret, byte[] previousKeys, byte[] gInit, byte[] gAcc, bool isInitiator)
    {
        ArgumentNullException.ThrowIfNull(ownSecret);
        ArgumentNullException.ThrowIfNull(previousKeys);
        if (gInit is not { Length: KeyLength } || gAcc is not { Length: KeyLength } || ownSecret.Length != KeyLength || previousKeys.Length != KeysLength)
        {
            throw new CryptographicException("re-keying takes 32-byte keys and the 64 bytes of the previous generation");
        }

        return Derive(ownSecret, isInitiator ? gAcc : gInit, RekeyLabel, previousKeys, gInit, gAcc);
    }

    /// <summary><c>BLAKE2b-512(label || X25519(own, peer) || rest…)</c> split into a chat's keys; throws for a low-order
    /// peer key (an all-zero shared secret). The hash's input holds the shared secret (and, re-keying, the previous
    /// generation's keys): wiped with it.</summary>
    private static SecretChatKeys Derive(byte[] ownSecret, byte[] peerPublic, byte[] label, params byte[][] rest)
    {
        var shared = ScalarMult.Mult(ownSecret, peerPublic);
        if (IsAllZero(shared))
        {
            throw new CryptographicException("low-order public key (all-zero X25519 result)");
        }

        var input = new byte[label.Length + shared.Length + rest.Sum(part => part.Length)];
        label.CopyTo(input, 0);
        shared.CopyTo(input, label.Length);
        var offset = label.Length + shared.Length;
        foreach (var part in rest)
        {
            part.CopyTo(input, offset);
            offset += part.Length;
        }

        var keys = GenericHash.Hash(input, (byte[]?)null, KeysLength);
        CryptographicOperations.ZeroMemory(input);
        CryptographicOperations.ZeroMemory(shared);
        return Split(keys);
    }

    /// <summary>The two direction keys of 64 derived bytes, the fingerprint (<c>BLAKE2b-256(keys)[0..6]</c> little-endian)
    /// and the verification code (the hex of its first 16 bytes in groups of 4).</summary>
    private static SecretChatKeys Split(byte[] keys)
    {
        var hash = GenericHash.Hash(keys, (byte[]?)null, 32);
        var fingerprint = 0L;
        for (var i = 5; i >= 0; i--)
        {
            fingerprint = (fingerprint << 8) | hash[i];
        }

        var verification = string.Join(' ', Enumerable.Range(0, 8).Select(i => Convert.ToHexStringLower(hash, i * 2, 2)));
        var result = new SecretChatKeys(keys[..KeyLength], keys[KeyLength..], fingerprint, verification);
        CryptographicOperations.ZeroMemory(keys);
        return result;
    }

    /// <summary>
    /// A message's data: <c>nonce || XChaCha20-Poly1305(key, nonce, plaintext, ad = chat_id (int64 LE) || random_id
    /// (int64 LE))</c>, with a random nonce unless one is given (the vectors give theirs).
    /// </summary>
    public static byte[] Encrypt(byte[] key, long chatId, long randomId, byte[] plaintext, byte[]? nonce = null)
    {
        nonce ??= SecretAeadXChaCha20Poly1305.GenerateNonce();
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"the nonce has {NonceLength} bytes", nameof(nonce));
        }

        var sealedText = SecretAeadXChaCha20Poly1305.Encrypt(plaintext, nonce, key, AssociatedData(chatId, randomId));
        return [.. nonce, .. sealedText];
    }

    /// <summary>The plaintext of a message's <paramref name="data"/>, or null when it does not open (too short, another
    /// key, another chat or random_id, or altered on the way).</summary>
    public static byte[]? Decrypt(byte[] key, long chatId, long randomId, byte[] data)
    {
        if (data is not { Length: > NonceLength + TagLength })
        {
            return null;
        }

        try
        {
            return SecretAeadXChaCha20Poly1305.Decrypt(data[NonceLength..], data[..NonceLength], key, AssociatedData(chatId, randomId));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// A message's plaintext: a MessagePack map with string keys — <c>delete</c> (random_ids to delete on both devices)
    /// and <c>date</c> for a deletion; otherwise <c>text</c>, <c>date</c>, <c>ttl</c> and, for an answer,
    /// <c>reply_to</c> — in that order, as the vectors have them — and, for a file, <c>file</c> last: a map of
    /// <c>key</c> (bin 32), <c>name</c>, <c>mime</c>, <c>size</c> (plaintext bytes) and those of <c>width</c>,
    /// <c>height</c>, <c>duration</c>, <c>thumb</c> (bin) it has.
    /// </summary>
    public static byte[] EncodePlaintext(SecretPlaintext plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        if (plaintext.Rekey is { } rekey)
        {
            writer.WriteMapHeader(2 + SequenceKeys(plaintext));
            writer.Write("rekey");
            writer.WriteMapHeader(2 + (rekey.G is null ? 0 : 1) + (rekey.Fingerprint is null ? 0 : 1));
            writer.Write("op");
            writer.Write(OpName(rekey.Op));
            writer.Write("id");
            writer.Write(rekey.Id);
            if (rekey.G is { } g)
            {
                writer.Write("g");
                writer.Write(g);
            }

            if (rekey.Fingerprint is { } fingerprint)
            {
                writer.Write("fp");
                writer.Write(fingerprint);
            }

            writer.Write("date");
            writer.Write(plaintext.Date);
        }
        else if (plaintext.Resend is { } resend)
        {
            writer.WriteMapHeader(2 + SequenceKeys(plaintext));
            writer.Write("resend");
            writer.WriteMapHeader(2);
            writer.Write("start");
            writer.Write(resend.Start);
            writer.Write("end");
            writer.Write(resend.End);
            writer.Write("date");
            writer.Write(plaintext.Date);
        }
        else if (plaintext.Gone || plaintext.Noop)
        {
            // "gone": the sender no longer holds the body this number took (counted lost); a bare date: a body nobody is
            // shown (a re-keying step, a resend request), sent again as nothing so that only its number arrives.
            writer.WriteMapHeader(1 + (plaintext.Gone ? 1 : 0) + SequenceKeys(plaintext));
            if (plaintext.Gone)
            {
                writer.Write("gone");
                writer.Write(true);
            }

            writer.Write("date");
            writer.Write(plaintext.Date);
        }
        else if (plaintext.Delete is { } delete)
        {
            writer.WriteMapHeader(2 + (plaintext.Resent is null ? 0 : 1) + SequenceKeys(plaintext));
            writer.Write("delete");
            writer.WriteArrayHeader(delete.Length);
            foreach (var id in delete)
            {
                writer.Write(id);
            }

            writer.Write("date");
            writer.Write(plaintext.Date);
        }
        else
        {
            writer.WriteMapHeader(3 + (plaintext.ReplyTo is null ? 0 : 1) + (plaintext.File is null ? 0 : 1) + (plaintext.Resent is null ? 0 : 1) + SequenceKeys(plaintext));
            writer.Write("text");
            writer.Write(plaintext.Text ?? "");
            writer.Write("date");
            writer.Write(plaintext.Date);
            writer.Write("ttl");
            writer.Write(plaintext.Ttl);
            if (plaintext.ReplyTo is { } replyTo)
            {
                writer.Write("reply_to");
                writer.Write(replyTo);
            }

            if (plaintext.File is { } file)
            {
                writer.Write("file");
                WriteFile(ref writer, file);
            }
        }

        if (plaintext.Resent is { } resent && plaintext.Rekey is null && plaintext.Resend is null && !plaintext.Gone && !plaintext.Noop)
        {
            writer.Write("resent");
            writer.Write(resent);
        }

        // The sequence numbers go last in every kind of body, so a body without them is the map it always was.
        if (plaintext.OutSeq is { } outSeq)
        {
            writer.Write("out_seq");
            writer.Write(outSeq);
        }

        if (plaintext.InSeq is { } inSeq)
        {
            writer.Write("in_seq");
            writer.Write(inSeq);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static int SequenceKeys(SecretPlaintext plaintext) => (plaintext.OutSeq is null ? 0 : 1) + (plaintext.InSeq is null ? 0 : 1);

    /// <summary>The sequence numbers of any opened plaintext, whatever else it holds (a body this client cannot use still
    /// took its number): <c>out_seq</c> and <c>in_seq</c>, each null when absent; <see cref="SecretSequenceRead.Invalid"/>
    /// when the plaintext is no map or either is not an integer in 0..2^53 − 1.</summary>
    public static SecretSequenceRead ReadSequence(byte[] plaintext)
    {
        try
        {
            var reader = new MessagePackReader(plaintext);
            var count = reader.ReadMapHeader();
            long? outSeq = null;
            long? inSeq = null;
            for (var i = 0; i < count; i++)
            {
                switch (reader.ReadString())
                {
                    case "out_seq":
                        outSeq = reader.ReadInt64();
                        break;
                    case "in_seq":
                        inSeq = reader.ReadInt64();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return outSeq is < 0 or > MaxSequence || inSeq is < 0 or > MaxSequence ? SecretSequenceRead.Invalid : new SecretSequenceRead(outSeq, inSeq, true);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            return SecretSequenceRead.Invalid;
        }
    }

    /// <summary>The largest sequence number (2^53 − 1: exact in a JavaScript number).</summary>
    public const long MaxSequence = (1L << 53) - 1;

    /// <summary>A message's plaintext as read, or null when it is not a map, a known key has a value of the wrong kind,
    /// it has neither <c>text</c>, <c>delete</c> nor <c>rekey</c>, or its <c>rekey</c> is malformed (an unknown op, an
    /// id missing or out of 1..2^53 − 1, no 32-byte <c>g</c> in a request or accept, no <c>fp</c> in an accept or commit).
    /// A body with a <c>rekey</c> is that action only: its other keys are not read. Unknown keys are skipped.</summary>
    public static SecretPlaintext? DecodePlaintext(byte[] plaintext)
    {
        try
        {
            var reader = new MessagePackReader(plaintext);
            var count = reader.ReadMapHeader();
            string? text = null;
            long[]? delete = null;
            long date = 0;
            var ttl = 0;
            long? replyTo = null;
            SecretFileInfo? file = null;
            SecretRekey? rekey = null;
            var hasRekey = false;
            long? outSeq = null;
            long? inSeq = null;
            SecretResend? resend = null;
            var hasResend = false;
            var gone = false;
            long? resent = null;
            for (var i = 0; i < count; i++)
            {
                switch (reader.ReadString())
                {
                    case "resend":
                        hasResend = true;
                        resend = reader.TryReadNil() ? null : ReadResend(ref reader);
                        break;
                    case "gone":
                        gone = reader.ReadBoolean();
                        break;
                    case "resent":
                        resent = reader.ReadInt64();
                        break;
                    case "rekey":
                        hasRekey = true;
                        rekey = reader.TryReadNil() ? null : ReadRekey(ref reader);
                        break;
                    case "text":
                        text = reader.ReadString();
                        break;
                    case "date":
                        date = reader.ReadInt64();
                        break;
                    case "ttl":
                        ttl = reader.TryReadNil() ? 0 : reader.ReadInt32();
                        break;
                    case "reply_to":
                        replyTo = reader.TryReadNil() ? null : reader.ReadInt64();
                        break;
                    case "file":
                        file = reader.TryReadNil() ? null : ReadFile(ref reader);
                        break;
                    case "out_seq":
                        outSeq = reader.ReadInt64();
                        break;
                    case "in_seq":
                        inSeq = reader.ReadInt64();
                        break;
                    case "delete":
                        delete = new long[reader.ReadArrayHeader()];
                        for (var j = 0; j < delete.Length; j++)
                        {
                            delete[j] = reader.ReadInt64();
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (hasRekey)
            {
                return rekey is null ? null : new SecretPlaintext(null, date) { Rekey = rekey, OutSeq = outSeq, InSeq = inSeq };
            }

            if (hasResend)
            {
                return resend is null ? null : new SecretPlaintext(null, date) { Resend = resend, OutSeq = outSeq, InSeq = inSeq };
            }

            if (gone)
            {
                return new SecretPlaintext(null, date) { Gone = true, OutSeq = outSeq, InSeq = inSeq };
            }

            if (resent is < 1 or > MaxSequence)
            {
                // A re-sent body names the random_id its message had: the same bounds as any random_id.
                return null;
            }

            if (file is not null)
            {
                // A file's caption may be empty; a file without its key, name or type cannot be used.
                text ??= "";
                if (file.Key.Length != SecretFileCrypto.KeyLength || file.Name.Length == 0 || file.Size < 0)
                {
                    return null;
                }
            }

            return text is null && delete is null
                ? null
                : new SecretPlaintext(text, date, Math.Max(0, ttl), replyTo, delete, file) { OutSeq = outSeq, InSeq = inSeq, Resent = resent };
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The <c>resend</c> map (<c>start</c> and <c>end</c>, both included, 0 ≤ start ≤ end ≤ 2^53 − 1), or null
    /// when it is malformed (the body is then ignored).</summary>
    private static SecretResend? ReadResend(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        long? start = null;
        long? end = null;
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadString())
            {
                case "start":
                    start = reader.ReadInt64();
                    break;
                case "end":
                    end = reader.ReadInt64();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return start is { } s && end is { } e && s >= 0 && s <= e && e <= MaxSequence ? new SecretResend(s, e) : null;
    }

    /// <summary>The <c>rekey</c> map, or null when it is malformed (the body is then ignored).</summary>
    private static SecretRekey? ReadRekey(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        string? op = null;
        long id = 0;
        byte[]? g = null;
        long? fingerprint = null;
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadString())
            {
                case "op":
                    op = reader.ReadString();
                    break;
                case "id":
                    id = reader.ReadInt64();
                    break;
                case "g":
                    g = reader.TryReadNil() ? null : reader.ReadBytes()?.ToArray();
                    break;
                case "fp":
                    fingerprint = reader.TryReadNil() ? null : reader.ReadInt64();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        SecretRekeyOp? known = op switch
        {
            "request" => SecretRekeyOp.Request,
            "accept" => SecretRekeyOp.Accept,
            "commit" => SecretRekeyOp.Commit,
            "abort" => SecretRekeyOp.Abort,
            _ => null,
        };
        if (known is not { } action || id is < 1 or > MaxExchangeId)
        {
            return null;
        }

        var needsG = action is SecretRekeyOp.Request or SecretRekeyOp.Accept;
        var needsFingerprint = action is SecretRekeyOp.Accept or SecretRekeyOp.Commit;
        if ((needsG && g is not { Length: KeyLength }) || (needsFingerprint && fingerprint is null))
        {
            return null;
        }

        return new SecretRekey(action, id, needsG ? g : null, needsFingerprint ? fingerprint : null);
    }

    private static string OpName(SecretRekeyOp op) => op switch
    {
        SecretRekeyOp.Request => "request",
        SecretRekeyOp.Accept => "accept",
        SecretRekeyOp.Commit => "commit",
        SecretRekeyOp.Abort => "abort",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static void WriteFile(ref MessagePackWriter writer, SecretFileInfo file)
    {
        writer.WriteMapHeader(4 + (file.Width is null ? 0 : 1) + (file.Height is null ? 0 : 1) + (file.Duration is null ? 0 : 1) + (file.Thumb is null ? 0 : 1));
        writer.Write("key");
        writer.Write(file.Key);
        writer.Write("name");
        writer.Write(file.Name);
        writer.Write("mime");
        writer.Write(file.MimeType);
        writer.Write("size");
        writer.Write(file.Size);
        foreach (var (name, value) in new[] { ("width", file.Width), ("height", file.Height), ("duration", file.Duration) })
        {
            if (value is { } v)
            {
                writer.Write(name);
                writer.Write(v);
            }
        }

        if (file.Thumb is { } thumb)
        {
            writer.Write("thumb");
            writer.Write(thumb);
        }
    }

    private static SecretFileInfo ReadFile(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        byte[] key = [];
        string name = "", mime = "application/octet-stream";
        long size = -1;
        int? width = null, height = null, duration = null;
        byte[]? thumb = null;
        for (var i = 0; i < count; i++)
        {
            switch (reader.ReadString())
            {
                case "key":
                    key = reader.ReadBytes()?.ToArray() ?? [];
                    break;
                case "name":
                    name = reader.ReadString() ?? "";
                    break;
                case "mime":
                    mime = reader.ReadString() ?? mime;
                    break;
                case "size":
                    size = reader.ReadInt64();
                    break;
                case "width":
                    width = reader.TryReadNil() ? null : reader.ReadInt32();
                    break;
                case "height":
                    height = reader.TryReadNil() ? null : reader.ReadInt32();
                    break;
                case "duration":
                    duration = reader.TryReadNil() ? null : reader.ReadInt32();
                    break;
                case "thumb":
                    thumb = reader.TryReadNil() ? null : reader.ReadBytes()?.ToArray();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        // A thumb past the 4 KiB senders keep to is left out (the file itself still opens), as the web client does.
        if (thumb is { Length: > 4096 })
        {
            thumb = null;
        }

        return new SecretFileInfo(key, name, mime, size, width, height, duration, thumb);
    }

    private static byte[] AssociatedData(long chatId, long randomId)
    {
        var ad = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(ad, chatId);
        BinaryPrimitives.WriteInt64LittleEndian(ad.AsSpan(8), randomId);
        return ad;
    }

    private static bool IsAllZero(byte[] bytes) => CryptographicOperations.FixedTimeEquals(bytes, new byte[bytes.Length]);
}

/// <summary>A secret chat's derived keys: <see cref="AdminToParticipant"/> encrypts what the admin sends,
/// <see cref="ParticipantToAdmin"/> what the participant sends; <see cref="KeyFingerprint"/> (48 bits) is what the
/// participant sends with its acceptance and the admin compares; <see cref="Verification"/> is what both users compare
/// by eye (<c>721a 04e2 b613 …</c>, 8 groups of 4 hex digits).</summary>
public sealed record SecretChatKeys(byte[] AdminToParticipant, byte[] ParticipantToAdmin, long KeyFingerprint, string Verification);

/// <summary>A secret message's plaintext: <see cref="Text"/> (with its <see cref="Date"/> on the sender's clock, a
/// self-destruct <see cref="Ttl"/> in seconds, 0 for none, and the random_id it answers), or <see cref="Delete"/>: the
/// random_ids to delete on both devices. With <see cref="File"/>, <see cref="Text"/> is its caption (may be empty).</summary>
public sealed record SecretPlaintext(string? Text, long Date, int Ttl = 0, long? ReplyTo = null, long[]? Delete = null, SecretFileInfo? File = null)
{
    /// <summary>A step of a re-keying (then the body has nothing else but its <see cref="Date"/>): never shown.</summary>
    public SecretRekey? Rekey { get; init; }

    /// <summary><c>out_seq</c>: the sender's number for this body (0, 1, 2, … over every body it sends in the chat);
    /// null in a body of a client from before sequence numbers.</summary>
    public long? OutSeq { get; init; }

    /// <summary><c>in_seq</c>: how many of the other side's bodies the sender had received in order when it sealed this one.</summary>
    public long? InSeq { get; init; }

    /// <summary><c>resend</c>: the other side asks for its bodies numbered <see cref="SecretResend.Start"/> to
    /// <see cref="SecretResend.End"/> again (then the body has nothing else but its <see cref="Date"/>): never shown.</summary>
    public SecretResend? Resend { get; init; }

    /// <summary><c>resent</c>: this text or delete is sent again, at a resend request, under its first number; the
    /// random_id its first sending had (the message's identity for replies and deletes).</summary>
    public long? Resent { get; init; }

    /// <summary><c>gone</c>: the answer to a resend request for a number whose body the sender no longer holds: the
    /// number arrives, and its body is counted lost.</summary>
    public bool Gone { get; init; }

    /// <summary>A body with nothing but its date and numbers (the answer to a resend request for a number that carried a
    /// re-keying step or a resend request: only the number matters now). Never read back: such a map is ignored.</summary>
    public bool Noop { get; init; }
}

/// <summary>A resend request's range of the asking side's peer's numbers, both ends included (Telegram's
/// <c>decryptedMessageActionResend</c>).</summary>
public sealed record SecretResend(long Start, long End);

/// <summary>A plaintext's sequence numbers (<see cref="SecretChatCrypto.ReadSequence"/>): <see cref="Valid"/> false when
/// they cannot be read as numbers.</summary>
public sealed record SecretSequenceRead(long? OutSeq, long? InSeq, bool Valid)
{
    public static readonly SecretSequenceRead Invalid = new(null, null, false);
}

/// <summary>A step of a secret chat's re-keying, inside an encrypted body: <see cref="Id"/> is the exchange's (chosen by
/// its initiator, 1..2^53 − 1); <see cref="G"/> the new public key of the side sending a request (g_init) or an accept
/// (g_acc); <see cref="Fingerprint"/> that of the new generation, in an accept and a commit.</summary>
public sealed record SecretRekey(SecretRekeyOp Op, long Id, byte[]? G = null, long? Fingerprint = null);

/// <summary>The steps of a re-keying: the initiator's <see cref="Request"/>, the other side's <see cref="Accept"/>, the
/// initiator's <see cref="Commit"/> once it switched, and <see cref="Abort"/> from either side.</summary>
public enum SecretRekeyOp
{
    Request,
    Accept,
    Commit,
    Abort,
}

/// <summary>What the encrypted body of a message says of its file: the file's <see cref="Key"/> (32 bytes), its
/// <see cref="Name"/>, <see cref="MimeType"/> and plaintext <see cref="Size"/>; for pictures and videos their size, for
/// videos and audio the duration in seconds, and a small JPEG <see cref="Thumb"/> (at most 4 KiB) the sender made.</summary>
public sealed record SecretFileInfo(
    byte[] Key, string Name, string MimeType, long Size, int? Width = null, int? Height = null, int? Duration = null, byte[]? Thumb = null);
