using Messenger.Contracts.Groups;
using Messenger.Message.Chats;

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

    private static ChatInfo Chat(int version, params long[] members) =>
        new(ChatId, ChatKind.LargeGroup, $"v{version}", members[0], 0, members.ToDictionary(m => m, m => m == members[0] ? MemberRole.Creator : MemberRole.Member));
}
