using Messenger.Client;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>A large group's member list in the info panel: paged as it is scrolled, few rows in the page, found by name.</summary>
public sealed partial class GroupEndToEndTests
{
    [Fact]
    public async Task MemberList_OfALargeGroup_PagesOnToItsLastMember_KeepsFewRowsInThePage_AndFindsByNameBeyondTheFirstPage()
    {
        TestName = "MemberList";
        const int Others = 1_500;
        var alice = await OpenAsync();
        var aliceName = WebUser.NewUsername("alice");
        await alice.RegisterAsync(aliceName, "Alice Liddell");

        var ids = new List<long>();
        await using (var registrar = await Host.ConnectAsync())
        {
            for (var i = 1; i <= Others; i++)
            {
                var name = i == 1_400 ? "Quentin Zebedee" : $"Member {i:D4}";
                ids.Add((await registrar.RegisterAsync($"member{i:D4}", WebUser.Password, name)).User.Id);
            }
        }

        await using (var device = await Host.ConnectAsync())
        {
            await device.SignInAsync(aliceName, WebUser.Password, "seeder", "tests");
            var chat = (await device.CreateGroupAsync("Crowd", [.. ids.Take(200)], large: true)).Chat;
            foreach (var batch in ids.Skip(200).Chunk(200))
            {
                await device.AddMembersAsync(chat.Id, batch);
            }
        }

        var page = alice.Page;
        await alice.OpenChatAsync("Crowd");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var panel = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(panel.GetByTestId("member-count")).ToHaveTextAsync("1501 members");
        var members = panel.GetByRole(AriaRole.Region, new() { Name = "Members" });
        var rows = members.GetByTestId("member");
        await Expect(rows.First).ToContainTextAsync("Alice Liddell");

        // Member 1,400 is far beyond the first page: the server finds him by name.
        var quentin = rows.Filter(new() { HasText = "Quentin Zebedee" });
        await Expect(quentin).ToHaveCountAsync(0);
        await members.GetByLabel("Search members").FillAsync("zebed");
        await Expect(quentin).ToHaveCountAsync(1);
        await Expect(rows).ToHaveCountAsync(1);
        await members.GetByLabel("Search members").FillAsync("nobody like this");
        await Expect(members.GetByText("No members found")).ToBeVisibleAsync();
        await members.GetByLabel("Search members").FillAsync("");
        await Expect(rows.First).ToContainTextAsync("Alice Liddell");

        // Scrolling to the end reads page after page until the last member shows; the page keeps only the rows near
        // the view.
        var scroller = panel.Locator(".info-panel__scroll");
        var last = rows.Filter(new() { HasText = $"Member {Others:D4}" });
        for (var scrolls = 0; scrolls < 100 && await last.CountAsync() == 0; scrolls++)
        {
            var before = await rows.Last.TextContentAsync();
            if (before!.Contains($"Member {Others:D4}", StringComparison.Ordinal))
            {
                // The last page came in between the count and this read: nothing more to scroll to.
                break;
            }

            await scroller.EvaluateAsync("el => { el.scrollTop = el.scrollHeight; }");
            await Expect(rows.Last).Not.ToHaveTextAsync(before);
        }

        await last.ScrollIntoViewIfNeededAsync();
        await Expect(last).ToBeVisibleAsync();
        await Expect(members.GetByTestId("members-loading")).ToHaveCountAsync(0);
        (await rows.CountAsync()).Should().BeLessThan(200, "1,501 members are listed, but only the rows near the view are in the page");
        await Expect(rows.Filter(new() { HasText = "Alice Liddell" })).ToHaveCountAsync(0);

        // The list is whole now: a name is found among the members listed.
        await members.GetByLabel("Search members").FillAsync("Quentin");
        await Expect(quentin).ToHaveCountAsync(1);
        await Expect(rows).ToHaveCountAsync(1);
        AssertNoProblems();
    }
}
