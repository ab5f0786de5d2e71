using Messenger.Client;
using Messenger.Contracts.Auth;
using Messenger.Tests.Infrastructure;
using static Messenger.Tests.Session.SessionTestKit;

namespace Messenger.Tests.Session;

/// <summary>A name is shown beside other people's words: the invisible characters that only spoof one (bidi controls
/// that show "\u202Egnp.exe" as "exe.png", zero-width spaces that make a second "Admin") are refused, and a name of
/// invisible characters alone is empty; right-to-left scripts and emoji sequences, which need joiners, are names.</summary>
public sealed class NameCharacterTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> SpoofingNames => new()
    {
        "\u202Egnp.exe\u200B Admin",
        "\u202AAdmin",
        "\u2067Admin\u2069",
        "Ad\u200Bmin",
        "Admin\u2060",
        "\uFEFFAdmin",
        "Admin\u200F",
        "Ad\u00ADmin",
        "\u200D\uFE0F",
        "\u3164",
        "\u200B",
    };

    [Theory]
    [MemberData(nameof(SpoofingNames))]
    public async Task Register_WhenDisplayNameHasSpoofingCharacters_FailsDisplayNameInvalid(string name)
    {
        await using var client = await _host.ConnectAsync();

        await FailsWith(() => client.RegisterAsync("mallory", Password, name), SessionErrorNames.DisplayNameInvalid);
    }

    [Theory]
    [MemberData(nameof(SpoofingNames))]
    public async Task UpdateProfileAndSignIn_WhenNameHasSpoofingCharacters_FailWithTheirErrors(string name)
    {
        await using var client = await _host.SignedInClientAsync("mallory");
        await using var other = await _host.ConnectAsync();

        await FailsWith(() => client.UpdateProfileAsync(name, ""), SessionErrorNames.DisplayNameInvalid);
        await FailsWith(() => other.SignInAsync("mallory", Password, name, "tests"), SessionErrorNames.DeviceNameInvalid);
    }

    [Theory]
    [MemberData(nameof(SpoofingNames))]
    [InlineData("first line\nsecond line")]
    [InlineData("bell\a")]
    public async Task UpdateProfile_WhenBioHasSpoofingOrControlCharacters_FailsBioInvalid(string bio)
    {
        await using var client = await _host.SignedInClientAsync("mallory");

        await FailsWith(() => client.UpdateProfileAsync("Mallory", bio), SessionErrorNames.BioInvalid);
        (await client.UpdateProfileAsync("Mallory", "  ")).Bio.Should().BeEmpty("an empty bio is no bio");
    }

    [Fact]
    public async Task UpdateProfile_WhenBioIsRightToLeftWithEmoji_KeepsIt()
    {
        const string bio = "מתכנתת ❤️ می‌خواهم 👨‍👩‍👧";
        await using var client = await _host.SignedInClientAsync("bio_writer");

        (await client.UpdateProfileAsync("Writer", bio)).Bio.Should().Be(bio);
    }

    [Theory]
    [InlineData("مريم الحسن")]
    [InlineData("שרה לוי")]
    [InlineData("👨‍👩‍👧 Family")]
    [InlineData("❤️ Anna")]
    [InlineData("می‌خواهم")]
    [InlineData("Zoë (ゾーイ)")]
    public async Task RegisterAndUpdateProfile_WhenNameIsRightToLeftOrAnEmojiSequence_KeepIt(string name)
    {
        await using var client = await _host.ConnectAsync();

        var registered = await client.RegisterAsync("namer", Password, name);
        registered.User.DisplayName.Should().Be(name);
    }
}
