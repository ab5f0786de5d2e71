namespace Messenger.Contracts.Rpc;

/// <summary>The public method name of an RPC call record (e.g. <c>messages.send</c>): the server's registry and the
/// clients both read it, so a call type and its name can never drift apart.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RpcMethodAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>The method name of <typeparamref name="TCall"/>.</summary>
    public static string Of<TCall>() => RpcMethodName<TCall>.Value;

    private static class RpcMethodName<TCall>
    {
        public static readonly string Value =
            (typeof(TCall).GetCustomAttributes(typeof(RpcMethodAttribute), false).FirstOrDefault() as RpcMethodAttribute)?.Name
            ?? throw new InvalidOperationException($"{typeof(TCall).Name} has no [RpcMethod] attribute");
    }
}
