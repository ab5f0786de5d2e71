using Messenger.Client;

namespace Messenger.Tests.Client;

/// <summary>The re-keying knobs of <see cref="MessengerClientOptions"/> refuse values that would re-key on every message or
/// never wait at all (a wait under a second counts as none: ages are in whole seconds), and the in-memory store gives the SDK copies it may wipe.</summary>
public sealed class SecretChatOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void SecretRekeyAfterMessages_WhenBelowOne_Throws(int messages)
    {
        var set = () => new MessengerClientOptions { ServerUrl = new Uri("http://127.0.0.1"), ServerPublicKey = new byte[32], SecretRekeyAfterMessages = messages };

        set.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("value");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(TimeSpan.TicksPerSecond - 1)]
    public void SecretRekeyDurations_WhenBelowOneSecond_Throw(long ticks)
    {
        var after = () => new MessengerClientOptions
        {
            ServerUrl = new Uri("http://127.0.0.1"), ServerPublicKey = new byte[32], SecretRekeyAfter = TimeSpan.FromTicks(ticks),
        };
        var timeout = () => new MessengerClientOptions
        {
            ServerUrl = new Uri("http://127.0.0.1"), ServerPublicKey = new byte[32], SecretRekeyRequestTimeout = TimeSpan.FromTicks(ticks),
        };

        after.Should().Throw<ArgumentOutOfRangeException>();
        timeout.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void SecretRekeyKnobs_WhenInRange_AreKept_AndDefaultTo100MessagesAnd7Days()
    {
        var defaults = new MessengerClientOptions { ServerUrl = new Uri("http://127.0.0.1"), ServerPublicKey = new byte[32] };
        var set = new MessengerClientOptions
        {
            ServerUrl = new Uri("http://127.0.0.1"), ServerPublicKey = new byte[32], SecretRekeyAfterMessages = 1,
            SecretRekeyAfter = TimeSpan.FromSeconds(1), SecretRekeyRequestTimeout = TimeSpan.MaxValue,
        };

        (defaults.SecretRekeyAfterMessages, defaults.SecretRekeyAfter, defaults.SecretRekeyRequestTimeout)
            .Should().Be((100, TimeSpan.FromDays(7), TimeSpan.FromDays(7)));
        (set.SecretRekeyAfterMessages, set.SecretRekeyAfter, set.SecretRekeyRequestTimeout).Should().Be((1, TimeSpan.FromSeconds(1), TimeSpan.MaxValue));
    }

    [Fact]
    public void InMemorySecretChatKeyStore_Load_AnswersACopy_SoTheSdkWipingWhatItReadLeavesTheStoreWhole()
    {
        var store = new InMemorySecretChatKeyStore();
        store.Save([1, 2, 3]);

        var read = store.Load()!;
        Array.Clear(read);

        store.Load().Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task InMemorySecretChatKeyStore_LoadWhileSaving_NeverAnswersAStateZeroedByTheSave()
    {
        // Large states: copying one takes long enough for a save that replaces (and zeroes) it to land in the middle.
        var store = new InMemorySecretChatKeyStore();
        store.Save(Enumerable.Repeat((byte)1, 1 << 20).ToArray());
        var saving = Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                store.Save(Enumerable.Repeat((byte)(i % 200 + 2), 1 << 20).ToArray());
            }
        });

        var torn = 0;
        while (!saving.IsCompleted)
        {
            var read = store.Load()!;
            torn += read.AsSpan().IndexOf((byte)0) >= 0 ? 1 : 0;
        }

        await saving;
        torn.Should().Be(0, "a load answers one whole state, never one a save was zeroing");
    }
}
