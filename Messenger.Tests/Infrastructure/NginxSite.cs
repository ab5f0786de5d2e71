using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// nginx running the site that docs/operations.md tells operators to install (its <c>```nginx</c> block, read from the
/// file), in front of a test host: only what cannot be the same on a test machine is changed — the addresses it listens
/// on (free loopback ports for its 80 and 443), its certificate (a self-signed one for 127.0.0.1, made here), certbot's
/// webroot (<see cref="Webroot"/>, in the test's directory) and the upstream's port; and nginx connects to the upstream
/// from <see cref="ProxyAddress"/> (<c>proxy_bind</c>), so the address the host sees on the connection is not the
/// client's (both on 127.0.0.1 otherwise, and a server that ignored <c>X-Forwarded-For</c> would pass as one that reads it). Each change must find its line in the document, so a document that drifts fails the test rather
/// than testing something else.
/// </summary>
internal sealed partial class NginxSite : IAsyncDisposable
{
    public const string NginxPath = "/usr/sbin/nginx";

    private readonly TempDirectory _directory;
    private readonly Process _process;

    private NginxSite(TempDirectory directory, Process process, X509Certificate2 certificate, int httpPort, int httpsPort)
    {
        _directory = directory;
        _process = process;
        Certificate = certificate;
        HttpAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        HttpsAddress = new Uri($"https://127.0.0.1:{httpsPort}/");
        Webroot = Path.Combine(directory.Path, "www");
    }

    /// <summary>The site's <c>root /var/www/html</c> (certbot's <c>--webroot</c>): a file under its
    /// <c>.well-known/acme-challenge/</c> is what an ACME server fetches over plain HTTP.</summary>
    public string Webroot { get; }

    /// <summary>The loopback address nginx connects to the host from (the clients connect from 127.0.0.1).</summary>
    public const string ProxyAddress = "127.0.0.5";

    /// <summary>The site's certificate: a client of the test pins it (<see cref="IsSiteCertificate"/>).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The documented <c>listen 80</c> server (it redirects to HTTPS).</summary>
    public Uri HttpAddress { get; }

    /// <summary>The documented <c>listen 443 ssl</c> server (the proxy to the host).</summary>
    public Uri HttpsAddress { get; }

    /// <summary>A certificate check that accepts this site's certificate and nothing else.</summary>
    public bool IsSiteCertificate(X509Certificate? presented) =>
        presented is not null && presented.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(Certificate.GetCertHash(HashAlgorithmName.SHA256));

    /// <summary>An <see cref="HttpClient"/> that trusts the site's certificate (and follows no redirect).</summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, presented, _, _) => IsSiteCertificate(presented) },
    });

    public static async Task<NginxSite> StartAsync(Uri upstream)
    {
        if (!File.Exists(NginxPath))
        {
            throw new InvalidOperationException($"{NginxPath} is missing: the reverse-proxy tests run the documented nginx site " +
                "(apt-get install -y nginx; .ci/run installs it)");
        }

        var directory = new TempDirectory();
        try
        {
            var certificate = SelfSignedCertificate();
            var certificatePath = Path.Combine(directory.Path, "fullchain.pem");
            var keyPath = Path.Combine(directory.Path, "privkey.pem");
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
            using (var key = certificate.GetECDsaPrivateKey()!)
            {
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            }

            var (httpPort, httpsPort) = FreePorts();
            var site = DocumentedSite()
                .Replace("    listen 80;\n", $"    listen 127.0.0.1:{httpPort};\n")
                .Replace("    listen 443 ssl;\n", $"    listen 127.0.0.1:{httpsPort} ssl;\n")
                .Replace("    listen [::]:80;\n", "")
                .Replace("    listen [::]:443 ssl;\n", "")
                .Replace("/etc/letsencrypt/live/chat.example.org/fullchain.pem", certificatePath)
                .Replace("/etc/letsencrypt/live/chat.example.org/privkey.pem", keyPath)
                .Replace("root /var/www/html;", $"root {Path.Combine(directory.Path, "www")};")
                .Replace("        proxy_pass http://127.0.0.1:5000;\n", $"        proxy_pass http://127.0.0.1:{upstream.Port};\n        proxy_bind {ProxyAddress};\n");
            await File.WriteAllTextAsync(Path.Combine(directory.Path, "nginx.conf"), MainConfig(directory.Path, site));

            var start = new ProcessStartInfo(NginxPath) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-p", directory.Path, "-c", "nginx.conf", "-e", Path.Combine(directory.Path, "error.log") })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            await WaitForPortAsync(process, directory.Path, httpsPort);
            return new NginxSite(directory, process, certificate, httpPort, httpsPort);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Certificate.Dispose();
        _directory.Dispose();
    }

    /// <summary>The site as docs/operations.md gives it, line for line, with each line the test changes checked present.</summary>
    private static string DocumentedSite()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "operations.md")).ReplaceLineEndings("\n");
        var block = NginxBlock().Match(document);
        if (!block.Success)
        {
            throw new InvalidOperationException("docs/operations.md has no ```nginx block");
        }

        var site = block.Groups[1].Value;
        foreach (var line in new[]
                 {
                     "    listen 80;\n", "    listen 443 ssl;\n", "    listen [::]:80;\n", "    listen [::]:443 ssl;\n",
                     "/etc/letsencrypt/live/chat.example.org/fullchain.pem", "/etc/letsencrypt/live/chat.example.org/privkey.pem",
                     "        proxy_pass http://127.0.0.1:5000;\n", "root /var/www/html;",
                 })
        {
            if (!site.Contains(line, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"docs/operations.md's nginx site no longer has '{line.Trim()}': update {nameof(NginxSite)}");
            }
        }

        return site;
    }

    /// <summary>What a distribution's /etc/nginx/nginx.conf gives the site (an http block, mime types aside), with every
    /// path in the test's directory and one worker.</summary>
    private static string MainConfig(string directory, string site)
    {
        // As root nginx hands its workers to "nobody", who could not reach the temp paths in the test's directory.
        var user = Environment.UserName == "root" ? "user root;\n" : "";
        return $$"""
            {{user}}daemon off;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{site}}
            }
            """;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    // Below the ephemeral range (WebTestKit.RestartablePort): a port found by binding 0 and closed again may go to any
    // other socket bound to 0 (another test's host, an outgoing connection) before nginx binds it.
    private static (int Http, int Https) FreePorts()
    {
        var http = Web.WebTestKit.RestartablePort();
        int https;
        while ((https = Web.WebTestKit.RestartablePort()) == http)
        {
        }

        return (http, https);
    }

    private static async Task WaitForPortAsync(Process process, string directory, int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        var log = Path.Combine(directory, "error.log");
        var said = (File.Exists(log) ? await File.ReadAllTextAsync(log) : "") + (process.HasExited ? await process.StandardError.ReadToEndAsync() : "");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        throw new InvalidOperationException($"nginx did not listen on 127.0.0.1:{port}: {said}");
    }

    [GeneratedRegex(@"```nginx\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NginxBlock();
}
