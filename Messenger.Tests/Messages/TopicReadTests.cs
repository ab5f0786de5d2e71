using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Updates;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Messages;

/// <summary>A forum topic's read position and the thread of the topic's first message (its <c>topic_create</c>
/// message, whose id is the topic's) are two positions: reading one never reads the other (review s42-r3, finding 3).</summary>
public sealed class TopicReadTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await GroupTestKit.StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed record Forum(Member Alice, Member Bob, Member Carol, Peer Peer, long Topic, long A, long B, long Answer, long P);

    /// <summary>Alice opens topic "Releases"; Bob posts two messages into it, answers its first message, and posts one more.</summary>
    private async Task<Forum> ForumAsync(string name)
    {
        var alice = await _host.MemberAsync($"alice_{name}");
        var bob = await _host.MemberAsync($"bob_{name}");
        var carol = await _host.MemberAsync($"carol_{name}");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id, carol.Id])).Chat;
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var peer = Peer.Chat(chat.Id);
        var topic = (await alice.Client.CreateTopicAsync(peer, "Releases")).Message.Id;
        var a = (await bob.Client.SendMessageAsync(peer, "plain 1", topicId: topic)).Message.Id;
        var b = (await bob.Client.SendMessageAsync(peer, "plain 2", topicId: topic)).Message.Id;
        var answer = (await bob.Client.SendMessageAsync(peer, "answer to the topic's first message", replyToId: topic)).Message.Id;
        var p = (await bob.Client.SendMessageAsync(peer, "plain 3", topicId: topic)).Message.Id;
        return new Forum(alice, bob, carol, peer, topic, a, b, answer, p);
    }

    private static async Task<ForumTopic> TopicOf(Member reader, Peer peer, long topic) =>
        (await reader.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == topic);

    private static async Task<ReplyCount> ThreadOf(Member reader, Peer peer, long messageId) =>
        (await reader.Client.GetHistoryPageAsync(peer)).Replies!.Single(r => r.MessageId == messageId);

    [Fact]
    public async Task ReadThread_WhenTheTopicsFirstMessage_LeavesTheTopicUnread()
    {
        var f = await ForumAsync("thread1st");
        await using var _ = f.Alice;
        await using var __ = f.Bob;
        await using var ___ = f.Carol;
        (await TopicOf(f.Carol, f.Peer, f.Topic)).Should().Match<ForumTopic>(t => t.UnreadCount == 4 && t.ReadMaxId == 0);

        (await f.Carol.Client.ReadThreadAsync(f.Peer, f.Topic, f.Answer)).PtsCount.Should().Be(1);

        (await TopicOf(f.Carol, f.Peer, f.Topic)).Should().Match<ForumTopic>(
            t => t.UnreadCount == 4 && t.ReadMaxId == 0, "reading one thread marks none of the topic's other messages read");
        (await ThreadOf(f.Carol, f.Peer, f.Topic)).Should().Be(new ReplyCount(f.Topic, 1, f.Answer, f.Answer, 0));
        (await f.Carol.Client.ReadThreadAsync(f.Peer, f.Topic, long.MaxValue)).PtsCount.Should().Be(0, "the thread's newest answer, not the topic's newest message");
        _host.CountRows($"message_thread_reads WHERE msg_id = {f.Topic}").Should().Be(1);
        _host.CountRows($"message_topic_reads WHERE topic_id = {f.Topic}").Should().Be(0);
    }

    [Fact]
    public async Task ReadTopic_WhenItsFirstMessageHasAnswers_LeavesTheirThreadUnread()
    {
        var f = await ForumAsync("topicread");
        await using var _ = f.Alice;
        await using var __ = f.Bob;
        await using var ___ = f.Carol;
        // Alice wrote the topic's first message, so she follows its thread: one answer, unread.
        (await ThreadOf(f.Alice, f.Peer, f.Topic)).Should().Be(new ReplyCount(f.Topic, 1, f.Answer, 0, 1));

        (await f.Alice.Client.ReadTopicAsync(f.Peer, f.Topic, long.MaxValue)).PtsCount.Should().Be(1);

        (await TopicOf(f.Alice, f.Peer, f.Topic)).Should().Match<ForumTopic>(t => t.UnreadCount == 0 && t.ReadMaxId == f.P);
        (await ThreadOf(f.Alice, f.Peer, f.Topic)).Should().Be(
            new ReplyCount(f.Topic, 1, f.Answer, 0, 1), "the topic's position is not the position in its first message's thread");
        (await f.Alice.Client.ReadThreadAsync(f.Peer, f.Topic, f.Answer)).PtsCount.Should().Be(1, "the thread is still to be read");
        (await ThreadOf(f.Alice, f.Peer, f.Topic)).UnreadCount.Should().Be(0);
        (await TopicOf(f.Alice, f.Peer, f.Topic)).ReadMaxId.Should().Be(f.P, "a thread read never moves the topic, back or forth");
    }

    [Fact]
    public async Task ReadTopic_WhenTheUserHasASecondDevice_TellsItATopicReadApartFromAThreadRead()
    {
        var f = await ForumAsync("devices");
        await using var _ = f.Alice;
        await using var __ = f.Bob;
        await using var ___ = f.Carol;
        await using var phone = await _host.DeviceAsync("carol_devices", f.Carol.Id);

        await f.Carol.Client.ReadTopicAsync(f.Peer, f.Topic, f.B);
        (await phone.NextAsync<ThreadRead>()).Should().Match<ThreadRead>(e => e.Topic && e.Peer == f.Peer && e.MessageId == f.Topic && e.ReadMaxId == f.B);
        (await TopicOf(phone, f.Peer, f.Topic)).Should().Match<ForumTopic>(t => t.ReadMaxId == f.B && t.UnreadCount == 2);

        await f.Carol.Client.ReadThreadAsync(f.Peer, f.Topic, f.Answer);
        (await phone.NextAsync<ThreadRead>()).Should().Match<ThreadRead>(e => !e.Topic && e.MessageId == f.Topic && e.ReadMaxId == f.Answer);
        await f.Carol.Client.ReadTopicAsync(f.Peer, 0, long.MaxValue);
        (await phone.NextAsync<ThreadRead>()).Should().Match<ThreadRead>(e => e.Topic && e.MessageId == 0);

        var logged = (await phone.Client.CallAsync(new GetDifferenceCall(0, 100))).Updates.Select(u => u.Update).OfType<ReadThreadUpdate>();
        logged.Select(u => (u.MessageId, u.Topic)).Should().Equal((f.Topic, true), (f.Topic, false), (0L, true));
    }

    [Fact]
    public async Task ReadTopic_WhenNoTopic_FailsTopicIdInvalid_AndACallWithoutTheFlagStillReadsTheTopic()
    {
        var f = await ForumAsync("badtopic");
        await using var _ = f.Alice;
        await using var __ = f.Bob;
        await using var ___ = f.Carol;

        await ChatTestKit.FailsWith(() => f.Carol.Client.ReadTopicAsync(f.Peer, f.A, 1), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => f.Carol.Client.ReadTopicAsync(f.Peer, 987_654, 1), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => f.Carol.Client.ReadTopicAsync(Peer.User(f.Bob.Id), 0, 1), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => f.Carol.Client.ReadThreadAsync(f.Peer, 0, 1), MessageErrorNames.MessageIdInvalid);
        _host.CountRows("message_topic_reads").Should().Be(0);

        // A client older than the flag reads a topic by its id alone, as before.
        (await f.Carol.Client.CallAsync(new ReadThreadCall(f.Peer, f.Topic, f.A))).PtsCount.Should().Be(1);
        (await TopicOf(f.Carol, f.Peer, f.Topic)).Should().Match<ForumTopic>(t => t.ReadMaxId == f.A && t.UnreadCount == 3);
        _host.CountRows($"message_thread_reads WHERE msg_id = {f.Topic}").Should().Be(0);
    }
}
