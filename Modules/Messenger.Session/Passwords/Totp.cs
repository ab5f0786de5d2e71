using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Messenger.Session.Passwords;

/// <summary>
/// Time-based one-time codes (RFC 6238) as authenticator apps make them: HMAC-SHA1 over the number of 30-second steps
/// since the epoch, truncated to 6 digits (RFC 4226). A code is accepted for its own step and the ones either side
/// (a phone's clock a little off), and each step once: the caller remembers the last step used.
/// </summary>
internal static class Totp
{
    public const int StepSeconds = 30;
    public const int Digits = 6;
    public const int SecretBytes = 20;

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    public static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(secret, counter, hash);
        var offset = hash[^1] & 0x0F;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7FFFFFFF) % 1_000_000;
        return value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The step <paramref name="code"/> belongs to, if it is a code of the step at <paramref name="now"/> or
    /// either side of it and later than <paramref name="lastUsedStep"/>; null otherwise.</summary>
    public static long? Match(byte[] secret, string code, DateTimeOffset now, long lastUsedStep)
    {
        var current = StepAt(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (step > lastUsedStep && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(secret, step)), Encoding.ASCII.GetBytes(code)))
            {
                return step;
            }
        }

        return null;
    }

    public static bool IsCodeShape(string? code) => code is { Length: Digits } && code.All(char.IsAsciiDigit);

    /// <summary>RFC 4648 base32 without padding, as authenticator apps read secrets.</summary>
    public static string Base32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
