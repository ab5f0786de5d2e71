using System.Security.Cryptography;
using FluentValidation;
using Mediator;
using Messenger.Contracts.Account;
using Messenger.Contracts.Rpc;
using Messenger.Kernel.Errors;
using Messenger.Kernel.Rpc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Messenger.Update.WebPush;

internal sealed class RegisterPushValidator : AbstractValidator<RegisterPushCall>
{
    public const int MaxEndpointLength = 2048;

    public RegisterPushValidator(IOptions<PushOptions> options)
    {
        var allowHttp = options.Value.PrivateNetworks;
        RuleFor(c => c.Endpoint)
            .Must(endpoint => endpoint is { Length: > 0 and <= MaxEndpointLength }
                && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttps || (allowHttp && uri.Scheme == Uri.UriSchemeHttp))
                && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0)
            .WithErrorCode(PushErrorNames.EndpointInvalid);
        RuleFor(c => c.P256dh).Must(IsDeviceKey).WithErrorCode(PushErrorNames.KeyInvalid);
        RuleFor(c => c.Auth).Must(auth => Decode(auth) is { Length: 16 }).WithErrorCode(PushErrorNames.KeyInvalid);
    }

    /// <summary>A P-256 point, uncompressed, that is on the curve (a key the encryption could not use is refused now,
    /// not at the first message).</summary>
    private static bool IsDeviceKey(string? value)
    {
        if (Decode(value) is not { Length: 65 } point || point[0] != 0x04)
        {
            return false;
        }

        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point[1..33], Y = point[33..] } });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[]? Decode(string? base64Url)
    {
        if (base64Url is null or { Length: 0 or > 200 })
        {
            return null;
        }

        try
        {
            return WebEncoders.Base64UrlDecode(base64Url.TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

internal sealed class PushCallHandlers(PushSubscriptions subscriptions, VapidKeys keys, RpcContext caller, IOptions<PushOptions> options)
    : IRequestHandler<GetPushKeyCall, PushKey>, IRequestHandler<RegisterPushCall, Done>, IRequestHandler<UnregisterPushCall, Done>
{
    public ValueTask<PushKey> Handle(GetPushKeyCall call, CancellationToken cancellationToken)
    {
        caller.RequireUserId();
        RequireEnabled();
        return ValueTask.FromResult(new PushKey(keys.PublicKey));
    }

    public async ValueTask<Done> Handle(RegisterPushCall call, CancellationToken cancellationToken)
    {
        var me = caller.RequireUserId();
        RequireEnabled();
        await subscriptions.SetAsync(new PushTarget(me, caller.DeviceKey, call.Endpoint, call.P256dh.TrimEnd('='), call.Auth.TrimEnd('=')), cancellationToken);
        return new Done();
    }

    public async ValueTask<Done> Handle(UnregisterPushCall call, CancellationToken cancellationToken)
    {
        caller.RequireUserId();
        await subscriptions.RemoveDeviceAsync(caller.DeviceKey, cancellationToken);
        return new Done();
    }

    private void RequireEnabled()
    {
        if (!options.Value.Enabled)
        {
            throw MessengerError.BadRequest(PushErrorNames.Disabled);
        }
    }
}
