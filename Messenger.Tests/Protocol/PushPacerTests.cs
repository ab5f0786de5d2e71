using Messenger.Protocol.Transport;

namespace Messenger.Tests.Protocol;

public sealed class PushPacerTests
{
    [Fact]
    public async Task NextTick_IsOneTaskForEveryWaiter_AndANewOneAfterItEnds()
    {
        using var pacer = new PushPacer(TimeSpan.FromMilliseconds(20));

        var first = pacer.NextTick;
        pacer.NextTick.Should().BeSameAs(first);
        await first.WaitAsync(TimeSpan.FromSeconds(10));

        var second = pacer.NextTick;
        second.Should().NotBeSameAs(first);
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Dispose_EndsTheWaitAndHoldsNothingBackAfterwards()
    {
        var pacer = new PushPacer(TimeSpan.FromHours(1));
        var waiting = pacer.NextTick;
        waiting.IsCompleted.Should().BeFalse();

        pacer.Dispose();

        waiting.IsCompleted.Should().BeTrue();
        pacer.NextTick.IsCompleted.Should().BeTrue();
    }
}
