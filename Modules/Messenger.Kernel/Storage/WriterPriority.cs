using System.Runtime.InteropServices;

namespace Messenger.Kernel.Storage;

/// <summary>
/// The writer thread's scheduling priority. Every durable write goes through that one thread, so when the machine's
/// cores are all busy, the time it spends waiting for a core is throughput lost to everyone; a lower nice value than
/// the connection threads' gives it the core first. Linux only (nice is per thread there); lowering nice needs
/// CAP_SYS_NICE or an RLIMIT_NICE that allows it, raising it never does.
/// </summary>
internal static class WriterPriority
{
    private const int PriorityProcess = 0; // PRIO_PROCESS; who = 0 is the calling thread under Linux/NPTL
    private const int NotPermitted = 1; // EPERM
    private const int PermissionDenied = 13; // EACCES

    /// <summary>Sets the calling thread's nice value; null on success, else why not.</summary>
    public static string? TrySetForCurrentThread(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "thread priorities are only set on Linux";
        }

        if (setpriority(PriorityProcess, 0, nice) == 0)
        {
            return null;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is PermissionDenied or NotPermitted
            ? $"the OS refused nice {nice}: lowering it needs CAP_SYS_NICE or a LimitNICE that allows it"
            : $"setpriority({nice}) failed with errno {errno}";
    }

    /// <summary>The calling thread's nice value (Linux), or null.</summary>
    public static int? CurrentThreadNice()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Marshal.SetLastPInvokeError(0);
        var nice = getpriority(PriorityProcess, 0);
        return nice == -1 && Marshal.GetLastPInvokeError() != 0 ? null : nice;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", SetLastError = true)]
    private static extern int getpriority(int which, int who);
}
