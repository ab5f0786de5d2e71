using System.Text.RegularExpressions;
using Messenger.Client;
using Messenger.Contracts.Account;
using Messenger.Contracts.Groups;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Users;
using Messenger.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

/// <summary>
/// Answers and updates that come after the user has moved on: what they apply must not undo the user's input nor
/// switch the screen under them. The server's answer is held (<see cref="CallGate{TCall}"/>) while the user acts.
/// </summary>
public sealed partial class ChatEndToEndTests
{
    [Fact]
    public async Task GroupTitle_WhenAMemberLeavesWhileANewOneIsTyped_KeepsWhatWasTyped()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Book club", bobName.Username);
        await Expect(page).ToHaveURLAsync(new Regex(@"chat=c\d+"));
        var chatId = long.Parse(Regex.Match(page.Url, @"chat=c(\d+)").Groups[1].Value);
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var panel = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await Expect(panel.GetByTestId("member-count")).ToHaveTextAsync("2 members");

        // Typed, not saved yet; meanwhile Bob leaves (from his phone), and the panel reads the group again.
        var title = panel.GetByLabel("Group title");
        await title.FillAsync("Book club, second season");
        await using (var bobsPhone = await Host.ConnectAsync())
        {
            await bobsPhone.SignInAsync(bobName.Username, WebUser.Password, "phone", "tests");
            await bobsPhone.LeaveGroupAsync(chatId);
        }

