using System.Collections.Concurrent;
using FluentValidation;
using FluentValidation.Results;
using Messenger.Contracts.Media;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Infrastructure;

/// <summary>
/// Sees each <c>upload.saveFilePart</c> call the host runs: a validator, which the host runs after the module's own and
/// before the part is stored. It lets the first <c>passing</c> calls through and holds the later ones until
/// <see cref="Release"/> or until the host stops (they are then answered SERVER_SHUTTING_DOWN, nothing stored), so an
/// upload stops midway with exactly those parts on the server.
/// </summary>
internal sealed class UploadPartsProbe(int passing = int.MaxValue) : AbstractValidator<SaveFilePartCall>
{
    private readonly ConcurrentQueue<(long FileId, int Part)> _passed = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    /// <summary>The parts let through (to be stored), in the order they came.</summary>
    public IReadOnlyList<(long FileId, int Part)> Passed => [.. _passed];

    public void Register(IServiceCollection services) => services.AddSingleton<IValidator<SaveFilePartCall>>(this);

    /// <summary>Lets the held calls, and all later ones, through.</summary>
    public void Release() => _released.TrySetResult();

    public override async Task<ValidationResult> ValidateAsync(ValidationContext<SaveFilePartCall> context, CancellationToken cancellation = default)
    {
        if (Interlocked.Increment(ref _arrived) > passing)
        {
            await _released.Task.WaitAsync(cancellation);
        }

        _passed.Enqueue((context.InstanceToValidate.FileId, context.InstanceToValidate.Part));
        return new ValidationResult();
    }
}
