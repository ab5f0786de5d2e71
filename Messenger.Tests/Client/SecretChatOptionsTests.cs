using Messenger.Client;

namespace Messenger.Tests.Client;

/// <summary>The re-keying knobs of <see cref="MessengerClientOptions"/> refuse values that would re-key on every message or
/// never wait at all, and the in-memory store gives the SDK copies it may wipe.</summary>
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
    public void SecretRekeyDurations_WhenNotPositive_Throw(long ticks)
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
            SecretRekeyAfter = TimeSpan.FromTicks(1), SecretRekeyRequestTimeout = TimeSpan.MaxValue,
        };

        (defaults.SecretRekeyAfterMessages, defaults.SecretRekeyAfter, defaults.SecretRekeyRequestTimeout)
            .Should().Be((100, TimeSpan.FromDays(7), TimeSpan.FromDays(7)));
        (set.SecretRekeyAfterMessages, set.SecretRekeyAfter, set.SecretRekeyRequestTimeout).Should().Be((1, TimeSpan.FromTicks(1), TimeSpan.MaxValue));
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
}
