using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Messenger.Client;

/// <summary>How to reach and trust a Messenger server.</summary>
public sealed class MessengerClientOptions
{
    /// <summary>The server's base URL (the hub is at <c>/rpc</c> under it).</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary>The server's static public key (32 bytes), pinned: a server without its private key cannot answer
    /// the handshake. <see cref="ServerKeyPin.LoadOrFetchAsync"/> fetches it once and pins it (trust on first use).</summary>
    public required byte[] ServerPublicKey { get; init; }

    public IDeviceKeyStore DeviceKeys { get; init; } = new InMemoryDeviceKeyStore();

    /// <summary>Where this device keeps its secret chats (keys and local history). Null: a
    /// <see cref="FileSecretChatKeyStore"/> beside the device key when <see cref="DeviceKeys"/> is a
    /// <see cref="FileDeviceKeyStore"/>, otherwise in memory (gone with the client).</summary>
    public ISecretChatKeyStore? SecretChatKeys { get; init; }

    /// <summary>Accept a secret chat requested of the user at once, from this device, when it is the first of the user's
    /// devices to see it (the others' acceptances are refused and they forget their keys quietly). Off: the request is
    /// reported (<see cref="SecretChatChanged"/> without a local chat) for the app to accept or not.</summary>
    public bool AutoAcceptSecretChats { get; init; } = true;

    /// <summary>A secret chat's keys are replaced (re-keying, docs/secret-chats.md) once this device has used them for
    /// this many messages (sent and received; the steps of a re-keying do not count). 100, as every client does: change it
    /// in tests only. At least 1 (<see cref="ArgumentOutOfRangeException"/>).</summary>
    public int SecretRekeyAfterMessages
    {
        get => _secretRekeyAfterMessages;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _secretRekeyAfterMessages = value;
        }
    }

    /// <summary>A secret chat's keys are replaced once this device has used them this long (7 days; tests only). At least
    /// one second (the keys' ages are counted in whole seconds; less is an <see cref="ArgumentOutOfRangeException"/>).</summary>
    public TimeSpan SecretRekeyAfter
    {
        get => _secretRekeyAfter;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            _secretRekeyAfter = value;
        }
    }

    /// <summary>How long this device's re-keying request waits for the other side's answer before it is aborted (7 days,
    /// e.g. a peer with an older client that never answers; tests only). At least one second (counted in whole seconds; less
    /// is an <see cref="ArgumentOutOfRangeException"/>).</summary>
    public TimeSpan SecretRekeyRequestTimeout
    {
        get => _secretRekeyRequestTimeout;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            _secretRekeyRequestTimeout = value;
        }
    }

    private readonly int _secretRekeyAfterMessages = 100;
    private readonly TimeSpan _secretRekeyAfter = TimeSpan.FromDays(7);
    private readonly TimeSpan _secretRekeyRequestTimeout = TimeSpan.FromDays(7);

    /// <summary>The session to use; 0 (the default): each client made with these options draws its own random one, so
    /// two live clients of one options object never share a session (they would share msg_ids, and the server would
    /// answer one's call with the other's stored result). A reconnect resumes the client's session either way. Set it
    /// only to resume a known session, and then for one live client at a time.</summary>
    public long SessionId { get; init; }

    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest frame the server takes (its <c>max_frame_bytes</c> in <c>help.getConfig</c>; 600 KiB, the
    /// server's default). A call that cannot fit in one frame fails at once with <see cref="ArgumentException"/>
    /// instead of being sent: the server would close the connection over it.</summary>
    public int MaxFrameBytes { get; init; } = 600 * 1024;

    /// <summary>How long a connect (and each reconnect attempt) waits for the server's handshake answer: past it, it
    /// fails with <see cref="MessengerConnectionException"/> naming this option, and its socket is closed.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection that brings nothing for this long is taken as dead and closed (then reconnected, with
    /// <see cref="AutoReconnect"/>): the server sends a keep-alive ping after <c>Messenger:Protocol:KeepAliveSeconds</c>
    /// (5 s; at most 7) of silence, so a link that died without a word (a dead Wi-Fi, a suspended laptop) is noticed
    /// within this time, not only when a call times out. Keep it at least twice the server's keep-alive (so 14 s or more
    /// for any server here): at or below it, a quiet link is closed again and again.</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public bool AutoReconnect { get; init; } = true;

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long received answers wait for an outgoing message to carry their ack.</summary>
    public TimeSpan AckDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How long a gap in the update log may wait for the missing pushes before <c>updates.getDifference</c> fills it.</summary>
    public TimeSpan UpdateGapWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Report incoming messages as delivered (<c>messages.received</c>) once <see cref="MessengerClient.Events"/> has them.</summary>
    public bool AutoReceipt { get; init; } = true;

    /// <summary>How long automatic receipts wait to cover more messages in one call.</summary>
    public TimeSpan ReceiptDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Transport settings of the hub connection (e.g. WebSockets only, without negotiation); the URL is
    /// already set. Each connection (and reconnect) starts from a fresh copy of them.</summary>
    public Action<HttpConnectionOptions>? ConfigureTransport { get; init; }

    /// <summary>Settings of the HTTP handler that carries media streams (<see cref="MediaTransport.Stream"/>), e.g. a
    /// certificate check for a server whose TLS certificate is from a private authority; the connection's own requests
    /// are <see cref="ConfigureTransport"/>'s.</summary>
    public Action<SocketsHttpHandler>? ConfigureHttpHandler { get; init; }

    /// <summary>Full SignalR set-up through a <see cref="IHubConnectionBuilder"/> (logging, custom services); the
    /// MessagePack protocol is always added. When set, <see cref="ConfigureTransport"/> is not used, and every
    /// connection builds its own service provider (≈ 8 % of a client's CPU per connect in the handshake benchmark).</summary>
    public Action<IHubConnectionBuilder>? ConfigureConnection { get; init; }

    /// <summary>Where the client reports what it survives but an app should know of: a <see cref="MessengerClient.NewSession"/>
    /// or <see cref="MessengerClient.Reconnected"/> handler of the app's that threw (the client goes on with the other
    /// handlers and the rest of the frame). None by default.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Test hook: awaited after a connection's handshake answered and before the client takes the connection as
    /// its link (a close that lands in that gap must still make the client reconnect).</summary>
    internal Func<HubConnection, Task>? AfterHandshake { get; init; }
}
