using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A push service on 127.0.0.1, as a browser's (FCM, Mozilla's) is to the server: it takes <c>POST /push/{id}</c> and
/// answers 201, or 410 for subscriptions told <see cref="Forget"/>. Each request is kept for the test with its headers
/// and body; <see cref="BrowserSubscription"/> decrypts a body as the browser would (RFC 8291), with code of its own.
/// </summary>
internal sealed class LocalPushService : IAsyncDisposable
{
    private readonly LocalWebSite _site;
    private readonly Channel<PushRequest> _requests = Channel.CreateUnbounded<PushRequest>();
    private readonly HashSet<string> _gone = [];

    private LocalPushService(LocalWebSite site) => _site = site;

    public static async Task<LocalPushService> StartAsync()
    {
        LocalPushService? service = null;
        var site = await LocalWebSite.StartAsync(app => app.MapPost("/push/{id}", async (string id, HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            await service!._requests.Writer.WriteAsync(new PushRequest(id, headers, body.ToArray()));
            bool gone;
            lock (service._gone)
            {
                gone = service._gone.Contains(id);
            }

            return gone ? Results.StatusCode(410) : Results.StatusCode(201);
        }));
        service = new LocalPushService(site);
        return service;
    }

    public string Origin => _site.Origin;

    /// <summary>A new browser subscription whose endpoint is on this service.</summary>
    public BrowserSubscription Subscribe() => new($"{Origin}/push/{Guid.NewGuid():N}");

    /// <summary>From now on the service answers 410 Gone for this subscription.</summary>
    public void Forget(BrowserSubscription subscription)
    {
        lock (_gone)
        {
            _gone.Add(subscription.Id);
        }
    }

    public async Task<PushRequest> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _requests.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>Fails if a request arrives within <paramref name="wait"/>.</summary>
    public async Task<PushRequest?> NoneWithinAsync(TimeSpan wait)
    {
        using var cancel = new CancellationTokenSource(wait);
        try
        {
            return await _requests.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _site.DisposeAsync();
}

internal sealed record PushRequest(string SubscriptionId, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>What a browser's <c>PushManager.subscribe</c> makes: an endpoint, a P-256 key pair and an auth secret.</summary>
internal sealed class BrowserSubscription : IDisposable
{
    private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public BrowserSubscription(string endpoint)
    {
        Endpoint = endpoint;
        Id = endpoint[(endpoint.LastIndexOf('/') + 1)..];
        var point = _key.ExportParameters(false).Q;
        PublicKey = [0x04, .. point.X!, .. point.Y!];
    }

    public string Endpoint { get; }

    public string Id { get; }

    public byte[] PublicKey { get; }

    public byte[] AuthSecret { get; } = RandomNumberGenerator.GetBytes(16);

    public string P256dh => WebEncoders.Base64UrlEncode(PublicKey);

    public string Auth => WebEncoders.Base64UrlEncode(AuthSecret);

    /// <summary>RFC 8291 §3.4 and RFC 8188 §2, as the browser reads one <c>aes128gcm</c> record.</summary>
    public string Decrypt(byte[] body)
    {
        var salt = body[..16];
        var recordSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        int keyIdLength = body[20];
        var serverKey = body[21..(21 + keyIdLength)];
        var ciphertext = body[(21 + keyIdLength)..];
        if (keyIdLength != 65 || ciphertext.Length > recordSize)
        {
            throw new InvalidDataException($"key id of {keyIdLength} bytes, record of {ciphertext.Length} in {recordSize}");
        }

        using var server = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = serverKey[1..33], Y = serverKey[33..] },
        });
        var sharedSecret = _key.DeriveRawSecretAgreement(server.PublicKey);
        var keyInfo = Encoding.ASCII.GetBytes("WebPush: info\0").Concat(PublicKey).Concat(serverKey).ToArray();
        var ikm = HKDF.Expand(HashAlgorithmName.SHA256, HKDF.Extract(HashAlgorithmName.SHA256, sharedSecret, AuthSecret), 32, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var contentKey = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));

        var plaintext = new byte[ciphertext.Length - 16];
        using (var aes = new AesGcm(contentKey, 16))
        {
            aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plaintext);
        }

        // The last record ends with the delimiter 2, then zero padding.
        var end = plaintext.Length - 1;
        while (end >= 0 && plaintext[end] == 0)
        {
            end--;
        }

        if (end < 0 || plaintext[end] != 2)
        {
            throw new InvalidDataException("no last-record delimiter");
        }

        return Encoding.UTF8.GetString(plaintext, 0, end);
    }

    public void Dispose() => _key.Dispose();
}
