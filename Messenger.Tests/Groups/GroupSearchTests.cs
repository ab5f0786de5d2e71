using Messenger.Client;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

public sealed class GroupSearchTests
{
    [Theory]
    [InlineData("cafe")]
    [InlineData("CAFÉ")]
    [InlineData("caf")]
    [InlineData("lai Caf")]
    public async Task SearchMessages_ByPrefixInAnyCaseWithOrWithoutAccents_FindsTheMessage(string query)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_accent");
        await using var bob = await host.MemberAsync("bob_accent");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id])).Chat;
        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "Café au lait?");
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "tea time");

        (await bob.Client.SearchMessagesAsync(query)).Select(m => m.Id).Should().Equal(sent.Message.Id);
        (await bob.Client.SearchMessagesAsync(query, Peer.Chat(chat.Id))).Select(m => m.Id).Should().Equal(sent.Message.Id);
        (await bob.Client.SearchMessagesAsync("coffee")).Should().BeEmpty();
    }

    [Fact]
    public async Task SearchMessages_WithoutAPeer_FindsOnlyInChatsTheCallerCanRead()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_scope");
        await using var bob = await host.MemberAsync("bob_scope");
        await using var carol = await host.MemberAsync("carol_scope");
        await using var eve = await host.MemberAsync("eve_scope");
        var small = (await alice.Client.CreateGroupAsync("Small", [bob.Id])).Chat;
        var large = (await alice.Client.CreateGroupAsync("Large", [carol.Id], large: true)).Chat;
        var inSmall = await alice.Client.SendMessageAsync(Peer.Chat(small.Id), "pineapple small");
        var inLarge = await alice.Client.SendMessageAsync(Peer.Chat(large.Id), "pineapple large");
        var toCarol = await alice.Client.SendMessageAsync(Peer.User(carol.Id), "pineapple private");

        (await alice.Client.SearchMessagesAsync("pineapple")).Select(m => m.Id).Should().Equal(toCarol.Message.Id, inLarge.Message.Id, inSmall.Message.Id);
        (await bob.Client.SearchMessagesAsync("pineapple")).Select(m => m.Id).Should().Equal(inSmall.Message.Id);
        (await carol.Client.SearchMessagesAsync("pineapple")).Select(m => m.Id).Should().Equal(toCarol.Message.Id, inLarge.Message.Id);
        (await carol.Client.SearchMessagesAsync("pineapple", Peer.User(alice.Id))).Select(m => m.Id).Should().Equal(toCarol.Message.Id);
        (await eve.Client.SearchMessagesAsync("pineapple")).Should().BeEmpty();
        await SessionTestKit.FailsWith(() => bob.Client.SearchMessagesAsync("pineapple", Peer.Chat(large.Id)), GroupErrorNames.ChatNotFound);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SearchMessages_AfterAnEdit_FindsTheNewWordNotTheOld(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sedit");
        await using var bob = await host.MemberAsync("bob_sedit");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "meeting on monday");

        await alice.Client.EditMessageAsync(Peer.Chat(chat.Id), sent.Message.Id, "meeting on tuesday");

        (await bob.Client.SearchMessagesAsync("monday")).Should().BeEmpty();
        var found = (await bob.Client.SearchMessagesAsync("tuesday")).Should().ContainSingle().Subject;
        found.Id.Should().Be(sent.Message.Id);
        found.Text.Should().Be("meeting on tuesday");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SearchMessages_AfterARevokedDelete_FindsItForNobody(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_srevoke");
        await using var bob = await host.MemberAsync("bob_srevoke");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "password is hunter2");

        await alice.Client.DeleteMessagesAsync(Peer.Chat(chat.Id), [sent.Message.Id], revoke: true);

        (await alice.Client.SearchMessagesAsync("hunter2")).Should().BeEmpty();
        (await bob.Client.SearchMessagesAsync("hunter2")).Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SearchMessages_AfterADeleteForMe_HidesItForThatUserOnly(bool large)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sforme");
        await using var bob = await host.MemberAsync("bob_sforme");
        var chat = (await alice.Client.CreateGroupAsync("Team", [bob.Id], large)).Chat;
        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "grocery list");

        await bob.Client.DeleteMessagesAsync(Peer.Chat(chat.Id), [sent.Message.Id], revoke: false);

        (await bob.Client.SearchMessagesAsync("grocery")).Should().BeEmpty();
        (await bob.Client.GetHistoryAsync(Peer.Chat(chat.Id))).Select(m => m.Id).Should().NotContain(sent.Message.Id);
        (await alice.Client.SearchMessagesAsync("grocery")).Select(m => m.Id).Should().Equal(sent.Message.Id);
    }

    [Fact]
    public async Task SearchMessages_ManyMatches_NewestFirstPagedByOffsetId()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_spage");
        var chat = (await alice.Client.CreateGroupAsync("Team", [], large: true)).Chat;
        var ids = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            ids.Add((await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), $"report number {i}")).Message.Id);
        }

        var first = await alice.Client.SearchMessagesAsync("report", limit: 2);
        var second = await alice.Client.SearchMessagesAsync("report", offsetId: first[^1].Id, limit: 2);
        var third = await alice.Client.SearchMessagesAsync("report", offsetId: second[^1].Id, limit: 2);

        first.Concat(second).Concat(third).Select(m => m.Id).Should().Equal(ids[4], ids[3], ids[2], ids[1], ids[0]);
        third.Should().HaveCount(1);
    }

    [Theory]
    [InlineData("plan", 3)]
    [InlineData("PLANE", 1)]
    [InlineData("zor", 1)]
    [InlineData("zorbc", 1)]
    [InlineData("c1", 0)]
    public async Task SearchMessages_PrefixWithFewOrManyCompletions_FindsEveryMessageWithOne(string query, int expected)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sprefix");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;
        foreach (var text in new[] { "the plan", "a planet", "planning ahead" })
        {
            await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), text);
        }

        // More completions of "zor" than the search looks up one by one: that prefix stays an FTS5 prefix query.
        var many = string.Join(" ", Enumerable.Range(0, 80).Select(i => $"zor{(char)('a' + i / 26)}{(char)('a' + i % 26)}"));
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), many);

        (await alice.Client.SearchMessagesAsync(query)).Should().HaveCount(expected);
        (await alice.Client.SearchMessagesAsync(query, Peer.Chat(chat.Id))).Should().HaveCount(expected);
    }

    [Fact]
    public async Task SearchMessages_AOneLetterWord_FindsThatWholeWordOnly_InEveryChatAndInOne()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sletter");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;
        var planB = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "then plan B");
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "bravo team");
        await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "b2b sales");
        var hello = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "hello there");

        foreach (var peer in new[] { null, Peer.Chat(chat.Id) })
        {
            (await alice.Client.SearchMessagesAsync("b", peer)).Select(m => m.Id).Should().Equal(planB.Message.Id);
            (await alice.Client.SearchMessagesAsync("pla b", peer)).Select(m => m.Id).Should().Equal(planB.Message.Id);
            (await alice.Client.SearchMessagesAsync("h", peer)).Should().BeEmpty();
            (await alice.Client.SearchMessagesAsync("he", peer)).Select(m => m.Id).Should().Equal(hello.Message.Id);
        }
    }

    [Fact]
    public async Task SearchMessages_MoreThanFourLongerWords_OnlyTheLastFourArePrefixes_InEveryChatAndInOne()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sfour");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;
        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), "alpha bravo charlie delta echo foxtrot");

        foreach (var peer in new[] { null, Peer.Chat(chat.Id) })
        {
            (await alice.Client.SearchMessagesAsync("alpha bravo char delt ech foxt", peer)).Select(m => m.Id).Should().Equal(sent.Message.Id);
            (await alice.Client.SearchMessagesAsync("alpha bra char delt ech foxt", peer)).Should().BeEmpty();
            (await alice.Client.SearchMessagesAsync("alp bravo charlie delta echo foxtrot", peer)).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task SearchMessages_TwentyWords_SearchesTheFirstSixteen_InEveryChatAndInOne()
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_stwenty");
        var chat = (await alice.Client.CreateGroupAsync("Team", [])).Chat;
        var sixteen = Enumerable.Range(0, 16).Select(i => $"word{(char)('a' + i)}").ToList();
        var sent = await alice.Client.SendMessageAsync(Peer.Chat(chat.Id), string.Join(" ", sixteen));

        foreach (var peer in new[] { null, Peer.Chat(chat.Id) })
        {
            (await alice.Client.SearchMessagesAsync(string.Join(" ", sixteen.Append("nowhere").Append("absent").Append("missing").Append("gone")), peer))
                .Select(m => m.Id).Should().Equal(sent.Message.Id);
            (await alice.Client.SearchMessagesAsync(string.Join(" ", sixteen.Skip(1).Prepend("nowhere").Append("gone")), peer)).Should().BeEmpty();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ?! ")]
    public async Task SearchMessages_WithoutWords_FailsWithSearchQueryEmpty(string query)
    {
        await using var host = await GroupTestKit.StartHostAsync();
        await using var alice = await host.MemberAsync("alice_sempty");

        await SessionTestKit.FailsWith(() => alice.Client.SearchMessagesAsync(query), GroupErrorNames.SearchQueryEmpty);
    }
}
