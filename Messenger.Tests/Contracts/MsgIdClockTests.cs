using Messenger.Contracts.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Contracts;

/// <summary>The SDK's msg_ids across clock corrections: never the same id twice, and back in the server's window after
/// a clock that ran far ahead.</summary>
public sealed class MsgIdClockTests
{
    [Fact]
    public void SmallCorrections_InEitherDirection_KeepTheIdsIncreasing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ids = new MsgIdClock(clock);
        var issued = new List<long> { ids.Next() };

        // Two calls refused together: each answer corrects the clock by what it measured, a few milliseconds apart.
        ids.Offset = TimeSpan.FromHours(9) + TimeSpan.FromMilliseconds(5);
        issued.Add(ids.Next());
        ids.Offset = TimeSpan.FromHours(9) + TimeSpan.FromMilliseconds(2);
        issued.Add(ids.Next());
        ids.Offset = TimeSpan.FromHours(9) - TimeSpan.FromSeconds(3);
        issued.Add(ids.Next());

        issued.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        issued.Should().OnlyContain(id => id % 4 == 0);
    }

    [Fact]
    public void AClockFarAhead_CorrectedBack_RestartsWithinTheServersWindow()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ids = new MsgIdClock(clock);
        ids.Offset = TimeSpan.FromMinutes(10); // as if the local clock said ten minutes later than the server
        var ahead = ids.Next();

        ids.Offset = TimeSpan.Zero;
        var corrected = ids.Next();

        corrected.Should().BeLessThan(ahead);
        (MsgIdClock.TimeOf(corrected) - clock.GetUtcNow()).Duration().Should().BeLessThan(TimeSpan.FromSeconds(ProtocolConstants.MsgIdMaxLeadSeconds));
    }
}
