using System.Runtime.ExceptionServices;
using Mediator;

namespace Messenger.Kernel.Events;

/// <summary>
/// How the bus hands a notification to its handlers: one after another, in their registered order, as Mediator's
/// <see cref="ForeachAwaitPublisher"/> does, but every one of them even when one fails. Each handler is a module's own
/// reaction (a device signing out: its last activity recorded, its presence and its online connections forgotten), and
/// one module's failure, say a database read that timed out, must not leave another's state wrong for good. The
/// failures are thrown at the end: the only one as it was, several together (but cancellations alone as the first, so a
/// caller that stops on its token still sees an <see cref="OperationCanceledException"/>).
/// </summary>
public sealed class EveryHandlerPublisher : INotificationPublisher
{
    public ValueTask Publish<TNotification>(
        NotificationHandlers<TNotification> handlers, TNotification notification, CancellationToken cancellationToken)
        where TNotification : INotification =>
        handlers.IsSingleHandler(out var single) ? single.Handle(notification, cancellationToken) : EachAsync(handlers, notification, cancellationToken);

    private static async ValueTask EachAsync<TNotification>(
        NotificationHandlers<TNotification> handlers, TNotification notification, CancellationToken cancellationToken)
        where TNotification : INotification
    {
        List<Exception>? failures = null;
        foreach (var handler in handlers)
        {
            try
            {
                await handler.Handle(notification, cancellationToken);
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }

        switch (failures)
        {
            case [var only]:
                ExceptionDispatchInfo.Throw(only);
                break;
            case [var first, ..] when failures.TrueForAll(e => e is OperationCanceledException):
                ExceptionDispatchInfo.Throw(first);
                break;
            case [_, ..]:
                throw new AggregateException(failures);
        }
    }
}
