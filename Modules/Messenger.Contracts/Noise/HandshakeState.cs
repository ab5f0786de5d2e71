using System.Text;

namespace Messenger.Contracts.Noise;

/// <summary>
/// A Noise handshake (spec §5.2–5.3) for any pattern of <see cref="HandshakePattern"/>, suite
/// <c>25519_ChaChaPoly_BLAKE2b</c>. Write and read messages in turn, then <see cref="Split"/> into transport ciphers.
/// </summary>
public sealed class HandshakeState
{
    private readonly HandshakePattern _pattern;
    private readonly bool _initiator;
    private readonly NoiseKeyPair? _s;
    private NoiseKeyPair? _e;
    private byte[]? _rs;
    private byte[]? _re;
    private int _messageIndex;

    // SymmetricState (spec §5.2)
    private byte[] _ck;
    private byte[] _h;
    private readonly CipherState _cipher = new();

    public HandshakeState(
        HandshakePattern pattern,
        bool initiator,
        ReadOnlySpan<byte> prologue,
        NoiseKeyPair? localStatic = null,
        byte[]? remoteStatic = null,
        NoiseKeyPair? localEphemeral = null)
    {
        _pattern = pattern;
        _initiator = initiator;
        _s = localStatic;
        _rs = remoteStatic;
        _e = localEphemeral;

        var name = Encoding.ASCII.GetBytes($"Noise_{pattern.Name}_25519_ChaChaPoly_BLAKE2b");
        _h = name.Length <= NoiseCrypto.HashLength ? [.. name, .. new byte[NoiseCrypto.HashLength - name.Length]] : NoiseCrypto.Hash(name);
        _ck = _h;
        MixHash(prologue);

        foreach (var token in pattern.InitiatorPreMessage)
        {
            MixPreMessageKey(token, initiatorKey: true);
        }

        foreach (var token in pattern.ResponderPreMessage)
        {
            MixPreMessageKey(token, initiatorKey: false);
        }
    }

    public bool IsHandshakeComplete => _messageIndex >= _pattern.Messages.Count;

    /// <summary>The handshake hash: a channel binding both sides share after the handshake.</summary>
    public byte[] HandshakeHash => _h;

    /// <summary>The peer's static public key, once known (pinned in advance, or received in the handshake).</summary>
    public byte[]? RemoteStaticPublicKey => _rs;

    private bool IsMyTurn => (_messageIndex % 2 == 0) == _initiator;

    public byte[] WriteMessage(ReadOnlySpan<byte> payload)
    {
        if (IsHandshakeComplete || !IsMyTurn)
        {
            throw new NoiseException("not this side's turn to write a handshake message");
        }

        var message = new List<byte>(256);
        foreach (var token in _pattern.Messages[_messageIndex])
        {
            switch (token)
            {
                case "e":
                    _e ??= NoiseKeyPair.Generate();
                    message.AddRange(_e.PublicKey);
                    MixHash(_e.PublicKey);
                    break;
                case "s":
                    message.AddRange(EncryptAndHash(RequireStatic().PublicKey));
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }

        message.AddRange(EncryptAndHash(payload));
        _messageIndex++;
        if (message.Count > CipherState.MaxMessageLength)
        {
            throw new NoiseException("handshake message too long");
        }

        return [.. message];
    }

    public byte[] ReadMessage(ReadOnlySpan<byte> message)
    {
        if (IsHandshakeComplete || IsMyTurn)
        {
            throw new NoiseException("not this side's turn to read a handshake message");
        }

        if (message.Length > CipherState.MaxMessageLength)
        {
            throw new NoiseException("handshake message too long");
        }

        foreach (var token in _pattern.Messages[_messageIndex])
        {
            switch (token)
            {
                case "e":
                    _re = Take(ref message, NoiseKeyPair.KeyLength);
                    MixHash(_re);
                    break;
                case "s":
                    var length = NoiseKeyPair.KeyLength + (_cipher.HasKey ? CipherState.TagLength : 0);
                    _rs = DecryptAndHash(Take(ref message, length));
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }

        var payload = DecryptAndHash(message);
        _messageIndex++;
        return payload;
    }

    /// <summary>The transport ciphers, oriented for this side: <c>Send</c> encrypts, <c>Receive</c> decrypts.</summary>
    public (CipherState Send, CipherState Receive) Split()
    {
        if (!IsHandshakeComplete)
        {
            throw new NoiseException("handshake not complete");
        }

        var (first, second) = NoiseCrypto.Hkdf(_ck, []);
        var initiatorToResponder = new CipherState(first);
        var responderToInitiator = new CipherState(second);
        return _initiator ? (initiatorToResponder, responderToInitiator) : (responderToInitiator, initiatorToResponder);
    }

    private void MixPreMessageKey(string token, bool initiatorKey)
    {
        if (token != "s")
        {
            throw new NotSupportedException("only static keys are used in pre-messages here");
        }

        var key = initiatorKey == _initiator ? RequireStatic().PublicKey : _rs ?? throw new NoiseException("the remote static key must be known in advance");
        MixHash(key);
    }

    private void MixDh(string token)
    {
        // The first letter names the initiator's key, the second the responder's (spec §7.1).
        var initiatorKey = token[0];
        var responderKey = token[1];
        var (localToken, remoteToken) = _initiator ? (initiatorKey, responderKey) : (responderKey, initiatorKey);
        var local = localToken == 'e' ? _e ?? throw new NoiseException("no local ephemeral key") : RequireStatic();
        var remote = remoteToken == 'e' ? _re ?? throw new NoiseException("no remote ephemeral key") : _rs ?? throw new NoiseException("no remote static key");
        MixKey(NoiseCrypto.Dh(local, remote));
    }

    private NoiseKeyPair RequireStatic() => _s ?? throw new NoiseException("this pattern needs a local static key");

    private static byte[] Take(ref ReadOnlySpan<byte> message, int length)
    {
        if (message.Length < length)
        {
            throw new NoiseException("handshake message too short");
        }

        var taken = message[..length].ToArray();
        message = message[length..];
        return taken;
    }

    private void MixHash(ReadOnlySpan<byte> data) => _h = NoiseCrypto.Hash(_h, data);

    private void MixKey(byte[] inputKeyMaterial)
    {
        (_ck, var key) = NoiseCrypto.Hkdf(_ck, inputKeyMaterial);
        _cipher.InitializeKey(key);
    }

    private byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = _cipher.Encrypt(_h, plaintext);
        MixHash(ciphertext);
        return ciphertext;
    }

    private byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var plaintext = _cipher.Decrypt(_h, ciphertext);
        MixHash(ciphertext);
        return plaintext;
    }
}
