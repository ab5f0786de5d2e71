using Messenger.Client;
using Messenger.Tests.Infrastructure;

namespace Messenger.Tests.Client;

public sealed class FileDeviceKeyStoreTests
{
    // The race is a few microseconds wide (a check for the file, then a rename that replaces): many rounds of eight
    // first uses at once make it show without the exclusive placing (it failed once in a clean-clone CI run).
    [Fact]
    public async Task GetOrCreate_FromSeveralStoresAtOnce_GivesEveryoneTheSameKey()
    {
        using var directory = new TempDirectory();
        for (var round = 0; round < 200; round++)
        {
            var path = Path.Combine(directory.Path, $"round-{round}", "device.key");
            using var start = new ManualResetEventSlim();
            var keys = Enumerable.Range(0, 8)
                .Select(_ => Task.Run(() =>
                {
                    start.Wait();
                    return new FileDeviceKeyStore(path).GetOrCreate().PublicKey;
                }))
                .ToList();
            start.Set();

            var all = await Task.WhenAll(keys);
            all.Select(Convert.ToHexString).Distinct().Should().ContainSingle($"round {round}: one key wins");
            new FileDeviceKeyStore(path).GetOrCreate().PublicKey.Should().Equal(all[0]);
            Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("no temporary file is left behind");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a key")]
    public void GetOrCreate_WhenTheFileHoldsNoKey_FailsNamingIt(string content)
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "device.key");
        File.WriteAllText(path, content);

        var read = () => new FileDeviceKeyStore(path).GetOrCreate();

        read.Should().Throw<InvalidDataException>().Which.Message.Should().Contain(path);
    }
}
