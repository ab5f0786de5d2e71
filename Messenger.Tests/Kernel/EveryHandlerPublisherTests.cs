using Mediator;
using Messenger.Kernel.Events;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Kernel;

/// <summary>The bus runs every handler of a notification, in order, even when one fails, and then reports the failures.</summary>
public sealed class EveryHandlerPublisherTests
{
    private sealed record Noted : INotification;

    private sealed class Handler(List<string> calls, string name, Exception? failure = null, bool async = false) : INotificationHandler<Noted>
    {
        public async ValueTask Handle(Noted notification, CancellationToken cancellationToken)
        {
            if (async)
            {
                await Task.Yield();
            }

            calls.Add(name);
            if (failure is not null)
            {
                throw failure;
            }
        }
    }

    private static ValueTask PublishAsync(params INotificationHandler<Noted>[] handlers) =>
        new EveryHandlerPublisher().Publish(new NotificationHandlers<Noted>(handlers, isArray: true), new Noted(), CancellationToken.None);

    [Fact]
    public async Task AFailingHandler_LeavesTheOthersToRun_InOrder_AndItsExceptionIsThrownAsItWas()
    {
        var calls = new List<string>();
        var failure = new InvalidOperationException("database busy");

        var thrown = await FluentActions.Awaiting(async () => await PublishAsync(
                new Handler(calls, "first", failure), new Handler(calls, "second", async: true), new Handler(calls, "third")))
            .Should().ThrowAsync<InvalidOperationException>();

        thrown.Which.Should().BeSameAs(failure);
        calls.Should().Equal("first", "second", "third");
    }

    [Fact]
    public async Task SeveralFailures_AreThrownTogether_AfterEveryHandlerRan()
    {
        var calls = new List<string>();

        var thrown = await FluentActions.Awaiting(async () => await PublishAsync(
                new Handler(calls, "first", new InvalidOperationException("one"), async: true),
                new Handler(calls, "second"),
                new Handler(calls, "third", new TimeoutException("two"))))
            .Should().ThrowAsync<AggregateException>();

        thrown.Which.InnerExceptions.Select(e => e.Message).Should().Equal("one", "two");
        calls.Should().Equal("first", "second", "third");
    }

    [Fact]
    public async Task CancellationsAlone_AreThrownAsTheFirstOfThem()
    {
        var calls = new List<string>();
        var first = new OperationCanceledException("first");

        var thrown = await FluentActions.Awaiting(async () => await PublishAsync(
                new Handler(calls, "first", first), new Handler(calls, "second", new TaskCanceledException("second"))))
            .Should().ThrowAsync<OperationCanceledException>();

        thrown.Which.Should().BeSameAs(first);
        calls.Should().Equal("first", "second");
    }

    [Fact]
    public async Task TheHost_PublishesThroughIt()
    {
        await using var host = await TestHost.StartAsync();
        host.Services.GetRequiredService<INotificationPublisher>().Should().BeOfType<EveryHandlerPublisher>();
    }
}
