using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Updates;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

// Every method refuses what it must with its documented error, and a refused call leaves everyone else's chats working.
public sealed class BadInputTests : IAsyncLifetime
{
    private const long UnknownUser = 987_654;
    private TestHost _host = null!;
    private Device _alice = null!;
    private Device _bob = null!;
    private Device _carol = null!;
    private int _probes;

    public async Task InitializeAsync()
    {
        _host = await SessionTestKit.StartHostAsync();
        _alice = await _host.SignUpAsync("alice_1");
        _bob = await _host.SignUpAsync("bob_one");
        _carol = await _host.SignUpAsync("carol_1");
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _carol.DisposeAsync();
        await _host.DisposeAsync();
    }

    public static TheoryData<string> PeerCases => new() { "unknown user", "zero", "group chat" };

    /// <summary>An unknown user is <c>PEER_ID_INVALID</c>; a group chat that does not exist (or that the caller is not
    /// in) is 404 <c>CHAT_NOT_FOUND</c>.</summary>
    [Theory]
    [MemberData(nameof(PeerCases))]
    public async Task EveryPeerMethod_WhenPeerIsInvalid_FailsPeerIdInvalid(string peerCase)
    {
        var peer = peerCase switch
        {
            "unknown user" => Peer.User(UnknownUser),
            "zero" => Peer.User(0),
            _ => Peer.Chat(987_654),
        };
        var (expected, code) = peerCase == "group chat" ? (GroupErrorNames.ChatNotFound, 404) : (MessageErrorNames.PeerIdInvalid, 400);
        var existing = await _alice.SendAsync(_bob, "existing");
        var client = _alice.Client;

        await ChatTestKit.FailsWith(() => client.SendMessageAsync(peer, "hello"), expected, code);
        await ChatTestKit.FailsWith(() => client.GetHistoryAsync(peer), expected, code);
        await ChatTestKit.FailsWith(() => client.EditMessageAsync(peer, existing.Message.Id, "edited"), expected, code);
        await ChatTestKit.FailsWith(() => client.DeleteMessagesAsync(peer, [existing.Message.Id], revoke: true), expected, code);
        await ChatTestKit.FailsWith(() => client.ReadHistoryAsync(peer, existing.Message.Id), expected, code);
        await ChatTestKit.FailsWith(() => client.SetTypingAsync(peer), expected, code);

        await OthersStillChatAsync();
    }

