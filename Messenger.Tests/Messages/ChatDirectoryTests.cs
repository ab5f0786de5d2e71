using Messenger.Contracts.Groups;
using Messenger.Message.Chats;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Messages;

/// <summary>The cache of groups and their members never keeps what a change has made stale.</summary>
public sealed class ChatDirectoryTests
{
    private const long ChatId = 42;

    [Fact]
    public void Get_LoadsOnce_AndKeepsTheChatUntilItChanges()
    {
        var loads = 0;
        var directory = new ChatDirectory(_ => Chat(++loads, 1, 2));

        directory.Get(ChatId)!.MemberIds.Should().BeEquivalentTo([1L, 2L]);
        directory.Get(ChatId);
        loads.Should().Be(1);

        directory.Invalidate(ChatId);
        directory.Get(ChatId);
        loads.Should().Be(2);
    }

    [Fact]
    public void Get_WhenTheChatChangesWhileItLoads_DoesNotKeepWhatItReadBefore()
    {
        // The removal of member 2 commits (and drops the entry) while a reader is still reading the rows from before it.
        ChatDirectory directory = null!;
        var loads = 0;
        directory = new ChatDirectory(_ =>
        {
            if (++loads == 1)
            {
                directory.Invalidate(ChatId);
                return Chat(loads, 1, 2);
            }

            return Chat(loads, 1);
        });

        directory.Get(ChatId)!.MemberIds.Should().BeEquivalentTo([1L, 2L], "the racing reader itself read before the commit");
        directory.Get(ChatId)!.MemberIds.Should().BeEquivalentTo([1L], "the next reader must load the committed members");
        loads.Should().Be(2);
    }

    [Fact]
    public void Get_WhenAnotherChatChangesWhileItLoads_KeepsWhatItRead()
    {
        ChatDirectory directory = null!;
        var loads = 0;
        directory = new ChatDirectory(_ =>
        {
            loads++;
            directory.Invalidate(ChatId + 1);
            return Chat(loads, 1);
        });

        directory.Get(ChatId);
        directory.Get(ChatId);
        loads.Should().Be(1);
    }

    [Fact]
    public void Get_PastTheMemberLimit_EmptiesTheCache_AndAnswersStayRight()
    {
        // Chat n has the members 1..n: its weight (members plus one) is n + 1.
        var loads = new Dictionary<long, int>();
        var directory = new ChatDirectory(id =>
        {
            loads[id] = loads.GetValueOrDefault(id) + 1;
            return new ChatInfo(id, ChatKind.Group, $"chat {id}", 1, 0, Enumerable.Range(1, (int)id).ToDictionary(m => (long)m, _ => MemberRole.Member));
        })
        { MemberLimit = 10 };

        directory.Get(3)!.MemberIds.Should().HaveCount(3);
        directory.Get(4)!.MemberIds.Should().HaveCount(4);
        directory.Held.Should().Be((2, 9L));

        directory.Get(5)!.MemberIds.Should().HaveCount(5, "past the limit, the cache is emptied before the chat goes in");
        directory.Held.Should().Be((1, 6L));

        directory.Get(3)!.MemberIds.Should().BeEquivalentTo([1L, 2L, 3L], "a chat dropped is read again");
        loads[3].Should().Be(2);
        directory.Get(5)!.Title.Should().Be("chat 5");
        loads[5].Should().Be(1, "the chat that went in after the clear is still held");
        directory.Held.Should().Be((2, 10L));

        directory.Invalidate(5);
        directory.Held.Should().Be((1, 4L), "a chat dropped by a change no longer counts");
        directory.Get(30)!.MemberIds.Should().HaveCount(30, "a chat larger than the limit is answered all the same");
        directory.Held.Should().Be((1, 31L));
        directory.Get(3)!.MemberIds.Should().HaveCount(3);
        directory.Held.Should().Be((1, 4L));
    }

    [Theory]
    [InlineData(2, 1_000_000)]
    [InlineData(200_000, 1_000_005)]
    [InlineData(1_000_000, 5_000_005)]
    [InlineData(10_000_000, 50_000_005)]
    public void MemberLimit_HoldsFiveGroupsAtTheLargestSizeAllowed(int largeGroupLimit, long expected)
    {
        ChatDirectory.MemberLimitFor(largeGroupLimit).Should().Be(expected);
    }

    [Fact]
    public async Task Host_WithLargerGroupsAllowed_BoundsTheMemoryByThem()
    {
        await using var host = await Session.SessionTestKit.StartHostAsync(new Dictionary<string, string?> { ["Messenger:Message:LargeGroupLimit"] = "3000000" });

        host.Services.GetRequiredService<ChatDirectory>().MemberLimit.Should().Be(15_000_005);
    }

    private static ChatInfo Chat(int version, params long[] members) =>
        new(ChatId, ChatKind.LargeGroup, $"v{version}", members[0], 0, members.ToDictionary(m => m, m => m == members[0] ? MemberRole.Creator : MemberRole.Member));
}
