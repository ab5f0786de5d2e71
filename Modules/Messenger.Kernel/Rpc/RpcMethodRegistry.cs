using FluentValidation;
using MessagePack;
using Mediator;
using Messenger.Contracts.Rpc;
using Messenger.Contracts.Wire;
using Messenger.Kernel.Errors;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Kernel.Rpc;

/// <summary>One registered method: its name, how to read its arguments and how to run a call of it inside a DI scope.</summary>
public sealed class RpcMethod(
    string name,
    Type callType,
    RpcCost cost,
    bool allowAnonymous,
    bool allowBeforePasswordChange,
    Func<ReadOnlyMemory<byte>, object> parse,
    Func<IServiceProvider, object, CancellationToken, ValueTask<byte[]>> invoke)
{
    public string Name { get; } = name;

    /// <summary>Whether a call counts against the caller's write limit (<see cref="WriteLimiter"/>).</summary>
    public RpcCost Cost { get; } = cost;

    /// <summary>True for the few methods a device without an authorization may call (help.*, sign-in, …).</summary>
    public bool AllowAnonymous { get; } = allowAnonymous;

    /// <summary>True for the methods a device that must change its password first may call: the anonymous ones and those
    /// registered so (changing the password, signing out). The rest answer 403 <c>PASSWORD_CHANGE_REQUIRED</c>.</summary>
    public bool AllowBeforePasswordChange { get; } = allowAnonymous || allowBeforePasswordChange;

    public Type CallType { get; } = callType;

    /// <summary>Deserializes the arguments (copying what the call keeps); malformed ones throw 400 ARGS_INVALID.</summary>
    public object Parse(ReadOnlyMemory<byte> args) => parse(args);

    /// <summary>Validates a parsed call, sends it over the bus and serializes the result.</summary>
    public ValueTask<byte[]> InvokeAsync(IServiceProvider scope, object call, CancellationToken cancellationToken) =>
        invoke(scope, call, cancellationToken);
}

/// <summary>Every RPC method of every module, by name. Built from the modules' registrations at start-up.</summary>
public sealed class RpcMethodRegistry(IEnumerable<RpcMethod> methods)
{
    private readonly Dictionary<string, RpcMethod> _methods = methods.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _methods.Keys;

    public bool TryGet(string name, out RpcMethod method) => _methods.TryGetValue(name, out method!);
}

public static class RpcRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TCall"/> under its <see cref="RpcMethodAttribute"/> name. Its handler is a
    /// Mediator request handler in the registering module; FluentValidation validators for it run first.
    /// <paramref name="cost"/> says whether it reads, writes (counted by <see cref="WriteLimiter"/>) or writes under a
    /// limiter of its own; there is no default, so no method goes unclassified.
    /// Only a signed-in device may call it unless <paramref name="allowAnonymous"/> is set; a device signed in with a
    /// temporary password only if one of them or <paramref name="allowBeforePasswordChange"/> is.
    /// </summary>
    public static IServiceCollection AddRpcMethod<TCall, TResult>(
        this IServiceCollection services, RpcCost cost, bool allowAnonymous = false, bool allowBeforePasswordChange = false)
        where TCall : IRpcCall<TResult>
    {
        services.AddSingleton(new RpcMethod(
            RpcMethodAttribute.Of<TCall>(), typeof(TCall), cost, allowAnonymous, allowBeforePasswordChange, Parse<TCall>, InvokeAsync<TCall, TResult>));
        return services;
    }

    private static object Parse<TCall>(ReadOnlyMemory<byte> args)
    {
        try
        {
            return MessagePackSerializer.Deserialize<TCall>(args, WireSerializer.Options)
                ?? throw MessengerError.BadRequest(ErrorNames.ArgsInvalid);
        }
        catch (MessagePackSerializationException)
        {
            throw MessengerError.BadRequest(ErrorNames.ArgsInvalid);
        }
    }

    private static async ValueTask<byte[]> InvokeAsync<TCall, TResult>(IServiceProvider scope, object parsed, CancellationToken cancellationToken)
        where TCall : IRpcCall<TResult>
    {
        var value = await ValidateAndSendAsync<TCall, TResult>(scope, (TCall)parsed, cancellationToken);
        return MessagePackSerializer.Serialize(value, WireSerializer.Options, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="call"/> as <paramref name="userId"/> from outside any connection (the Bot HTTP API): in a DI
    /// scope of its own, validated and handled exactly as the same call over <c>/rpc</c>, with the same errors and the
    /// same write limit (a <see cref="RpcCost.Write"/> method takes from the user's <see cref="WriteLimiter"/> bucket).
    /// </summary>
    public static async Task<TResult> InvokeAsUserAsync<TCall, TResult>(
        this IServiceProvider services, long userId, TCall call, CancellationToken cancellationToken)
        where TCall : IRpcCall<TResult>
    {
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<RpcContext>();
        context.Set([], 0, "", null, RpcMethodAttribute.Of<TCall>());
        context.UserId = userId;
        if (scope.ServiceProvider.GetService<RpcMethodRegistry>() is { } methods && methods.TryGet(RpcMethodAttribute.Of<TCall>(), out var method)
            && method.Cost == RpcCost.Write)
        {
            scope.ServiceProvider.GetService<WriteLimiter>()?.Take(userId);
        }

        return await ValidateAndSendAsync<TCall, TResult>(scope.ServiceProvider, call, cancellationToken);
    }

    private static async ValueTask<TResult> ValidateAndSendAsync<TCall, TResult>(IServiceProvider scope, TCall call, CancellationToken cancellationToken)
        where TCall : IRpcCall<TResult>
    {
        foreach (var validator in scope.GetServices<IValidator<TCall>>())
        {
            var result = await validator.ValidateAsync(call, cancellationToken);
            if (!result.IsValid)
            {
                throw MessengerError.BadRequest(RpcErrorNames.ErrorName(result.Errors[0]));
            }
        }

        return await scope.GetRequiredService<ISender>().Send(call, cancellationToken);
    }
}
