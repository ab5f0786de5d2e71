using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Noise;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Protocol;
using Messenger.Protocol.Sessions;
using Messenger.Protocol.Transport;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Protocol;

/// <summary>
/// What the unacked answers (1 MiB file ranges here) of sessions left without a connection may hold of the server's
/// memory: only <c>UnackedResultBytesPerIdleSession</c> each, nothing past <c>UnackedResultMaxAgeSeconds</c> (the sweep
/// ages them), and <c>MaxIdleUnackedResultBytes</c> all together; connected sessions' all together
/// <c>MaxUnackedResultBytes</c>. Raw sessions of one signed-in device, over the real protocol.
/// </summary>
public sealed class IdleUnackedAnswersTests
{
    private const int Range = 1024 * 1024;

    [Fact]
    public async Task DetachedSignedInSessions_HoldingUnackedFileRanges_KeepOnlyTheIdleBudget_AndNothingPastTheAge()
    {
        const int Sessions = 24;
        var clock = new JumpClock();
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        var (alice, mediaId) = await SignUpWithFileAsync(host, "alice_unacked");
        await using var _ = alice;
        var sessions = host.Services.GetRequiredService<SessionRegistry>();
        var key = alice.Keys.GetOrCreate();
        var ids = new List<long>();
        for (var s = 0; s < Sessions; s++)
        {
            var raw = await OpenAsync(host, key);
            for (var i = 0; i < 8; i++)
            {
                await ReadRangeAsync(raw, mediaId, (i % 2) * Range);
            }

            ids.Add(raw.Raw.SessionId);
            await LeaveAsync(raw);
        }

        var budget = new ProtocolOptions().UnackedResultBytesPerIdleSession;
        foreach (var id in ids)
        {
            var session = Existing(sessions, key, id);
            session.UnackedCount.Should().Be(1, "of its 8 unacked ranges only the newest fits the idle budget");
            session.UnackedFootprint.Bytes.Should().BeLessThanOrEqualTo(budget);
        }

        sessions.UnackedBytes.Idle.Should().BeGreaterThan(Sessions * (long)Range).And.BeLessThanOrEqualTo(Sessions * (long)budget);

        clock.Advance(TimeSpan.FromSeconds(400)); // past UnackedResultMaxAgeSeconds (300), before SessionIdleTimeoutSeconds (900)
        sessions.Sweep();
        sessions.Count.Should().Be(Sessions + 1, "the sessions stay (with their msg_ids); alice's client has one more");
        sessions.UnackedBytes.Idle.Should().Be(0, "the sweep aged the answers no one came back for");
        ids.Select(id => Existing(sessions, key, id).UnackedCount).Should().AllBeEquivalentTo(0);

        clock.Advance(TimeSpan.FromSeconds(600));
        sessions.Sweep();
        sessions.Count.Should().Be(1, "only alice's connected client's session is left");
    }

    [Fact]
    public async Task Resend_OfARangePastTheIdleBudget_GetsResultDropped_WhileTheNewestComesBackExactlyOnce()
    {
        await using var host = await SessionTestKit.StartHostAsync();
        var (alice, mediaId) = await SignUpWithFileAsync(host, "alice_budget");
        await using var _ = alice;
        var sessions = host.Services.GetRequiredService<SessionRegistry>();
        var key = alice.Keys.GetOrCreate();
        var raw = await OpenAsync(host, key);
        var older = await ReadRangeAsync(raw, mediaId, 0);
        var newest = await ReadRangeAsync(raw, mediaId, Range);
        var sessionId = raw.Raw.SessionId;
        await LeaveAsync(raw);
        Existing(sessions, key, sessionId).UnackedCount.Should().Be(1);

        // The client got neither answer: it resends the older call; the newer one's answer comes with the session.
        var resent = await ResumeAndResendAsync(host, key, sessionId, older);

        resent.Where(b => b is ErrorBody e && e.ReqMsgId == older.MsgId).Should().ContainSingle()
            .Which.Should().BeOfType<ErrorBody>().Which.Name.Should().Be(ErrorNames.ResultDropped);
        resent.Where(b => b is ResultBody r && r.ReqMsgId == older.MsgId).Should().BeEmpty("a call let go is not run again");
        resent.OfType<ResultBody>().Where(r => r.ReqMsgId == newest.MsgId).Should().ContainSingle("resent once, with the session")
            .Which.Value.Should().Equal(newest.Value, "nothing lost");
        resent.OfType<ErrorBody>().Where(e => e.ReqMsgId == newest.MsgId).Should().BeEmpty();
    }

