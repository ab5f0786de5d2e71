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
