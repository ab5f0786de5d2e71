using System.Text;

namespace Messenger.Contracts.Wire;

/// <summary>Constants both ends of the protocol must agree on.</summary>
public static class ProtocolConstants
{
    /// <summary>The Noise protocol every connection uses.</summary>
    public const string NoiseProtocol = "Noise_IK_25519_ChaChaPoly_BLAKE2b";

    /// <summary>Prologue mixed into the handshake: a client of another protocol version fails the handshake.</summary>
    public const string Prologue = "messenger/1";

    public static ReadOnlySpan<byte> PrologueBytes => "messenger/1"u8;

    /// <summary>SignalR hub path and method names (public protocol).</summary>
    public const string HubPath = "/rpc";

    public const string HandshakeMethod = "Handshake";

    public const string SendMethod = "Send";

    public const string ReceiveMethod = "Receive";

    /// <summary>Path of the server's public key (64 hex characters) for clients that trust on first use.</summary>
    public const string ServerKeyPath = "/.well-known/messenger/server-key";

    /// <summary>A client msg_id more than this many seconds old is refused.</summary>
    public const int MsgIdMaxAgeSeconds = 300;

    /// <summary>A client msg_id more than this many seconds ahead of the server is refused.</summary>
    public const int MsgIdMaxLeadSeconds = 30;

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Groups of four hex digits, for people comparing fingerprints.</summary>
    public static string Grouped(string hex)
    {
        var builder = new StringBuilder(hex.Length + hex.Length / 4);
        for (var i = 0; i < hex.Length; i += 4)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(hex, i, Math.Min(4, hex.Length - i));
        }

        return builder.ToString();
    }
}
