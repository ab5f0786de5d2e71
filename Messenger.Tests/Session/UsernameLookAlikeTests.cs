using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Messages;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>Usernames are unique up to look-alikes (<c>I/l/1</c>, <c>O/0</c>, <c>rn/m</c>), not only up to case: at
/// registration, at a rename and at a bot's creation.</summary>
public sealed class UsernameLookAlikeTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync(new Dictionary<string, string?>
    {
        ["Messenger:Session:RegistrationsPerAddress"] = "1000",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("AIice_look")] // capital i for l
    [InlineData("a1ice_look")]
    [InlineData("alice_l0ok")]
    [InlineData("ALlCE_LO0K")]
    public async Task Register_WhenTheNameLooksLikeATakenOne_FailsUsernameOccupied(string lookAlike)
    {
        await using var alice = await _host.SignUpAsync("alice_look");
        await using var client = await _host.ConnectAsync();

        await FailsWith(() => client.RegisterAsync(lookAlike, Password, "Impostor"), SessionErrorNames.UsernameOccupied);

        (await alice.Client.SearchUsersAsync("alice_look")).Select(u => u.Id).Should().Equal(alice.UserId);
    }

    [Fact]
    public async Task Rename_ToALookAlike_FailsUsernameOccupied_ButOwnLookAlikeAndUnlikeNamesPass()
    {
        await using var bob = await _host.SignUpAsync("modern_bob");
        await using var carol = await _host.SignUpAsync("carol_plain");

        await FailsWith(() => carol.Client.UpdateUsernameAsync("rnodern_bob"), SessionErrorNames.UsernameOccupied);
        await FailsWith(() => carol.Client.UpdateUsernameAsync("M0DERN_B0B"), SessionErrorNames.UsernameOccupied);
        (await bob.Client.UpdateUsernameAsync("rnodern_bob")).Username.Should().Be("rnodern_bob", "one's own name may change to a look-alike of itself");
        (await carol.Client.UpdateUsernameAsync("modest_bob")).Username.Should().Be("modest_bob");
    }

    [Fact]
    public async Task CreateBot_WithALookAlikeOfATakenName_FailsUsernameOccupied_AndADeletedAccountFreesItsFold()
    {
        await using var alice = await _host.SignUpAsync("alice_owner");
        var bot = await alice.Client.CreateBotAsync("helper_bot", "Helper");

        await FailsWith(() => alice.Client.CreateBotAsync("HE1PER_BOT", "Copy"), SessionErrorNames.UsernameOccupied);
        await FailsWith(() => alice.Client.CreateBotAsync("heIper_bot", "Copy"), SessionErrorNames.UsernameOccupied);
        (await alice.Client.GetMyBotsAsync()).Select(b => b.Id).Should().Equal(bot.Bot.Id);

        var dave = await _host.SignUpAsync("dave_gone");
        await dave.Client.DeleteAccountAsync(Password);
        await dave.DisposeAsync();
        await using var newcomer = await _host.SignUpAsync("DAVE_G0NE");
        newcomer.UserId.Should().NotBe(dave.UserId, "a deleted account's name and its look-alikes are free again");
    }

    [Fact]
    public async Task Search_ByALookAlike_FindsTheRealUser_AfterTheExactMatches_ButNeverABlockedOne()
    {
        await using var admin = await _host.SignUpAsync("admin_alike"); // the first account: the server's admin
        await using var alice = await _host.SignUpAsync("alice_found");
        await using var bill = await _host.SignUpAsync("bill_exact");
        await using var billy = await _host.SignUpAsync("b1lly_alike");

        (await admin.Client.SearchUsersAsync("AIice_found")).Select(u => u.Id).Should().Equal(alice.UserId);
        (await admin.Client.SearchUsersAsync("@a1ice")).Select(u => u.Id).Should().Equal(alice.UserId);
        (await admin.Client.SearchUsersAsync("ALICE_F0UND")).Select(u => u.Id).Should().Equal(alice.UserId);
        (await admin.Client.SearchUsersAsync("bil")).Select(u => u.Id).Should().Equal(
            [bill.UserId, billy.UserId], "the name as typed first, its look-alike after");
        (await admin.Client.SearchUsersAsync("bil", limit: 1)).Select(u => u.Id).Should().Equal(bill.UserId);

        await admin.Client.SetUserBlockedAsync(alice.UserId, blocked: true);
        (await admin.Client.SearchUsersAsync("a1ice")).Should().BeEmpty("a look-alike finds no more than the name itself does");
        (await admin.Client.SearchUsersAsync("alice_found")).Should().BeEmpty();
    }

    [Fact]
    public async Task Search_ByAnRnForAnM_FindsIt_AndAQueryEndingInR_FindsAnRnNameByItsM_AtEveryLetterTyped()
    {
        await using var admin = await _host.SignUpAsync("admin_rn", startEvents: false);
        await using var maxx = await _host.SignUpAsync("maxx_yz", startEvents: false);
        await using var bam = await _host.SignUpAsync("bam_probe", startEvents: false);
        await using var barnaby = await _host.SignUpAsync("barnaby_x", startEvents: false);
        await using var ornella = await _host.SignUpAsync("ornella_probe", startEvents: false);

        (await admin.Client.SearchUsersAsync("rnaxx")).Select(u => u.Id).Should().Equal([maxx.UserId], "rn reads as m, though the query has no other look-alike");
        (await admin.Client.SearchUsersAsync("barn")).Select(u => u.Id).Should().Equal([barnaby.UserId, bam.UserId], "the name as typed first, its look-alike after");
        (await admin.Client.SearchUsersAsync("bar")).Select(u => u.Id).Should().Equal([barnaby.UserId, bam.UserId], "a trailing r may be the start of an rn");
        (await admin.Client.SearchUsersAsync("baro")).Should().BeEmpty("an r followed by anything but n is an r");
        foreach (var typed in Enumerable.Range(1, "0rnella".Length).Select(length => "0rnella"[..length]))
        {
            (await admin.Client.SearchUsersAsync(typed)).Select(u => u.Id).Should().Contain(ornella.UserId, $"\"{typed}\" is on the way to 0rnella");
        }
    }
}
