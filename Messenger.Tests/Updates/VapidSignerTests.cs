using System.Net;
using Messenger.Kernel.Configuration;
using Messenger.Tests.Infrastructure;
using Messenger.Update.WebPush;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Updates;

/// <summary>The VAPID tokens kept per push-service origin: reused while fresh, and bounded, since origins come from the
/// endpoints users subscribe with.</summary>
public sealed class VapidSignerTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly Recorder _network = new();
    private readonly VapidSigner _signer;
    private readonly HttpClient _client;

    public VapidSignerTests()
    {
        var keys = new VapidKeys(Options.Create(new MessengerOptions { DataDirectory = _directory.Path }));
        _signer = new VapidSigner(keys, "mailto:admin@example.org", _clock) { InnerHandler = _network };
        _client = new HttpClient(_signer);
    }

    public void Dispose()
    {
        _client.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task AnOrigin_ReusesItsToken_UntilAnHourBeforeItExpires()
    {
        await PushAsync("https://push.example.org/a");
        await PushAsync("https://push.example.org/b");
        _network.Tokens[1].Should().Be(_network.Tokens[0], "one token per origin, whatever the path");

        _clock.Advance(TimeSpan.FromHours(11) + TimeSpan.FromMinutes(1));
        await PushAsync("https://push.example.org/a");
        _network.Tokens[2].Should().NotBe(_network.Tokens[0]);
    }

    [Fact]
    public async Task ManyOrigins_KeepAtMostTheBound()
    {
        for (var i = 0; i < VapidSigner.MaxOrigins + 10; i++)
        {
            await PushAsync($"https://push{i}.example.org/s");
        }

        _signer.OriginsKept.Should().BeLessThanOrEqualTo(VapidSigner.MaxOrigins);
        await PushAsync($"https://push{VapidSigner.MaxOrigins + 9}.example.org/s");
        _network.Tokens[^1].Should().Be(_network.Tokens[^2], "the newest origins' tokens are still there");
    }

    [Fact]
    public async Task AtTheBound_TokensDueForRenewalGoFirst()
    {
        for (var i = 0; i < VapidSigner.MaxOrigins - 1; i++)
        {
            await PushAsync($"https://old{i}.example.org/s");
        }

        _clock.Advance(TimeSpan.FromHours(11) + TimeSpan.FromMinutes(1));
        await PushAsync("https://fresh.example.org/s"); // the bound's last place
        await PushAsync("https://another.example.org/s"); // over it: the old ones, due for renewal, go

        _signer.OriginsKept.Should().Be(2);
        await PushAsync("https://fresh.example.org/s");
        _network.Tokens[^1].Should().Be(_network.Tokens[^3], "a fresh token is kept");
    }

    private async Task PushAsync(string endpoint)
    {
        using var response = await _client.PostAsync(endpoint, new ByteArrayContent([1]));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    private sealed class Recorder : HttpMessageHandler
    {
        public List<string> Tokens { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Tokens.Add(request.Headers.Authorization!.Parameter!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created));
        }
    }
}
