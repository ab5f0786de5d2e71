namespace Messenger.Host.WebClient;

/// <summary>The built web client next to the binary (wwwroot/, put there by the host's build and publish).</summary>
internal sealed class WebRoot(string path)
{
    public string Path { get; } = path;

    public string IndexPath => System.IO.Path.Combine(Path, "index.html");

    public bool IsBuilt => File.Exists(IndexPath);
}
