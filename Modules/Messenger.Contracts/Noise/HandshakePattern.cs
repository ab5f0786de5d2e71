namespace Messenger.Contracts.Noise;

/// <summary>A Noise handshake pattern: pre-message keys and the token lists of each message (Noise spec §7).</summary>
public sealed class HandshakePattern
{
    private HandshakePattern(string name, string[] initiatorPreMessage, string[] responderPreMessage, string[][] messages)
    {
        Name = name;
        InitiatorPreMessage = initiatorPreMessage;
        ResponderPreMessage = responderPreMessage;
        Messages = messages;
    }

    public string Name { get; }

    public IReadOnlyList<string> InitiatorPreMessage { get; }

    public IReadOnlyList<string> ResponderPreMessage { get; }

    /// <summary>Messages in order; even indexes are written by the initiator.</summary>
    public IReadOnlyList<string[]> Messages { get; }

    public static readonly HandshakePattern NN = new("NN", [], [], [["e"], ["e", "ee"]]);
    public static readonly HandshakePattern NK = new("NK", [], ["s"], [["e", "es"], ["e", "ee"]]);
    public static readonly HandshakePattern NX = new("NX", [], [], [["e"], ["e", "ee", "s", "es"]]);
    public static readonly HandshakePattern KK = new("KK", ["s"], ["s"], [["e", "es", "ss"], ["e", "ee", "se"]]);
    public static readonly HandshakePattern XK = new("XK", [], ["s"], [["e", "es"], ["e", "ee"], ["s", "se"]]);
    public static readonly HandshakePattern XX = new("XX", [], [], [["e"], ["e", "ee", "s", "es"], ["s", "se"]]);
    public static readonly HandshakePattern IK = new("IK", [], ["s"], [["e", "es", "s", "ss"], ["e", "ee", "se"]]);
    public static readonly HandshakePattern IX = new("IX", [], [], [["e", "s"], ["e", "ee", "se", "s", "es"]]);

    private static readonly Dictionary<string, HandshakePattern> ByName =
        new[] { NN, NK, NX, KK, XK, XX, IK, IX }.ToDictionary(p => p.Name);

    public static HandshakePattern Parse(string name) =>
        ByName.TryGetValue(name, out var pattern) ? pattern : throw new ArgumentException($"unknown handshake pattern '{name}'");
}
