using MessagePack;
using MessagePack.Resolvers;

namespace Messenger.Contracts.Wire;

/// <summary>MessagePack options of the message layer, shared by the server and the clients.</summary>
public static class WireSerializer
{
    // Input from the other end is untrusted: hardened mode (collision-resistant hashing, depth limits).
    public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<T>(bytes, Options);
}
