namespace Messenger.Tests.Infrastructure;

/// <summary>
/// What a host logged, read from the rolling file of <c>Messenger:Logging:FilePath</c>: the server's own sink, so a
/// test sees the lines an operator would (Serilog replaces the logger factory, so an added provider would see none).
/// </summary>
internal static class LogFiles
{
    /// <summary>The settings that make a host log into <paramref name="directory"/> (Information and above).</summary>
    public static Dictionary<string, string?> Settings(string directory) => new()
    {
        ["Messenger:Logging:FilePath"] = System.IO.Path.Combine(directory, "messenger.log"),
        ["Messenger:Logging:MinimumLevel"] = "Information",
    };

    /// <summary>Everything logged into <paramref name="directory"/> so far (the sink writes each event through).</summary>
    public static string Read(string directory) => string.Concat(
        Directory.GetFiles(directory, "messenger*.log").Order().Select(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }));
}
