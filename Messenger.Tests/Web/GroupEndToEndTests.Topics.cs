using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

public sealed partial class GroupEndToEndTests
{
    // Cross-user steps wait for the suite's default (WebUser: 20 s), not less: under load an update may take a while.
    [Fact]
    public async Task TwoPeople_UseAForumsTopics_FromTheListIntoATopicAndBack()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Team", bobName.Username);

        // The admin turns topics on in the chat's info: the chat opens on its topic list.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        // The member list read whole first: its "Loading…" line going away moves the box up, and a click aimed at it
        // meanwhile landed beside it (one CI run).
        await Expect(info.GetByTestId("member")).ToHaveCountAsync(2);
        await Expect(info.GetByTestId("members-loading")).ToHaveCountAsync(0);
        await info.GetByRole(AriaRole.Checkbox, new() { Name = "Topics (organise the group's messages in topics)" }).CheckAsync();
        await info.GetByRole(AriaRole.Button, new() { Name = "Close info" }).ClickAsync();
        var aliceTopics = alice.Page.GetByTestId("topic");
        await Expect(aliceTopics).ToHaveCountAsync(1);
        await Expect(aliceTopics.First.GetByTestId("topic-title")).ToHaveTextAsync("General");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "New topic" }).ClickAsync();
        var dialog = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "New topic" });
        await dialog.GetByLabel("Topic name").FillAsync("Releases");
        await dialog.GetByRole(AriaRole.Radio, new() { Name = "Colour 3" }).CheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create topic" }).ClickAsync();
        await Expect(alice.Page.GetByTestId("topic-heading")).ToHaveTextAsync("Releases");
        await alice.SendAsync("1.0 is out");

        // Bob finds the topic with its unread message, reads it and answers into it.
        await bob.OpenChatAsync("Team");
        var releases = bob.Page.GetByTestId("topic").Filter(new() { HasText = "Releases" });
        await Expect(releases.GetByLabel("1 unread")).ToBeVisibleAsync();
        await Expect(releases.GetByTestId("topic-preview")).ToContainTextAsync("1.0 is out");
        await Expect(bob.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true })).ToHaveCountAsync(0);
        await releases.ClickAsync();
        await Expect(bob.Message("1.0 is out")).ToBeVisibleAsync();
        await bob.SendAsync("Congrats");
        await Expect(alice.Message("Congrats")).ToBeVisibleAsync();

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to topics" }).ClickAsync();
        await Expect(releases.GetByTestId("topic-unread")).ToHaveCountAsync(0);
        await Expect(releases.GetByTestId("topic-preview")).ToContainTextAsync("You: Congrats");
        var general = bob.Page.GetByTestId("topic").Filter(new() { HasText = "General" });
        await general.ClickAsync();
        await bob.SendAsync("Lunch?");
        // General is on screen with its own messages (the loaded history holds the topic's too): the topic's answer is not among them.
        await Expect(bob.Page.GetByTestId("topic-heading")).ToHaveTextAsync("General");
        await Expect(bob.Message("Lunch?")).ToBeVisibleAsync();
        await Expect(bob.Message("Congrats")).ToHaveCountAsync(0);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to topics" }).ClickAsync();
        await Expect(bob.Page.GetByTestId("topic").First.GetByTestId("topic-title")).ToHaveTextAsync("General");

        // The admin closes the topic: Bob reads it and may not post there.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Close topic" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Reopen topic" })).ToBeVisibleAsync();
        await Expect(releases.GetByRole(AriaRole.Img, new() { Name = "closed" })).ToBeVisibleAsync();
        await releases.ClickAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "This topic is closed" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Delete topic" })).ToHaveCountAsync(0);
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to topics" }).ClickAsync();

        // Deleting it takes it from both lists.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Delete topic" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete topic" }).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(alice.Page.GetByTestId("topic")).ToHaveCountAsync(1);
        await Expect(bob.Page.GetByTestId("topic")).ToHaveCountAsync(1);
        await Expect(alice.Page.GetByTestId("topic").First.GetByTestId("topic-preview")).ToContainTextAsync("Lunch?");
        AssertNoProblems();
    }

    [Fact]
    public async Task AForumsAdmin_PinsATopic_EveryoneSeesItFirst_AndSearchInsideATopicFindsOnlyItsMessages()
    {
        var (alice, bob, _, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Crew", bobName.Username);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = alice.Page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        // The member list read whole first: its "Loading…" line going away moves the box up, and a click aimed at it
        // meanwhile landed beside it (one CI run).
        await Expect(info.GetByTestId("member")).ToHaveCountAsync(2);
        await Expect(info.GetByTestId("members-loading")).ToHaveCountAsync(0);
        await info.GetByRole(AriaRole.Checkbox, new() { Name = "Topics (organise the group's messages in topics)" }).CheckAsync();
        await info.GetByRole(AriaRole.Button, new() { Name = "Close info" }).ClickAsync();

        foreach (var (title, text) in new[] { ("Releases", "deploy plan for friday"), ("Bugs", "deploy crashed again") })
        {
            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "New topic" }).ClickAsync();
            var dialog = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "New topic" });
            await dialog.GetByLabel("Topic name").FillAsync(title);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create topic" }).ClickAsync();
            await Expect(alice.Page.GetByTestId("topic-heading")).ToHaveTextAsync(title);
            await alice.SendAsync(text);
            await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to topics" }).ClickAsync();
        }

        // Bugs is the most active; pinning Releases puts it first after General, for Bob too.
        var aliceTopics = alice.Page.GetByTestId("topic");
        await Expect(aliceTopics.GetByTestId("topic-title")).ToHaveTextAsync(["General", "Bugs", "Releases"]);
        await bob.OpenChatAsync("Crew");
        var bobTopics = bob.Page.GetByTestId("topic");
        await Expect(bobTopics.GetByTestId("topic-title")).ToHaveTextAsync(["General", "Bugs", "Releases"]);
        await Expect(bob.Page.GetByTestId("topic-pinned")).ToHaveCountAsync(0);
        await aliceTopics.Filter(new() { HasText = "Releases" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Pin topic" }).ClickAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Unpin topic" })).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(alice.Page.GetByRole(AriaRole.List, new() { Name = "Chat history" }).GetByText("You pinned the topic")).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Back to topics" }).ClickAsync();
        await Expect(aliceTopics.GetByTestId("topic-title")).ToHaveTextAsync(["General", "Releases", "Bugs"]);
        await Expect(aliceTopics.Nth(1).GetByTestId("topic-pinned")).ToBeVisibleAsync();
        await Expect(bobTopics.GetByTestId("topic-title")).ToHaveTextAsync(["General", "Releases", "Bugs"]);
        await Expect(bobTopics.Nth(1).GetByRole(AriaRole.Img, new() { Name = "pinned" })).ToBeVisibleAsync();
        // A plain member neither pins nor unpins.
        await bobTopics.Nth(1).ClickAsync();
        await Expect(bob.Page.GetByTestId("topic-heading")).ToHaveTextAsync("Releases");
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Unpin topic" })).ToHaveCountAsync(0);

        // Search in chat inside the topic searches the topic, and says so.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Search in chat" }).ClickAsync();
        var field = bob.Page.GetByPlaceholder("Search in the topic \u201cReleases\u201d");
        await Expect(field).ToBeVisibleAsync();
        await field.FillAsync("deploy");
        var results = bob.Page.GetByRole(AriaRole.List, new() { Name = "Results in this topic" });
        await Expect(results.GetByRole(AriaRole.Button)).ToHaveCountAsync(1);
        await Expect(results).ToContainTextAsync("deploy plan for friday");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Done", Exact = true }).ClickAsync();

        // From the topic list the whole chat is searched, as before.
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to topics" }).ClickAsync();
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Search in chat" }).ClickAsync();
        await bob.Page.GetByLabel("Search in this chat").FillAsync("deploy");
        await Expect(bob.Page.GetByRole(AriaRole.List, new() { Name = "Results in this chat" }).GetByRole(AriaRole.Button)).ToHaveCountAsync(2);
        AssertNoProblems();
    }
}