    [Fact]
    public async Task EditDeleteRead_OfMessagesBetweenOtherUsers_FailOrChangeNothing()
    {
        var private1 = await _alice.SendAsync(_bob, "between alice and bob");
        await _bob.SendAsync(_alice, "reply");

        // Carol without any chat with alice, then with one: alice↔bob ids are never hers.
        await ChatTestKit.FailsWith(() => _carol.Client.EditMessageAsync(_alice.Peer, private1.Message.Id, "hijacked"), MessageErrorNames.MessageIdInvalid);
        await _carol.SendAsync(_alice, "hi alice");
        await ChatTestKit.FailsWith(() => _carol.Client.EditMessageAsync(_alice.Peer, private1.Message.Id, "hijacked"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => _carol.Client.EditMessageAsync(_bob.Peer, private1.Message.Id, "hijacked"), MessageErrorNames.MessageIdInvalid);
        (await _carol.Client.DeleteMessagesAsync(_alice.Peer, [private1.Message.Id], revoke: true)).PtsCount.Should().Be(0);
        (await _carol.Client.DeleteMessagesAsync(_alice.Peer, [private1.Message.Id], revoke: false)).PtsCount.Should().Be(0);
        (await _carol.Client.DeleteMessagesAsync(_bob.Peer, [private1.Message.Id], revoke: true)).PtsCount.Should().Be(0);
        await _carol.Client.ReadHistoryAsync(_bob.Peer, long.MaxValue);
        (await _carol.Client.GetHistoryAsync(_bob.Peer)).Should().BeEmpty();
        (await _carol.Client.GetHistoryAsync(_alice.Peer)).Select(m => m.Text).Should().Equal("hi alice");

        (await _bob.Client.GetHistoryAsync(_alice.Peer)).Select(m => m.Text).Should().Equal("reply", "between alice and bob");
        (await _alice.Client.GetHistoryAsync(_bob.Peer)).Select(m => m.Text).Should().Equal("reply", "between alice and bob");
        var bobsDialog = (await _bob.Client.GetDialogsAsync()).Items.Should().ContainSingle().Subject;
        bobsDialog.UnreadCount.Should().Be(1);
        bobsDialog.ReadOutboxMaxId.Should().Be(0);
        await OthersStillChatAsync();
    }

    [Fact]
    public async Task Send_WithBadText_FailsEmptyOrTooLong()
    {
        await ChatTestKit.FailsWith(() => _alice.SendAsync(_bob, ""), MessageErrorNames.MessageEmpty);
        await ChatTestKit.FailsWith(() => _alice.SendAsync(_bob, "  \n\t "), MessageErrorNames.MessageEmpty);
        await ChatTestKit.FailsWith(() => _alice.SendAsync(_bob, new string('x', 4097)), MessageErrorNames.MessageTooLong);
        await ChatTestKit.FailsWith(() => _alice.SendAsync(_bob, "no random id", randomId: 0), MessageErrorNames.RandomIdInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.SendMessageAsync(_bob.Peer, "reply", replyToId: 123_456), MessageErrorNames.ReplyToInvalid);

        var longest = await _alice.SendAsync(_bob, new string('x', 4096));
        longest.Message.Text.Should().HaveLength(4096);
        var trimmed = await _alice.SendAsync(_bob, "  padded  ");
        trimmed.Message.Text.Should().Be("padded");
        await ChatTestKit.FailsWith(() => _alice.Client.EditMessageAsync(_bob.Peer, trimmed.Message.Id, " "), MessageErrorNames.MessageEmpty);
        await ChatTestKit.FailsWith(() => _alice.Client.EditMessageAsync(_bob.Peer, trimmed.Message.Id, new string('y', 4097)), MessageErrorNames.MessageTooLong);
        (await _bob.Client.GetHistoryAsync(_alice.Peer)).Select(m => m.Text.Length).Should().Equal(6, 4096);
        await OthersStillChatAsync();
    }

    [Fact]
    public async Task Calls_WithOutOfRangeNumbers_FailWithTheirErrorNames()
    {
        var sent = await _alice.SendAsync(_bob, "hello");

        await ChatTestKit.FailsWith(() => _alice.Client.GetHistoryAsync(_bob.Peer, limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetHistoryAsync(_bob.Peer, limit: 101), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetHistoryAsync(_bob.Peer, offsetId: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetDialogsAsync(limit: 0), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetDialogsAsync(limit: 101), MessageErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetDialogsAsync(offset: -1), MessageErrorNames.OffsetInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetDifferenceAsync(-1), UpdateErrorNames.PtsInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetDifferenceAsync(0, limit: 0), UpdateErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetDifferenceAsync(0, limit: 1001), UpdateErrorNames.LimitInvalid);
        await ChatTestKit.FailsWith(() => _bob.Client.ReceivedMessagesAsync(0), MessageErrorNames.MaxIdInvalid);
        await ChatTestKit.FailsWith(() => _bob.Client.ReadHistoryAsync(_alice.Peer, 0), MessageErrorNames.MaxIdInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.DeleteMessagesAsync(_bob.Peer, [], revoke: false), MessageErrorNames.MessageIdsInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.DeleteMessagesAsync(_bob.Peer, [0], revoke: false), MessageErrorNames.MessageIdsInvalid);
        await ChatTestKit.FailsWith(
            () => _alice.Client.DeleteMessagesAsync(_bob.Peer, [.. Enumerable.Range(1, 101).Select(i => (long)i)], revoke: false),
            MessageErrorNames.MessageIdsInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.EditMessageAsync(_bob.Peer, 0, "edited"), MessageErrorNames.MessageIdInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetStatusesAsync([]), UpdateErrorNames.UserIdsInvalid);
        await ChatTestKit.FailsWith(() => _alice.Client.GetStatusesAsync([.. Enumerable.Range(1, 201).Select(i => (long)i)]), UpdateErrorNames.UserIdsInvalid);

        (await _bob.Client.GetHistoryAsync(_alice.Peer)).Should().ContainSingle().Which.Id.Should().Be(sent.Message.Id);
        await OthersStillChatAsync();
    }

    [Fact]
    public async Task EveryMethod_WhenDeviceIsNotSignedIn_Fails401AuthKeyUnregistered()
    {
        await using var stranger = await _host.ConnectAsync();
        var calls = new Func<Task>[]
        {
            () => stranger.SendMessageAsync(_bob.Peer, "hello"),
            () => stranger.GetHistoryAsync(_bob.Peer),
            () => stranger.GetDialogsAsync(),
            () => stranger.EditMessageAsync(_bob.Peer, 1, "edited"),
            () => stranger.DeleteMessagesAsync(_bob.Peer, [1], revoke: true),
            () => stranger.ReceivedMessagesAsync(1),
            () => stranger.ReadHistoryAsync(_bob.Peer, 1),
            () => stranger.SetTypingAsync(_bob.Peer),
            () => stranger.BlockUserAsync(_bob.UserId),
            () => stranger.UnblockUserAsync(_bob.UserId),
            () => stranger.GetStateAsync(),
            () => stranger.GetDifferenceAsync(0),
            () => stranger.UpdateStatusAsync(offline: true),
            () => stranger.GetStatusesAsync([_bob.UserId]),
        };

        foreach (var call in calls)
        {
            await ChatTestKit.FailsWith(call, ErrorNames.AuthKeyUnregistered, 401);
        }

        await OthersStillChatAsync();
    }

    // Bob's message reaches alice's event stream and history: the refused calls broke nothing.
    private async Task OthersStillChatAsync()
    {
        var text = $"still chatting {Interlocked.Increment(ref _probes)}";
        var sent = await _bob.SendAsync(_alice, text);
        (await _alice.NextAsync<MessageReceived>(r => r.Message.Text == text)).Message.Id.Should().Be(sent.Message.Id);
        (await _alice.Client.GetHistoryAsync(_bob.Peer, limit: 1)).Should().ContainSingle().Which.Id.Should().Be(sent.Message.Id);
    }
}
