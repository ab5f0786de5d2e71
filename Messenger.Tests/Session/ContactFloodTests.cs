using Messenger.Client;
using Messenger.Contracts.Updates;
using Messenger.Tests.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Session;

/// <summary>Another user's log gets a contact entry only when their mutual flag flips, and one user may flip one
/// person's flag only <c>Messenger:Session:MutualFlipBurst</c> times at once, then <c>MutualFlipsPerHour</c>.
/// The host's clock stands still unless a test advances it.</summary>
public sealed class ContactFloodTests
{
    [Fact]
    public async Task AddDeleteLoop_AgainstSomeoneWhoHasTheCaller_WritesOnlyRealFlipsIntoTheirLog_ThenFloodWaits()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await SessionTestKit.StartHostAsync(clock: clock);
        await using var victim = await host.SignUpAsync("victim_cf", startEvents: false);
        await using var attacker = await host.SignUpAsync("attacker_cf", startEvents: false);
        await using var other = await host.SignUpAsync("other_cf", startEvents: false);
        await victim.Client.AddContactAsync(attacker.UserId, "Colleague");
        var before = (await victim.Client.GetStateAsync()).Pts;

        // Renames change nothing the victim sees: not a single entry of theirs.
        await attacker.Client.AddContactAsync(victim.UserId, "x");
        for (var i = 0; i < 20; i++)
        {
            await attacker.Client.AddContactAsync(victim.UserId, $"name {i}");
        }

        (await victim.Client.GetStateAsync()).Pts.Should().Be(before + 1, "only the first add flipped the victim's mutual flag");

        // The burst of 10 flips: the add above and 9 more (delete, add, …), each one real change.
        await attacker.Client.DeleteContactsAsync([victim.UserId]);
        for (var i = 0; i < 4; i++)
        {
            await attacker.Client.AddContactAsync(victim.UserId, "x");
            await attacker.Client.DeleteContactsAsync([victim.UserId]);
        }

        (await victim.Client.GetStateAsync()).Pts.Should().Be(before + 10);
        await ChatTestKit.FailsWith(() => attacker.Client.AddContactAsync(victim.UserId, "x"), "FLOOD_WAIT", 420);
        (await victim.Client.GetStateAsync()).Pts.Should().Be(before + 10, "a refused add writes nothing");
        (await attacker.Client.GetContactsAsync()).Should().NotContain(c => c.UserId == victim.UserId, "the refused add was not kept");

        // Someone who does not have the attacker sees nothing of an add+delete loop, which is not counted.
        var othersBefore = (await other.Client.GetStateAsync()).Pts;
        for (var i = 0; i < 20; i++)
        {
            await attacker.Client.AddContactAsync(other.UserId, "y");
            await attacker.Client.DeleteContactsAsync([other.UserId]);
        }

        (await other.Client.GetStateAsync()).Pts.Should().Be(othersBefore);

        // 30 an hour: one flip every two minutes.
        clock.Advance(TimeSpan.FromMinutes(2));
        await attacker.Client.AddContactAsync(victim.UserId, "x");
        await ChatTestKit.FailsWith(() => attacker.Client.DeleteContactsAsync([victim.UserId]), "FLOOD_WAIT", 420);
        (await victim.Client.GetStateAsync()).Pts.Should().Be(before + 11);
        (await attacker.Client.GetContactsAsync()).Should().Contain(c => c.UserId == victim.UserId, "the refused delete was not kept");
    }
}
