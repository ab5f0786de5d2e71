using Messenger.Host.WebClient;
using Messenger.Kernel.Net;

namespace Messenger.Tests.Web;

public sealed class IndexPageTests
{
    private const string Key = "4cfdc4c2d544dde4a5a1e564cafe87e8cd825cdf71980367536d3157430e4747";

    [Theory]
    [InlineData("""<head><meta name="messenger-server-key" content="" /></head>""", """<head><meta name="messenger-server-key" content="KEY" /></head>""")]
    [InlineData("""<head><meta content='old' name="messenger-server-key"></head>""", """<head><meta content="KEY" name="messenger-server-key"></head>""")]
    [InlineData("""<head><meta name="messenger-server-key"></head>""", """<head><meta content="KEY" name="messenger-server-key"></head>""")]
    [InlineData("""<head><title>x</title></head>""", """<head><title>x</title><meta name="messenger-server-key" content="KEY"></head>""")]
    public void InjectKey_WhateverTheMetaTagLooksLike_PutsTheKeyInItsContent(string html, string expected)
    {
        IndexPage.InjectKey(html, Key).Should().Be(expected.Replace("KEY", Key));
    }

    [Fact]
    public void InjectKey_WhenTheValueHasMarkup_EncodesIt()
    {
        var html = IndexPage.InjectKey("""<head><meta name="messenger-server-key" content=""></head>""", "\"><script>");

        html.Should().NotContain("<script>").And.Contain("&quot;&gt;&lt;script&gt;");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://[::]:5000", "http://localhost:5000/")]
    [InlineData("http://+:80", "http://localhost/")]
    [InlineData("http://unix:/run/messenger.sock", "http://unix:/run/messenger.sock")]
    public void BrowserUrl_ForAListeningAddress_IsOneABrowserOnThisMachineOpens(string address, string expected)
    {
        ListenAddresses.BrowserUrl(address).Should().Be(expected);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5129", true)]
    [InlineData("http://[::]:5129", true)]
    [InlineData("http://+:80", true)]
    [InlineData("http://192.168.1.5:5129", true)]
    [InlineData("http://chat.example.org:80", true)]
    [InlineData("http://127.0.0.1:5129", false)]
    [InlineData("http://[::1]:5129", false)]
    [InlineData("http://localhost:5129", false)]
    [InlineData("https://0.0.0.0:443", false)]
    [InlineData("http://unix:/run/messenger.sock", false)]
    [InlineData("http://pipe:/messenger", false)]
    public void IsPlainHttpBeyondLoopback_TellsAnAddressOtherMachinesReachWithoutTls(string address, bool expected)
    {
        ListenAddresses.IsPlainHttpBeyondLoopback(address).Should().Be(expected);
    }
}
