using System.Security.Cryptography;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Messenger.Update.WebPush;

/// <summary>
/// The server's VAPID key pair (RFC 8292, ECDSA P-256): created on first start as <c>push.key</c> (mode 0600) in the
/// data directory and reused, since every browser subscription is bound to it — a new key would silence them all until
/// each device subscribes again. The backup copies it with the rest of the directory. A key made while subscriptions
/// are stored (<c>push.key</c> lost) cannot sign for them: <see cref="PushOutbox"/> drops them at start.
/// </summary>
internal sealed class VapidKeys(IOptions<MessengerOptions> options)
{
    public const string FileName = "push.key";

    private readonly Lazy<(string Public, byte[] Private, string Scalar)> _keys = new(() => LoadOrCreate(FilePath(options)));
    private byte[]? _topicKey;

    /// <summary>The uncompressed public point, base64url (65 bytes).</summary>
    public string PublicKey => _keys.Value.Public;

    /// <summary>The private key as SEC 1 DER (<see cref="ECDsa.ImportECPrivateKey"/>).</summary>
    public byte[] PrivateKeyDer => _keys.Value.Private;

    /// <summary>Whether <c>push.key</c> is there (a key is made at first use otherwise).</summary>
    public bool Exists => File.Exists(FilePath(options));

    private static string FilePath(IOptions<MessengerOptions> options) => Path.Combine(options.Value.DataDirectoryFullPath, FileName);

    /// <summary>The private scalar, base64url (32 bytes).</summary>
    public string PrivateScalar => _keys.Value.Scalar;

    /// <summary>A key of the server's own, derived from the private scalar (HKDF-SHA256), for topics a push service must not
    /// be able to read (<see cref="PushOutbox.OpaqueTopic"/>): it lives and goes with the VAPID key, as the subscriptions do.</summary>
    public byte[] TopicKey => _topicKey ??= HKDF.DeriveKey(
        HashAlgorithmName.SHA256, WebEncoders.Base64UrlDecode(PrivateScalar), 32, info: "messenger web push topic"u8.ToArray());

    private static (string Public, byte[] Private, string Scalar) LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            using var existing = ECDsa.Create();
            existing.ImportECPrivateKey(Convert.FromBase64String(File.ReadAllText(path).Trim()), out _);
            return Encode(existing);
        }

        using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PrivateFiles.Create(path, Convert.ToBase64String(created.ExportECPrivateKey()) + "\n");
        return Encode(created);
    }

    private static (string Public, byte[] Private, string Scalar) Encode(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return (WebEncoders.Base64UrlEncode([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), key.ExportECPrivateKey(), WebEncoders.Base64UrlEncode(parameters.D!));
    }
}
