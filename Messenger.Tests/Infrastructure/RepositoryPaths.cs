namespace Messenger.Tests.Infrastructure;

internal static class RepositoryPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries that holds Messenger.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/vectors/noise-25519-chachapoly-blake2b.json beside the repository.</summary>
    public static string NoiseVectors => Path.GetFullPath(Path.Combine(Root, "..", "shared", "vectors", "noise-25519-chachapoly-blake2b.json"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Messenger.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Messenger.sln not found above " + AppContext.BaseDirectory);
    }
}
