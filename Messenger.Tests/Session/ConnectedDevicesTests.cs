using Messenger.Session.Devices;

namespace Messenger.Tests.Session;

/// <summary>The map of signed-in connected devices, when a connection's close is told before its sign-in.</summary>
public sealed class ConnectedDevicesTests
{
    private static readonly byte[] Key = [1, 2, 3];

    [Fact]
    public void ASignInToldAfterItsConnectionClosed_CountsNothing()
    {
        var devices = new ConnectedDevices();
        devices.SignedOut("c1").Should().BeNull("its sign-in is still to be told");
        devices.SignedIn("c1", Key);
        devices.IsConnected(Key).Should().BeFalse();

        devices.SignedIn("c2", Key);
        devices.IsConnected(Key).Should().BeTrue();
        devices.SignedOut("c2").Should().Equal(Key);
        devices.IsConnected(Key).Should().BeFalse();
    }

    [Fact]
    public void PastTheBound_TheOldestEarlyCloseGoes_NotARecentOneWhoseSignInMayStillCome()
    {
        var devices = new ConnectedDevices();
        for (var i = 0; i <= ConnectedDevices.MaxClosedEarly; i++)
        {
            devices.SignedOut($"early{i}"); // the first of them never signs in
        }

        devices.SignedIn($"early{ConnectedDevices.MaxClosedEarly - 1}", Key);
        devices.IsConnected(Key).Should().BeFalse("its close was remembered: the device is not left connected for good");
        devices.SignedIn("early0", Key);
        devices.IsConnected(Key).Should().BeTrue("the oldest went to make room (its sign-in was never told)");
    }
}
