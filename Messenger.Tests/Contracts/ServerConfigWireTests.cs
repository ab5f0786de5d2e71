using MessagePack;
using Messenger.Contracts.Help;
using Messenger.Contracts.Wire;

namespace Messenger.Tests.Contracts;

public sealed class ServerConfigWireTests
{
    /// <summary>An answer of a server from before has_accounts/registration (seven keys): the SDK reads "not told" (null),
    /// not "no accounts" (found by the session-47 review: MessagePack filled the missing keys with false and null).</summary>
    [Fact]
    public void ServerConfig_FromAServerWithoutTheNewKeys_ReadsNotTold()
    {
        var old = MessagePackSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["server_time"] = 1L,
                ["version"] = "1.0",
                ["key_fingerprint"] = "ab",
                ["max_frame_bytes"] = 1,
                ["max_calls_in_flight"] = 1,
                ["max_container_size"] = 1,
                ["handshake_timeout_s"] = 1,
            },
            WireSerializer.Options);

        var config = MessagePackSerializer.Deserialize<ServerConfig>(old, WireSerializer.Options);

        config.HasAccounts.Should().BeNull("an older server has said nothing");
        config.Registration.Should().BeNull();
        config.HandshakeTimeoutSeconds.Should().Be(1);
    }
}
