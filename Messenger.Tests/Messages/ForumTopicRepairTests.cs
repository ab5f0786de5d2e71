using System.Reflection;
using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Storage;
using Messenger.Message.Storage;
using Messenger.Message.Topics;
using Messenger.Tests.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;
using MessagePack;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>Forum topics where they can go wrong: a delete cut short between its units, General on the topics' index,
/// a topic's first message deleted on its own.</summary>
public sealed class ForumTopicRepairTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Messenger:Message:SmallGroupLimit"] = GroupTestKit.SmallGroupLimit.ToString(),
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    };

    private static async Task<(Device Alice, Device Bob, Peer Peer)> ForumAsync(TestHost host, string name)
    {
        var alice = await host.SignUpAsync($"alice_{name}");
        var bob = await host.SignUpAsync($"bob_{name}");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        return (alice, bob, Peer.Chat(chat.Id));
    }

    /// <summary>Adds <paramref name="count"/> messages of <paramref name="like"/>'s author to its topic, straight into the
    /// database (a topic longer than one unit of a delete, without posting it message by message).</summary>
    private static void AddTopicMessages(SqliteConnection connection, long like, int count)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count) " +
            "INSERT INTO message_messages (chat_id, from_id, random_id, to_kind, to_id, date, text, deleted, silent, topic_id) " +
            "SELECT m.chat_id, m.from_id, 900000000 + n.i, m.to_kind, m.to_id, m.date, 'filler ' || n.i, 0, 0, m.topic_id " +
            "FROM message_messages m, n WHERE m.id = @like";
        command.Parameters.AddWithValue("@count", count);
        command.Parameters.AddWithValue("@like", like);
        command.ExecuteNonQuery().Should().Be(count);
    }

    /// <summary>What the first unit of a delete leaves when the server stops right after it.</summary>
    private static void MarkDeleting(SqliteConnection connection, long topic)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE message_topics SET deleting = 1, closed = 1 WHERE id = @topic";
        command.Parameters.AddWithValue("@topic", topic);
        command.ExecuteNonQuery().Should().Be(1);
    }

    private static long LiveInTopic(TestHost host, long topic) => host.CountRows($"message_messages WHERE topic_id = {topic} AND deleted = 0");

    [Fact]
    public async Task DeleteTopic_WhenLeftHalfDone_HidesTheTopic_AndCallingItAgainFinishesIt()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        var (alice, bob, peer) = await ForumAsync(host, "halfdone");
        await using var a = alice;
        await using var b = bob;
        var topic = (await alice.Client.CreateTopicAsync(peer, "Doomed")).Message.Id;
        var words = (await bob.Client.SendMessageAsync(peer, "words", topicId: topic)).Message;
        var general = (await bob.Client.SendMessageAsync(peer, "in general")).Message;
        await bob.Client.ReadTopicAsync(peer, topic, long.MaxValue);
        using (var connection = host.Services.GetRequiredService<SqliteDatabase>().Open())
        {
            AddTopicMessages(connection, words.Id, TopicStore.DeleteBatchSize + 100);
            MarkDeleting(connection, topic);
        }

        (await bob.Client.GetForumTopicsAsync(peer)).Should().Match<ForumTopics>(l => l.Topics.All(t => t.Id != topic) && l.Count == 0);
        await ChatTestKit.FailsWith(() => bob.Client.SendMessageAsync(peer, "still there?", topicId: topic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SendMessageAsync(peer, "admins too?", topicId: topic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.GetTopicHistoryAsync(peer, topic), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.EditTopicAsync(peer, topic, title: "Back"), TopicErrorNames.TopicIdInvalid);
        await ChatTestKit.FailsWith(() => bob.Client.DeleteTopicAsync(peer, topic), GroupErrorNames.ChatAdminRequired, 403);

        var deleted = await alice.Client.DeleteTopicAsync(peer, topic);

        deleted.PtsCount.Should().BeGreaterThan(0);
        LiveInTopic(host, topic).Should().Be(0);
        host.CountRows($"message_topics WHERE id = {topic}").Should().Be(0);
        host.CountRows($"message_topic_reads WHERE topic_id = {topic}").Should().Be(0);
        host.CountRows($"message_thread_reads WHERE msg_id = {topic}").Should().Be(0);
        (await bob.Client.GetHistoryAsync(peer, limit: 100)).Select(m => m.Id).Should().Contain(general.Id).And.NotContain([topic, words.Id]);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteTopicAsync(peer, topic), TopicErrorNames.TopicIdInvalid);
    }

    [Fact]
    public async Task DeleteUserMessages_OfATopicsCreator_KeepsTheTopicsFirstMessage_AndTakesTheRest()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        var (alice, bob, peer) = await ForumAsync(host, "sweep");
        await using var a = alice;
        await using var b = bob;
        await alice.Client.EditPermissionsAsync(peer.Id, new ChatPermissions(ManageTopics: true));
        var topic = (await bob.Client.CreateTopicAsync(peer, "Bob's")).Message.Id;
        var words = (await bob.Client.SendMessageAsync(peer, "spam", topicId: topic)).Message;

        await alice.Client.DeleteUserMessagesAsync(bob.UserId);

        host.CountRows($"message_messages WHERE id = {topic} AND deleted = 0").Should().Be(1, "only deleteTopic takes a topic's first message");
        host.CountRows($"message_messages WHERE id = {words.Id} AND deleted = 0").Should().Be(0);
        (await alice.Client.GetForumTopicsAsync(peer)).Topics.Should().Contain(t => t.Id == topic && t.TopMessage == topic);
        await alice.Client.DeleteTopicAsync(peer, topic);
        host.CountRows($"message_messages WHERE id = {topic} AND deleted = 0").Should().Be(0);
    }

    [Fact]
    public async Task DeleteTopic_CutShortByAShutdown_IsFinishedByTheNextStart()
    {
        using var directory = new TempDirectory();
        long topic;
        long words;
        Peer peer;
        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: directory.Path))
        {
            var (alice, bob, forum) = await ForumAsync(host, "shutdown");
            await using var a = alice;
            await using var b = bob;
            peer = forum;
            topic = (await alice.Client.CreateTopicAsync(peer, "Doomed")).Message.Id;
            words = (await bob.Client.SendMessageAsync(peer, "words", topicId: topic)).Message.Id;
            await bob.Client.SendMessageAsync(peer, "in general");
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory.Path, "messenger.db")};Pooling=False"))
        {
            connection.Open();
            AddTopicMessages(connection, words, TopicStore.DeleteBatchSize * 2 + 10);
            MarkDeleting(connection, topic);
        }

        await using (var host = await SessionTestKit.StartHostAsync(Settings, dataDirectory: directory.Path))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (host.CountRows($"message_topics WHERE id = {topic}") > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            host.CountRows($"message_topics WHERE id = {topic}").Should().Be(0, "the start finishes the delete");
            LiveInTopic(host, topic).Should().Be(0);
            await using var bob = await host.SignInAnotherDeviceAsync("bob_shutdown");
            (await bob.Client.GetHistoryAsync(peer, limit: 100)).Should().Contain(m => m.Text == "in general").And.NotContain(m => m.TopicId == topic);
        }
    }

    [Theory]
    [InlineData(typeof(MessageStore), nameof(MessageStore.TopicHistorySql))]
    [InlineData(typeof(TopicStore), nameof(TopicStore.GeneralNewestSql))]
    public async Task GeneralsQueries_ReadTheTopicsIndex_NotTheWholeChat(Type store, string statement)
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        var sql = (string)store.GetField(statement, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@chat", "@topic", "@user", "@offset", "@limit" })
        {
            explain.Parameters.AddWithValue(name, name == "@topic" ? 0L : 1L);
        }

        using var reader = explain.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        plan.Should().Contain(step => step.Contains("USING INDEX IX_message_messages_topics (chat_id=? AND topic_id=?"));
        plan.Should().NotContain(step => step.StartsWith("SCAN"));
    }

    [Fact]
    public async Task General_HoldsMessagesFromBeforeTopicsAndFromWhileTheyWereOff_AndNoTopicsMessages()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        await using var alice = await host.SignUpAsync("alice_general");
        await using var bob = await host.SignUpAsync("bob_general");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.UserId])).Chat;
        var peer = Peer.Chat(chat.Id);
        var before = (await bob.Client.SendMessageAsync(peer, "before topics")).Message;
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var topic = (await alice.Client.CreateTopicAsync(peer, "Bugs")).Message.Id;
        var inTopic = (await bob.Client.SendMessageAsync(peer, "a bug", topicId: topic)).Message;
        await alice.Client.ToggleForumAsync(chat.Id, enabled: false);
        var whileOff = (await bob.Client.SendMessageAsync(peer, "topics are off")).Message;
        await alice.Client.ToggleForumAsync(chat.Id, enabled: true);
        var inGeneral = (await bob.Client.SendMessageAsync(peer, "in general")).Message;

        var general = (await alice.Client.GetTopicHistoryAsync(peer, 0, limit: 100)).Messages.Select(m => m.Id).ToList();

        general.Should().Contain([before.Id, whileOff.Id, inGeneral.Id]).And.NotContain([topic, inTopic.Id]);
        (await alice.Client.GetForumTopicsAsync(peer)).Topics[0].Should().Match<ForumTopic>(t => t.Id == 0 && t.TopMessage == inGeneral.Id);
        (await alice.Client.GetTopicHistoryAsync(peer, 0, offsetId: whileOff.Id, limit: 100)).Messages.Select(m => m.Id).Should().Contain(before.Id);
        host.CountRows($"message_messages WHERE chat_id = {chat.Id} AND topic_id IS NULL").Should().Be(0, "a group's messages outside topics carry 0");
        host.CountRows($"message_messages WHERE chat_id = {chat.Id} AND topic_id = 0").Should().BeGreaterThan(0);
        (await alice.Client.GetHistoryAsync(peer, limit: 1)).Single().TopicId.Should().Be(0);
    }

    [Fact]
    public async Task RevokingATopicsFirstMessage_IsRefused_AndDeletingItForOneselfKeepsTheTopicsReadPosition()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        var (alice, bob, peer) = await ForumAsync(host, "firstmsg");
        await using var a = alice;
        await using var b = bob;
        var topic = (await alice.Client.CreateTopicAsync(peer, "Bugs")).Message.Id;
        var first = (await alice.Client.SendMessageAsync(peer, "one", topicId: topic)).Message;
        await alice.Client.SendMessageAsync(peer, "two", topicId: topic);
        await bob.Client.ReadTopicAsync(peer, topic, first.Id);

        await ChatTestKit.FailsWith(() => alice.Client.DeleteMessagesAsync(peer, [topic], revoke: true), MessageErrorNames.MessageDeleteForbidden, 403);
        await ChatTestKit.FailsWith(() => alice.Client.DeleteMessagesAsync(peer, [first.Id, topic], revoke: true), MessageErrorNames.MessageDeleteForbidden, 403);
        await bob.Client.DeleteMessagesAsync(peer, [topic], revoke: false);

        var listed = (await bob.Client.GetForumTopicsAsync(peer)).Topics.Single(t => t.Id == topic);
        listed.ReadMaxId.Should().Be(first.Id);
        listed.UnreadCount.Should().Be(1);
        host.CountRows($"message_topic_reads WHERE topic_id = {topic}").Should().Be(1);
        (await alice.Client.GetTopicHistoryAsync(peer, topic)).Messages.Select(m => m.Id).Should().Contain([topic, first.Id]);
    }

    [Fact]
    public async Task QuizAndLocation_FromTheSdk_GoIntoTheTopicAsked()
    {
        await using var host = await SessionTestKit.StartHostAsync(Settings);
        var (alice, bob, peer) = await ForumAsync(host, "sdksends");
        await using var a = alice;
        await using var b = bob;
        var topic = (await alice.Client.CreateTopicAsync(peer, "Trivia")).Message.Id;

        var quiz = await bob.Client.SendQuizAsync(peer, "2 + 2?", ["3", "4"], correctOption: 1, topicId: topic);
        var place = await bob.Client.SendLocationAsync(peer, new InputGeo(52.52, 13.40), topicId: topic);

        quiz.Message.TopicId.Should().Be(topic);
        place.Message.TopicId.Should().Be(topic);
        (await alice.Client.GetTopicHistoryAsync(peer, topic)).Messages.Select(m => m.Id).Should().Contain([quiz.Message.Id, place.Message.Id]);
    }

    [Fact]
    public void ChatPermissions_FromAClientThatKnowsNoTopics_LeaveManageTopicsUnsaid()
    {
        // An older client's groups.editPermissions carries no "manage_topics" key: null, which keeps the group's setting.
        var bytes = MessagePackSerializer.ConvertFromJson(
            """{"send_messages": true, "send_media": true, "send_polls": true, "add_members": true, "pin_messages": false, "change_info": false}""",
            WireSerializer.Options);

        WireSerializer.Deserialize<ChatPermissions>(bytes).ManageTopics.Should().BeNull();
        new ChatPermissions(true, true, true, true, false, false).ManageTopics.Should().BeNull("the constructor from before topics says nothing of them");
        new ChatPermissions().ManageTopics.Should().BeFalse("today's default stays off");
    }
}
