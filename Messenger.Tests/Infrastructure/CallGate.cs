using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Holds every call of one type the host runs until <see cref="Release"/> (or until the host stops): a validator, which
/// the host runs after the module's own and before the handler, as <see cref="UploadPartsProbe"/> does for upload parts.
/// A test makes the client wait for an answer, does something else meanwhile, then lets the answer come. With
/// <c>holds</c>, only the calls it picks are held (and counted); the others pass.
/// </summary>
internal sealed class CallGate<TCall>(Func<TCall, bool>? holds = null) : AbstractValidator<TCall>
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    /// <summary>How many calls came (held or let through).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Done once the first call came.</summary>
    public Task Arrived => _arrived.Task;

    public void Register(IServiceCollection services) => services.AddSingleton<IValidator<TCall>>(this);

    /// <summary>Lets the held calls, and all later ones, through.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Waits until <paramref name="count"/> calls came.</summary>
    public async Task WaitForAsync(int count)
    {
        for (var waited = 0; Count < count; waited += 20)
        {
            if (waited > 20_000) throw new TimeoutException($"{count} {typeof(TCall).Name} expected, {Count} came");
            await Task.Delay(20);
        }
    }

    public override async Task<ValidationResult> ValidateAsync(ValidationContext<TCall> context, CancellationToken cancellation = default)
    {
        if (holds is not null && !holds(context.InstanceToValidate))
        {
            return new ValidationResult();
        }

        Interlocked.Increment(ref _count);
        _arrived.TrySetResult();
        await _released.Task.WaitAsync(cancellation);
        return new ValidationResult();
    }
}
