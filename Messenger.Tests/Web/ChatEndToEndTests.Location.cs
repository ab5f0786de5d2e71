using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Messenger.Tests.Web;

public sealed partial class ChatEndToEndTests
{
    [Fact]
    public async Task Location_SentAndSharedLive_ThePeerSeesThePointMoveAndTheSharingStop()
    {
        // Coordinates a float holds exactly (Playwright's are floats), so the six decimals shown are known.
        var (alice, bob, aliceName, bobName) = await TwoPeopleAsync();
        await alice.Context.GrantPermissionsAsync(["geolocation"]);
        await alice.Context.SetGeolocationAsync(new Geolocation { Latitude = 52.5f, Longitude = 13.25f, Accuracy = 20 });
        await alice.StartChatAsync(bobName.Username, bobName.Display);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Location", Exact = true }).ClickAsync();
        var share = alice.Page.GetByRole(AriaRole.Dialog, new() { Name = "Share location" });
        await share.GetByRole(AriaRole.Button, new() { Name = "Send my current location" }).ClickAsync();
        var point = alice.Page.GetByTestId("geo");
        await Expect(point.GetByTestId("geo-coordinates")).ToHaveTextAsync("52.500000, 13.250000");
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = "📍 Location" })).ToBeVisibleAsync();
        await bob.OpenChatAsync(aliceName.Display);
        var seen = bob.Page.GetByRole(AriaRole.Group, new() { Name = "Location", Exact = true });
        await Expect(seen.GetByTestId("geo-coordinates")).ToHaveTextAsync("52.500000, 13.250000");
        await Expect(seen).ToContainTextAsync("±20 m");
        var map = seen.GetByRole(AriaRole.Link, new() { Name = "Open in OpenStreetMap" });
        await Expect(map).ToHaveAttributeAsync("href", "https://www.openstreetmap.org/?mlat=52.500000&mlon=13.250000#map=16/52.500000/13.250000");
        await Expect(map).ToHaveAttributeAsync("target", "_blank");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Location", Exact = true }).ClickAsync();
        await share.GetByRole(AriaRole.Button, new() { Name = "Share live location for 15 min" }).ClickAsync();
        var live = bob.Page.GetByRole(AriaRole.Group, new() { Name = "Live location" });
        await Expect(live.GetByTestId("geo-live")).ToHaveTextAsync("Live · updated just now");
        await Expect(bob.Page.GetByTestId("dialog").Filter(new() { HasText = "📍 Live location" })).ToBeVisibleAsync();
        await Expect(live.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" })).ToHaveCountAsync(0);

        // The tab moves it at most every 10 s, so the move may take that long to show.
        await alice.Context.SetGeolocationAsync(new Geolocation { Latitude = 52.5625f, Longitude = 13.3125f, Accuracy = 15 });
        await Expect(live.GetByTestId("geo-coordinates")).ToHaveTextAsync("52.562500, 13.312500", new() { Timeout = 40_000 });
        await Expect(live).ToContainTextAsync("±15 m");

        var mine = alice.Page.GetByRole(AriaRole.Group, new() { Name = "Live location" });
        await mine.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" }).ClickAsync();
        await Expect(mine.GetByTestId("geo-live")).ToHaveTextAsync("Live location ended");
        await Expect(live.GetByTestId("geo-live")).ToHaveTextAsync("Live location ended");
        await Expect(live.GetByTestId("geo-coordinates")).ToHaveTextAsync("52.562500, 13.312500");
        await Expect(mine.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" })).ToHaveCountAsync(0);
        AssertNoProblems();
    }
}
