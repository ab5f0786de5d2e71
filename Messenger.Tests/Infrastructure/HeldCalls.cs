using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Holds every call of one method the host runs until <see cref="Release"/> (or until the host stops): a validator,
/// which the host runs after the module's own, so the call is answered only once the test lets it go — an answer that
/// comes late, at the moment the test chooses.
/// </summary>
internal sealed class HeldCalls<TCall> : AbstractValidator<TCall>
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    /// <summary>How many calls have come (held or, after the release, let through).</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    public void Register(IServiceCollection services) => services.AddSingleton<IValidator<TCall>>(this);

    /// <summary>Lets the held calls, and all later ones, through.</summary>
    public void Release() => _released.TrySetResult();

    public override async Task<ValidationResult> ValidateAsync(ValidationContext<TCall> context, CancellationToken cancellation = default)
    {
        Interlocked.Increment(ref _arrived);
        await _released.Task.WaitAsync(cancellation);
        return new ValidationResult();
    }
}
