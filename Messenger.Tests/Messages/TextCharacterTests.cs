using Messenger.Contracts.Admin;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Messages;

/// <summary>Message text holds what a keyboard types: a control character other than tab, line feed and carriage
/// return is refused with <c>MESSAGE_TEXT_INVALID</c> wherever text is taken, not stored for every reader's app to
/// choke on; titles refuse the name spoofers as names do.</summary>
public sealed class TextCharacterTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private Device _alice = null!;
    private Device _bob = null!;

    public async Task InitializeAsync()
    {
        _host = await SessionTestKit.StartHostAsync();
        _alice = await _host.SignUpAsync("alice_text");
        _bob = await _host.SignUpAsync("bob_text");
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("nul\0bell\a ok")]
    [InlineData("escape \u001B[31mred")]
    [InlineData("delete\u007F")]
    [InlineData("next line\u0085")]
    [InlineData("\u009Bcsi")]
    public async Task SendEditScheduleDraftPoll_WhenTextHasAControlCharacter_FailMessageTextInvalid(string text)
    {
        var client = _alice.Client;
        var existing = await _alice.SendAsync(_bob, "existing");
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();

        await ChatTestKit.FailsWith(() => client.CallAsync(new SendMessageCall(_bob.Peer, 11, text)), MessageErrorNames.MessageTextInvalid);
        await ChatTestKit.FailsWith(() => client.CallAsync(new EditMessageCall(_bob.Peer, existing.Message.Id, text)), MessageErrorNames.MessageTextInvalid);
        await ChatTestKit.FailsWith(() => client.CallAsync(new SendScheduledCall(_bob.Peer, 12, text, tomorrow)), MessageErrorNames.MessageTextInvalid);
        await ChatTestKit.FailsWith(() => client.CallAsync(new SaveDraftCall(_bob.Peer, text)), MessageErrorNames.MessageTextInvalid);
        await ChatTestKit.FailsWith(
            () => client.CallAsync(new SendPollCall(_bob.Peer, 13, new Poll("Which?", ["yes", text]))), PollErrorNames.PollOptionInvalid);
        await ChatTestKit.FailsWith(
            () => client.CallAsync(new SendPollCall(_bob.Peer, 14, new Poll(text, ["yes", "no"]))), PollErrorNames.PollQuestionInvalid);

        (await client.CallAsync(new GetHistoryCall(_bob.Peer))).Messages.Should().ContainSingle().Which.Text.Should().Be("existing");
    }

    [Fact]
    public async Task Send_WhenCaptionHasAControlCharacter_FailsMessageTextInvalid()
    {
        var file = await Media.MediaTestKit.UploadAsync(_alice.Client, [1, 2, 3]);

        await ChatTestKit.FailsWith(
            () => _alice.Client.CallAsync(new SendMessageCall(_bob.Peer, 21, "caption\0", null, file)), MessageErrorNames.MessageTextInvalid);
    }

    [Fact]
    public async Task Send_WhenTextHasTabsNewlinesAndRightToLeftMarks_KeepsThem()
    {
        const string text = "line 1\r\nline 2\n\tindented — שלום \u200Fעולם\u200F, مرحبا ❤️ 👨‍👩‍👧";

        var sent = await _alice.Client.CallAsync(new SendMessageCall(_bob.Peer, 31, text));

        sent.Message.Text.Should().Be(text);
    }

    /// <summary>The SDK writes strings as UTF-8, which has no form for half a surrogate pair: the lone half arrives as
    /// U+FFFD, so no invalid UTF-16 is ever stored (the server refuses one too, should another encoder send it).</summary>
    [Fact]
    public async Task Send_WhenTextHasALoneSurrogate_ArrivesAsTheReplacementCharacter()
    {
        var sent = await _alice.Client.CallAsync(new SendMessageCall(_bob.Peer, 41, "half \uD83D pair"));

        sent.Message.Text.Should().Be("half \uFFFD pair");
    }

    [Theory]
    [InlineData("nul\0")]
    [InlineData("escape \u001B[31mred")]
    [InlineData("\u009Bcsi")]
    public async Task EditAboutAndReport_WhenTextHasAControlCharacter_FailWithTheirErrors(string text)
    {
        var group = await _alice.Client.CallAsync(new CreateGroupCall("About", [_bob.UserId]));
        var reported = await _bob.SendAsync(_alice, "spam");

        await ChatTestKit.FailsWith(
            () => _alice.Client.CallAsync(new EditAboutCall(group.Chat.Id, text)), GroupErrorNames.ChatAboutInvalid);
        await ChatTestKit.FailsWith(
            () => _alice.Client.CallAsync(new ReportMessagesCall(_bob.Peer, [reported.Message.Id], ReportReasons.Spam, text)),
            ReportErrorNames.ReportCommentInvalid);
    }

    [Fact]
    public async Task EditAboutAndReport_WhenTextHasLinesTabsAndRightToLeftMarks_KeepThem()
    {
        const string text = "line 1\r\nline 2\n\tשלום \u200Fעולם\u200F ❤️";
        var group = await _alice.Client.CallAsync(new CreateGroupCall("About", [_bob.UserId]));
        var reported = await _bob.SendAsync(_alice, "spam");

        (await _alice.Client.CallAsync(new EditAboutCall(group.Chat.Id, text))).Chat.About.Should().Be(text);
        (await _alice.Client.CallAsync(new ReportMessagesCall(_bob.Peer, [reported.Message.Id], ReportReasons.Spam, text))).Filed.Should().Be(1);
    }

    [Theory]
    [InlineData("\u202Egnp.exe")]
    [InlineData("Admins\u200B")]
    [InlineData("\u2066\u2069")]
    [InlineData("bell\a")]
    public async Task CreateGroupAndTopic_WhenTitleHasSpoofingCharacters_FailWithTheirErrors(string title)
    {
        var client = _alice.Client;
        await ChatTestKit.FailsWith(() => client.CallAsync(new CreateGroupCall(title, [_bob.UserId])), GroupErrorNames.ChatTitleInvalid);

        var group = await client.CallAsync(new CreateGroupCall("Team", [_bob.UserId]));
        await client.CallAsync(new ToggleForumCall(group.Chat.Id, true));
        await ChatTestKit.FailsWith(
            () => client.CallAsync(new EditTitleCall(group.Chat.Id, title)), GroupErrorNames.ChatTitleInvalid);
        await ChatTestKit.FailsWith(
            () => client.CallAsync(new CreateTopicCall(Peer.Chat(group.Chat.Id), 51, title)), TopicErrorNames.TopicTitleInvalid);
    }

    [Fact]
    public async Task CreateGroup_WhenTitleIsRightToLeftWithEmoji_KeepsIt()
    {
        const string title = "فريق العمل 👨‍👩‍👧";

        var group = await _alice.Client.CallAsync(new CreateGroupCall(title, [_bob.UserId]));

        group.Chat.Title.Should().Be(title);
    }
}
