using System.Security.Cryptography;
using System.Text;
using Messenger.Contracts.Account;

namespace Messenger.Session.Passwords;

/// <summary>
/// One-time recovery codes of two-step verification (<see cref="RecoveryCodes"/>): made from the CSPRNG, told once,
/// kept as hashes. SHA-256 without salt or stretching is enough here, unlike for passwords: a code has 50 random bits,
/// not a person's choice, so there is no dictionary to try, and guessing online is slowed by the sign-in limits.
/// </summary>
internal static class RecoveryCode
{
    /// <summary>Longer than any way of writing a code (dash, spaces around it): refused before it is even read.</summary>
    public const int MaxInputLength = 32;

    public static string[] NewCodes() =>
        [.. Enumerable.Range(0, RecoveryCodes.Count).Select(_ => RandomNumberGenerator.GetString(RecoveryCodes.Alphabet, RecoveryCodes.Length))
            .Select(code => $"{code[..5]}-{code[5..]}")];

    /// <summary>The code as it is hashed (lower case, no dash, look-alikes read as digits); null when the text is not
    /// a recovery code's shape.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null || text.Length > MaxInputLength)
        {
            return null;
        }

        var code = new StringBuilder(RecoveryCodes.Length);
        foreach (var c in text.Trim())
        {
            if (c == '-' || c == ' ')
            {
                continue;
            }

            var read = char.ToLowerInvariant(c) switch
            {
                'o' => '0',
                'i' or 'l' => '1',
                var other => other,
            };
            if (!RecoveryCodes.Alphabet.Contains(read) || code.Length == RecoveryCodes.Length)
            {
                return null;
            }

            code.Append(read);
        }

        return code.Length == RecoveryCodes.Length ? code.ToString() : null;
    }

    public static bool IsShape(string? text) => Normalize(text) is not null;

    /// <summary>The stored hash of a code as told or as typed back (normalized first).</summary>
    public static byte[] Hash(string normalized) => SHA256.HashData(Encoding.ASCII.GetBytes(normalized));

    public static byte[][] Hashes(string[] codes) => [.. codes.Select(code => Hash(Normalize(code)!))];
}