    [Fact]
    public async Task SendAnswer_UnackedWhenTheConnectionGoesDuringADownload_IsKeptForItsResend_TheRangesGoFirst()
    {
        // A phone changes networks just after sending a message, with two 1 MiB ranges of a download read: the send's
        // small answer (its only confirmation; the web client does not repeat a send on RESULT_DROPPED) is older than the
        // ranges, and the idle budget holds one range.
        await using var host = await SessionTestKit.StartHostAsync();
        var (alice, mediaId) = await SignUpWithFileAsync(host, "alice_sendkept");
        await using var _ = alice;
        var key = alice.Keys.GetOrCreate();
        var raw = await OpenAsync(host, key);
        var send = raw.Raw.Call("messages.send", WireSerializer.Serialize(new SendMessageCall(alice.Peer, 4242, "hello")));
        await raw.Raw.SendEnvelopeAsync(send);
        var sent = await raw.Raw.ReceiveAsync<ResultBody>();
        sent.ReqMsgId.Should().Be(send.MsgId);
        var first = await ReadRangeAsync(raw, mediaId, 0);
        var second = await ReadRangeAsync(raw, mediaId, Range);
        var sessionId = raw.Raw.SessionId;
        await LeaveAsync(raw);

        var resent = await ResumeAndResendAsync(host, key, sessionId, new Read(send, sent.Value), first);

        resent.OfType<ErrorBody>().Where(e => e.ReqMsgId == send.MsgId).Should().BeEmpty("the message was stored: its answer is kept, not a range");
        resent.OfType<ResultBody>().Where(r => r.ReqMsgId == send.MsgId).Should().NotBeEmpty()
            .And.AllSatisfy(r => r.Value.Should().Equal(sent.Value, "the same answer, not a second message"));
        resent.OfType<ErrorBody>().Where(e => e.ReqMsgId == first.MsgId).Should().ContainSingle()
            .Which.Name.Should().Be(ErrorNames.ResultDropped, "the older range went first; the client reads it again");
        resent.OfType<ResultBody>().Where(r => r.ReqMsgId == second.MsgId).Should().ContainSingle()
            .Which.Value.Should().Equal(second.Value);
        (await alice.Client.GetHistoryAsync(alice.Peer, limit: 10)).Count(m => m.Text == "hello").Should().Be(1);
    }

    [Fact]
    public async Task DetachedSessions_PastMaxIdleUnackedResultBytes_LoseTheLeastRecentlyUsedOnesAnswersFirst()
    {
        const int Sessions = 6;
        const long Cap = 4 * Range;
        await using var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Protocol:MaxIdleUnackedResultBytes"] = Cap.ToString() });
        var (alice, mediaId) = await SignUpWithFileAsync(host, "alice_idlecap");
        await using var _ = alice;
        var sessions = host.Services.GetRequiredService<SessionRegistry>();
        var key = alice.Keys.GetOrCreate();
        var reads = new List<(long SessionId, Read Read)>();
        for (var s = 0; s < Sessions; s++)
        {
            var raw = await OpenAsync(host, key);
            reads.Add((raw.Raw.SessionId, await ReadRangeAsync(raw, mediaId, 0)));
            await LeaveAsync(raw);
            sessions.UnackedBytes.Idle.Should().BeLessThanOrEqualTo(Cap);
        }

        reads.Select(r => Existing(sessions, key, r.SessionId).UnackedCount).Should().Equal(
            [0, 0, 0, 1, 1, 1], "past the cap the oldest idle sessions' answers go, down to 90 % of it");

        var (firstSession, firstRead) = reads[0];
        var first = await ResumeAndResendAsync(host, key, firstSession, firstRead);
        first.OfType<ErrorBody>().Should().ContainSingle(e => e.ReqMsgId == firstRead.MsgId).Which.Name.Should().Be(ErrorNames.ResultDropped);
        var (lastSession, lastRead) = reads[^1];
        var last = await ResumeAndResendAsync(host, key, lastSession);
        last.OfType<ResultBody>().Should().ContainSingle(r => r.ReqMsgId == lastRead.MsgId).Which.Value.Should().Equal(lastRead.Value);
    }

