using Messenger.Contracts.Noise;
using Messenger.Contracts.Wire;

namespace Messenger.Tests.Contracts;

public sealed class NoiseFailureTests
{
    private static readonly byte[] Prologue = "messenger/1"u8.ToArray();
    private readonly NoiseKeyPair _server = NoiseKeyPair.Generate();
    private readonly NoiseKeyPair _device = NoiseKeyPair.Generate();

    private HandshakeState Initiator(byte[]? prologue = null, byte[]? pinned = null) =>
        new(HandshakePattern.IK, true, prologue ?? Prologue, _device, pinned ?? _server.PublicKey);

    private HandshakeState Responder() => new(HandshakePattern.IK, false, Prologue, _server);

    [Fact]
    public void ReadMessage_WhenMessage1HasAFlippedByte_Throws()
    {
        var message1 = Initiator().WriteMessage([]);
        message1[40] ^= 0x01;

        var read = () => Responder().ReadMessage(message1);

        read.Should().Throw<NoiseException>();
    }

    [Fact]
    public void ReadMessage_WhenProloguesDiffer_Throws()
    {
        var message1 = Initiator(prologue: "messenger/2"u8.ToArray()).WriteMessage([]);

        var read = () => Responder().ReadMessage(message1);

        read.Should().Throw<NoiseException>();
    }

    [Fact]
    public void ReadMessage_WhenInitiatorPinnedAnotherServerKey_Throws()
    {
        var message1 = Initiator(pinned: NoiseKeyPair.Generate().PublicKey).WriteMessage([]);

        var read = () => Responder().ReadMessage(message1);

        read.Should().Throw<NoiseException>();
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")]
    public void ReadMessage_WhenEphemeralIsALowOrderPoint_Throws(string lowOrderKey)
    {
        var message1 = Initiator().WriteMessage([]);
        Convert.FromHexString(lowOrderKey).CopyTo(message1, 0);

        var read = () => Responder().ReadMessage(message1);

        read.Should().Throw<NoiseException>().WithMessage("*low-order*");
    }

    [Fact]
    public void Decrypt_WhenTransportFrameIsTamperedOrReplayed_Throws()
    {
        var (clientSend, _, _, serverReceive) = Handshake();
        var frame = FrameCodec.Seal(clientSend, "hello"u8);
        var tampered = (byte[])frame.Clone();
        tampered[^1] ^= 0x80;

        var openTampered = () => FrameCodec.Open(serverReceive, tampered);
        openTampered.Should().Throw<NoiseException>();

        FrameCodec.Open(serverReceive, frame).Should().Equal("hello"u8.ToArray());
        var replay = () => FrameCodec.Open(serverReceive, frame);
        replay.Should().Throw<NoiseException>("the nonce has moved on");
    }

    [Fact]
    public void FrameCodec_WhenPlaintextIsLargerThanOneNoiseMessage_ChunksAndReassembles()
    {
        var (clientSend, _, _, serverReceive) = Handshake();
        var plaintext = new byte[3 * CipherState.MaxPlaintextLength + 1234];
        new Random(7).NextBytes(plaintext);

        var frame = FrameCodec.Seal(clientSend, plaintext);

        frame.Length.Should().Be(plaintext.Length + 4 * (2 + CipherState.TagLength));
        FrameCodec.Open(serverReceive, frame).Should().Equal(plaintext);
    }

    [Fact]
    public void FrameCodec_WhenFrameIsTruncated_Throws()
    {
        var (clientSend, _, _, serverReceive) = Handshake();
        var frame = FrameCodec.Seal(clientSend, new byte[100]);

        var open = () => FrameCodec.Open(serverReceive, frame.AsSpan(0, 50));

        open.Should().Throw<NoiseException>().WithMessage("*truncated*");
    }

    [Fact]
    public void WriteMessage_WhenHandshakeIsComplete_Throws()
    {
        var (_, _, _, _) = Handshake();
        var initiator = Initiator();
        var responder = Responder();
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));

        var again = () => initiator.WriteMessage([]);

        again.Should().Throw<NoiseException>();
        responder.RemoteStaticPublicKey.Should().Equal(_device.PublicKey);
    }

    [Fact]
    public void PooledFrame_WhenACallCarriesAnUploadSizedPart_RoundTripsAndItsArgsBorrowTheFrame()
    {
        var (clientSend, _, _, serverReceive) = Handshake();
        var args = new byte[512 * 1024];
        new Random(11).NextBytes(args);
        var sent = new Frame(42, new Envelope(4, 1, new CallBody("upload.saveFilePart", args)));

        byte[] wire;
        using (var sealedFrame = FrameCodec.Seal(clientSend, sent))
        {
            // Chunked: more than one Noise message, sealed into a pooled buffer.
            sealedFrame.Segment.Count.Should().BeGreaterThan(args.Length + 8 * (2 + CipherState.TagLength));
            wire = sealedFrame.Segment.ToArray();
        }

        using var opened = FrameCodec.OpenFrame(serverReceive, wire);
        opened.Frame.SessionId.Should().Be(42);
        var call = opened.Frame.Envelope.Body.Should().BeOfType<CallBody>().Subject;
        call.Method.Should().Be("upload.saveFilePart");
        call.Args.ToArray().Should().Equal(args);
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(call.Args, out var backing).Should().BeTrue();
        backing.Array!.Length.Should().BeGreaterThan(args.Length, "the args point into the decrypted frame, not a copy of their own");
    }

    [Fact]
    public void PooledFrame_WhenTamperedOrNotAFrame_Throws()
    {
        var (clientSend, _, _, serverReceive) = Handshake();
        using var sealedFrame = FrameCodec.Seal(clientSend, new Frame(1, new Envelope(4, 0, new PingBody(9))));
        var tampered = sealedFrame.Segment.ToArray();
        tampered[5] ^= 0x01;

        var openTampered = () => FrameCodec.OpenFrame(serverReceive, tampered);
        openTampered.Should().Throw<NoiseException>();

        // Decrypts fine but is not [session_id, envelope].
        var (otherSend, _, _, otherReceive) = Handshake();
        var garbage = FrameCodec.Seal(otherSend, "not messagepack of a frame"u8);
        var openGarbage = () => FrameCodec.OpenFrame(otherReceive, garbage);
        openGarbage.Should().Throw<MessagePack.MessagePackSerializationException>();
    }

    private (CipherState ClientSend, CipherState ClientReceive, CipherState ServerSend, CipherState ServerReceive) Handshake()
    {
        var initiator = Initiator();
        var responder = Responder();
        responder.ReadMessage(initiator.WriteMessage([]));
        initiator.ReadMessage(responder.WriteMessage([]));
        var (clientSend, clientReceive) = initiator.Split();
        var (serverSend, serverReceive) = responder.Split();
        return (clientSend, clientReceive, serverSend, serverReceive);
    }
}
