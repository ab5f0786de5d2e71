using System.Security.Cryptography;
using Messenger.Client;
using Messenger.Contracts.Media;
using Messenger.Contracts.Messages;
using Messenger.Contracts.Users;
using Messenger.Kernel.Storage;
using Messenger.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Messenger.Tests.Media;

/// <summary>Files, users and store inspection for the media tests (files are small: KiBs to a few MiB).</summary>
internal static class MediaTestKit
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static async Task<long> IdOfAsync(this MessengerClient client, string username) =>
        (await client.CallAsync(new SearchUsersCall(username))).Users.Single(u => u.Username == username).Id;

    public static Task<InputMedia> UploadAsync(
        this MessengerClient client, byte[] bytes, string name = "file.bin", string mime = "application/octet-stream", int parallelism = 4,
        MediaTransport transport = MediaTransport.Stream) =>
        client.UploadFileAsync(new MemoryStream(bytes), name, mime, parallelism: parallelism, transport: transport);

    public static async Task<byte[]> DownloadAsync(
        this MessengerClient client, MessageMedia media, long offset = 0, long? length = null, MediaTransport transport = MediaTransport.Stream)
    {
        using var destination = new MemoryStream();
        await client.DownloadFileAsync(media, destination, offset: offset, length: length, transport: transport);
        return destination.ToArray();
    }

    public static string[] BlobFiles(this TestHost host)
    {
        var root = Path.Combine(host.DataDirectory, "media", "sha256");
        return Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
    }

    public static string[] UploadFiles(this TestHost host)
    {
        var root = Path.Combine(host.DataDirectory, "tmp", "uploads");
        return Directory.Exists(root) ? Directory.GetFiles(root) : [];
    }

    /// <summary>A PNG of <paramref name="width"/> × <paramref name="height"/> (its header; the rest is made-up bytes).</summary>
    public static byte[] Png(int width, int height, int seed, int length = 4096)
    {
        var bytes = RandomBytes(length, seed);
        byte[] header = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 0, (byte)(width >> 8), (byte)width, 0, 0, (byte)(height >> 8), (byte)height, 8, 2, 0, 0, 0];
        header.CopyTo(bytes, 0);
        return bytes;
    }

    public static long? RefCount(this TestHost host, string hash)
    {
        using var connection = host.Services.GetRequiredService<SqliteDatabase>().Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT ref_count FROM media_blobs WHERE hash = @hash";
        command.Parameters.AddWithValue("@hash", hash);
        return command.ExecuteScalar() as long?;
    }
}