    [Fact]
    public async Task ConnectedSessions_PastMaxUnackedResultBytes_LetTheirAnswersGo_AndStayConnected()
    {
        const int Connections = 6;
        const long Cap = 4 * Range;
        await using var host = await SessionTestKit.StartHostAsync(
            new Dictionary<string, string?> { ["Messenger:Protocol:MaxUnackedResultBytes"] = Cap.ToString() });
        var (alice, mediaId) = await SignUpWithFileAsync(host, "alice_allcap");
        await using var _ = alice;
        var sessions = host.Services.GetRequiredService<SessionRegistry>();
        var open = new List<Opened>();
        try
        {
            for (var c = 0; c < Connections; c++)
            {
                var raw = await OpenAsync(host, alice.Keys.GetOrCreate());
                open.Add(raw);
                await ReadRangeAsync(raw, mediaId, 0);
                await ReadRangeAsync(raw, mediaId, Range);

                // Let go after the answer is sent (outside the session's lock): waited for, not raced.
                await SessionTestKit.WaitUntil(() => sessions.UnackedBytes.All <= Cap);
            }

            open.Sum(o => Existing(sessions, alice.Keys.GetOrCreate(), o.Raw.SessionId).UnackedCount).Should().BeLessThan(2 * Connections);
            foreach (var o in open)
            {
                o.Server.State.Should().Be(ConnectionState.Established);
                await o.Raw.SendEnvelopeAsync(o.Raw.Ping(7));
                (await o.Raw.ReceiveAsync<ResultBody>()).Should().NotBeNull();
            }
        }
        finally
        {
            foreach (var o in open)
            {
                await o.Raw.DisposeAsync();
            }
        }
    }

    private static async Task<(Device Alice, long MediaId)> SignUpWithFileAsync(TestHost host, string name)
    {
        var alice = await host.SignUpAsync(name, startEvents: false);
        var file = new byte[2 * Range];
        Random.Shared.NextBytes(file);
        var media = await alice.Client.UploadFileAsync(new MemoryStream(file), "f.bin", "application/octet-stream");
        var sent = await alice.Client.SendMediaAsync(alice.Peer, media);
        return (alice, sent.Message!.Media!.Id);
    }

    private static ClientSession Existing(SessionRegistry sessions, NoiseKeyPair key, long sessionId)
    {
        var (session, created) = sessions.GetOrCreate(ProtocolConstants.Hex(key.PublicKey), sessionId);
        created.Should().BeFalse();
        return session;
    }

    private static async Task<Opened> OpenAsync(TestHost host, NoiseKeyPair key, long? sessionId = null)
    {
        var raw = await RawConnection.OpenAsync(host);
        raw.SessionId = sessionId ?? raw.SessionId;
        await raw.HandshakeAsync(host.ServerPublicKey, key);
        var server = host.Services.GetRequiredService<ConnectionRegistry>().Get(raw.Hub.ConnectionId!)!;
        return new Opened(raw, server);
    }

    // Reads a 1 MiB range and never acks it.
    private static async Task<Read> ReadRangeAsync(Opened opened, long mediaId, int offset)
    {
        var call = opened.Raw.Call("upload.getFile", WireSerializer.Serialize(new GetFileCall(mediaId, offset, Range)));
        await opened.Raw.SendEnvelopeAsync(call);
        var result = await opened.Raw.ReceiveAsync<ResultBody>();
        result.ReqMsgId.Should().Be(call.MsgId);
        return new Read(call, result.Value);
    }

    // The server has run Detached for it (the connection is released after).
    private static async Task LeaveAsync(Opened opened)
    {
        await opened.Raw.DisposeAsync();
        await SessionTestKit.WaitUntil(() => opened.Server.State == ConnectionState.Closed);
    }

    // Comes back to the session on a new connection and resends the calls with their msg_ids, then a ping: returns what
    // came before the ping's answer (the answers the session resends when it attaches come before it too).
    private static async Task<List<EnvelopeBody>> ResumeAndResendAsync(TestHost host, NoiseKeyPair key, long sessionId, params Read[] reads)
    {
        var raw = await RawConnection.OpenAsync(host);
        await using var _ = raw;
        raw.SessionId = sessionId;
        await raw.HandshakeAsync(host.ServerPublicKey, key);
        foreach (var read in reads)
        {
            await raw.SendEnvelopeAsync(read.Call);
        }

        var ping = raw.Ping(99);
        await raw.SendEnvelopeAsync(ping);
        var bodies = new List<EnvelopeBody>();
        while (await raw.ReceiveAsync<EnvelopeBody>() is var body && !(body is ResultBody r && r.ReqMsgId == ping.MsgId))
        {
            bodies.Add(body);
        }

        return bodies;
    }

    private sealed record Opened(RawConnection Raw, ProtocolConnection Server);

    private sealed record Read(Envelope Call, byte[] Value)
    {
        public long MsgId => Call.MsgId;
    }
}
