using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Messenger.Media.Storage;

/// <summary>
/// Starts writing a just-written range of a file to disk without waiting for it (Linux <c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>). An upload's parts then reach the disk while the rest arrives, instead of all at once
/// in the <c>fsync</c> that makes the finished file durable: on a machine with plenty of memory the kernel would
/// otherwise keep gigabytes of dirty pages until that moment. Durability still comes only from that <c>fsync</c>; this
/// is a hint, and a no-op elsewhere. (<c>O_DIRECT</c> part writes were tried as well: slower here, not kept.)
/// </summary>
internal static class Writeback
{
    private const uint SyncFileRangeWrite = 2;
    private static bool _unsupported = !OperatingSystem.IsLinux();

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (_unsupported)
        {
            return;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = sync_file_range((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unsupported = true;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