        await Expect(panel.GetByTestId("member-count")).ToHaveTextAsync("1 member");
        await Expect(title).ToHaveValueAsync("Book club, second season");
    }

    [Fact]
    public async Task Privacy_WhenASecondChoiceIsMadeBeforeTheFirstIsSaved_KeepsBoth()
    {
        var gate = new CallGate<SetPrivacyCall>();
        Host = await WebTestKit.StartHostAsync(gate.Register);
        TestName = "Privacy";
        var alice = await OpenAsync();
        await alice.RegisterAsync(WebUser.NewUsername("alice"), "Alice Liddell");
        var page = alice.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();

        // The first choice is on its way (its answer held) when the second is made.
        await page.GetByLabel("Who sees when I am online").SelectOptionAsync(new SelectOptionValue { Label = "Nobody" });
        await gate.WaitForAsync(1);
        await page.GetByLabel("Who may add me to groups").SelectOptionAsync(new SelectOptionValue { Label = "My contacts" });
        gate.Release();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Privacy saved" })).ToBeVisibleAsync();

        // What the server kept, read again by a reloaded page.
        await page.ReloadWhenSettledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByLabel("Who may add me to groups")).ToHaveValueAsync("3");
        await Expect(page.GetByLabel("Who sees when I am online")).ToHaveValueAsync("2");
    }

    [Fact]
    public async Task MarkAsUnread_WhenAnotherChatIsOpenedBeforeTheServerAnswers_LeavesThatChatOpen()
    {
        var gate = new CallGate<MarkDialogUnreadCall>(call => call.Unread);
        Host = await WebTestKit.StartHostAsync(gate.Register);
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hello Bob");
        await alice.CreateGroupAsync("Side room", bobName.Username);
        await alice.OpenChatAsync(bobName.Display);

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as unread" }).ClickAsync();
        await gate.WaitForAsync(1);
        await alice.OpenChatAsync("Side room");
        gate.Release();

        var bobRow = page.GetByTestId("dialog").Filter(new() { HasText = bobName.Display });
        await Expect(bobRow.GetByRole(AriaRole.Img, new() { Name = "marked unread" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync("Side room");
    }

    [Fact]
    public async Task LeaveGroup_WhenAnotherChatIsOpenedBeforeTheServerAnswers_LeavesThatChatOpen()
    {
        var gate = new CallGate<LeaveGroupCall>();
        Host = await WebTestKit.StartHostAsync(gate.Register);
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.CreateGroupAsync("Stay or go", bobName.Username);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Hello Bob");
        var page = bob.Page;
        await bob.OpenChatAsync("Stay or go");
        await page.GetByRole(AriaRole.Button, new() { Name = "Chat info" }).ClickAsync();
        var info = page.GetByRole(AriaRole.Complementary, new() { Name = "Chat info" });
        await info.GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Leave Stay or go?" }).GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();

        await gate.WaitForAsync(1);
        // Alice's chat, by its last message (the group's row names her too: she created it).
        await page.GetByTestId("dialog").Filter(new() { HasText = "Hello Bob" }).ClickAsync();
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);
        gate.Release();

        // The answer taken (the chat list reads the dialogs after it: the group's last message is Bob's leaving).
        var groupRow = page.GetByTestId("dialog").Filter(new() { HasText = "Stay or go" });
        await Expect(groupRow).ToContainTextAsync("You left the group");
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(aliceName.Display);
        await Expect(bob.Message("Hello Bob")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Search_WhenEnterIsPressedBeforeTheNewQuerysPeopleAreFound_OpensNoOneTheOldQueryFound()
    {
        var gate = new CallGate<SearchUsersCall>(call => call.Prefix == "Zebulon");
        Host = await WebTestKit.StartHostAsync(gate.Register);
        TestName = "Search";
        var alice = await OpenAsync();
        await alice.RegisterAsync(WebUser.NewUsername("alice"), "Alice Liddell");
        await using (var registrar = await Host.ConnectAsync())
        {
            await registrar.RegisterAsync(WebUser.NewUsername("carol"), WebUser.Password, "Carol Cooper");
        }

        var page = alice.Page;
        var search = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search", Exact = true });
        await search.FillAsync("Carol");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "People" })).ToContainTextAsync("Carol Cooper");

        // A new query, whose people the server has not answered yet: Enter opens its first result, of which there is none.
        await search.FillAsync("Zebulon");
        await gate.WaitForAsync(1);
        await search.PressAsync("Enter");
        gate.Release();
        await Expect(page.GetByTestId("chat-title")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Messages" })).ToContainTextAsync("No messages found");
    }

    [Fact]
    public async Task Forward_WhenItsDialogIsClosedBeforeTheServerAnswers_LeavesTheUserInTheirChat()
    {
        var gate = new CallGate<ForwardMessagesCall>();
        Host = await WebTestKit.StartHostAsync(gate.Register);
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Side room", bobName.Username);
        await alice.StartChatAsync(bobName.Username, bobName.Display);
        await alice.SendAsync("Worth passing on");

        var message = alice.Message("Worth passing on");
        await message.HoverAsync();
        await message.GetByRole(AriaRole.Button, new() { Name = "Forward" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Forward to Side room" }).ClickAsync();
        await gate.WaitForAsync(1);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Forward message" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Message", Exact = true }).FillAsync("Now, where was I");
        gate.Release();

        var sideRow = page.GetByTestId("dialog").Filter(new() { HasText = "Side room" });
        await Expect(sideRow.GetByTestId("dialog-preview")).ToContainTextAsync("Worth passing on");
        await Expect(page.GetByTestId("chat-title")).ToHaveTextAsync(bobName.Display);
    }

    [Fact]
    public async Task PhotoViewer_WhenNextIsPressedWhilePreviousLooksForAnOlderPhoto_StaysOnTheNextPhoto()
    {
        // Older pages of the history are held: Previous at the first loaded photo is still looking when Next is pressed.
        var olderPages = new CallGate<GetHistoryCall>(call => call.OffsetId != 0);
        Host = await WebTestKit.StartHostAsync(olderPages.Register);
        var (bob, aliceName) = await PhotosBeforeAndAfterAFullPageAsync();
        var row = bob.Page.GetByTestId("dialog").Filter(new() { HasText = aliceName });
        await Expect(row.Locator(".badge")).ToHaveCountAsync(0);
        await bob.OpenChatAsync(aliceName);
        var page = bob.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Open middle.png" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "middle.png" })).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("ArrowLeft");
        await olderPages.WaitForAsync(1);
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "newest.png" })).ToBeVisibleAsync();
        olderPages.Release();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "middle.png" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "newest.png" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task VoiceRecording_WhenTheMicrophoneIsGrantedAfterAnotherChatWasOpened_LetsTheMicrophoneGo()
    {
        var (alice, _, _, bobName) = await TwoPeopleAsync();
        var page = alice.Page;
        await alice.CreateGroupAsync("Side room", bobName.Username);
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        // The browser's microphone prompt, answered only when the test says so (a person reading it).
        await page.EvaluateAsync(
            """
            () => {
              const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
              navigator.mediaDevices.getUserMedia = (constraints) => new Promise((resolve, reject) => {
                window.__grant = () => real(constraints).then((stream) => { window.__stream = stream; resolve(stream); }, reject);
              });
            }
            """);
        await page.GetByRole(AriaRole.Button, new() { Name = "Record voice message" }).ClickAsync();
        await page.WaitForFunctionAsync("() => typeof window.__grant === 'function'");
        await alice.OpenChatAsync("Side room");
        await page.EvaluateAsync("() => window.__grant()");

        await page.WaitForFunctionAsync("() => !!window.__stream");
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Recording a voice message" })).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync(
            "() => window.__stream.getTracks().every((track) => track.readyState === 'ended')", null, new() { Timeout = 10_000 });
    }
}
