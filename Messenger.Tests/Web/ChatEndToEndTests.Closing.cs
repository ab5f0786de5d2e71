using Messenger.Client;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>What the user did just before the tab closed or reloaded reaches the server (ui/flush.ts): checked on a second
/// device of the same user, signed in with the SDK.</summary>
public sealed partial class ChatEndToEndTests
{
    [Fact]
    public async Task Closing_WhenAChatMarkedUnreadIsOpenedRightBeforeAReloadThatLosesTheCall_TheOtherDeviceSeesTheMarkGone()
    {
        TestName = "Closing";
        var aliceName = (Username: WebUser.NewUsername("alice"), Display: "Alice Liddell");
        var bobName = (Username: WebUser.NewUsername("bob"), Display: "Bob Builder");
        var bob = await OpenAsync();
        // Alice's page reaches the host through a relay that can swallow what her open WebSocket carries.
        await using var relay = new TcpRelay(Host.BaseAddress);
        var alice = await BrowserPage.OpenAsync(Browser, relay.Address);
        Pages.Add(alice);
        await alice.RegisterAsync(aliceName.Username, aliceName.Display);
        await bob.RegisterAsync(bobName.Username, bobName.Display);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Remind me to answer this");
        var page = alice.Page;
        var row = page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await using var phone = await Host.ConnectAsync();
        await phone.SignInAsync(aliceName.Username, WebUser.Password, "phone", "tests");
        var toBob = new Peer(PeerKind.User, (await phone.SearchUsersAsync(bobName.Username)).Single().Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToBeVisibleAsync();
        (await UnreadMarkOnPhoneAsync(phone, toBob, expected: true)).Should().BeTrue("the mark reached the server");

        // The call that takes the mark off goes into a link that carries nothing any more, and the page reloads before
        // it could notice: only what the page kept can bring it back.
        relay.Silence().Should().Be(1, "Alice's page holds one WebSocket");
        await alice.OpenChatAsync(bobName.Display);
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToHaveCountAsync(0);
        relay.Restore();
        await page.ReloadWhenSettledAsync();

        await Expect(row).ToContainTextAsync("Remind me to answer this");
        (await UnreadMarkOnPhoneAsync(phone, toBob, expected: false)).Should().BeFalse("the page sent the removal again when it started");
        await Expect(row.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToHaveCountAsync(0);
        AssertNoProblems();
    }

    [Fact]
    public async Task Closing_WhenTheTabClosesRightAfterAMessageIsShown_TheOtherDeviceSeesItRead()
    {
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await bob.StartChatAsync(aliceName.Username, aliceName.Display);
        await bob.SendAsync("Are you still there?");
        var row = alice.Page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await Expect(row).ToContainTextAsync("Are you still there?");
        await using var phone = await Host.ConnectAsync();
        await phone.SignInAsync(aliceName.Username, WebUser.Password, "phone", "tests");
        var toBob = new Peer(PeerKind.User, (await phone.SearchUsersAsync(bobName.Username)).Single().Id);
        (await phone.GetDialogsAsync()).Items.Single(d => d.Peer == toBob).UnreadCount.Should().Be(1);

        // The read waits a moment before it goes (messages.ts markRead); the tab closes within it.
        await alice.OpenChatAsync(bobName.Display);
        await Expect(alice.Message("Are you still there?")).ToBeVisibleAsync();
        await alice.Page.CloseAsync(new() { RunBeforeUnload = true });

        var deadline = DateTime.UtcNow.AddSeconds(20);
        var dialog = (await phone.GetDialogsAsync()).Items.Single(d => d.Peer == toBob);
        while (dialog.UnreadCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            dialog = (await phone.GetDialogsAsync()).Items.Single(d => d.Peer == toBob);
        }

        dialog.UnreadCount.Should().Be(0, "the page sent the read as it closed");
        Pages.Remove(alice);
        AssertNoProblems();
    }

    /// <summary>The phone's view of the chat's unread mark, once it is <paramref name="expected"/> or 20 s have passed.</summary>
    private static async Task<bool> UnreadMarkOnPhoneAsync(MessengerClient phone, Peer peer, bool expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var mark = (await phone.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadMark;
        while (mark != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            mark = (await phone.GetDialogsAsync()).Items.Single(d => d.Peer == peer).UnreadMark;
        }

        return mark;
    }
}
