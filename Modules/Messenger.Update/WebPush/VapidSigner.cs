using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Messenger.Update.WebPush;

/// <summary>
/// Signs each request to a push service as RFC 8292 asks: <c>Authorization: vapid t=JWT, k=public key</c>, the JWT
/// (ES256) naming the endpoint's origin (<c>aud</c>, its port included when it is not the scheme's default), a 12-hour
/// expiry and the admin's contact (<c>sub</c>). One token per origin is reused until an hour before it expires. (The
/// push library's own signer drops a non-default port from <c>aud</c>, which a push service on such a port refuses.)
/// Origins come from the endpoints users subscribe with, so the tokens kept are bounded: at <see cref="MaxOrigins"/>,
/// those due for renewal go, and all of them if that is not enough (each is signed again when next needed).
/// </summary>
internal sealed class VapidSigner(VapidKeys keys, string subject, TimeProvider clock) : DelegatingHandler
{
    internal const int MaxOrigins = 1024;

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromHours(1);
    private static readonly string Header = WebEncoders.Base64UrlEncode("""{"typ":"JWT","alg":"ES256"}"""u8.ToArray());

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var audience = request.RequestUri!.GetLeftPart(UriPartial.Authority);
        var now = clock.GetUtcNow();
        if (!_tokens.TryGetValue(audience, out var token) || token.Expires - now < RenewBefore)
        {
            token = (Sign(audience, now + Lifetime), now + Lifetime);
            if (_tokens.Count >= MaxOrigins)
            {
                Forget(now);
            }

            _tokens[audience] = token;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("vapid", $"t={token.Token}, k={keys.PublicKey}");
        return base.SendAsync(request, cancellationToken);
    }

    /// <summary>Origins whose token is kept (tests).</summary>
    internal int OriginsKept => _tokens.Count;

    private void Forget(DateTimeOffset now)
    {
        foreach (var (origin, kept) in _tokens)
        {
            if (kept.Expires - now < RenewBefore)
            {
                _tokens.TryRemove(KeyValuePair.Create(origin, kept)); // not a token renewed meanwhile
            }
        }

        if (_tokens.Count >= MaxOrigins)
        {
            _tokens.Clear();
        }
    }

    private string Sign(string audience, DateTimeOffset expires)
    {
        var claims = WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(new { aud = audience, exp = expires.ToUnixTimeSeconds(), sub = subject }));
        var unsigned = Header + "." + claims;
        using var key = ECDsa.Create();
        key.ImportECPrivateKey(keys.PrivateKeyDer, out _);
        return unsigned + "." + WebEncoders.Base64UrlEncode(key.SignData(Encoding.ASCII.GetBytes(unsigned), HashAlgorithmName.SHA256));
    }
}
