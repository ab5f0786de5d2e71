using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Tests.Infrastructure;
using Messenger.Tests.Session;

namespace Messenger.Tests.Media;

/// <summary>A media's file name and MIME type are shown to the peer and read as the file's kind: what would spoof the
/// one or smuggle a header or a kind into the other is refused with <c>MEDIA_INPUT_INVALID</c>.</summary>
public sealed class MediaInputTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private MessengerClient _alice = null!;
    private Peer _bob = null!;
    private long _randomId;

    public async Task InitializeAsync()
    {
        _host = await SessionTestKit.StartHostAsync();
        _alice = await _host.SignedInClientAsync("alice_mime");
        await (await _host.SignedInClientAsync("bob_mime")).DisposeAsync();
        _bob = Peer.User(await _alice.IdOfAsync("bob_mime"));
    }

    public async Task DisposeAsync()
    {
        await _alice.DisposeAsync();
        await _host.DisposeAsync();
    }

    private async Task<SentMessage> SendAsync(string name, string mime)
    {
        var file = await _alice.UploadAsync(MediaTestKit.RandomBytes(100, (int)++_randomId));
        return await _alice.CallAsync(new SendMessageCall(_bob, _randomId, "", null, file with { Name = name, MimeType = mime }));
    }

    [Theory]
    [InlineData("image/svg+xml\r\nX-Evil: 1")]
    [InlineData("image/png\0")]
    [InlineData("image /png")]
    [InlineData("image/")]
    [InlineData("/png")]
    [InlineData("image/png/x")]
    [InlineData("image/-png")]
    [InlineData("image/pn(g)")]
    [InlineData("imagé/png")]
    public async Task Send_WhenMimeTypeIsNotATypeSlashSubtypeToken_FailsMediaInputInvalid(string mime) =>
        await SessionTestKit.FailsWith(() => SendAsync("picture.png", mime), MediaErrorNames.MediaInputInvalid);

    [Theory]
    [InlineData("con.txt\0.exe")]
    [InlineData("report\u0007.pdf")]
    [InlineData("a\u0085b.txt")]
    [InlineData("\u202Egnp.exe")]
    [InlineData("photo\u2066.exe\u2069.png")]
    [InlineData("invoice\u200B.pdf")]
    [InlineData("\u200D\uFE0F")]
    public async Task Send_WhenFileNameHasControlOrSpoofingCharacters_FailsMediaInputInvalid(string name) =>
        await SessionTestKit.FailsWith(() => SendAsync(name, "application/pdf"), MediaErrorNames.MediaInputInvalid);

    [Theory]
    [InlineData("image/jpeg", "image/jpeg", MediaKinds.Photo)]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", MediaKinds.Document)]
    [InlineData("Text/Plain; charset=utf-8", "text/plain", MediaKinds.Document)]
    [InlineData("application/x-7z-compressed", "application/x-7z-compressed", MediaKinds.Document)]
    public async Task Send_WhenMimeTypeIsAToken_StoresItsTypeAndSubtype(string mime, string stored, string kind)
    {
        var sent = await SendAsync("file.bin", mime);

        sent.Message.Media!.MimeType.Should().Be(stored, "parameters are dropped and the type lower-cased");
        sent.Message.Media.Kind.Should().Be(kind);
    }

    [Theory]
    [InlineData("تقرير.pdf")]
    [InlineData("דוח שנתי.docx")]
    [InlineData("👨‍👩‍👧 holiday.jpg")]
    [InlineData("نامه‌ها.txt")]
    public async Task Send_WhenFileNameIsRightToLeftOrAnEmojiSequence_KeepsIt(string name) =>
        (await SendAsync(name, "application/octet-stream")).Message.Media!.Name.Should().Be(name);
}
