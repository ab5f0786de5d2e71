using Messenger.Kernel.Rpc;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// An RPC method for protocol tests that counts its executions and holds its answer until the test releases it,
/// so a test can have calls genuinely in flight (registered straight into the registry, outside the bus).
/// </summary>
internal sealed class BlockingProbe
{
    public const string Method = "test.block";

    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _executions;

    public int Executions => Volatile.Read(ref _executions);

    public void Release() => _gate.TrySetResult();

    public void Register(IServiceCollection services) =>
        services.AddSingleton(new RpcMethod(Method, typeof(object), RpcCost.Read, allowAnonymous: true, allowBeforePasswordChange: false, _ => new object(), async (_, _, cancellationToken) =>
        {
            Interlocked.Increment(ref _executions);
            await _gate.Task.WaitAsync(cancellationToken);
            return [0xc0];
        }));
}
