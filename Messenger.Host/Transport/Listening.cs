using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Messenger.Kernel.Configuration;
using Messenger.Kernel.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Messenger.Host.Transport;

/// <summary>
/// Kestrel's part of the start, with what the operator can fix said in one line (a <see cref="StartupException"/>)
/// instead of a stack trace: a certificate that does not load, a listen address that is taken, not allowed or not this
/// machine's.
/// </summary>
internal static partial class Listening
{
    /// <summary>Loads Kestrel's own configuration (the <c>Kestrel</c> section: its certificate) before anything else
    /// starts; Kestrel would load it when it starts, after the modules.</summary>
    public static void LoadKestrelConfiguration(WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.ConfigurationLoader?.Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or InvalidOperationException)
        {
            throw new StartupException(app.Configuration[$"{MessengerOptionsValidator.CertificateSection}:Path"] is { Length: > 0 } path
                ? $"{MessengerOptionsValidator.CertificateSection}:Path: '{path}' cannot be loaded: {e.Message}"
                : $"Kestrel: {e.Message}");
        }
    }

    /// <summary>
    /// Binds each listen URL's address and port for a moment, before the data directory, the database and the server
    /// key are touched: Kestrel binds only after them, so a port another process holds stopped a first start after it
    /// had made them all. An address taken is a <see cref="StartupException"/>, as Kestrel's own failure is; anything
    /// else (port 0, a host name but localhost, a Unix socket, a URL the validation refuses, an address this machine
    /// lacks) is left to Kestrel and the validation.
    /// </summary>
    public static void CheckPortsFree(IEnumerable<string> urls)
    {
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0 || AddressOf(uri.Host) is not { } address)
            {
                continue;
            }

            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As Kestrel binds on Unix: a port whose last connections are in TIME_WAIT (a restart) is free to it.
            if (!OperatingSystem.IsWindows())
            {
                probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            try
            {
                probe.Bind(new IPEndPoint(address, uri.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw new StartupException($"Messenger:Urls: cannot listen on {url}: {Reason(e)}");
            }
            catch (SocketException)
            {
                // Not this check's to report: Kestrel names it when it binds.
            }
        }
    }

    /// <summary>The address a listen URL's host binds (localhost: its IPv4 one, which Kestrel binds too); null for a
    /// name.</summary>
    private static IPAddress? AddressOf(string host) =>
        host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address : null;

    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (BindFailure(e) is { } reason)
        {
            // Kestrel names the address when it was taken; otherwise only the configured ones can be named.
            var address = FailedAddress().Match(e.Message) is { Success: true } match
                ? match.Groups["address"].Value
                : app.Configuration["Messenger:Urls"];
            throw new StartupException($"Messenger:Urls: cannot listen on {address}: {reason}");
        }
    }

    /// <summary>Why Kestrel could not listen, if that is what <paramref name="e"/> says; null for anything else.</summary>
    public static string? BindFailure(Exception? e) => e switch
    {
        IOException { InnerException: AddressInUseException } => "address already in use",
        IOException { InnerException: SocketException socket } => Reason(socket),
        // localhost is two addresses: each one's failure, when both failed.
        IOException { InnerException: AggregateException both } => both.InnerExceptions.Select(BindFailure).FirstOrDefault(reason => reason is not null),
        SocketException socket => Reason(socket),
        _ => null,
    };

    private static string Reason(SocketException socket) => socket.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AccessDenied => "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
        SocketError.AddressNotAvailable => "this machine has no such address",
        _ => socket.Message,
    };

    [GeneratedRegex(@"^Failed to bind to address (?<address>\S+?):? ")]
    private static partial Regex FailedAddress();
}
