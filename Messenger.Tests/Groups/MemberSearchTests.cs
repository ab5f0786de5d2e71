using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Contracts.Groups;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using Messenger.Tests.Session;

namespace Messenger.Tests.Groups;

/// <summary><c>groups.getFull</c> with a query: a group's members by the start of their display name or username, in
/// groups read whole and in groups searched through the name indexes.</summary>
public sealed class MemberSearchTests
{
    [Theory]
    [InlineData(2000)] // the group is read whole
    [InlineData(2)] // the group is bigger than that: the server's name indexes are walked
    public async Task SearchMembers_ByTheStartOfANameInAnyCase_FindsMembersBeyondTheFirstPage_AndNobodyElse(int scanLimit)
    {
        await using var host = await SessionTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Messenger:Session:RegistrationsPerAddress"] = "1000",
            ["Messenger:Message:MemberSearchScanLimit"] = scanLimit.ToString(),
        });
        await using var alice = await host.MemberAsync("alice_members");
        var ids = new List<long>();
        await using (var registrar = await host.ConnectAsync())
        {
            foreach (var (username, name) in new[]
                     {
                         ("bob_members", "Bob Stone"), ("carl_members", "Carl Stone"), ("dora_members", "Dora"), ("emil_members", "Emil"),
                         ("zoe_members", "Zoë Ångström"), ("zorro_members", "Diego"), ("outsider_members", "Zoë Outside"),
                     })
            {
                ids.Add((await registrar.RegisterAsync(username, SessionTestKit.Password, name)).User.Id);
            }
        }

        var (bob, carl, dora, emil, zoe, zorro) = (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
        var group = (await alice.Client.CreateGroupAsync("Neighbours", [bob, carl, dora, emil, zoe, zorro], large: true)).Chat;

        var firstPage = await alice.Client.GetFullChatAsync(group.Id, limit: 3);
        firstPage.Members.Select(m => m.UserId).Should().NotContain(zoe, "the list is paged by join time");

        (await alice.Client.SearchMembersAsync(group.Id, "zo")).Members.Select(m => m.UserId)
            .Should().Equal([zorro, zoe], "Diego's username starts with zo; by display name; the outsider is no member");
        (await alice.Client.SearchMembersAsync(group.Id, "  ZOË Å")).Members.Select(m => m.UserId).Should().Equal(zoe);
        (await alice.Client.SearchMembersAsync(group.Id, "Stone")).Members.Should().BeEmpty("the start of the name, not any word");
        (await alice.Client.SearchMembersAsync(group.Id, "bob stone")).Members.Single().Should()
            .BeEquivalentTo(new { UserId = bob, Role = MemberRole.Member });
        (await alice.Client.SearchMembersAsync(group.Id, "xylophone")).Members.Should().BeEmpty();
        (await alice.Client.SearchMembersAsync(group.Id, "ALICE")).Members.Single().Role.Should().Be(MemberRole.Creator);
        (await alice.Client.SearchMembersAsync(group.Id, "zo", offset: 1, limit: 1)).Members.Select(m => m.UserId).Should().Equal(zoe);
        (await alice.Client.SearchMembersAsync(group.Id, "zoë")).Members.Select(m => m.UserId).Should().Equal([zoe], "Zoë Outside is no member");
        (await alice.Client.SearchMembersAsync(group.Id, "EMIL_")).Members.Select(m => m.UserId).Should().Equal(emil);

        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, new string('z', 65)), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, "   "), SessionErrorNames.SearchQueryInvalid);
        await ChatTestKit.FailsWith(() => alice.Client.SearchMembersAsync(group.Id, "zo\u0001"), SessionErrorNames.SearchQueryInvalid);
        await using var stranger = await host.MemberAsync("stranger_members");
        await ChatTestKit.FailsWith(() => stranger.Client.SearchMembersAsync(group.Id, "zo"), GroupErrorNames.ChatNotFound, 404);
    }
}
