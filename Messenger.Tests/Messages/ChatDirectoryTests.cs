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

    [Fact]
    public void Apply_ToAHeldChat_ChangesItInPlace_WithoutALoad()
    {
        var loads = 0;
        var directory = new ChatDirectory(_ => Chat(++loads, 1, 2, 3));
        directory.Get(ChatId)!.MemberIds.Should().BeEquivalentTo([1L, 2L, 3L]);

        directory.Apply(ChatId, [new MemberChange(4, MemberRole.Member), new MemberChange(5, MemberRole.Member)]);
        directory.Apply(ChatId, [new MemberChange(2, null)]);
        directory.Apply(ChatId, [new MemberChange(3, MemberRole.Admin)]);

        var chat = directory.Get(ChatId)!;
        loads.Should().Be(1, "every change was applied to the entry held");
        chat.MemberIds.Should().BeEquivalentTo([1L, 3L, 4L, 5L]);
        chat.MemberCount.Should().Be(4);
        chat.RoleOf(2).Should().BeNull("a removed member is refused at once");
        chat.RoleOf(3).Should().Be(MemberRole.Admin);
        chat.RoleOf(5).Should().Be(MemberRole.Member);
        chat.AdminIds().Should().BeEquivalentTo([1L, 3L]);
        chat.Title.Should().Be("v1");
        directory.Held.Should().Be((1, 5L), "the weight follows the members held");
    }

    [Fact]
    public void Apply_WhenTheChatIsNotHeld_LoadsNothing_AndTheNextReaderLoadsTheCommittedState()
    {
        var loads = 0;
        var directory = new ChatDirectory(_ => Chat(++loads, 1));

        directory.Apply(ChatId, [new MemberChange(2, MemberRole.Member)]);

        loads.Should().Be(0);
        directory.Held.Should().Be((0, 0L));
    }

    [Fact]
    public void Apply_WhenTheChatChangesWhileItLoads_TheChangeIsNotLost()
    {
        // Member 2's removal commits while a reader still reads the rows from before it (the entry is not held yet, so
        // only the stamp moves); a second change commits once the racing load's entry is in, before its check.
        ChatDirectory directory = null!;
        var loads = 0;
        directory = new ChatDirectory(_ =>
        {
            if (++loads == 1)
            {
                directory.Apply(ChatId, [new MemberChange(2, null)]);
                return Chat(loads, 1, 2);
            }

            return Chat(loads, 1, 3);
        });

        directory.Get(ChatId)!.MemberIds.Should().BeEquivalentTo([1L, 2L], "the racing reader itself read before the commit");
        directory.Held.Should().Be((0, 0L), "the load saw the stamp move and took its entry back out");
        directory.Apply(ChatId, [new MemberChange(3, MemberRole.Member)]);

        var chat = directory.Get(ChatId)!;
        chat.RoleOf(2).Should().BeNull("the removal that raced the load is not lost");
        chat.RoleOf(3).Should().Be(MemberRole.Member);
        loads.Should().Be(2);
    }

    [Fact]
    public void Apply_AChangeTheLoadAlreadyRead_ChangesNothing()
    {
        // The rows were read after the COMMIT but before the change was applied: applying it again sets the same roles.
        var directory = new ChatDirectory(_ => Chat(1, 1, 2));
        directory.Get(ChatId);

        directory.Apply(ChatId, [new MemberChange(2, MemberRole.Member), new MemberChange(9, null)]);

        directory.Get(ChatId)!.MemberIds.Should().BeEquivalentTo([1L, 2L]);
        directory.Get(ChatId)!.MemberCount.Should().Be(2);
        directory.Held.Should().Be((1, 3L));
    }

    [Fact]
    public void Apply_PastTheMemberLimit_EmptiesTheCache()
    {
        var directory = new ChatDirectory(id => new ChatInfo(id, ChatKind.Group, "g", 1, 0, new Dictionary<long, MemberRole> { [1] = MemberRole.Creator }))
        {
            MemberLimit = 5,
        };
        directory.Get(1);
        directory.Get(2);
        directory.Held.Should().Be((2, 4L));

        directory.Apply(1, [new MemberChange(10, MemberRole.Member)]);
        directory.Held.Should().Be((2, 5L));
        directory.Apply(1, [new MemberChange(11, MemberRole.Member)]);
        directory.Held.Should().Be((0, 0L), "past the limit the memory is emptied, as by a load");

        directory.Get(1)!.MemberIds.Should().BeEquivalentTo([1L]);
    }

    [Fact]
    public void Apply_ManyChanges_KeepsEveryRoleAndTheMemberIds_AcrossCompactions()
    {
        // Joins, leaves and role changes past the limit of changes held apart (so the roles are compacted a few times),
        // the ids read after some changes and not others (so they are built from the previous array, from one further
        // back, and from the roles): every answer is the model's.
        var random = new Random(49);
        var model = Enumerable.Range(1, 500).ToDictionary(m => (long)m, m => m == 1 ? MemberRole.Creator : MemberRole.Member);
        var directory = new ChatDirectory(_ => new ChatInfo(ChatId, ChatKind.LargeGroup, "big", 1, 0, new Dictionary<long, MemberRole>(model)));
        directory.Get(ChatId);
        var mostHeldApart = 0;
        for (var step = 0; step < 3 * ChatInfo.ChangesLimit; step++)
        {
            var batch = new List<MemberChange>();
            for (var n = random.Next(1, step % 50 == 0 ? 40 : 3); n > 0; n--)
            {
                var user = (long)random.Next(2, 1500);
                MemberRole? role = random.Next(4) switch { 0 => null, 1 => MemberRole.Admin, _ => MemberRole.Member };
                batch.Add(new MemberChange(user, role));
                if (role is { } kept)
                {
                    model[user] = kept;
                }
                else
                {
                    model.Remove(user);
                }
            }

            directory.Apply(ChatId, batch);
            var chat = directory.Get(ChatId)!;
            chat.PendingChanges.Should().BeLessThan(ChatInfo.ChangesLimit);
            mostHeldApart = Math.Max(mostHeldApart, chat.PendingChanges);
            if (random.Next(3) == 0)
            {
                chat.MemberIds.Order().Should().Equal(model.Keys.Order());
            }

            if (step % 97 == 0)
            {
                Enumerable.Range(1, 1500).Select(user => chat.RoleOf(user)).Should()
                    .Equal(Enumerable.Range(1, 1500).Select(user => model.TryGetValue(user, out var role) ? role : (MemberRole?)null));
            }
        }

        var last = directory.Get(ChatId)!;
        last.MemberIds.Order().Should().Equal(model.Keys.Order());
        last.MemberCount.Should().Be(model.Count);
        last.AdminIds().Order().Should().Equal(model.Where(m => m.Value != MemberRole.Member).Select(m => m.Key).Order());
        directory.Held.Should().Be((1, model.Count + 1L));
        mostHeldApart.Should().BeGreaterThan(ChatInfo.ChangesLimit / 2, "the changes held apart grew to the limit and were compacted");
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
